"""The seed-sample cassettes: built from the vendors' documents as printed (issue 5)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.apis import AKAMAI, APIS, AZION
from conformance.apis.akamai.samples import OBJECT_PLACES
from conformance.apis.akamai.samples import parse_seed as parse_akamai
from conformance.cassettes.sample_contract import Contract
from conformance.cassettes.samples import (
    build_samples,
    has_seed_samples,
    parse_seed,
    plan_samples,
    seed_path,
)
from conformance.cassettes.secret_scan import scan_tree
from conformance.cassettes.seed_documents import SeedDocument, straighten_quotes
from conformance.redaction import SECRET_FIELDS
from conformance.runner.recheck import recheck
from tests.test_architecture import PACKAGE, imports_of

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "cassettes" / "samples"


def seed(api: str) -> SeedDocument:
    return parse_seed(APIS[api])


def seed_lines(api: str) -> list[str]:
    return seed_path(APIS[api]).read_text(encoding="utf-8").split("\n")


def cassette(api: str, operation_id: str, root: Path = SHIPPED) -> dict[str, Any]:
    path = root / api / f"sample-{operation_id}.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


# ------------------------------------------------------------------- extraction, counted by hand


def test_akamai_seed_has_a_sample_for_every_operation() -> None:
    document = seed("akamai")
    contract = Contract(AKAMAI)
    operations = [contract.find(e.method, e.path) for e in document.exchanges]
    # One section per operation of the API summary, each with its status and response body.
    assert sorted(operations) == sorted(contract.operations)
    assert len(operations) == 15
    assert all(e.status in (200, 202) and e.response_body is not None for e in document.exchanges)
    with_requests = [
        op for op, e in zip(operations, document.exchanges, strict=True) if e.request_body
    ]
    assert with_requests == ["createStream", "editStream"]
    assert [o.name for o in document.objects] == [
        "StreamConfiguration",
        "DetailedStreamVersion",
        "DetailedStreamVersion",
        "StreamVersion",
        "AmazonS3",
        "AzureStorage",
        "Datadog",
        "Splunk",
        "Product",
        "Group",
        "ConnectorType",
        "Dataset",
        "ActivationHistory",
        "Property",
        "Error responses",
        "Error responses",
    ]
    # 15 responses + 2 requests + 14 Data-section samples + 2 Errors-section blocks; this copy of
    # the seed prints every one of them as valid JSON.
    assert len(document.blocks) == 33
    assert all(block.parsed for block in document.blocks)
    lines = seed_lines("akamai")
    assert all(lines[b.line - 1][:1] in "{[" for b in document.blocks)


def test_azion_seed_has_every_documented_exchange() -> None:
    document = seed("azion")
    contract = Contract(AZION)
    operations = [contract.find(e.method, e.path) for e in document.exchanges]
    assert operations == [
        "listStreamings",
        "createStreaming",  # 2.
        "createStreaming",  # 2.b headers
        "createStreaming",  # 2.c custom template
        "getStreaming",
        "deleteStreaming",
        "updateStreaming",  # 5. documents PATCH and PUT; its one sample is a PATCH
        "listTemplates",
        "getTemplate",
    ]
    assert "replaceStreaming" not in operations
    assert [e.status for e in document.exchanges] == [200, 201, 201, None, 200, 204, 200, 200, None]
    blocks = document.blocks
    assert len(blocks) == 12  # 4 request bodies, 8 response bodies (delete has none)
    assert [b.line for b in blocks if b.parsed] == [56, 139, 225, 445]
    assert [b.line for b in blocks if not b.parsed] == [118, 196, 280, 296, 349, 432, 499, 546]
    lines = seed_lines("azion")
    assert all(lines[b.line - 1].lstrip()[:1] in "{[" for b in blocks)
    custom = document.exchanges[3]
    assert custom.sample_path == "/data_streaming/templates"  # as printed; not its section's path


def test_plans_replay_what_they_can_and_list_the_rest() -> None:
    akamai = plan_samples(AKAMAI, seed("akamai"))
    assert len(akamai.interactions) == 26  # 15 sections + 10 Data samples + 1 error sample
    held_back = {op: [i["name"] for i in items] for op, items in akamai.not_replayed.items()}
    assert held_back == {
        "createStream": [
            "AmazonS3: Sample POST request",
            "AzureStorage: Sample POST request",
            "Datadog: Sample POST request",
            "Splunk: Sample POST request",
        ],
        "listStreams": ["Error responses: unlabelled"],
    }
    azion = plan_samples(AZION, seed("azion"))
    repaired = [i.record["section"] for i in azion.interactions if "repaired" in i.record]
    assert repaired == [
        "2. Registering new data streaming",
        "b. Inserting Headers to HTTP POST Endpoints",
        "c. Inserting customized template",
        "5. Editing data streaming",
    ]
    assert len(azion.interactions) == 9 + 4


def test_object_places_follow_the_seeds_object_type_lines() -> None:
    document = seed("akamai")
    contract = Contract(AKAMAI)
    named = {
        (e.object_type, contract.find(e.method, e.path))
        for e in document.exchanges
        if e.object_type
    }
    for name, (operation_id, placement) in OBJECT_PLACES.places.items():
        if placement in ("request", "response", "item") and name != "Product":
            assert (name, operation_id) in named, name


def test_seed_parsing_depends_on_nothing_of_ours() -> None:
    assert imports_of(PACKAGE / "cassettes" / "seed_documents.py") == set()


# ------------------------------------------------------------------- samples that are not JSON

TRUNCATED = """\
List groups

Returns groups.

GET /datastream-config-api/v1/log/groups

Status 200 application/json

Response body:

[
    {
        "groupId": 67377,
        "groupName": "Default Group",

List delivery products and associated groups
"""


def test_an_unparseable_block_is_kept_raw_and_flagged() -> None:
    document = parse_akamai(TRUNCATED, "synthetic.txt")
    (exchange,) = document.exchanges
    block = exchange.response_body
    assert block is not None and not block.parsed and block.error
    assert block.line == 11
    assert block.text == "\n".join(TRUNCATED.split("\n")[10:14])  # up to the blank line
    plan = plan_samples(AKAMAI, document)
    (interaction,) = plan.interactions  # quotes are not the trouble: no repaired twin
    assert interaction.operation_id == "listGroups"
    assert interaction.response_body == block.text
    assert interaction.record["response_body"] == {
        "line": 11,
        "parsed": False,
        "error": block.error,
    }
    assert "no repaired interaction" in " ".join(interaction.record["notes"])


def test_a_shipped_unparseable_sample_is_the_seeds_text_and_says_so() -> None:
    document = seed("azion")
    printed = document.exchanges[4].response_body  # 3. Detailing data streaming
    assert printed is not None and not printed.parsed
    data = cassette("azion", "getStreaming")
    (item,) = data["interactions"]
    assert item["response"]["body"]["string"] == printed.text
    (record,) = data["metadata"]["dsconform"]["samples"]
    assert record["seed"] == "azion-data-streaming-api-v3.md"
    assert record["response_body"]["line"] == printed.line == 349
    assert record["response_body"]["parsed"] is False


def test_a_repaired_twin_changes_only_the_quotes() -> None:
    data = cassette("azion", "createStreaming")
    records = data["metadata"]["dsconform"]["samples"]
    interactions = data["interactions"]
    pairs = [
        (interactions[n - 1], interactions[n], records[n])
        for n, record in enumerate(records)
        if "repaired" in record
    ]
    assert len(pairs) == 3
    raw, fixed, record = pairs[-1]  # c. the custom template: both bodies repaired
    assert record["name"].endswith("(repaired)")
    assert "request body and response body" in record["repaired"]
    assert record["response_body"]["parsed"] is False  # what the seed prints
    placeholders = re.compile(r"<redacted[^>]*>")

    def as_json(text: str) -> Any:
        return json.loads(placeholders.sub("X", straighten_quotes(text)))

    for side, key in (("request", "body"), ("response", "body")):
        printed = raw[side][key] if side == "request" else raw[side][key]["string"]
        repaired = fixed[side][key] if side == "request" else fixed[side][key]["string"]
        assert "\u201c" in printed
        with pytest.raises(ValueError):
            json.loads(printed)
        # The same value once the quotes are straightened (secrets aside: they are placeholders).
        assert as_json(printed) == as_json(repaired)


def test_every_recorded_line_points_at_its_block() -> None:
    for api in APIS:
        lines = seed_lines(api)
        parsed_lines = {b.line: b.parsed for b in seed(api).blocks}
        for path in sorted((SHIPPED / api).glob("sample-*.yaml")):
            meta = yaml.safe_load(path.read_text(encoding="utf-8"))["metadata"]["dsconform"]
            assert meta["interactions"] == len(meta["samples"])
            for record in [*meta["samples"], *meta.get("not_replayed", [])]:
                assert record["seed"] == APIS[api].seed_file
                for side in (record.get("request_body"), record.get("response_body")):
                    if side is not None:
                        assert lines[side["line"] - 1].lstrip()[:1] in "{[", (path, side)
                        assert side["parsed"] is parsed_lines[side["line"]], (path, side)


# ------------------------------------------------------------------- the shipped cassettes


@pytest.mark.parametrize("api", sorted(APIS))
def test_shipped_samples_are_what_the_generator_writes_now(api: str, tmp_path: Path) -> None:
    build_samples(APIS[api], tmp_path)
    fresh = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / api).glob("*.yaml")}
    shipped = {p.name: p.read_text(encoding="utf-8") for p in (SHIPPED / api).glob("*.yaml")}
    assert sorted(shipped) == sorted(fresh), (
        "cassettes/samples is stale: python -m conformance.cassettes.samples cassettes/samples"
    )
    stale = [name for name in fresh if fresh[name] != shipped[name]]
    assert stale == [], (
        f"{stale} differ; regenerate: python -m conformance.cassettes.samples cassettes/samples"
    )


# Every finding checked by hand against the seed; each is an erratum of specs/errata.md.
KNOWN_CONTRADICTIONS = {
    "akamai": {
        # The data set table lists 2001-2010, the List data set fields sample none (AKAMAI-119).
        "AKAMAI-DATASET-006": ("listDatasetFields", "lacks data set fields"),
        # StreamVersion's Data sample gives `properties` as a string (AKAMAI-002/108).
        "AKAMAI-STREAM-LIST-002": ("listStreams", "$[0].properties"),
        # View history's version 1 has no productId (AKAMAI-003/117).
        "AKAMAI-HISTORY-002": ("getStreamHistory", "'productId' is a required property"),
    },
    "azion": {
        # Not JSON, so no results envelope: 2.c, 3, 6 and 7 (AZION-009, -013, -011, -012).
        "AZION-ENVELOPE-001": ("createStreaming", "lacks the results envelope"),
        # 2.c's response: not JSON; repaired, `data_souce` for data_source (AZION-009).
        "AZION-CREATE-001": ("createStreaming", "'data_source' is a required property"),
        "AZION-GET-001": ("getStreaming", "not JSON"),  # `kafka` unquoted (AZION-013)
        "AZION-TEMPLATE-005": ("listTemplates", "not JSON"),  # broken escaping (AZION-011)
        "AZION-TEMPLATE-007": ("getTemplate", "not JSON"),  # malformed (AZION-012)
        # 2.c's response echoes the api_key the request sent (AZION-010).
        "AZION-ENDPOINT-011": ("createStreaming", "echoes 1 secret value"),
    },
}


@pytest.mark.parametrize("api", sorted(APIS))
def test_recheck_reports_the_documents_own_contradictions(api: str, tmp_path: Path) -> None:
    outcome = recheck(SHIPPED, api, tmp_path)
    failed = {r.id: r for r in outcome.report.requirements if r.status == "failed"}
    assert sorted(failed) == sorted(KNOWN_CONTRADICTIONS[api]), (
        "a finding nobody has checked against the seed (or one that went away)"
    )
    for requirement_id, (operation_id, wording) in KNOWN_CONTRADICTIONS[api].items():
        findings = failed[requirement_id].findings
        assert any(f.operation == operation_id and wording in f.message for f in findings), (
            requirement_id,
            findings,
        )
    assert outcome.report.counts.error == 0


def printed_secrets(api: str) -> set[str]:
    """The secret values the seed prints, found in its raw text (curly quotes or straight)."""
    text = seed_path(APIS[api]).read_text(encoding="utf-8")
    quote_open, quote_close = '["\u201c]', '["\u201d]'
    value = r'((?:\\.|[^"\u201c\u201d\\])+)'  # escaped quotes included
    fields = "|".join(sorted(SECRET_FIELDS)) + r"|header-name-\d"
    pattern = rf"{quote_open}(?:{fields}){quote_close}\s*:\s*{quote_open}{value}{quote_close}"
    found = set(re.findall(pattern, text))
    found |= set(re.findall(r"Authorization: (?:Token|token) (\S+)", text))
    return found


@pytest.mark.parametrize(
    ("api", "expected"),
    [
        # an S3 key, the Datadog token
        ("akamai", {"AKIA6DK7TDQLVGZ3TYP1", "6fe69pp3788877bd7b3bv18oo2c68fe"}),
        # the Datadog api_key, a custom header value
        ("azion", {"BNIAudh9s8dASJKLhksaidua9i9", "header-api-value-3"}),
    ],
)
def test_no_seed_secret_survives(api: str, expected: set[str], tmp_path: Path) -> None:
    secrets = printed_secrets(api)
    assert expected <= secrets
    build_samples(APIS[api], tmp_path)
    for root in (SHIPPED, tmp_path):
        assert scan_tree(root / api) == []
        for path in sorted((root / api).glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            # YAML may escape or fold a string: look in the parsed strings as well.
            stored = "\n".join(strings(yaml.safe_load(text)))
            leaked = sorted(s for s in secrets if s in text or s in stored)
            assert leaked == [], (path.name, [f"{s[:4]}..." for s in leaked])


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings(k), *strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


def test_an_api_without_a_seed_parser_gets_no_sample_cassettes(tmp_path: Path) -> None:
    """The seed parser is the API folder's (`samples.py`); an API without one (a folder with
    no seed samples) is skipped, not parsed with another API's parser."""
    assert has_seed_samples(AKAMAI) and has_seed_samples(AZION)
    bare = replace(AZION, name="bare", package="tests.support")  # a package without samples.py
    assert not has_seed_samples(bare)
    assert build_samples(bare, tmp_path) == []
    assert list(tmp_path.iterdir()) == []
