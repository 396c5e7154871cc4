"""Every exchange check of the suite, per API: each API's folder registers its own
(`conformance/apis/<name>/checks/__init__.py`)."""

from __future__ import annotations

from conformance.apis import APIS
from conformance.checks.base import ExchangeCheck

CHECKS: dict[str, tuple[ExchangeCheck, ...]] = {
    name: api.part("checks", "CHECKS") for name, api in APIS.items()
}
