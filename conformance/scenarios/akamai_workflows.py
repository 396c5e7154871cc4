"""Scripted Akamai workflows, in the order they run.

The read-only scenarios come first (their lookups are shared with the rest through
`ScenarioContext.once`), the rate-limit burst last (it leaves the budget empty).
"""

from __future__ import annotations

from conformance.scenarios.akamai_connectors import CONNECTORS
from conformance.scenarios.akamai_constraints import CONFIG_CONSTRAINTS, PROPERTY_RULES
from conformance.scenarios.akamai_discovery import AUTH_AND_METHODS, DISCOVERY
from conformance.scenarios.akamai_lifecycle import STREAM_LIFECYCLE
from conformance.scenarios.akamai_rate_limit import RATE_LIMIT
from conformance.scenarios.base import Scenario

AKAMAI_SCENARIOS: tuple[Scenario, ...] = (
    DISCOVERY,
    AUTH_AND_METHODS,
    STREAM_LIFECYCLE,
    CONNECTORS,
    PROPERTY_RULES,
    CONFIG_CONSTRAINTS,
    RATE_LIMIT,
)
