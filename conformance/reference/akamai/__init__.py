"""Reference server of the Akamai DataStream 2 Configuration API v1 (see app.py)."""
