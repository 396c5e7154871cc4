"""Cassettes built from the vendors' own documented samples, for `dsconform recheck`.

Each operation's request and response examples that the contracts copied from the seeds
(named `seed...`, or summarised as a seed sample) become interactions of a cassette
`DIR/<api>/sample-<operationId>.yaml`. What a seed does not show is filled in and marked in
the cassette metadata: path parameters (the parameter's own example, else a placeholder), the
base URL (the spec's server), and response headers the contract requires (rate-limit headers
with the seed's budget), so that only what the seed documents (status, body) is judged.

    python -m conformance.cassettes.samples cassettes/samples
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml
from vcr.request import Request
from vcr.serialize import serialize
from vcr.serializers import yamlserializer

from conformance.apis import APIS, ApiDefinition
from conformance.cassettes.filters import Redactor
from conformance.cassettes.layout import FORMAT, METADATA_KEY, api_dir, cassette_file
from conformance.cassettes.secret_scan import enforce_clean
from conformance.redaction import secret_scope

AZION_ACCEPT = "application/json; version=3"
_SEED = re.compile(r"\bseed", re.IGNORECASE)
SYNTHESIZED = [
    "path parameters (the parameter's example, else a placeholder)",
    "the base URL (the spec's first server, else https://seed.invalid)",
    "request headers (Content-Type, Accept, a redacted Authorization)",
    "response headers the contract requires (rate-limit headers at the seed's budget)",
    "the pairing of a request sample with a response sample (by name, else the seed one)",
]


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _is_seed(name: str, example: dict[str, Any]) -> bool:
    return bool(_SEED.search(name) or _SEED.search(str(example.get("summary") or "")))


def _examples(spec: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
    found = {}
    for media, body in (content or {}).items():
        for name, example in (body.get("examples") or {}).items():
            example = _resolve(spec, example)
            if isinstance(example, dict) and "value" in example and _is_seed(name, example):
                found[name] = (media, example["value"])
    return found


def _param_value(spec: dict[str, Any], param: dict[str, Any]) -> Any:
    schema = _resolve(spec, param.get("schema") or {})
    for candidate in (param.get("example"), schema.get("example"), schema.get("default")):
        if candidate is not None:
            return candidate
    if schema.get("enum"):
        return schema["enum"][0]
    return 1 if schema.get("type") == "integer" else "sample"


def _url(spec: dict[str, Any], path: str, operation: dict[str, Any], item: dict[str, Any]) -> str:
    servers = spec.get("servers") or [{}]
    base = str(servers[0].get("url") or "https://seed.invalid").rstrip("/")
    query = []
    for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
        param = _resolve(spec, raw)
        value = _param_value(spec, param)
        if param.get("in") == "path":
            path = path.replace("{" + param["name"] + "}", str(value))
        elif param.get("in") == "query" and param.get("required"):
            query.append(f"{param['name']}={value}")
    return base + path + (f"?{'&'.join(query)}" if query else "")


def _response_headers(
    spec: dict[str, Any], response: dict[str, Any], media: str
) -> dict[str, list[str]]:
    headers = {"Content-Type": [media]}
    budget = (spec.get("x-rate-limit") or {}).get("limit")
    for name, raw in (response.get("headers") or {}).items():
        header = _resolve(spec, raw)
        if not header.get("required"):
            continue
        if "Limit" in name and budget:
            headers[name] = [str(budget)]
        elif "Remaining" in name and budget:
            headers[name] = [str(int(budget) - 1)]
        elif header.get("example") is not None:
            headers[name] = [str(header["example"])]
    return headers


def build_samples(api: ApiDefinition, root: Path) -> list[Path]:
    """Write `root/<api>/sample-<operationId>.yaml` for every operation with seed samples."""
    spec = yaml.safe_load(api.spec_path.read_text(encoding="utf-8"))
    directory = api_dir(root, api.name)
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("sample-*.yaml"):
        old.unlink()
    written = []
    seen: set[str] = set()  # a shared error response ($ref) is sampled once, not per operation
    with secret_scope():
        for path, item in spec["paths"].items():
            for method, operation in item.items():
                if not isinstance(operation, dict) or "operationId" not in operation:
                    continue
                interactions = _interactions(spec, api, path, method, operation, item, seen)
                if interactions:
                    written.append(_write(directory, api, operation["operationId"], interactions))
    return written


def _interactions(
    spec: dict[str, Any],
    api: ApiDefinition,
    path: str,
    method: str,
    operation: dict[str, Any],
    item: dict[str, Any],
    seen: set[str],
) -> list[tuple[Request, dict[str, Any], str]]:
    redactor = Redactor()
    requests_by_name = _examples(spec, (operation.get("requestBody") or {}).get("content") or {})
    url = _url(spec, path, operation, item)
    result = []
    for code, raw in (operation.get("responses") or {}).items():
        ref = raw.get("$ref") if isinstance(raw, dict) else None
        if ref:
            if ref in seen:
                continue
            seen.add(ref)
        response = _resolve(spec, raw)
        for name, (media, value) in _examples(spec, response.get("content") or {}).items():
            request_example = requests_by_name.get(name) or requests_by_name.get("seed")
            if request_example is None and requests_by_name:
                request_example = next(iter(requests_by_name.values()))
            headers = {"Authorization": "<redacted>"}
            if api.name == "azion":
                headers["Accept"] = AZION_ACCEPT
            body = None
            if request_example is not None:
                headers["Content-Type"] = request_example[0]
                body = json.dumps(request_example[1], ensure_ascii=False).encode("utf-8")
            request = redactor.request(Request(method.upper(), url, body, headers))
            text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
            recorded = redactor.response(
                {
                    "status": {"code": int(code), "message": ""},
                    "headers": _response_headers(spec, response, media),
                    "body": {"string": text.encode("utf-8")},
                }
            )
            result.append((request, recorded, name))
    return result


def _write(
    directory: Path,
    api: ApiDefinition,
    operation_id: str,
    interactions: list[tuple[Request, dict[str, Any], str]],
) -> Path:
    group = f"sample-{operation_id}"
    path = directory / cassette_file(group)
    metadata = {
        METADATA_KEY: {
            "format": FORMAT,
            "api": api.name,
            "group": group,
            "interactions": len(interactions),
            "source": f"seed samples as copied into specs/{api.spec_file}",
            "samples": [name for _, _, name in interactions],
            "synthesized": SYNTHESIZED,
        }
    }
    text = serialize(
        {
            "requests": [r for r, _, _ in interactions],
            "responses": [r for _, r, _ in interactions],
            "metadata": metadata,
        },
        yamlserializer,
    )
    path.write_text(text, encoding="utf-8")
    enforce_clean(path)
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path("cassettes/samples")
    for api in APIS.values():
        files = build_samples(api, root)
        print(f"{api.name}: {len(files)} sample cassette(s) under {api_dir(root, api.name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
