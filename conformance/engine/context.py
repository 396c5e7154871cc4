"""What every phase works with."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from conformance.apis import ApiDefinition
from conformance.catalogue import Catalogue
from conformance.checks.base import ExchangeCheck
from conformance.core.results import ResultsCollector
from conformance.core.target_client import TargetClient
from conformance.engine.filters import RunScope
from conformance.engine.target import Target
from conformance.openapi_document import OpenApiDocument
from conformance.scenarios.base import Scenario
from conformance.settings import RunSettings


@dataclass(frozen=True, slots=True)
class Event:
    """A phase's progress: which phase, what happened (a step began, or a note), and a
    free-form message. The runner hands it on to its listeners (runner/events.py)."""

    phase: str
    kind: str  # step, note
    message: str = ""


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
    # The API's exchange checks and scenarios, handed over by the runner (the phases import
    # no registry): the phases read which requirement an operation's success stands for, and
    # which scenarios there are.
    checks: tuple[ExchangeCheck, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
