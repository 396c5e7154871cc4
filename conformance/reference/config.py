"""Settings of one reference server instance."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ReferenceConfig:
    """How a reference server behaves: faults, timing, budget and credentials."""

    faults: frozenset[str] = field(default_factory=frozenset)
    # Seconds a stream spends ACTIVATING/DEACTIVATING before it settles.
    activation_delay: float = 1.0
    # Requests per window; None takes the spec's `x-rate-limit` where it states one, and
    # switches rate limiting off where it does not.
    rate_limit: int | None = None
    rate_window: float = 60.0
    # The credentials the server accepts, of its API's own kind (its folder's
    # reference/credentials.py); None: that module's defaults.
    credentials: object | None = None
    max_body_bytes: int = 1_048_576
