"""The requirement catalogue: one entry per testable statement of a vendor document."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.apis import ApiDefinition
from conformance.spec_files import ContractFileError, contracts_dir, load_yaml

LEVELS = ("MUST", "SHOULD", "MAY")
# Where a requirement's rule comes from (issue 12): `explicit`, the vendor document states it
# outright; `inferred`, our reading of a sample, a table row, a contradiction or a silence (the
# note says which, naming the erratum); `external`, a source outside the vendor document (field
# notes, the vendors' own clients; the note names it).
BASES = ("explicit", "inferred", "external")
# An erratum of any API: ERRATUM-<its ID prefix>-NNN.
ERRATUM = re.compile(r"ERRATUM-[A-Z][A-Z0-9]*-\d{3}")
# Words by which an inferred requirement's note says which reading it is, when no erratum applies.
_READING_WORDS = ("silence", "silent", "sample", "example", "table", "reading", "contradiction")
# A requirement ID, <PREFIX>-<SECTION>...-NNN: the prefix is upper-case (that it is the API's
# id_prefix is checked against the API the catalogue is read for).
ID_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+-\d{3}$")
_CURLY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


@dataclass(frozen=True, slots=True)
class Source:
    """Where a requirement comes from: a vendor file, its section heading, the quoted sentence."""

    file: str
    section: str
    quote: str


@dataclass(frozen=True, slots=True)
class Requirement:
    """One testable statement, with a stable ID."""

    id: str
    level: str
    statement: str
    source: Source
    observable: bool
    operations: tuple[str, ...] = ()
    note: str = ""
    basis: str = "explicit"


@dataclass(frozen=True, slots=True)
class CatalogueProblem:
    """A defect in a catalogue file; `location` is a JSON pointer into the file."""

    file: Path
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}#{self.location}: {self.message}"


@dataclass(frozen=True, slots=True)
class Catalogue:
    """All requirements of one API, in file order."""

    api: str
    requirements: tuple[Requirement, ...]
    _by_id: Mapping[str, Requirement] = field(default_factory=dict, repr=False, compare=False)

    def __iter__(self) -> Iterator[Requirement]:
        return iter(self.requirements)

    def __len__(self) -> int:
        return len(self.requirements)

    def __contains__(self, requirement_id: object) -> bool:
        return requirement_id in self._by_id

    def get(self, requirement_id: str) -> Requirement:
        return self._by_id[requirement_id]

    def observable(self) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if r.observable)


def normalise_text(text: str) -> str:
    """Fold whitespace runs and straighten curly quotes, for citation matching."""
    return " ".join(text.translate(_CURLY).split())


def parse_catalogue(
    data: Any, path: Path, *, api: ApiDefinition, sources_dir: Path | None = None
) -> tuple[Catalogue, list[CatalogueProblem]]:
    """Build a catalogue from parsed YAML, collecting every format problem instead of raising."""
    reader = _EntryReader(api, path, sources_dir or contracts_dir() / "sources")
    if not isinstance(data, dict):
        reader.problem("", "the catalogue must be a mapping with `api` and `requirements`")
        return Catalogue(api.name, ()), reader.problems
    if data.get("api") != api.name:
        reader.problem("/api", f"expected api: {api.name}, found {data.get('api')!r}")
    entries = data.get("requirements")
    if not isinstance(entries, list) or not entries:
        reader.problem("/requirements", "must be a non-empty list")
        return Catalogue(api.name, ()), reader.problems
    requirements = [
        r for r in (reader.read(index, entry) for index, entry in enumerate(entries)) if r
    ]
    by_id = {r.id: r for r in requirements}
    return Catalogue(api.name, tuple(requirements), by_id), reader.problems


@dataclass(slots=True)
class _EntryReader:
    """Reads a catalogue's entries in turn, collecting the format problems of each."""

    api: ApiDefinition
    path: Path
    sources_dir: Path
    problems: list[CatalogueProblem] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)  # requirement ID -> its first index
    source_texts: dict[str, str | None] = field(default_factory=dict)

    def problem(self, location: str, message: str) -> None:
        self.problems.append(CatalogueProblem(self.path, location, message))

    def read(self, index: int, entry: Any) -> Requirement | None:
        """The requirement an entry states; None when it has no usable ID (or is no mapping)."""
        where = f"/requirements/{index}"
        if not isinstance(entry, dict):
            self.problem(where, "each requirement must be a mapping")
            return None
        req_id = self._id(where, index, entry.get("id"))
        if req_id is None:
            return None
        level = entry.get("level")
        if level not in LEVELS:
            self.problem(
                f"{where}/level", f"{req_id}: unknown level {level!r} (use {', '.join(LEVELS)})"
            )
        basis = entry.get("basis")
        note = str(entry.get("note") or "")
        if basis not in BASES:
            self.problem(
                f"{where}/basis",
                f"{req_id}: basis must be one of {', '.join(BASES)}, found {basis!r}",
            )
        statement = entry.get("statement")
        if not isinstance(statement, str) or not statement.strip():
            self.problem(f"{where}/statement", f"{req_id}: a one-line statement is required")
        observable = entry.get("observable")
        if not isinstance(observable, bool):
            self.problem(f"{where}/observable", f"{req_id}: observable must be true or false")
        operations = entry.get("operations") or []
        if not isinstance(operations, list) or not all(isinstance(o, str) for o in operations):
            self.problem(
                f"{where}/operations", f"{req_id}: operations must be a list of operationIds"
            )
            operations = []
        source = self._source(where, req_id, entry.get("source"), basis)
        if basis in BASES:
            basis_problem = _basis_note_problem(str(basis), note)
            if basis_problem:
                self.problem(f"{where}/note", f"{req_id}: {basis_problem}")
        return Requirement(
            id=req_id,
            level=str(level),
            statement=str(statement or ""),
            source=source,
            observable=bool(observable),
            operations=tuple(operations),
            note=note,
            basis=str(basis) if basis in BASES else "explicit",
        )

    def _id(self, where: str, index: int, req_id: Any) -> str | None:
        """The entry's ID; None when malformed or a duplicate (the entry is then skipped)."""
        if not isinstance(req_id, str) or not ID_PATTERN.match(req_id):
            self.problem(f"{where}/id", f"malformed requirement ID {req_id!r}")
            return None
        prefix = self.api.id_prefix
        if not req_id.startswith(prefix + "-"):
            self.problem(f"{where}/id", f"{req_id}: IDs of this API start with {prefix}-")
        if req_id in self.seen:
            self.problem(
                f"{where}/id",
                f"duplicate requirement ID {req_id} (first at index {self.seen[req_id]})",
            )
            return None
        self.seen[req_id] = index
        return req_id

    def _source(self, where: str, req_id: str, source: Any, basis: Any) -> Source:
        """The entry's source, its quote found in the file it names; explicit requirements
        quote the API's vendor document."""
        if not isinstance(source, dict):
            self.problem(
                f"{where}/source", f"{req_id}: a source (file, section, quote) is required"
            )
            return Source("", "", "")
        missing = [k for k in ("file", "section", "quote") if not source.get(k)]
        if missing:
            self.problem(f"{where}/source", f"{req_id}: source lacks {', '.join(missing)}")
            return Source("", "", "")
        parsed = Source(str(source["file"]), str(source["section"]), str(source["quote"]))
        problem_text = _check_citation(parsed, self.sources_dir, self.source_texts)
        if problem_text:
            self.problem(f"{where}/source", f"{req_id}: {problem_text}")
        if basis == "explicit" and parsed.file != self.api.seed_file:
            self.problem(
                f"{where}/basis",
                f"{req_id}: an explicit requirement quotes the vendor document "
                f"({self.api.seed_file}), not {parsed.file}; use basis external",
            )
        return parsed


def _basis_note_problem(basis: str, note: str) -> str:
    """What an inferred or external requirement's note lacks ("" when nothing)."""
    if basis == "inferred":
        lowered = note.lower()
        if not ERRATUM.search(note) and not any(w in lowered for w in _READING_WORDS):
            return (
                "an inferred requirement's note names its erratum (ERRATUM-...) or says which "
                "sample, table row, contradiction or silence it reads"
            )
    elif basis == "external" and not note.strip():
        return "an external requirement's note names its source (field notes, a vendor client)"
    return ""


def _check_citation(source: Source, sources_dir: Path, cache: dict[str, str | None]) -> str:
    if source.file not in cache:
        try:
            cache[source.file] = normalise_text(
                (sources_dir / source.file).read_text(encoding="utf-8")
            )
        except OSError:
            cache[source.file] = None
    text = cache[source.file]
    if text is None:
        return f"source file {source.file} not found in {sources_dir}"
    if normalise_text(source.quote) not in text:
        return f"quote not found in {source.file}: {source.quote[:80]!r}"
    if normalise_text(source.section) not in text:
        return f"section heading not found in {source.file}: {source.section!r}"
    return ""


def load_catalogue(api: ApiDefinition, path: Path | None = None) -> Catalogue:
    """Load an API's catalogue; raise ContractFileError if it is unusable or malformed."""
    path = path or api.catalogue_path
    catalogue, problems = parse_catalogue(load_yaml(path), path, api=api)
    if problems:
        raise ContractFileError(f"{problems[0]} ({len(problems)} problem(s); run dsconform lint)")
    return catalogue
