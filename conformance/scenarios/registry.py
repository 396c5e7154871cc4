"""Every scenario of the suite, per API: each API's folder registers its own."""

from __future__ import annotations

from conformance.apis import APIS
from conformance.scenarios.base import Scenario

SCENARIOS: dict[str, tuple[Scenario, ...]] = {
    name: api.part("scenarios.workflows", "SCENARIOS") for name, api in APIS.items()
}
