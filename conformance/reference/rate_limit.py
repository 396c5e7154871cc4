"""A token bucket per client, with X-RateLimit-Limit, -Remaining and -Next headers for the
APIs whose seeds document them."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class RateDecision:
    """The outcome of one request against the budget."""

    allowed: bool
    limit: int
    remaining: int
    next_at: float | None  # epoch seconds when the next request may be made, once remaining is 0

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
        }
        if self.next_at is not None:
            headers["X-RateLimit-Next"] = iso8601(self.next_at)
        return headers


def iso8601(epoch: float) -> str:
    """An ISO 8601 UTC timestamp with milliseconds, e.g. 2026-11-24T19:45:42.123Z.

    Rounded up: a Next that names a moment before the token exists would invite a 429.
    """
    millis = math.ceil(epoch * 1000)
    moment = datetime.fromtimestamp(millis // 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"


class TokenBucket:
    """`limit` tokens per client that refill continuously over `window` seconds."""

    def __init__(
        self, limit: int, window: float, *, clock: Callable[[], float] = time.time
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._rate = limit / window
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> RateDecision:
        """Spend one token of `client`'s budget if there is one."""
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(client, (float(self.limit), now))
            tokens = min(float(self.limit), tokens + (now - last) * self._rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[client] = (tokens, now)
            remaining = math.floor(tokens)
            next_at = None
            if remaining == 0:
                next_at = now + (1.0 - tokens) / self._rate
            return RateDecision(allowed, self.limit, remaining, next_at)
