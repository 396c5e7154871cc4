"""Scripted Akamai workflows, in the order they run.

The read-only scenarios come first (their lookups are shared with the rest through
`ScenarioContext.once`), the rate-limit burst last (it leaves the budget empty).
"""

from __future__ import annotations

from conformance.apis.akamai.scenarios.account import ACCOUNT_LOOKUPS
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


# What each scenario sends outside its cleanup, alone on the reference server (lookups shared
# through `ScenarioContext.once` included: a scenario may be the first to need them; Akamai's
# property scenarios delete as a step, to free a property). The client refuses anything else
# under a filter (a target that sends a scenario down another path stops it, out of scope);
# tests/test_filters.py proves the table true on the reference servers.
SCENARIO_OPERATIONS: dict[str, frozenset[str]] = {
    "discovery": frozenset(
        {*ACCOUNT_LOOKUPS, "listConnectorTypes", "listStreamTypes", "listStreams"}
    ),
    "auth-and-methods": frozenset({"getStream", "listGroups"}),
    "stream-lifecycle": frozenset(
        {
            *ACCOUNT_LOOKUPS,
            "listStreams",
            "createStream",
            "getStream",
            "editStream",
            "deleteStream",
            "activateStream",
            "deactivateStream",
            "getActivationHistory",
            "getStreamHistory",
        }
    ),
    "connectors": frozenset(
        {
            *ACCOUNT_LOOKUPS,
            "listStreams",
            "createStream",
            "getStream",
            "getActivationHistory",
            "deleteStream",
        }
    ),
    "property-rules": frozenset(
        {*ACCOUNT_LOOKUPS, "listStreams", "createStream", "editStream", "deleteStream"}
    ),
    "config-constraints": frozenset(
        {*ACCOUNT_LOOKUPS, "listStreams", "createStream", "deleteStream"}
    ),
    "rate-limit": frozenset({"listStreamTypes"}),
}
