"""Reference server of the Azion Data Streaming API v3 (see app.py)."""
