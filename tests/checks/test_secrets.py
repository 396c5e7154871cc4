"""Secret endpoint variables sent are not echoed back (AZION-ENDPOINT-011):
conformance/checks/secrets.py."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.checks.base import PASS
from conformance.checks.secrets import secret_values
from tests.checks.cases import Case, assert_outcome, params
from tests.support.exchanges import exchange, seed_body, seed_exchange, variant

# The seed's custom-template create: it sends a Datadog api_key and its response echoes it.
ECHOED = seed_exchange("azion", "c. Inserting customized template (repaired)")
SENT = tuple(sorted(secret_values(json.loads(ECHOED.request.body))))
RESULTS = seed_body("azion", "c. Inserting customized template (repaired)")["results"]
LISTED = seed_exchange("azion", "1. Retrieving a list of data streamings")


def _endpoint(**members: Any) -> dict[str, Any]:
    return {**RESULTS, "endpoint": {**RESULTS["endpoint"], **members}}


MASKED = variant(ECHOED, body={"results": _endpoint(api_key="****"), "schema_version": 3})
OMITTED = {**RESULTS, "endpoint": {k: v for k, v in RESULTS["endpoint"].items() if k != "api_key"}}
# Generated data may send one string in a plain field and a secret one: its echo as the name
# is no leak.
REUSED = variant(
    ECHOED,
    request_body={**json.loads(ECHOED.request.body), "name": SENT[0]},
    body={"results": {**OMITTED, "name": SENT[0]}, "schema_version": 3},
)
INSIDE_A_NAME = variant(
    ECHOED,
    request_body={**json.loads(ECHOED.request.body), "name": f"prefix\u0017{SENT[0]}-suffix"},
    body={"results": {**OMITTED, "name": f"prefix\u0017{SENT[0]}-suffix"}, "schema_version": 3},
)
# Another client on the account (another run, same seed) sent our secret's text as a name: a
# later list shows its streaming; that is no echo of ours.
OTHERS_NAME = variant(
    LISTED, body={"results": [{**OMITTED, "id": 9, "name": SENT[0]}], "schema_version": 3}
)
REFUSED = exchange(
    "azion",
    "createStreaming",
    status=400,
    body={"api_key": [f"{SENT[0]} is not a valid Datadog API key."]},
    request_body=json.loads(ECHOED.request.body),
)

# The seed's BigQuery row: service_account_key is JSON text inside a JSON string, so a response
# that echoes it carries it escaped (\" for each quote), never as the bytes the request meant.
BIG_QUERY = {
    "name": "DTS BigQuery",
    "domain_ids": [1616535973],
    "endpoint": {
        "endpoint_type": "big_query",
        "dataset_id": "my_dataset",
        "project_id": "my_project",
        "table_id": "my_table",
        "service_account_key": '{ "service_account_key": "key_content" }',
    },
}
BIG_QUERY_ECHOED = exchange(
    "azion",
    "createStreaming",
    status=201,
    body={"results": {"id": 106, "active": True, **BIG_QUERY}, "schema_version": 3},
    request_body=BIG_QUERY,
)


def _case(name: str, exchange_: Any, expected: Any, **extra: Any) -> Case:
    return Case("AZION-ENDPOINT-011", "no_secret_echoed", name, exchange_, expected, **extra)


CASES = [
    _case("seed-custom-template-echoes-api-key", ECHOED, "secret-echoed", secrets=SENT),
    _case("masked", MASKED, PASS, secrets=SENT),
    _case(
        "omitted",
        variant(ECHOED, body={"results": OMITTED, "schema_version": 3}),
        PASS,
        secrets=SENT,
    ),
    _case(
        "later-list-echoes-it",
        variant(LISTED, body={"results": [RESULTS], "schema_version": 3}),
        "secret-echoed",
        secrets=SENT,
    ),
    _case("later-list-without-it", LISTED, PASS, secrets=SENT),
    _case("later-list-another-clients-name", OTHERS_NAME, PASS, secrets=SENT),
    _case("sent-in-a-plain-field-too", REUSED, PASS, secrets=SENT),
    _case("inside-a-plain-field-escaped", INSIDE_A_NAME, PASS, secrets=SENT),
    _case("no-secret-sent-yet", ECHOED, None),
    _case("204-no-body", seed_exchange("azion", "4. Deleting data streaming"), None, secrets=SENT),
    _case(
        "json-escaped-service-account-key",
        BIG_QUERY_ECHOED,
        "secret-echoed",
        secrets=tuple(secret_values(BIG_QUERY)),
    ),
    _case(
        "400-echoes-it",
        REFUSED,
        "secret-echoed",
        secrets=SENT,
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_no_secret_echoed(case: Case) -> None:
    """Each case's exchange gets the outcome its requirement's statement demands."""
    assert_outcome(case)
