"""The runner: opens the target, wires the phases, checks and listeners for one run, and tells
its outputs (reports, baseline gate, recording, progress) what happened through events."""
