"""An OpenAPI 3.1 contract as data: its operations and JSON Schema validators for its parts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conformance.spec_files import ContractFileError, load_yaml

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_BASE_URI = "urn:dsconform:spec"


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the contract."""

    operation_id: str
    method: str
    path: str
    pointer: str
    definition: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


class OpenApiDocument:
    """A loaded spec with pointer-addressed JSON Schema validation."""

    def __init__(self, raw: dict[str, Any], path: Path | None = None) -> None:
        self.raw = raw
        self.path = path
        resource: Resource[Any] = DRAFT202012.create_resource(raw)
        self._registry: Registry[Any] = Registry().with_resource(_BASE_URI, resource)
        self._validators: dict[str, Validator] = {}

    @classmethod
    def load(cls, path: Path) -> OpenApiDocument:
        raw = load_yaml(path)
        if not isinstance(raw, dict):
            raise ContractFileError(f"{path}: an OpenAPI document must be a mapping")
        return cls(raw, path)

    @cached_property
    def operations(self) -> tuple[Operation, ...]:
        found: list[Operation] = []
        for path, item in (self.raw.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            for method in HTTP_METHODS:
                definition = item.get(method)
                if isinstance(definition, dict):
                    pointer = f"/paths/{escape_pointer_token(path)}/{method}"
                    op_id = str(definition.get("operationId") or f"{method} {path}")
                    found.append(Operation(op_id, method, path, pointer, definition))
        return tuple(found)

    def operation(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)

    def resolve(self, node: Any) -> Any:
        """Follow a `$ref` chain (local refs only) to the node it names."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 32:
            node = self.at_pointer(str(node["$ref"]).removeprefix("#"))
            seen += 1
        return node

    def at_pointer(self, pointer: str) -> Any:
        node: Any = self.raw
        for token in [t for t in pointer.split("/") if t != ""]:
            token = token.replace("~1", "/").replace("~0", "~")
            node = node[int(token)] if isinstance(node, list) else node[token]
        return node

    def validator(self, schema_pointer: str) -> Validator:
        """A Draft 2020-12 validator for the schema at `schema_pointer` (refs resolved)."""
        validator = self._validators.get(schema_pointer)
        if validator is None:
            validator = Draft202012Validator(
                {"$ref": f"{_BASE_URI}#{schema_pointer}"},
                registry=self._registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
            self._validators[schema_pointer] = validator
        return validator

    def request_body_schema_pointer(self, operation: Operation) -> str | None:
        body = self.resolve(operation.definition.get("requestBody"))
        if not isinstance(body, dict):
            return None
        for media, content in (body.get("content") or {}).items():
            if "json" in media and isinstance(content, dict) and "schema" in content:
                return self._content_pointer(operation, ("requestBody",), body, media)
        return None

    def response_schema_pointer(self, operation: Operation, status: int) -> str | None:
        """Pointer to the JSON schema documented for `status` (or `default`), if any."""
        responses = operation.definition.get("responses") or {}
        key = str(status) if str(status) in responses else f"{str(status)[0]}XX"
        if key not in responses:
            key = "default"
        if key not in responses:
            return None
        response = self.resolve(responses[key])
        for media, content in (response.get("content") or {}).items():
            if "json" in media and isinstance(content, dict) and "schema" in content:
                return self._content_pointer(operation, ("responses", key), response, media)
        return None

    def _content_pointer(
        self, operation: Operation, where: tuple[str, ...], obj: dict[str, Any], media: str
    ) -> str:
        # When the object came through a $ref, point into the component it lives in.
        direct: Any = operation.definition
        for token in where:
            direct = direct[token]
        if isinstance(direct, dict) and "$ref" in direct:
            base = self._ref_target_pointer(direct)
        else:
            base = operation.pointer + "".join(f"/{escape_pointer_token(t)}" for t in where)
        return f"{base}/content/{escape_pointer_token(media)}/schema"

    def _ref_target_pointer(self, node: dict[str, Any]) -> str:
        pointer = str(node["$ref"]).removeprefix("#")
        target = self.at_pointer(pointer)
        while isinstance(target, dict) and "$ref" in target:
            pointer = str(target["$ref"]).removeprefix("#")
            target = self.at_pointer(pointer)
        return pointer

    def iter_nodes(self) -> Iterator[tuple[str, Any]]:
        """Every (pointer, node) pair of the document, depth first."""
        stack: list[tuple[str, Any]] = [("", self.raw)]
        while stack:
            pointer, node = stack.pop()
            yield pointer, node
            if isinstance(node, dict):
                for key in reversed(list(node)):
                    stack.append((f"{pointer}/{escape_pointer_token(str(key))}", node[key]))
            elif isinstance(node, list):
                for index in reversed(range(len(node))):
                    stack.append((f"{pointer}/{index}", node[index]))
