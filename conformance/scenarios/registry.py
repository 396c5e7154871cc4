"""Every scenario of the suite, registered in this one place."""

from __future__ import annotations

from conformance.scenarios.akamai_workflows import AKAMAI_SCENARIOS
from conformance.scenarios.azion_workflows import AZION_SCENARIOS
from conformance.scenarios.base import Scenario

SCENARIOS: dict[str, tuple[Scenario, ...]] = {"akamai": AKAMAI_SCENARIOS, "azion": AZION_SCENARIOS}
