"""Same seed, same target, same requests: what hypothesis needs for that."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock


@contextmanager
def deterministic_generation() -> Iterator[None]:
    """Generate without hypothesis' constants mined from local modules.

    Hypothesis mixes constants it finds in every *local* module loaded into its generated
    data, so which modules a process imported, and any edit to their code, would change what a
    seed generates: a run would not repeat, and a recording would not replay. Without them.
    """
    from hypothesis.internal.conjecture import providers

    empty = providers.Constants()  # type: ignore[attr-defined]
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        with mock.patch.object(providers, "_get_local_constants", lambda: empty):
            yield
    finally:
        providers.CONSTANTS_CACHE.cache.clear()
