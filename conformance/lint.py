"""`dsconform lint`: keeps the hand-written contracts honest.

Checks each spec against the OpenAPI schema, every example in it against the schema it
illustrates, and each requirement catalogue's format and citations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

from conformance.apis import ApiDefinition
from conformance.catalogue import parse_catalogue
from conformance.openapi_document import OpenApiDocument, escape_pointer_token
from conformance.spec_files import load_yaml


@dataclass(frozen=True, slots=True)
class LintProblem:
    """One finding: the file, a JSON pointer into it, and what is wrong."""

    file: Path
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}#{self.pointer or '/'}: {self.message}"


def lint_spec(path: Path) -> list[LintProblem]:
    """Validate an OpenAPI file and the examples it holds. Raises ContractFileError if unusable."""
    document = OpenApiDocument.load(path)
    problems = list(_spec_validity(document, path))
    if problems:
        # Examples are meaningless against a spec that is not valid OpenAPI.
        return problems
    problems.extend(_example_problems(document, path))
    return problems


def _spec_validity(document: OpenApiDocument, path: Path) -> Iterable[LintProblem]:
    version = str(document.raw.get("openapi", ""))
    if not version.startswith("3."):
        yield LintProblem(path, "/openapi", f"expected an OpenAPI 3.x document, got {version!r}")
        return
    validator_class = (
        OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    )
    found = 0
    try:
        for error in validator_class(document.raw).iter_errors():
            found += 1
            pointer = "".join(f"/{escape_pointer_token(str(p))}" for p in error.absolute_path)
            yield LintProblem(path, pointer, f"invalid OpenAPI: {error.message.splitlines()[0]}")
    except Exception as exc:  # the validator walks the document and can trip over its defects
        if not found:
            yield LintProblem(
                path,
                "",
                f"invalid OpenAPI: the validator could not process it "
                f"({type(exc).__name__}: {exc})",
            )
    seen: dict[str, str] = {}
    for op in document.operations:
        if "operationId" not in op.definition:
            yield LintProblem(path, op.pointer, f"{op.label} has no operationId")
        elif op.operation_id in seen:
            yield LintProblem(path, op.pointer, f"duplicate operationId {op.operation_id}")
        seen[op.operation_id] = op.pointer


def _example_problems(document: OpenApiDocument, path: Path) -> Iterable[LintProblem]:
    for pointer, node in document.iter_nodes():
        if not isinstance(node, dict) or pointer.endswith("/properties"):
            continue
        for where, schema_pointer, value in _examples_of(document, pointer, node):
            try:
                errors = sorted(
                    document.validator(schema_pointer).iter_errors(value),
                    key=lambda e: list(e.absolute_path),
                )
            except Exception as exc:  # unresolvable $ref and the like
                yield LintProblem(path, where, f"cannot check example: {exc}")
                continue
            for error in errors[:3]:
                inner = "".join(f"/{escape_pointer_token(str(p))}" for p in error.absolute_path)
                yield LintProblem(
                    path,
                    where,
                    f"example does not match its schema at {inner or '/'}: {error.message}",
                )


def _examples_of(
    document: OpenApiDocument, pointer: str, node: dict[str, Any]
) -> Iterable[tuple[str, str, Any]]:
    """(pointer of the example, pointer of its schema, example value) pairs held by `node`."""
    if "schema" in node and isinstance(node["schema"], dict):
        schema_pointer = f"{pointer}/schema"
        if "example" in node:
            yield f"{pointer}/example", schema_pointer, node["example"]
        examples = node.get("examples")
        if isinstance(examples, dict):
            for name, example in examples.items():
                resolved = document.resolve(example)
                if isinstance(resolved, dict) and "value" in resolved:
                    where = f"{pointer}/examples/{escape_pointer_token(str(name))}"
                    yield where, schema_pointer, resolved["value"]
        return
    if pointer.startswith("/components/examples"):
        return
    is_schema = any(
        k in node
        for k in ("type", "properties", "$ref", "oneOf", "allOf", "anyOf", "enum", "const")
    )
    if not is_schema:
        return
    if "example" in node:
        yield f"{pointer}/example", pointer, node["example"]
    if isinstance(node.get("examples"), list):
        for index, value in enumerate(node["examples"]):
            yield f"{pointer}/examples/{index}", pointer, value


def lint_catalogue(api: ApiDefinition, path: Path) -> list[LintProblem]:
    """Format and citation problems of a requirement catalogue. Raises ContractFileError."""
    _, problems = parse_catalogue(load_yaml(path), path, api=api)
    return [LintProblem(p.file, p.location, p.message) for p in problems]


def lint_citations(api: ApiDefinition, path: Path) -> list[LintProblem]:
    """Observable requirements that no check, scenario or schemathesis mapping cites, and
    citations of IDs the catalogue lacks."""
    from conformance.citations import citations

    catalogue, problems = parse_catalogue(load_yaml(path), path, api=api)
    if problems:
        return []  # lint_catalogue reports those
    cited = citations(api.name)
    found: list[LintProblem] = []
    for index, requirement in enumerate(catalogue):
        if requirement.observable and requirement.id not in cited:
            found.append(
                LintProblem(
                    path,
                    f"/requirements/{index}",
                    f"{requirement.id} is observable but no check or scenario cites it",
                )
            )
    for requirement_id, citers in sorted(cited.items()):
        if requirement_id not in catalogue:
            found.append(
                LintProblem(
                    path,
                    "/requirements",
                    f"{', '.join(citers)} cite(s) {requirement_id}, which the catalogue lacks",
                )
            )
    return found


def lint_api(
    api: ApiDefinition, *, spec: Path | None = None, catalogue: Path | None = None
) -> list[LintProblem]:
    """Every lint problem of one API's contract files."""
    catalogue_path = catalogue or api.catalogue_path
    return (
        lint_spec(spec or api.spec_path)
        + lint_catalogue(api, catalogue_path)
        + lint_citations(api, catalogue_path)
    )
