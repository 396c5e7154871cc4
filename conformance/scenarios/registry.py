"""Every scenario of the suite, registered in this one place."""

from __future__ import annotations

from conformance.scenarios.base import Scenario

SCENARIOS: dict[str, tuple[Scenario, ...]] = {"akamai": (), "azion": ()}
