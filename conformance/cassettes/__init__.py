"""Recorded scenarios: vcrpy cassettes of a run, offline replay, and rechecks of old recordings.

Layout of a cassette directory (`--record DIR` / `--replay DIR` / `recheck DIR`):

    DIR/<api>/run.json            how the run was made (seed, prefix, base URL, groups)
    DIR/<api>/<group>.yaml        one vcrpy cassette per group: a scenario, `property-<opId>`,
                                  `stateful`, and `_unscoped` for traffic outside any group
"""
