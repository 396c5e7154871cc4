"""The toy API's reference server."""
