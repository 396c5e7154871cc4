"""Gating on findings: run-to-run diffs and baselines of known failures, keyed by fingerprint."""
