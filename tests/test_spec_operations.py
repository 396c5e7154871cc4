"""The specs cover exactly the operations the seeds document: 15 for Akamai, 8 for Azion."""

from __future__ import annotations

import re

from conformance.apis import AKAMAI, AZION, ApiDefinition
from conformance.openapi_document import OpenApiDocument
from conformance.spec_files import contracts_dir


def _seed_text(api: ApiDefinition) -> str:
    return (contracts_dir() / "sources" / api.seed_file).read_text(encoding="utf-8")


def _spec_operations(api: ApiDefinition) -> set[tuple[str, str]]:
    document = OpenApiDocument.load(api.spec_path)
    return {(op.method.upper(), op.path) for op in document.operations}


def akamai_seed_operations() -> set[tuple[str, str]]:
    """Rows of the seed's "API summary" table: `<name> <METHOD> <path>{?query}`."""
    summary = _seed_text(AKAMAI).split("API summary", 1)[1].split("List properties\n", 1)[0]
    rows = re.findall(r"\b(GET|POST|PUT|DELETE|PATCH) (/datastream-config-api/\S+)", summary)
    return {(method, re.sub(r"\{\?\w+\}$", "", path)) for method, path in rows}


def azion_seed_operations() -> set[tuple[str, str]]:
    """Headings like `#### **GET** */data_streaming/streamings/:id*`."""
    rows = re.findall(r"^#### \*\*(\w+)\*\* \*/?([^*]+)\*", _seed_text(AZION), flags=re.MULTILINE)
    return {(method, "/" + re.sub(r":(\w+)", r"{\1}", path)) for method, path in rows}


def test_akamai_spec_matches_the_seed_operation_list() -> None:
    seed = akamai_seed_operations()
    assert len(seed) == 15
    assert _spec_operations(AKAMAI) == seed


def test_azion_spec_matches_the_seed_operation_list() -> None:
    seed = azion_seed_operations()
    # The seed repeats POST /streamings under its sub-sections; the set holds it once.
    assert len(seed) == 8
    assert _spec_operations(AZION) == seed


def test_operation_ids_are_the_documented_ones() -> None:
    architecture = (contracts_dir().parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for api in (AKAMAI, AZION):
        ids = {op.operation_id for op in OpenApiDocument.load(api.spec_path).operations}
        for operation_id in ids:
            assert f"| {operation_id} |" in architecture
