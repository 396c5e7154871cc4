"""An OpenAPI 3.1 contract as data: its operations and JSON Schema validators for its parts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conformance.spec_files import ContractFileError, load_yaml

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_BASE_URI = "urn:dsconform:spec"


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


# A JSONPath of plain members and indexes, as schema findings name the failing member
# (`$.streams[0].streamName`); a member name that is not an identifier is quoted (`$['a b']`).
# A `{parameter}` of a path template, as `re.escape` writes it.
_PATH_PARAMETER = re.compile(r"\\\{[^}/]+\\\}")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STEP = r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[('(?:[^'\\]|\\.)*')\]"
_JSON_PATH_STEP = re.compile(_STEP)
# The JSONPath in a finding's message (`... at $.a[0].b: ...`), for the reports to show that part.
JSON_PATH_IN_MESSAGE = re.compile(rf"\bat (\$(?:{_STEP})*)")
# What a schema finding quotes of the failing value: enough to recognise it.
QUOTED_VALUE_CHARS = 120


def json_path(parts: Iterable[str | int]) -> str:
    """`$.a[0].b` for the parts `a`, 0, `b` (an error's `absolute_path`)."""
    path = "$"
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _IDENTIFIER.fullmatch(part):
            path += f".{part}"
        else:
            path += "[" + "'" + part.replace("\\", "\\\\").replace("'", "\\'") + "'" + "]"
    return path


def json_path_parts(path: str) -> list[str | int] | None:
    """The parts of a JSONPath `json_path` wrote, or None when `path` is not one."""
    if not path.startswith("$"):
        return None
    parts: list[str | int] = []
    position = 1
    while position < len(path):
        step = _JSON_PATH_STEP.match(path, position)
        if step is None:
            return None
        member, index, quoted = step.groups()
        if member is not None:
            parts.append(member)
        elif index is not None:
            parts.append(int(index))
        else:
            parts.append(re.sub(r"\\(.)", r"\1", quoted[1:-1]))
        position = step.end()
    return parts


def _quoted(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=False, default=str)
    if len(text) > QUOTED_VALUE_CHARS:
        text = text[: QUOTED_VALUE_CHARS - 1] + "…"
    return text


def describe_schema_error(errors: Iterable[ValidationError]) -> tuple[str, str] | None:
    """The most relevant of `errors` as (JSONPath of the failing member, what is wrong there),
    the value quoted as JSON (not as a Python repr); None when there is no error.

    jsonschema's `best_match` descends into `oneOf`/`anyOf`, so a connector whose `connectorId`
    is a string is reported at `$.connectors[0].connectorId`, not as the whole connector being
    "not valid under any of the given schemas"."""
    error = best_match(errors)
    if error is None:
        return None
    error = _branch_error(error)
    message = error.message
    shown = repr(error.instance)
    if message.startswith(shown):
        message = _quoted(error.instance) + message[len(shown) :]
    return json_path(_path_parts(error.absolute_path)), message


def _branch_error(error: ValidationError) -> ValidationError:
    """For a `oneOf`/`anyOf` no branch matched, the error inside the branch the value was meant
    for: the branch whose discriminators (`const`, `enum`) all matched, with the fewest errors.
    `best_match` stops at the `oneOf` when the branches' errors are equally deep."""
    while error.validator in ("oneOf", "anyOf") and error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for inner in error.context:
            branches.setdefault(inner.relative_schema_path[0], []).append(inner)
        meant = [
            found
            for found in branches.values()
            if not any(e.validator in ("const", "enum") for e in found)
        ]
        if not meant:
            break
        chosen = best_match(min(meant, key=len))
        if chosen is None:  # pragma: no cover - a branch holds at least one error
            break
        error = chosen
    return error


def _path_parts(path: Sequence[Any]) -> list[str | int]:
    return [p if isinstance(p, int) else str(p) for p in path]


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

    @cached_property
    def _routes(self) -> tuple[tuple[str, re.Pattern[str], Operation], ...]:
        # Literal paths before templated ones, as routers match them; a trailing slash allowed.
        ordered = sorted(self.operations, key=lambda op: op.path.count("{"))
        return tuple(
            (
                op.method.upper(),
                re.compile(_PATH_PARAMETER.sub("[^/]+", re.escape(op.path)) + "/?"),
                op,
            )
            for op in ordered
        )

    def operation_at(self, method: str, path: str) -> Operation | None:
        """The operation whose method and path template match a request; None if none does."""
        for route_method, pattern, operation in self._routes:
            if route_method == method.upper() and pattern.fullmatch(path):
                return operation
        return None

    def operation_id_at(self, method: str, path: str) -> str | None:
        """The operationId of `operation_at`, None when no operation matches."""
        operation = self.operation_at(method, path)
        return operation.operation_id if operation else None

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
