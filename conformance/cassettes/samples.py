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
`[`, whether it parsed and, if not, why. Object samples of Akamai's Data section
go to the operation whose body they are (`OBJECT_PLACES`); those that are only a member of a
body (connectors, a stream's error) are listed under `not_replayed` instead.

    python -m conformance.cassettes.samples cassettes/samples
"""

from __future__ import annotations

import copy
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vcr.request import Request
from vcr.serialize import serialize
from vcr.serializers import yamlserializer

from conformance.apis import APIS, ApiDefinition
from conformance.cassettes.filters import Redactor
from conformance.cassettes.layout import FORMAT, METADATA_KEY, api_dir, cassette_file
from conformance.cassettes.secret_scan import enforce_clean
from conformance.cassettes.seed_documents import (
    DocumentedExchange,
    ObjectSample,
    SeedBlock,
    SeedDocument,
    parse_seed,
    read_json_block,
    straighten_quotes,
)
from conformance.openapi_document import OpenApiDocument
from conformance.redaction import (
    PLACEHOLDER,
    SECRET_FIELDS,
    remember_secret,
    secret_field_values,
    secret_scope,
)
from conformance.spec_files import contracts_dir

# Where an object sample of Akamai's Data and Errors sections goes: (operationId, placement).
# "request"/"response": the operation's whole request/response body; "item": one item of its
# list response; "member": a member of a body, not replayed; "error": a problem response of
# the operation when the sample carries an HTTP status (else a member of a stream's errors[]).
# The operation sections' "Object type:" lines agree, except for Product, which no section
# names (listProducts returns products; ERRATUM-AKAMAI-012).
OBJECT_PLACES: dict[str, dict[str, tuple[str, str]]] = {
    "akamai": {
        "StreamConfiguration": ("createStream", "request"),
        "DetailedStreamVersion": ("getStream", "response"),
        "StreamVersion": ("listStreams", "item"),
        "Product": ("listProducts", "item"),
        "Group": ("listGroups", "item"),
        "ConnectorType": ("listConnectorTypes", "item"),
        "Dataset": ("listDatasetFields", "item"),
        "ActivationHistory": ("getActivationHistory", "item"),
        "Property": ("listProperties", "item"),
        "AmazonS3": ("createStream", "member"),
        "AzureStorage": ("createStream", "member"),
        "Datadog": ("createStream", "member"),
        "Splunk": ("createStream", "member"),
        "Error responses": ("createStream", "error"),
    },
    "azion": {},
}
STREAM_ERROR_HOME = "listStreams"  # an errors[] item of List streams / Get a stream answers
MEMBER_WHY = "a connectors[] item of a request body, not a body of its own; a recheck judges "
MEMBER_WHY += "responses only"
STREAM_ERROR_WHY = (
    "no HTTP status: the seed says List streams and Get a stream return such objects inside a "
    "stream (errors[]), and the List streams sample shows them there"
)
REPAIR = (
    "typographic double quotes (U+201C, U+201D) straightened to '\"' in the {where}; nothing "
    "else changed"
)
# A secret field and its value in a sample's raw text, straight or typographic quotes.
_SECRET_VALUE = re.compile(
    r"[\"\u201c](" + "|".join(sorted(SECRET_FIELDS)) + r")[\"\u201d]\s*:\s*"
    r"[\"\u201c]((?:\\.|[^\"\u201c\u201d\\])+)[\"\u201d]"
)


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


def _block_record(block: SeedBlock | None) -> dict[str, Any] | None:
    if block is None:
        return None
    record: dict[str, Any] = {"line": block.line, "parsed": block.parsed}
    if not block.parsed:
        record["error"] = block.error
    return record


def _template(printed: str) -> str:
    """A seed's path template in the spec's form: no `{?query}`, `{id}` for `:id`, leading /."""
    path = re.sub(r"\{\?[^}]*\}", "", printed)
    path = re.sub(r":(\w+)", r"{\1}", path)
    return path if path.startswith("/") else "/" + path


class Contract:
    """The spec's view of a sample: which operation, which URL, status and headers."""

    def __init__(self, api: ApiDefinition) -> None:
        self.api = api
        self.document = OpenApiDocument.load(api.spec_path)
        self.spec: dict[str, Any] = self.document.raw
        servers = self.spec.get("servers") or [{}]
        self.base = str(servers[0].get("url") or "https://seed.invalid").rstrip("/")
        self.operations = {op.operation_id: op for op in self.document.operations}
        self.resolve = self.document.resolve

    def find(self, method: str, printed_path: str) -> str:
        """The operationId the seed's METHOD and path template document."""
        template = _template(printed_path)
        for operation_id, operation in self.operations.items():
            if operation.method.upper() == method.upper() and operation.path == template:
                return operation_id
        raise ValueError(f"{self.api.name}: the seed's {method} {printed_path} is no operation")

    def url(self, operation_id: str, sample_path: str | None) -> tuple[str, list[str], list[str]]:
        """(URL, what was synthesized, notes): the seed's concrete path when it fits."""
        operation = self.operations[operation_id]
        method, template = operation.method.upper(), operation.path
        item = self.spec["paths"][template]
        synthesized = ["base URL: the spec's first server"]
        if sample_path is not None:
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/?]+", re.escape(template))
            if re.fullmatch(pattern, sample_path.split("?", 1)[0]):
                return self.base + sample_path, synthesized, []
        notes = []
        if sample_path is not None:
            notes.append(
                f"the seed's request goes to {sample_path}, which is not {method} {template} "
                "that its section documents; the section's path is used"
            )
        path, query = template, []
        parameters = [
            *(item.get("parameters") or []),
            *(operation.definition.get("parameters") or []),
        ]
        for raw in parameters:
            param = self.resolve(raw)
            value = self._param_value(param)
            if param.get("in") == "path":
                path = path.replace("{" + param["name"] + "}", str(value))
                synthesized.append(f"path parameter {param['name']}={value}: the spec's example")
            elif param.get("in") == "query" and param.get("required"):
                query.append(f"{param['name']}={value}")
                synthesized.append(f"query parameter {param['name']}={value}: the spec's example")
        return self.base + path + (f"?{'&'.join(query)}" if query else ""), synthesized, notes

    def _param_value(self, param: dict[str, Any]) -> Any:
        schema = self.resolve(param.get("schema") or {})
        for candidate in (param.get("example"), schema.get("example"), schema.get("default")):
            if candidate is not None:
                return candidate
        if schema.get("enum"):
            return schema["enum"][0]
        return 1 if schema.get("type") == "integer" else "sample"

    def success_status(self, operation_id: str) -> int:
        responses = self.operations[operation_id].definition.get("responses") or {}
        return int(sorted(code for code in responses if str(code).startswith("2"))[0])

    def response(self, operation_id: str, status: int) -> dict[str, Any]:
        responses = self.operations[operation_id].definition.get("responses") or {}
        found = self.resolve(responses.get(str(status)) or {})
        return found if isinstance(found, dict) else {}

    def response_headers(
        self, operation_id: str, status: int, media: str | None, has_body: bool
    ) -> tuple[dict[str, list[str]], list[str]]:
        """Content-Type (the seed's, else the spec's) and the headers the contract requires."""
        response = self.response(operation_id, status)
        headers: dict[str, list[str]] = {}
        synthesized = []
        if has_body:
            if media is None:
                media = next(iter(response.get("content") or {}), "application/json")
                synthesized.append(f"Content-Type {media}: the media type the spec declares")
            headers["Content-Type"] = [media]
        budget = (self.spec.get("x-rate-limit") or {}).get("limit")
        required = []
        for name, raw in (response.get("headers") or {}).items():
            header = self.resolve(raw)
            if not header.get("required"):
                continue
            if name.endswith("-Limit") and budget:
                headers[name] = [str(budget)]
            elif name.endswith("-Remaining") and budget:
                headers[name] = [str(int(budget) - 1)]
            elif header.get("example") is not None:
                headers[name] = [str(header["example"])]
            else:
                continue
            required.append(f"{name} {headers[name][0]}")
        if required:
            synthesized.append(
                f"{', '.join(required)}: response headers the contract requires, at the seed's "
                "budget (the seed prints no response headers)"
            )
        return headers, synthesized


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
    repaired_request = _repair(exchange.request_body)
    repaired_response = _repair(exchange.response_body)
    pairs = ((exchange.request_body, repaired_request), (exchange.response_body, repaired_response))
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
    where = " and ".join(
        side
        for side, block in (
            ("request body", repaired_request),
            ("response body", repaired_response),
        )
        if block is not None
    )
    fixed_record = {
        **copy.deepcopy(record),
        "name": f"{exchange.section} (repaired)",
        "repaired": REPAIR.format(where=where),
    }
    fixed_record.pop("notes", None)
    fixed = SampleInteraction(
        operation_id,
        exchange.method,
        url,
        request,
        repaired_request.text if repaired_request else raw.request_body,
        status,
        response,
        repaired_response.text if repaired_response else response_body,
        fixed_record,
    )
    return [raw, fixed]


def _object_interaction(
    contract: Contract,
    sample: ObjectSample,
    homes: dict[str, DocumentedExchange],
    plan: SamplePlan,
) -> SampleInteraction | None:
    """The interaction an object sample makes, or None (then it is listed as not replayed)."""
    places = OBJECT_PLACES[contract.api.name]
    if sample.name not in places:
        raise ValueError(f"{sample.seed}:{sample.line}: no place known for {sample.name!r}")
    operation_id, placement = places[sample.name]
    body = sample.body
    status_from_body = (
        body.value.get("status") if body.parsed and isinstance(body.value, dict) else None
    )
    if placement == "member" or (placement == "error" and not isinstance(status_from_body, int)):
        holder = operation_id if placement == "member" else STREAM_ERROR_HOME
        plan.not_replayed.setdefault(holder, []).append(
            {
                "name": f"{sample.name}: {sample.label or 'unlabelled'}",
                "seed": sample.seed,
                "line": body.line,
                "parsed": body.parsed,
                "why": MEMBER_WHY if placement == "member" else STREAM_ERROR_WHY,
            }
        )
        return None
    home = homes[operation_id]
    method = contract.operations[operation_id].method.upper()
    url, synthesized, notes = contract.url(operation_id, home.sample_path)
    record: dict[str, Any] = {
        "name": f"{sample.name}: {sample.label or 'unlabelled'}",
        "seed": sample.seed,
        "section": sample.name,
        "line": sample.line,
    }
    request_block = home.request_body
    response_block = home.response_body
    status = home.status or contract.success_status(operation_id)
    media = home.media_type
    response_text = response_block.text if response_block else ""
    borrowed = f"the {home.section!r} section's (line {home.line})"
    if placement == "request":
        request_block = body
        synthesized.append(f"URL, status and response: {borrowed}, paired with this request")
    elif placement == "response":
        response_block, response_text = body, body.text
        synthesized.append(f"URL, request and status: {borrowed}")
    elif placement == "item":
        response_block = body
        listed = home.response_body
        if body.parsed and listed is not None and listed.parsed and isinstance(listed.value, list):
            response_text = json.dumps([body.value, *listed.value[1:]], ensure_ascii=False)
            synthesized.append(
                f"the list around it: this object in place of the first item of {borrowed} "
                f"list sample (line {listed.line}); URL, request and status: {borrowed}"
            )
        else:
            response_text = body.text
            synthesized.append(f"URL, request and status: {borrowed}")
    else:  # an error with its own status
        request_block = None
        assert isinstance(status_from_body, int)
        status, media = status_from_body, None
        response_block, response_text = body, body.text
        synthesized.append(
            f"operation {operation_id} and its URL, without a request body: the seed's "
            f"{sample.name!r} names no operation; status {status}: the sample's own `status`"
        )
    request, request_synth = _request_headers(
        home.request_headers if request_block is not None else (),
        request_block is not None,
    )
    response, response_synth = contract.response_headers(
        operation_id, status, media, bool(response_text)
    )
    record["request_body"] = _block_record(request_block)
    record["response_body"] = _block_record(response_block)
    record["synthesized"] = synthesized + request_synth + response_synth
    if notes:
        record["notes"] = notes
    return SampleInteraction(
        operation_id,
        method,
        url,
        request,
        request_block.text if request_block else None,
        status,
        response,
        response_text,
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
    """Write `root/<api>/sample-<operationId>.yaml` from the seed's own samples."""
    document = parse_seed(api.name, seed_path(api))
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
    document = parse_seed(api.name, seed_path(api))
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
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path("cassettes/samples")
    for api in APIS.values():
        files = build_samples(api, root)
        print(f"{api.name}: {len(files)} sample cassette(s) under {api_dir(root, api.name)}")
        print(f"  {summary(api)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
