"""`--include` / `--exclude`: which requirements and operations a run takes on.

A pattern is an fnmatch glob, matched without regard to case. One that matches a requirement ID
of the API (`<PREFIX>-RATE-*`, `<PREFIX>-CREATE-001`) selects requirements; any other pattern must
match an operationId of the API's spec (`listStreams`, `create*`) and selects operations (IDs
always carry a dash, operationIds never do, so only bare wildcards such as `*` could be read
both ways: they select requirements). A pattern that matches neither is a usage error.

Include first, then exclude: with include patterns of a kind only what they match is in, and
exclude patterns then take away. A requirement is in scope when it is selected and it concerns
a selected operation (its catalogue `operations`, or any operation when it names none).

What an operation filter changes: the property phase explores only selected operations, the
stateful phase runs only when what it needs to create is selected (its machine then chains over
the selected operations), and a scenario runs only when every operation it sends is selected and
it cites a requirement in scope. Requests to an operation outside the filter are refused by the
client (a scenario meeting one stops, out of scope), except cleanup, the ownership proofs and
the credentials probe: a run always deletes what it created.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from conformance.apis import get_api
from conformance.catalogue import Catalogue, Requirement
from conformance.core.target_client import WriteRefused

if TYPE_CHECKING:
    from conformance.openapi_document import OpenApiDocument
    from conformance.settings import RunSettings


def scenario_operations(api: str) -> dict[str, frozenset[str]]:
    """What each of the API's scenarios sends outside its cleanup (its folder's
    scenarios/workflows.py, SCENARIO_OPERATIONS)."""
    table: dict[str, frozenset[str]] = get_api(api).part(
        "scenarios.workflows", "SCENARIO_OPERATIONS"
    )
    return table


def stateful_operations(api: str) -> frozenset[str]:
    """What the stateful phase cannot do without in this API (its folder's
    scenarios/account.py, STATEFUL_OPERATIONS)."""
    needed: frozenset[str] = get_api(api).part("scenarios.account", "STATEFUL_OPERATIONS")
    return needed


class FilterError(ValueError):
    """A pattern that matches nothing the API has; the message is one line."""


class OperationExcluded(WriteRefused):
    """A request to an operation the run's filter leaves out (not sent)."""


def split_patterns(values: str | Iterable[str] | None) -> tuple[str, ...]:
    """`--include`/`--exclude` values (repeatable, each a comma list) as one tuple."""
    if values is None:
        return ()
    items = [values] if isinstance(values, str) else list(values)
    return tuple(p.strip() for item in items for p in str(item).split(",") if p.strip())


def _matches(pattern: str, name: str) -> bool:
    return fnmatch.fnmatchcase(name.lower(), pattern.lower())


@dataclass(frozen=True, slots=True)
class RunScope:
    """The requirements and operations one run takes on, and why the rest are out."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    operations: frozenset[str] = frozenset()  # the selected operationIds
    all_operations: frozenset[str] = frozenset()
    # requirement ID -> why the filter puts it out of scope
    out: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        """Whether any filter was given."""
        return bool(self.include or self.exclude)

    @property
    def label(self) -> str:
        """The flags as the user gave them, for reasons and notes."""
        parts = [f"--include {','.join(self.include)}"] if self.include else []
        if self.exclude:
            parts.append(f"--exclude {','.join(self.exclude)}")
        return " ".join(parts)

    def in_scope(self, requirement_id: str) -> bool:
        return requirement_id not in self.out

    def operation_selected(self, operation_id: str | None) -> bool:
        """Whether requests to this operation may be sent (unknown paths always may)."""
        return (
            operation_id is None
            or operation_id not in self.all_operations
            or (operation_id in self.operations)
        )

    def missing(self, needed: Iterable[str]) -> list[str]:
        """The operations of `needed` the filter leaves out."""
        return sorted(op for op in needed if not self.operation_selected(op))

    def explores(self, catalogue: Iterable[Requirement], operation_id: str) -> bool:
        """Whether the property phase explores this operation: it is selected and a
        requirement in scope concerns it (names it, or names no operation)."""
        if not self.active:
            return True
        return self.operation_selected(operation_id) and any(
            self.in_scope(r.id) and (not r.operations or operation_id in r.operations)
            for r in catalogue
        )

    def scenario_reason(self, api: str, name: str, cites: Iterable[str]) -> str | None:
        """Why the filter keeps a scenario from running (None: it runs)."""
        if not self.active:
            return None
        needed = scenario_operations(api).get(name, frozenset())
        missing = self.missing(needed)
        if missing:
            return f"out of scope ({self.label}): scenario {name} needs {', '.join(missing)}"
        if not any(self.in_scope(r) for r in cites):
            return f"out of scope ({self.label}): scenario {name} judges nothing selected"
        return None

    def stateful_reason(self, api: str) -> str | None:
        """Why the filter keeps the stateful phase from running (None: it runs)."""
        if not self.active:
            return None
        missing = self.missing(stateful_operations(api))
        if missing:
            return f"out of scope ({self.label}): the stateful phase needs {', '.join(missing)}"
        return None

    def guard(self, operation_id: str | None, method: str, url: str) -> None:
        """Refuse a request to an operation outside the filter (OperationExcluded)."""
        if not self.operation_selected(operation_id):
            raise OperationExcluded(
                f"{method} {url} ({operation_id}) not sent: outside {self.label}"
            )


def build_scope(
    catalogue: Catalogue,
    operation_ids: Iterable[str],
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    *,
    other_apis: bool = False,
) -> RunScope:
    """The scope of a run of this API under these patterns; FilterError for a pattern that
    matches no requirement ID and no operationId of the API. With `other_apis` (a run of
    several APIs, whose caller checks each pattern matches one of them) a pattern of another
    API is no error here, and an include list of other APIs' patterns only leaves this API
    nothing in scope."""
    include, exclude = tuple(include), tuple(exclude)
    unmatched_includes = 0
    ids = [r.id for r in catalogue]
    operations = frozenset(operation_ids)
    chosen: dict[str, dict[str, set[str]]] = {}
    for flag, patterns in (("--include", include), ("--exclude", exclude)):
        kinds: dict[str, set[str]] = {"requirements": set(), "operations": set()}
        for pattern in patterns:
            requirements = {i for i in ids if _matches(pattern, i)}
            matched_ops = {o for o in operations if _matches(pattern, o)}
            if requirements:
                kinds["requirements"] |= requirements
            elif matched_ops:
                kinds["operations"] |= matched_ops
            elif other_apis:
                unmatched_includes += flag == "--include"
            else:
                raise FilterError(
                    f"{flag} {pattern} matches no {catalogue.api} requirement ID and no "
                    f"operationId (IDs look like {ids[0]}; operations: "
                    f"{', '.join(sorted(operations))})"
                )
        chosen[flag] = kinds
    included_ids = _selected(
        set(ids), chosen["--include"]["requirements"], chosen["--exclude"]["requirements"]
    )
    selected_ops = frozenset(
        _selected(
            set(operations),
            chosen["--include"]["operations"],
            chosen["--exclude"]["operations"],
        )
    )
    if include and unmatched_includes == len(include):
        included_ids, selected_ops = set(), frozenset()
    scope = RunScope(include, exclude, selected_ops, operations)
    for requirement in catalogue:
        if requirement.id not in included_ids:
            scope.out[requirement.id] = f"out of scope ({scope.label})"
        elif requirement.operations and not set(requirement.operations) & selected_ops:
            scope.out[requirement.id] = (
                f"out of scope ({scope.label}): it concerns only "
                f"{', '.join(requirement.operations)}"
            )
    return scope


def _selected(every: set[str], included: set[str], excluded: set[str]) -> set[str]:
    """Include first (all when no include of this kind was given), then exclude."""
    return (included or every) - excluded


def settings_scope(
    settings: RunSettings, catalogue: Catalogue, document: OpenApiDocument
) -> RunScope:
    """The scope of a run with these settings (their patterns were checked when the settings
    were built, settings_builder.run_filters; under `--api all` a pattern may be the other
    API's)."""
    return build_scope(
        catalogue,
        [op.operation_id for op in document.operations],
        settings.include,
        settings.exclude,
        other_apis=True,
    )
