"""What every phase works with."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from conformance.apis import ApiDefinition
from conformance.catalogue import Catalogue
from conformance.core.results import ResultsCollector
from conformance.core.target_client import TargetClient
from conformance.engine.filters import RunScope
from conformance.engine.target import Target
from conformance.openapi_document import OpenApiDocument
from conformance.settings import RunSettings


@dataclass(frozen=True, slots=True)
class Event:
    """A progress event: which phase, what happened, and a free-form message."""

    phase: str
    kind: str  # phase-started, phase-finished, step, note
    message: str = ""
    # phase-finished: the requests sent while the phase ran, by the phase each was counted
    # under in the report (cleanup apart): the terminal prints the report's own numbers.
    requests: tuple[tuple[str, int], ...] = ()


@dataclass(slots=True)
class PhaseContext:
    """The run's shared state, handed to each phase."""

    settings: RunSettings
    api: ApiDefinition
    catalogue: Catalogue
    document: OpenApiDocument
    target: Target
    client: TargetClient
    collector: ResultsCollector
    run_prefix: str
    emit: Callable[[Event], None] = lambda event: None
    notes: list[str] = field(default_factory=list)
    # Wraps each group of exchanges (a scenario, one operation's generated cases, the state
    # machine) so a recorder can put each group in a cassette of its own, named by `group`.
    cassette: Callable[[str], AbstractContextManager[object]] = lambda group: nullcontext()
    # --include/--exclude: what the phases generate for and which scenarios run.
    scope: RunScope = field(default_factory=RunScope)
