"""The catalogue loader knows no API by name: IDs and errata of any prefix are read, and the
API it is handed says which prefix its requirements carry."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from conformance import catalogue
from conformance.apis import APIS
from conformance.catalogue import parse_catalogue

QUOTE = "A stream must have a name."


def _entry(requirement_id: str, **changes: Any) -> dict[str, Any]:
    entry = {
        "id": requirement_id,
        "level": "MUST",
        "basis": "explicit",
        "statement": "A stream has a name.",
        "observable": True,
        "source": {"file": "toy.md", "section": "Streams", "quote": QUOTE},
    }
    return {**entry, **changes}


def test_a_new_apis_prefix_and_errata_are_read(tmp_path: Path) -> None:
    toy = dataclasses.replace(APIS["azion"], name="toy", id_prefix="TOY", seed_file="toy.md")
    (tmp_path / "toy.md").write_text(f"## Streams\n\n{QUOTE}\n", encoding="utf-8")
    entries = [
        _entry("TOY-STREAM-001"),
        _entry("TOY-STREAM-002", basis="inferred", note="ERRATUM-TOY-001 says otherwise."),
        _entry("AZION-STREAM-003"),
    ]
    data = {"api": "toy", "requirements": entries}
    found, problems = parse_catalogue(data, tmp_path / "toy.yaml", api=toy, sources_dir=tmp_path)
    assert [r.id for r in found] == ["TOY-STREAM-001", "TOY-STREAM-002", "AZION-STREAM-003"]
    assert [p.message for p in problems] == ["AZION-STREAM-003: IDs of this API start with TOY-"]


def test_the_catalogue_module_names_no_api() -> None:
    source = Path(catalogue.__file__).read_text(encoding="utf-8").lower()
    named = {
        word
        for api in APIS.values()
        for word in (api.name.lower(), api.id_prefix.lower())
        if word in source
    }
    assert named == set()
