"""The report of one run as typed values: what `report.json` holds, read by every renderer.

`report.schema.json` stays the published contract; these classes follow it member for member
(a field is named as its JSON member, an optional member is an Optional field, an enum is a
Literal), and `tests/test_report_model.py` fails when the two drift apart. Field order is the
order `report.json` writes its members in, so `Report.from_json(d).to_json() == d` for every
report the suite writes.

Members the schema leaves free-form (`settings`, a phase's tally, headers) stay mappings.
An optional member is left out of `to_json` when it is None, except the nullable ones
(`incomplete`, `untested`, a finding's `operation`, `request` and `response`), which the suite
always writes, as null when empty.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, TypeVar

Verdict = Literal["passed", "failed", "incomplete", "error"]
Status = Literal["passed", "failed", "untested", "error"]
Level = Literal["MUST", "SHOULD", "MAY"]
Basis = Literal["explicit", "inferred", "external"]
FailOn = Literal["explicit", "must", "all"]
UntestedKind = Literal["not-observable", "out-of-scope", "blocked"]
ApiName = str  # an API's name in the one list (conformance.apis.APIS)
JsonObject = Mapping[str, Any]

# Marks an optional member the suite always writes (null when empty).
_NULLABLE = {"nullable": True}


class ReportModelError(ValueError):
    """A `report.json` that does not fit the report model; the message is one line."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """Where the run sent its requests."""

    base_url: str
    embedded: bool
    faults: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Counts:
    """How many requirements ended in each status (one member per status; the schema lets
    more through, the model does not, as no status but these four exists)."""

    passed: int
    failed: int
    untested: int
    error: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Requests:
    """What the run sent: in all, per phase, and how long the request budget made it wait."""

    total: int
    by_phase: Mapping[str, int] | None = None
    waited_seconds: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationCoverage:
    """One operation's documented response codes and the statuses the run saw (with counts)."""

    documented: tuple[str, ...]
    seen: Mapping[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """Where the vendor document states a requirement, with the sentence quoted."""

    file: str
    section: str
    quote: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ExchangeRequest:
    """The request a finding was made on, redacted."""

    method: str
    url: str
    headers: JsonObject
    body: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ExchangeResponse:
    """The target's answer a finding was made on, redacted (its body perhaps cut)."""

    status: int
    headers: JsonObject
    body: str
    truncated: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One thing a check or scenario found wrong, with the exchange it found it in."""

    fingerprint: str
    check: str
    kind: str
    message: str
    phase: str
    operation: str | None = field(default=None, metadata=_NULLABLE)
    request: ExchangeRequest | None = field(default=None, metadata=_NULLABLE)
    response: ExchangeResponse | None = field(default=None, metadata=_NULLABLE)


@dataclass(frozen=True, slots=True, kw_only=True)
class RequirementEntry:
    """One catalogue requirement and what the run decided about it."""

    id: str
    level: Level
    basis: Basis | None = None
    statement: str
    status: Status
    deviation: bool | None = None
    observable: bool
    reason: str | None = None
    untested: UntestedKind | None = field(default=None, metadata=_NULLABLE)
    errata: tuple[str, ...] | None = None
    source: Source
    operations: tuple[str, ...] | None = None
    checks: tuple[str, ...] | None = None
    passes: int
    failures: int
    seconds: float | None = None
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """One run's report: `report.json` as typed values."""

    format_version: Literal[1]
    tool: str
    verdict: Verdict
    api: ApiName
    target: Target
    settings: JsonObject
    started_at: str
    finished_at: str
    aborted: str | None
    counts: Counts
    fail_on: FailOn | None = None
    deviations: tuple[str, ...] | None = None
    blocked: int | None = None
    incomplete: str | None = field(default=None, metadata=_NULLABLE)
    requests: Requests
    phases: tuple[JsonObject, ...] | None = None
    notes: tuple[str, ...]
    requirements: tuple[RequirementEntry, ...]
    coverage: Mapping[str, OperationCoverage] | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Report:
        """The report a parsed `report.json` holds; ReportModelError (one line) when it does
        not fit the model."""
        return _decode_object(cls, data, "report")

    def to_json(self) -> dict[str, Any]:
        """The report as `report.json` holds it (members in the order the suite writes them)."""
        encoded = _encode(self)
        assert isinstance(encoded, dict)  # a dataclass encodes as an object
        return encoded


# ---------------------------------------------------------------- decoding and encoding

_T = TypeVar("_T")


@cache
def field_types(cls: type) -> dict[str, Any]:
    """The resolved type of each field of a model class, by field name."""
    return typing.get_type_hints(cls)


# What parsed JSON holds, named as an error message names it (bool before int: a bool is one).
_JSON_KINDS: tuple[tuple[type | types.UnionType, str], ...] = (
    (type(None), "null"),
    (bool, "a boolean"),
    (int | float, "a number"),
    (str, "a string"),
    (list, "an array"),
    (dict, "an object"),
)


def _kind(value: Any) -> str:
    return next((name for kind, name in _JSON_KINDS if isinstance(value, kind)), "a value")


def _fail(where: str, expected: str, value: Any) -> ReportModelError:
    return ReportModelError(f"{where}: expected {expected}, got {_kind(value)}")


def _decode(hint: Any, value: Any, where: str) -> Any:
    """`value` (parsed JSON) as an instance of `hint`, or ReportModelError naming `where`."""
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _decode_object(hint, value, where)
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if origin is types.UnionType or origin is typing.Union:
        if value is None and type(None) in arguments:
            return None
        (inner,) = [a for a in arguments if a is not type(None)]
        return _decode(inner, value, where)
    if origin is Literal:
        if value not in arguments or isinstance(value, bool):
            allowed = ", ".join(repr(a) for a in arguments)
            raise ReportModelError(f"{where}: expected one of {allowed}, got {value!r:.60}")
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise _fail(where, "an array", value)
        return tuple(_decode(arguments[0], v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is Mapping:
        if not isinstance(value, dict):
            raise _fail(where, "an object", value)
        return {k: _decode(arguments[1], v, f"{where}.{k}") for k, v in value.items()}
    return _decode_scalar(hint, value, where)


def _decode_scalar(hint: Any, value: Any, where: str) -> Any:
    if hint is Any:
        return value
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:  # JSON's numbers: an int stays an int, so the file reads back the same
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif hint is str:
        ok = isinstance(value, str)
    else:  # pragma: no cover - a model field of a type this decoder does not know
        raise TypeError(f"report model: no decoder for {hint!r}")
    if not ok:
        expected = {bool: "a boolean", int: "an integer", str: "a string"}.get(hint, "a number")
        raise _fail(where, expected, value)
    return value


def _decode_object(cls: type[_T], value: Any, where: str) -> _T:
    if not isinstance(value, dict):
        raise _fail(where, "an object", value)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = [name for name in value if name not in fields]
    if unknown:
        raise ReportModelError(f"{where}: unknown member {unknown[0]!r}")
    hints = field_types(typing.cast(type, cls))
    arguments: dict[str, Any] = {}
    for name, spec in fields.items():
        if name not in value:
            if spec.default is dataclasses.MISSING:
                raise ReportModelError(f"{where}: missing member {name!r}")
            continue
        arguments[name] = _decode(hints[name], value[name], f"{where}.{name}")
    return cls(**arguments)


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        encoded: dict[str, Any] = {}
        for spec in dataclasses.fields(value):
            member = getattr(value, spec.name)
            optional = spec.default is not dataclasses.MISSING
            if member is None and optional and not spec.metadata.get("nullable"):
                continue  # an optional member the report did not carry
            encoded[spec.name] = _encode(member)
        return encoded
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _encode(v) for k, v in value.items()}
    return value
