"""The spec's view of a sample (seed or vendor fixture): which operation it documents, its URL,
the success status and the response headers the contract requires."""

from __future__ import annotations

import re
from typing import Any

from conformance.apis import ApiDefinition
from conformance.openapi_document import OpenApiDocument


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
