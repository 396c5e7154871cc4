"""Akamai scenarios that only read: the account's lookups, authentication and wrong methods."""

from __future__ import annotations

import time
import uuid

import requests
from requests.auth import AuthBase

from conformance.apis.akamai.scenarios.steps import AUTH_001, AkamaiSteps, operation_twin
from conformance.scenarios.base import Scenario, ScenarioContext

DISCOVERY_CITES = (
    AUTH_001,
    "AKAMAI-AUTH-002",
    "AKAMAI-PRODUCT-005",
    "AKAMAI-DATASET-003",
    "AKAMAI-STATUS-003",
    "AKAMAI-STATUS-008",
)
AUTH_CITES = (AUTH_001, "AKAMAI-STATUS-006", "AKAMAI-STATUS-010")


def discovery(ctx: ScenarioContext) -> None:
    """Every lookup once: products, groups, streams, properties of each product and group,
    data set fields, connector and stream types; then lookups the account may not make."""
    steps = AkamaiSteps(ctx)
    account = steps.account()
    for (product_id, group_id), exchange in account.property_lists.items():
        ctx.expect(
            "AKAMAI-PRODUCT-005",
            exchange.response.status == 200,
            f"listProducts pairs {product_id} with group {group_id}, yet listProperties for "
            f"them answered {exchange.response.status}",
            exchange,
        )
    groups = set(account.group_ids)
    for source, seen in (
        ("listProducts", account.product_group_ids),
        ("listStreams", account.stream_group_ids),
    ):
        foreign = sorted(set(seen) - groups)
        ctx.expect(
            "AKAMAI-AUTH-002",
            not foreign,
            f"{source} names groups that listGroups doesn't: {foreign}",
        )
    steps.get("/connectors")
    steps.get("/streamTypes")
    other = steps.get("/datasets/template/DSCONFORM_NOT_A_TEMPLATE")
    ctx.expect_refused(
        "AKAMAI-DATASET-003",
        other,
        f"listDatasetFields of a template other than EDGE_LOGS answered "
        f"{other.response.status}, not a 4xx problem",
        operation_twin(other),
        expected=range(400, 500),
    )
    typed = steps.get("/streams", params={"groupId": "dsconform"})
    ctx.expect_refused(
        "AKAMAI-STATUS-003",
        typed,
        f"listStreams ?groupId=dsconform (not an integer) answered {typed.response.status}, "
        "not 400",
        operation_twin(typed),
    )
    foreign_group = account.unlisted_group_id()
    paths = [
        f"/properties/product/{account.product_id}/group/{foreign_group}",
        f"/streams?groupId={foreign_group}",
    ]
    for path in paths[:1] if ctx.minimal else paths:
        exchange = steps.get(path)
        ctx.expect_refused(  # a 403 counts where the run saw the same read served
            "AKAMAI-STATUS-008",
            exchange,
            f"GET {path} for group {foreign_group}, which listGroups doesn't list, answered "
            f"{exchange.response.status}, not 403",
            operation_twin(exchange),
            expected=(403,),
        )


class _StaleEdgeGrid(AuthBase):
    """The run's own EdgeGrid credentials, but a signature dated a day ago."""

    def __init__(self, signer: object) -> None:
        self.signer = signer

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        stamp = time.strftime("%Y%m%dT%H:%M:%S+0000", time.gmtime(time.time() - 86400))
        header = self.signer.make_auth_header(request, stamp, uuid.uuid4())  # type: ignore[attr-defined]
        request.headers["Authorization"] = header
        return request


def _bad_credentials(ctx: ScenarioContext) -> list[tuple[str, AuthBase | bool]]:
    """No Authorization; a wrong client secret; (when the run's are EdgeGrid) a stale timestamp."""
    from akamai.edgegrid import EdgeGridAuth

    variants: list[tuple[str, AuthBase | bool]] = [("no Authorization header", False)]
    signer = getattr(ctx.client.auth, "ah", None)
    tokens = (
        (signer.client_token, signer.access_token)
        if signer is not None
        else ("akab-dsconform-client-token", "akab-dsconform-access-token")
    )
    variants.append(
        (
            "a wrong client secret",
            EdgeGridAuth(
                client_token=tokens[0],
                client_secret="dsconform-wrong-secret",
                access_token=tokens[1],
            ),
        )
    )
    if signer is not None:
        variants.append(("a signature timestamped a day ago", _StaleEdgeGrid(signer)))
    return variants


def auth_and_methods(ctx: ScenarioContext) -> None:
    """Requests without or with bad credentials are 401; a method a path lacks is 405."""
    steps = AkamaiSteps(ctx)
    variants = _bad_credentials(ctx)
    # Minimal: a wrong secret alone, since a target that checks nothing refuses none of them.
    for label, auth in variants[1:2] if ctx.minimal else variants:
        exchange = steps.get("/groups", auth=auth)
        ctx.expect(
            "AKAMAI-STATUS-006",
            exchange.response.status == 401,
            f"GET /groups with {label} answered {exchange.response.status}, not 401",
            exchange,
        )
    wrong = steps.send("DELETE", "/connectors")
    ctx.expect(
        "AKAMAI-STATUS-010",
        wrong.response.status == 405,
        f"DELETE /connectors answered {wrong.response.status}, not 405",
        wrong,
    )
    # A streamId that is no integer: judged by the passive checks (a listed 4xx, never 500).
    steps.get("/streams/dsconform-not-a-number")


DISCOVERY = Scenario(
    "discovery",
    "akamai",
    discovery,
    DISCOVERY_CITES,
    needs_writes=False,
    description="Account lookups, their scope, an unknown template and a foreign group.",
)
AUTH_AND_METHODS = Scenario(
    "auth-and-methods",
    "akamai",
    auth_and_methods,
    AUTH_CITES,
    needs_writes=False,
    description="No, wrong and stale EdgeGrid credentials; a method the path lacks.",
)
