"""dsconform: conformance suite for the APIs of `conformance.apis` (one folder each)."""

__version__ = "0.1.0"
