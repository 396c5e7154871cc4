"""Unit tests of the Azion scenarios' helpers and their registration."""

from __future__ import annotations

from conformance.apis import APIS
from conformance.apis.azion.scenarios.account import (
    ENDPOINT_REQUIREMENTS,
    ENDPOINT_SAMPLES,
    AzionAccount,
    required_variables,
    secret_fields,
)
from conformance.apis.azion.scenarios.support import (
    content_differences,
    echo_differences,
    endpoint_differences,
    find_by_id,
)
from conformance.apis.azion.scenarios.workflows import SCENARIOS
from conformance.catalogue import load_catalogue


def test_secret_fields_come_from_the_spec() -> None:
    assert secret_fields() == {
        "access_key",
        "secret_key",
        "api_key",
        "service_account_key",
        "shared_key",  # azure_monitor and azure_blob_storage: ERRATUM-AZION-019
        "blob_sas_token",
    }


def test_required_variables_follow_the_seed_table() -> None:
    assert required_variables("qradar") == ("url",)
    assert required_variables("kafka") == ("kafka_topic", "bootstrap_servers")
    assert set(ENDPOINT_REQUIREMENTS) == set(ENDPOINT_SAMPLES)


def test_endpoint_differences_ignore_secrets() -> None:
    sent = ENDPOINT_SAMPLES["datadog"]
    shown = {k: v for k, v in sent.items() if k != "api_key"}
    assert endpoint_differences(sent, shown) == []
    assert endpoint_differences(sent, {**shown, "url": "https://other"}) != []
    assert endpoint_differences(sent, None) == ["endpoint (missing)"]


def test_echo_differences_name_what_changed() -> None:
    body = AzionAccount(2, [7]).streaming_body("n", endpoint_type="kafka")
    shown = {"id": 1, **body, "active": True}
    assert echo_differences(body, shown) == []
    problems = echo_differences(body, {**shown, "domain_ids": []})
    assert len(problems) == 1 and problems[0].startswith("domain_ids")
    assert echo_differences(body, None) == ["no streaming in the answer"]


def test_content_differences_and_find_by_id() -> None:
    items = [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
    assert find_by_id(items, 2) == {"id": 2, "name": "b"}
    assert find_by_id(None, 2) is None
    assert content_differences({"id": 2, "name": "b"}, items[1]) == []
    assert content_differences({"id": 2, "name": "c"}, items[1]) != []
    assert content_differences({"id": 3}, None) == ["not found"]


def test_other_template_id() -> None:
    assert AzionAccount(2, [1], (2, 3, 86)).other_template_id() == 3
    assert AzionAccount(2, [1], (2,)).other_template_id() == 2


def test_scenarios_cite_observable_catalogue_ids_once() -> None:
    catalogue = load_catalogue(APIS["azion"])
    names = [s.name for s in SCENARIOS]
    assert len(names) == len(set(names))
    for scenario in SCENARIOS:
        assert scenario.api == "azion"
        assert len(scenario.cites) == len(set(scenario.cites)), scenario.name
        for requirement_id in scenario.cites:
            assert catalogue.get(requirement_id).observable, requirement_id
