"""Cassettes built from the vendors' own software, for `dsconform recheck` (issue 13).

The vendors publish clients of these APIs, and their tests hold what the real service answered
and what a real client sends. The JSON data of those fixtures (never their code) is vendored
under `specs/vendor-fixtures/<api>/*.json`, one exchange per file, each naming its source
(repository, tag or commit, path, lines); nothing here touches the network. Every fixture with
an HTTP answer of a contract operation becomes an interaction of
`DIR/<api>/vendor-<operationId>.yaml`; the others (request shapes the vendors' tests answer
with stubs, answers of operations the contract lacks) are listed, with why, in
`DIR/<api>/vendor-not-replayed.yaml` (no interactions) and are judged by
`tests/test_vendor_clients.py` and `tests/test_vendor_cassettes.py` instead.

What a fixture does not carry is filled in and listed per interaction under `synthesized`, as
for the seed samples: the base URL (the spec's server), a redacted Authorization, the request
Content-Type and the headers every request to the API carries (its definition's
`request_headers`, from where its `request_headers_basis` says), the response
Content-Type the spec declares, and the response headers the contract requires.

    python -m conformance.cassettes.vendor_samples cassettes/vendor
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
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
from conformance.redaction import PLACEHOLDER, remember_secret, secret_field_values, secret_scope
from conformance.spec_files import contracts_dir

NOT_REPLAYED = "vendor-not-replayed"


@dataclass(frozen=True, slots=True)
class VendorFixture:
    """One vendored exchange: `name` is the file's stem, `data` its JSON."""

    name: str
    data: dict[str, Any]

    @property
    def operation_id(self) -> str | None:
        value = self.data.get("operation")
        return str(value) if value else None

    @property
    def replayable(self) -> bool:
        """An HTTP answer of a contract operation: it becomes an interaction."""
        return (
            self.operation_id is not None
            and isinstance(self.data.get("response"), dict)
            and isinstance(self.data.get("status"), int)
        )

    def request_body(self) -> Any:
        request = self.data.get("request")
        return request.get("body") if isinstance(request, dict) else None

    def response_body(self) -> Any:
        response = self.data.get("response")
        return response.get("body") if isinstance(response, dict) else None

    def sources(self) -> dict[str, Any]:
        """Where each side comes from, as the fixture file says (the full commit id left to the
        fixture file and the README: the secret scan takes a 40-digit hash for a token)."""
        found = {}
        for side in ("request", "response"):
            part = self.data.get(side)
            if isinstance(part, dict) and isinstance(part.get("source"), dict):
                found[side] = {k: v for k, v in part["source"].items() if k != "commit"}
        return found


def fixtures_dir(api: ApiDefinition) -> Path:
    """`specs/vendor-fixtures/<api>/`."""
    return contracts_dir() / "vendor-fixtures" / api.name


def load_fixtures(api: ApiDefinition, directory: Path | None = None) -> list[VendorFixture]:
    """Every vendored fixture of `api`, in file-name order."""
    directory = directory or fixtures_dir(api)
    return [
        VendorFixture(path.stem, json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(directory.glob("*.json"))
    ]


def _record(fixture: VendorFixture, synthesized: list[str]) -> dict[str, Any]:
    return {
        "name": fixture.name,
        "fixture": f"specs/vendor-fixtures/{{api}}/{fixture.name}.json",
        "sources": fixture.sources(),
        "synthesized": synthesized,
    }


def _interaction(
    contract: Contract, fixture: VendorFixture
) -> tuple[Request, dict[str, Any], dict[str, Any]]:
    operation_id = fixture.operation_id
    assert operation_id is not None
    method = str(fixture.data["method"]).upper()
    url = contract.base + str(fixture.data["path"])
    synthesized = ["base URL: the spec's first server"]
    headers = {"Authorization": PLACEHOLDER}
    synthesized.append("Authorization: a redacted placeholder (fixtures carry none)")
    for name, value in contract.api.request_headers.items():
        headers[name] = value
        synthesized.append(f"{name} {value}: {contract.api.request_headers_basis}")
    body_value = fixture.request_body()
    body = None
    if body_value is not None:
        body = json.dumps(body_value, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json"
        synthesized.append("request Content-Type application/json")
    status = int(fixture.data["status"])
    answer = fixture.response_body()
    text = "" if answer is None else json.dumps(answer, ensure_ascii=False)
    response_headers, header_synth = contract.response_headers(
        operation_id, status, None, bool(text)
    )
    synthesized += header_synth
    response = {
        "status": {"code": status, "message": ""},
        "headers": response_headers,
        "body": {"string": text.encode("utf-8")},
    }
    record = _record(fixture, synthesized)
    record["fixture"] = record["fixture"].format(api=contract.api.name)
    return Request(method, url, body, headers), response, record


def _write(
    directory: Path,
    api: ApiDefinition,
    group: str,
    interactions: list[tuple[Request, dict[str, Any], dict[str, Any]]],
    not_replayed: list[dict[str, Any]],
) -> Path:
    redactor = Redactor()
    metadata: dict[str, Any] = {
        "format": FORMAT,
        "api": api.name,
        "group": group,
        "interactions": len(interactions),
        "source": (
            f"specs/vendor-fixtures/{api.name}/: JSON data of the vendors' own test fixtures "
            "(cassettes/vendor/README.md names each source)"
        ),
        "samples": [record for _, _, record in interactions],
    }
    if not_replayed:
        metadata["not_replayed"] = not_replayed
    text = serialize(
        {
            "requests": [redactor.request(request) for request, _, _ in interactions],
            "responses": [redactor.response(response) for _, response, _ in interactions],
            "metadata": {METADATA_KEY: metadata},
        },
        yamlserializer,
    )
    path = directory / cassette_file(group)
    path.write_text(text, encoding="utf-8")
    enforce_clean(path)
    return path


def build_vendor_samples(
    api: ApiDefinition, root: Path, fixtures: Path | None = None
) -> list[Path]:
    """Write `root/<api>/vendor-*.yaml` from the vendored fixtures; returns the files written."""
    loaded = load_fixtures(api, fixtures)
    contract = Contract(api)
    directory = api_dir(root, api.name)
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("vendor-*.yaml"):
        old.unlink()
    by_operation: dict[str, list[tuple[Request, dict[str, Any], dict[str, Any]]]] = {}
    held_back: list[dict[str, Any]] = []
    written = []
    with secret_scope():
        for fixture in loaded:
            for value in (fixture.request_body(), fixture.response_body()):
                for secret in secret_field_values(value):
                    remember_secret(secret)
        for fixture in loaded:
            if fixture.replayable:
                operation_id = str(fixture.operation_id)
                by_operation.setdefault(operation_id, []).append(_interaction(contract, fixture))
                continue
            held_back.append(
                {
                    "name": fixture.name,
                    "fixture": f"specs/vendor-fixtures/{api.name}/{fixture.name}.json",
                    "operation": fixture.operation_id,
                    "method": fixture.data.get("method"),
                    "path": fixture.data.get("path"),
                    "sources": fixture.sources(),
                    "why": str(
                        fixture.data.get("not_replayed")
                        or f"{fixture.data.get('method')} {fixture.data.get('path')} is no "
                        "operation of the contract (see specs/errata.md)"
                    ),
                }
            )
        for operation_id, interactions in by_operation.items():
            written.append(_write(directory, api, f"vendor-{operation_id}", interactions, []))
        if held_back:
            written.append(_write(directory, api, NOT_REPLAYED, [], held_back))
    return written


README_HEAD = """\
# The vendors' own software as a judge

Written by `python -m conformance.cassettes.vendor_samples cassettes/vendor` from the JSON data
of the vendors' own test fixtures, vendored under `specs/vendor-fixtures/<api>/` (one exchange
per file, each naming its source; only data was taken, never code). `dsconform recheck
cassettes/vendor --api all` judges them with today's contract; the findings it reports are each
an entry of `specs/errata.md`, and `tests/test_vendor_cassettes.py` holds exactly that list.
Fixtures that are not an HTTP answer of a contract operation are listed, with why, in
`<api>/vendor-not-replayed.yaml`; the request shapes among them are fed to the reference
servers by `tests/test_vendor_clients.py`.

## Sources
"""


def readme(fixtures: dict[str, list[VendorFixture]]) -> str:
    """The README of the cassette directory: every source (repo@commit:path) and its fixtures."""
    used: dict[str, dict[str, list[str]]] = {}
    for api_name, loaded in fixtures.items():
        for fixture in loaded:
            for side, source in fixture.sources().items():
                commit = _commit_of(fixture, side)
                key = f"{source['repo']}@{commit}:{source['path']}"
                used.setdefault(key, {}).setdefault(api_name, []).append(
                    f"{fixture.name} ({side}, lines {source['lines']})"
                )
    lines = [README_HEAD]
    for key in sorted(used):
        lines.append(f"- `{key}`")
        for api_name, names in sorted(used[key].items()):
            lines.append(f"  - {api_name}: " + "; ".join(names))
    return "\n".join(lines) + "\n"


def _commit_of(fixture: VendorFixture, side: str) -> str:
    part = fixture.data.get(side)
    source = part.get("source") if isinstance(part, dict) else None
    if not isinstance(source, dict):
        return "?"
    return str(source.get("commit") or source.get("ref") or "?")


def build_all(root: Path) -> list[Path]:
    """Both APIs' vendor cassettes and `root/README.md`."""
    written = []
    for api in APIS.values():
        written += build_vendor_samples(api, root)
    text = readme({api.name: load_fixtures(api) for api in APIS.values()})
    path = root / "README.md"
    path.write_text(text, encoding="utf-8")
    return [*written, path]


def main(argv: list[str] | None = None) -> int:
    default = Path("cassettes/vendor")
    root = generator_output_dir(argv, "conformance.cassettes.vendor_samples", default)
    if root is None:
        return 2
    written = build_all(root)
    for api in APIS.values():
        count = sum(1 for p in written if p.parent == api_dir(root, api.name))
        print(f"{api.name}: {count} vendor cassette(s) under {api_dir(root, api.name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
