"""The engine: plans and runs phases against a target and collects a verdict per requirement."""
