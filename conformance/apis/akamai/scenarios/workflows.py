"""Scripted Akamai workflows, in the order they run.

The read-only scenarios come first (their lookups are shared with the rest through
`ScenarioContext.once`), the rate-limit burst last (it leaves the budget empty).
"""

from __future__ import annotations

from conformance.apis.akamai.scenarios.connectors import CONNECTORS
from conformance.apis.akamai.scenarios.constraints import CONFIG_CONSTRAINTS, PROPERTY_RULES
from conformance.apis.akamai.scenarios.discovery import AUTH_AND_METHODS, DISCOVERY
from conformance.apis.akamai.scenarios.lifecycle import STREAM_LIFECYCLE
from conformance.apis.akamai.scenarios.rate_limit import RATE_LIMIT
from conformance.scenarios.base import Scenario

SCENARIOS: tuple[Scenario, ...] = (
    DISCOVERY,
    AUTH_AND_METHODS,
    STREAM_LIFECYCLE,
    CONNECTORS,
    PROPERTY_RULES,
    CONFIG_CONSTRAINTS,
    RATE_LIMIT,
)
