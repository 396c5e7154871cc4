"""dsconform: conformance suite for the Azion Data Streaming v3 and Akamai DataStream 2 v1 APIs."""

__version__ = "0.1.0"
