"""Checks: small functions over one exchange, each tagged with the requirement it tests."""
