"""The floor every other package stands on: exchanges, results, the one HTTP client, its
budgets, time bounds and stop signals. It imports nothing of ours but the contract loaders
and the leaf modules (settings, redaction, target_url, transport, time_formats, exit_codes);
tests/test_architecture.py holds it to that."""
