"""Cassettes built from the vendors' own documents as printed, for `dsconform recheck`.

Every request/response sample of a seed (`specs/sources/`, parsed by `seed_documents`) becomes
an interaction of `DIR/<api>/sample-<operationId>.yaml`, the operation found by the method and
path the seed documents. Bodies are the seed's text: a sample that is not JSON is kept as
printed and flagged, so a recheck reports it. Where typographic quotes are all that stands
between a sample and JSON, a second interaction, labelled as repaired, carries the sample with
the quotes straightened and nothing else changed.

What the seed does not show is filled in and listed per interaction under `synthesized`: the
base URL (the spec's server), a redacted Authorization where the seed prints none, a status or
a response Content-Type the seed leaves out (the contract's), and the response headers the
contract requires (rate-limit headers at the seed's budget). Each interaction's record (in the
cassette metadata, `samples`, in interaction order) also gives the seed file, the `line` of the
section's endpoint line or of the sample's label, and for each body the line of its first `{` or
`[`, whether it parsed and, if not, why. Object samples outside the operation sections go to
the operation whose body they are (the API folder's `OBJECT_PLACES`); those that are only a
member of a body are listed under `not_replayed` instead.

Each API's folder parses its own seed (`apis/<name>/samples.py`, see apis/definition.py); an
API without that module has no seed-sample cassettes.

    python -m conformance.cassettes.samples cassettes/samples
"""

from __future__ import annotations

import copy
import json
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from vcr.request import Request
from vcr.serialize import serialize
from vcr.serializers import yamlserializer

from conformance.apis import APIS, ApiDefinition
from conformance.argument_types import generator_output_dir
from conformance.cassettes.filters import Redactor
from conformance.cassettes.layout import FORMAT, METADATA_KEY, api_dir, cassette_file
from conformance.cassettes.sample_contract import Contract
from conformance.cassettes.secret_scan import enforce_clean
from conformance.cassettes.seed_documents import (
    DocumentedExchange,
    ObjectSample,
    SeedBlock,
    SeedDocument,
    read_json_block,
    straighten_quotes,
)
from conformance.redaction import (
    PLACEHOLDER,
    SECRET_FIELDS,
    remember_secret,
    secret_field_values,
    secret_scope,
)
from conformance.spec_files import contracts_dir

REPAIR = (
    "typographic double quotes (U+201C, U+201D) straightened to '\"' in the {where}; nothing "
    "else changed"
)
# A secret field and its value in a sample's raw text, straight or typographic quotes.
_SECRET_VALUE = re.compile(
    r"[\"\u201c](" + "|".join(sorted(SECRET_FIELDS)) + r")[\"\u201d]\s*:\s*"
    r"[\"\u201c]((?:\\.|[^\"\u201c\u201d\\])+)[\"\u201d]"
)


@dataclass(frozen=True, slots=True)
class ObjectPlaces:
    """Where the object samples of a seed (outside its operation sections) go.

    `places`: object or section name -> (operationId, placement). "request"/"response": the
    operation's whole request/response body; "item": one item of its list response; "member":
    a member of a body, not replayed (`member_why` says why); "error": a problem response of
    the operation when the sample carries an HTTP status, else not replayed either, listed
    under `unstatused_error`'s operation with its reason."""

    places: Mapping[str, tuple[str, str]]
    member_why: str = ""
    unstatused_error: tuple[str, str] = ("", "")


@dataclass(slots=True)
class SampleInteraction:
    """One interaction to write: the request and response, and what the seed showed of them."""

    operation_id: str
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None
    status: int
    response_headers: dict[str, list[str]]
    response_body: str
    record: dict[str, Any]


@dataclass(slots=True)
class SamplePlan:
    """Everything one seed yields: interactions in seed order, and samples not replayed."""

    interactions: list[SampleInteraction] = field(default_factory=list)
    not_replayed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def operations(self) -> list[str]:
        """Every operation that gets a cassette, in seed order."""
        order = [i.operation_id for i in self.interactions] + list(self.not_replayed)
        return list(dict.fromkeys(order))


def seed_path(api: ApiDefinition) -> Path:
    """The vendor document of `api` in `specs/sources/`."""
    return contracts_dir() / "sources" / api.seed_file


def has_seed_samples(api: ApiDefinition) -> bool:
    """Does the API's folder parse a seed (`samples.py`)?"""
    return bool(api.seed_file) and find_spec(f"{api.package}.samples") is not None


def parse_seed(api: ApiDefinition, path: Path | None = None) -> SeedDocument:
    """The samples of the seed of `api` (at `path`, else its own), by its folder's parser."""
    path = path or seed_path(api)
    parser: Callable[[str, str], SeedDocument] = api.part("samples", "parse_seed")
    return parser(path.read_text(encoding="utf-8"), path.name)


def _block_record(block: SeedBlock | None) -> dict[str, Any] | None:
    if block is None:
        return None
    record: dict[str, Any] = {"line": block.line, "parsed": block.parsed}
    if not block.parsed:
        record["error"] = block.error
    return record


def _request_headers(
    printed: tuple[tuple[str, str], ...], has_body: bool
) -> tuple[dict[str, str], list[str]]:
    headers = dict(printed)
    synthesized = []
    names = {name.lower() for name in headers}
    if "authorization" not in names:
        headers["Authorization"] = PLACEHOLDER
        synthesized.append("Authorization: a redacted placeholder (the seed shows none)")
    if has_body and "content-type" not in names:
        headers["Content-Type"] = "application/json"
        synthesized.append("request Content-Type application/json")
    return headers, synthesized


def _repair(block: SeedBlock | None) -> SeedBlock | None:
    """The block with its quotes straightened, when that alone makes it JSON."""
    if block is None or block.parsed:
        return None
    repaired = read_json_block(straighten_quotes(block.text), block.line)
    return repaired if repaired.parsed else None


def _exchange_interactions(
    contract: Contract, exchange: DocumentedExchange
) -> list[SampleInteraction]:
    operation_id = contract.find(exchange.method, exchange.path)
    url, synthesized, notes = contract.url(operation_id, exchange.sample_path)
    request, request_synth = _request_headers(
        exchange.request_headers, exchange.request_body is not None
    )
    status = exchange.status
    status_synth = []
    if status is None:
        status = contract.success_status(operation_id)
        status_synth.append(f"status {status}: the operation's documented success (none printed)")
    response_body = exchange.response_body.text if exchange.response_body else ""
    response, response_synth = contract.response_headers(
        operation_id, status, exchange.media_type, bool(response_body)
    )
    record: dict[str, Any] = {
        "name": exchange.section,
        "seed": exchange.seed,
        "section": exchange.section,
        "line": exchange.line,
        "request_body": _block_record(exchange.request_body),
        "response_body": _block_record(exchange.response_body),
        "synthesized": synthesized + request_synth + status_synth + response_synth,
    }
    if exchange.sample_line is not None:
        record["sample_path_line"] = exchange.sample_line
    repaired = (_repair(exchange.request_body), _repair(exchange.response_body))
    pairs = zip((exchange.request_body, exchange.response_body), repaired, strict=True)
    unparsed = [fixed for printed, fixed in pairs if printed is not None and not printed.parsed]
    repairable = all(fixed is not None for fixed in unparsed)
    if unparsed and not repairable:
        notes.append("straightening the quotes does not make it JSON: no repaired interaction")
    if notes:
        record["notes"] = notes
    raw = SampleInteraction(
        operation_id,
        exchange.method,
        url,
        request,
        exchange.request_body.text if exchange.request_body else None,
        status,
        response,
        response_body,
        record,
    )
    if not unparsed or not repairable:
        return [raw]
    return [raw, _repaired_twin(raw, exchange.section, *repaired)]


def _repaired_twin(
    raw: SampleInteraction, section: str, request: SeedBlock | None, response: SeedBlock | None
) -> SampleInteraction:
    """`raw` with the bodies whose quotes were straightened, labelled as repaired."""
    where = " and ".join(
        side
        for side, block in (("request body", request), ("response body", response))
        if block is not None
    )
    record = {
        **copy.deepcopy(raw.record),
        "name": f"{section} (repaired)",
        "repaired": REPAIR.format(where=where),
    }
    record.pop("notes", None)
    return SampleInteraction(
        raw.operation_id,
        raw.method,
        raw.url,
        raw.request_headers,
        request.text if request else raw.request_body,
        raw.status,
        raw.response_headers,
        response.text if response else raw.response_body,
        record,
    )


def _object_places(api: ApiDefinition, sample: ObjectSample) -> ObjectPlaces:
    """The API folder's OBJECT_PLACES, which must place `sample`."""
    try:
        objects: ObjectPlaces = api.part("samples", "OBJECT_PLACES")
    except AttributeError:
        objects = ObjectPlaces({})
    if sample.name not in objects.places:
        raise ValueError(f"{sample.seed}:{sample.line}: no place known for {sample.name!r}")
    return objects


@dataclass(slots=True)
class _Placed:
    """What an object sample makes of its home exchange's bodies, status and media type."""

    request: SeedBlock | None
    response: SeedBlock | None
    response_text: str
    status: int
    media: str | None
    said: str = ""  # what was synthesized, and from where


def _place(
    sample: ObjectSample, placement: str, operation_id: str, home: DocumentedExchange, status: int
) -> _Placed:
    """The bodies, status and media type of the interaction `sample` makes at `placement`."""
    body = sample.body
    listed = home.response_body
    placed = _Placed(
        home.request_body, listed, listed.text if listed else "", status, home.media_type
    )
    borrowed = f"the {home.section!r} section's (line {home.line})"
    if placement == "request":
        placed.request = body
        placed.said = f"URL, status and response: {borrowed}, paired with this request"
    elif placement == "response":
        placed.response, placed.response_text = body, body.text
        placed.said = f"URL, request and status: {borrowed}"
    elif placement == "item":
        placed.response = body
        if body.parsed and listed is not None and listed.parsed and isinstance(listed.value, list):
            placed.response_text = json.dumps([body.value, *listed.value[1:]], ensure_ascii=False)
            placed.said = (
                f"the list around it: this object in place of the first item of {borrowed} "
                f"list sample (line {listed.line}); URL, request and status: {borrowed}"
            )
        else:
            placed.response_text = body.text
            placed.said = f"URL, request and status: {borrowed}"
    else:  # an error with its own status
        placed.status = int(body.value["status"])
        placed.request, placed.media = None, None
        placed.response, placed.response_text = body, body.text
        placed.said = (
            f"operation {operation_id} and its URL, without a request body: the seed's "
            f"{sample.name!r} names no operation; status {placed.status}: the sample's own `status`"
        )
    return placed


def _object_interaction(
    contract: Contract,
    sample: ObjectSample,
    homes: dict[str, DocumentedExchange],
    plan: SamplePlan,
) -> SampleInteraction | None:
    """The interaction an object sample makes, or None (then it is listed as not replayed)."""
    objects = _object_places(contract.api, sample)
    operation_id, placement = objects.places[sample.name]
    body = sample.body
    status_from_body = (
        body.value.get("status") if body.parsed and isinstance(body.value, dict) else None
    )
    name = f"{sample.name}: {sample.label or 'unlabelled'}"
    if placement == "member" or (placement == "error" and not isinstance(status_from_body, int)):
        member = placement == "member"
        holder, why = (operation_id, objects.member_why) if member else objects.unstatused_error
        held = {"name": name, "seed": sample.seed, "line": body.line, "parsed": body.parsed}
        plan.not_replayed.setdefault(holder, []).append({**held, "why": why})
        return None
    home = homes[operation_id]
    url, synthesized, notes = contract.url(operation_id, home.sample_path)
    status = home.status or contract.success_status(operation_id)
    placed = _place(sample, placement, operation_id, home, status)
    request, request_synth = _request_headers(
        home.request_headers if placed.request is not None else (), placed.request is not None
    )
    response, response_synth = contract.response_headers(
        operation_id, placed.status, placed.media, bool(placed.response_text)
    )
    record: dict[str, Any] = {
        "name": name,
        "seed": sample.seed,
        "section": sample.name,
        "line": sample.line,
        "request_body": _block_record(placed.request),
        "response_body": _block_record(placed.response),
        "synthesized": [*synthesized, placed.said, *request_synth, *response_synth],
    }
    if notes:
        record["notes"] = notes
    return SampleInteraction(
        operation_id,
        contract.operations[operation_id].method.upper(),
        url,
        request,
        placed.request.text if placed.request else None,
        placed.status,
        response,
        placed.response_text,
        record,
    )


def plan_samples(api: ApiDefinition, document: SeedDocument) -> SamplePlan:
    """Every interaction (and every sample not replayed) one parsed seed yields."""
    contract = Contract(api)
    plan = SamplePlan()
    homes: dict[str, DocumentedExchange] = {}
    for exchange in document.exchanges:
        interactions = _exchange_interactions(contract, exchange)
        homes.setdefault(interactions[0].operation_id, exchange)
        plan.interactions.extend(interactions)
    for sample in document.objects:
        interaction = _object_interaction(contract, sample, homes, plan)
        if interaction is not None:
            plan.interactions.append(interaction)
    return plan


def seed_secret_values(document: SeedDocument) -> set[str]:
    """Every secret value a seed prints: secret fields of its samples (parsed, or with the
    quotes straightened, or matched in the raw text) and Authorization credentials."""
    found: set[str] = set()
    for block in document.blocks:
        value = block.value if block.parsed else None
        if value is None and (repaired := _repair(block)) is not None:
            value = repaired.value
        if value is not None:
            found |= secret_field_values(value)
        found |= {match.group(2) for match in _SECRET_VALUE.finditer(block.text)}
    for exchange in document.exchanges:
        for name, value in exchange.request_headers:
            if name.lower() == "authorization":
                found |= {value, value.split(" ", 1)[-1]}
    return {value for value in found if value}


def build_samples(api: ApiDefinition, root: Path) -> list[Path]:
    """Write `root/<api>/sample-<operationId>.yaml` from the seed's own samples (none for an API
    without a seed parser)."""
    if not has_seed_samples(api):
        return []
    document = parse_seed(api)
    plan = plan_samples(api, document)
    directory = api_dir(root, api.name)
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("sample-*.yaml"):
        old.unlink()
    written = []
    with secret_scope():
        for value in seed_secret_values(document):
            remember_secret(value)
        for operation_id in plan.operations():
            interactions = [i for i in plan.interactions if i.operation_id == operation_id]
            written.append(
                _write(
                    directory,
                    api,
                    operation_id,
                    interactions,
                    plan.not_replayed.get(operation_id, []),
                )
            )
    return written


def _write(
    directory: Path,
    api: ApiDefinition,
    operation_id: str,
    interactions: list[SampleInteraction],
    not_replayed: list[dict[str, Any]],
) -> Path:
    redactor = Redactor()
    requests = []
    responses = []
    for interaction in interactions:
        body = interaction.request_body.encode("utf-8") if interaction.request_body else None
        requests.append(
            redactor.request(
                Request(interaction.method, interaction.url, body, interaction.request_headers)
            )
        )
        responses.append(
            redactor.response(
                {
                    "status": {"code": interaction.status, "message": ""},
                    "headers": interaction.response_headers,
                    "body": {"string": interaction.response_body.encode("utf-8")},
                }
            )
        )
    group = f"sample-{operation_id}"
    path = directory / cassette_file(group)
    metadata: dict[str, Any] = {
        "format": FORMAT,
        "api": api.name,
        "group": group,
        "interactions": len(interactions),
        "source": f"specs/sources/{api.seed_file}, samples as printed",
        "samples": [interaction.record for interaction in interactions],
    }
    if not_replayed:
        metadata["not_replayed"] = not_replayed
    text = serialize(
        {"requests": requests, "responses": responses, "metadata": {METADATA_KEY: metadata}},
        yamlserializer,
    )
    path.write_text(text, encoding="utf-8")
    enforce_clean(path)
    return path


def summary(api: ApiDefinition) -> str:
    """One line: the seed's samples extracted, parsed and unparseable, and what they became."""
    document = parse_seed(api)
    blocks = document.blocks
    parsed = sum(block.parsed for block in blocks)
    plan = plan_samples(api, document)
    repaired = sum("repaired" in i.record for i in plan.interactions)
    held_back = sum(len(v) for v in plan.not_replayed.values())
    return (
        f"{api.seed_file}: {len(document.exchanges)} documented exchanges, "
        f"{len(document.objects)} object samples; {len(blocks)} JSON blocks, {parsed} parsed, "
        f"{len(blocks) - parsed} not JSON; {len(plan.interactions)} interactions "
        f"({repaired} repaired), {held_back} not replayed"
    )


def main(argv: list[str] | None = None) -> int:
    root = generator_output_dir(argv, "conformance.cassettes.samples", Path("cassettes/samples"))
    if root is None:
        return 2
    for api in filter(has_seed_samples, APIS.values()):
        files = build_samples(api, root)
        print(f"{api.name}: {len(files)} sample cassette(s) under {api_dir(root, api.name)}")
        print(f"  {summary(api)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
