"""The stateful phase: schemathesis' state machine over the spec's links.

Requests chain create -> read/edit/activate/delete -> read through OpenAPI links, so that
`use_after_free` and `ensure_resource_availability` can really fire (FIELD-NOTES: in a plain
parametrized test they never can). Create bodies are replaced by valid ones built from what
the target offers, otherwise random property IDs would never create anything to chain from.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from hypothesis import HealthCheck, Phase, reject, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.stateful import run_state_machine_as_test
from schemathesis.specs.openapi.checks import ensure_resource_availability, use_after_free

from conformance.core.exchange import Exchange
from conformance.core.results import Finding
from conformance.core.target_client import ExchangeFailed, TargetError, WriteRefused
from conformance.engine.context import Event, PhaseContext
from conformance.engine.created_resources import created_resource_path
from conformance.engine.leftovers import LeftoverTracker
from conformance.engine.ownership import (
    Ownership,
    aim_case,
    owned_view_of_list,
    ownership_of,
)
from conformance.engine.property_phase import (
    load_schema,
    record_bad_exchange,
    success_requirement,
)
from conformance.engine.schemathesis_bridge import as_schemathesis_response, send_case
from conformance.scenarios.base import ScenarioAborted

STEPS_PER_EXAMPLE = 8


def run_stateful_phase(ctx: PhaseContext) -> None:
    """Run the link-driven state machine for `max_examples` sequences."""

    if ctx.client.read_only:
        ctx.notes.append("stateful phase skipped: read-only run (it creates and deletes)")
        return
    filtered = ctx.scope.stateful_reason(ctx.api.name)
    if filtered:
        ctx.notes.append(f"stateful phase skipped: {filtered}")
        return

    try:
        make_body = ctx.api.part("scenarios.account", "stateful_bodies")(ctx)
    except (ScenarioAborted, WriteRefused) as exc:
        ctx.notes.append(f"stateful phase skipped: {exc}")
        return
    schema = load_schema(ctx)
    if ctx.scope.active:  # the machine chains over the selected operations only
        schema = schema.include(operation_id=sorted(ctx.scope.operations))
    machine = _machine_class(ctx, schema.as_state_machine(), make_body)
    ctx.emit(Event("stateful", "step", "state machine over the spec's links"))
    # Unsatisfiable: every sequence was cut short by a bad exchange (each one a finding).
    with ctx.cassette("stateful"), contextlib.suppress(_StopMachine, Unsatisfiable):
        _run(machine, ctx)
    if machine.target_error:
        raise machine.target_error[0]


def _run(machine: Any, ctx: PhaseContext) -> None:
    # Seeded from --seed, not derandomized: derandomize seeds from a digest of the machine's
    # source, so any edit of this module would change the requests (and stale every cassette).
    run_state_machine_as_test(
        seed(ctx.settings.seed)(machine),
        settings=settings(
            max_examples=ctx.settings.max_examples,
            stateful_step_count=STEPS_PER_EXAMPLE,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
        ),
    )


def _machine_class(ctx: PhaseContext, base: Any, make_body: Callable[[], Any]) -> Any:
    """schemathesis' state machine over the spec's links (`base`), sending through the run's
    client and judging the stateful requirements (`_LinkSteps`)."""

    class Machine(_LinkSteps, base):  # type: ignore[misc]
        _phase = _StatefulRun(ctx, make_body, ownership_of(ctx.client))
        target_error: ClassVar[list[TargetError]] = []

    return Machine


@dataclass(frozen=True, slots=True)
class _StatefulRun:
    """What the machine's steps share with the phase."""

    ctx: PhaseContext
    make_body: Callable[[], Any]  # a fresh valid create body per call
    ownership: Ownership | None  # what the run created (ownership_of)


class _LinkSteps:
    """The run's part of the state machine: each step is sent through the run's client (valid
    create bodies, ids aimed away from what the run did not create, leftovers removed after
    each sequence), and `use_after_free` and `ensure_resource_availability` judge it."""

    _phase: ClassVar[_StatefulRun]
    target_error: ClassVar[list[TargetError]]
    recorder: Any  # schemathesis' (the base machine's)

    def setup(self) -> None:
        self.created: list[str] = []
        self.deleted: set[str] = set()
        self.exchanges: dict[str, Exchange] = {}
        self.aimed: set[str] = set()
        self.leftovers = LeftoverTracker(self._phase.ctx.api.name)
        # A listener, first in line: it sees a create's answer before an interrupt can.
        self.tracking = contextlib.ExitStack()
        self.tracking.enter_context(self._phase.ctx.client.listening(self.leftovers, first=True))

    def teardown(self) -> None:
        ctx = self._phase.ctx
        settle = ctx.settings.settle_timeout
        try:
            for path in self.leftovers.remove_all(ctx.client, settle_timeout=settle):
                ctx.notes.append(f"could not delete {path}")
        finally:
            self.tracking.close()

    def call(self, case: Any, **kwargs: Any) -> Any:
        ctx, ownership = self._phase.ctx, self._phase.ownership
        if self.target_error:
            raise _StopMachine()
        if case.operation.definition.raw.get("operationId") == ctx.api.resource.create_operation:
            case.body = self._phase.make_body()
        try:
            # The machine chains only from its own creates: a step naming an id the run
            # did not create (a root step's random id) goes to an id proven absent.
            aim = aim_case(ownership, ctx.client, case, phase="stateful") if ownership else None
            if aim == "refused":
                reject()
            if aim == "aimed":  # no longer what its link promised: no link check applies
                self.aimed.add(case.id)
            exchange, prepared = send_case(ctx, case, phase="stateful")
        except ExchangeFailed as exc:  # one finding; this sequence ends, the next begins
            operation_id = case.operation.definition.raw.get("operationId")
            exercised = success_requirement(ctx.checks, operation_id)
            if exercised:
                record_bad_exchange(ctx, exc, exercised, "stateful", operation_id)
            reject()
        except TargetError as exc:
            self.target_error.append(exc)
            raise _StopMachine() from None
        except WriteRefused:  # not ours to change: this sequence is dropped, not failed
            reject()
        self._track(exchange)
        self.exchanges[case.id] = exchange
        # List answers reach schemathesis narrowed to the run's own resources, so no link
        # leads from them to anyone else's.
        view = owned_view_of_list(ownership, exchange) if ownership is not None else None
        return as_schemathesis_response(exchange, prepared, content=view)

    def _track(self, exchange: Exchange) -> None:
        path = exchange.request.path.split("?", 1)[0].rstrip("/")
        status = exchange.response.status
        created = created_resource_path(self._phase.ctx.api.name, exchange)
        if created:
            self.created.append(created)
        if exchange.request.method == "DELETE" and 200 <= status < 300:
            self.deleted.add(path)

    def validate_response(
        self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
    ) -> None:
        exchange = self.exchanges.pop(case.id, None)
        operation_id = case.operation.definition.raw.get("operationId")
        if case.id in self.aimed:
            return
        try:
            case.validate_response(
                response,
                checks=self._checks(),
                transport_kwargs={"base_url": self._phase.ctx.client.base_url},
                recorder=self.recorder,
            )
        except FailureGroup as group:
            self._failed(group, operation_id, exchange)
            return
        if exchange is not None:
            self._passed(exchange)

    def _checks(self) -> list[Any]:
        """The two stateful checks the API maps to a requirement (an API may map one)."""
        mapped = self._phase.ctx.api.stateful_requirements
        return [check for name, check in STATEFUL_CHECKS.items() if name in mapped]

    def _failed(self, group: FailureGroup, operation_id: Any, exchange: Exchange | None) -> None:
        """Each failure of the two checks, as a finding against what it stands for."""
        ctx = self._phase.ctx
        for failure in group.exceptions:
            check = (
                "use_after_free"
                if "deleted" in failure.message
                else ("ensure_resource_availability")
            )
            ctx.collector.failed(
                Finding(
                    ctx.api.stateful_requirements[check],
                    f"schemathesis:{check}",
                    check,
                    f"{failure.title}: {failure.message}"[:600],
                    "stateful",
                    operation_id,
                    exchange,
                )
            )

    def _passed(self, exchange: Exchange) -> None:
        """A step the checks let through passes what it observed: a 404 for what the sequence
        deleted, a 2xx read or edit of what it created."""
        ctx = self._phase.ctx
        requirements = ctx.api.stateful_requirements
        path = exchange.request.path.split("?", 1)[0].rstrip("/")
        method = exchange.request.method
        if method != "DELETE" and any(_under(path, d) for d in self.deleted):
            if exchange.response.status == 404 and "use_after_free" in requirements:
                ctx.collector.passed(
                    requirements["use_after_free"],
                    check="schemathesis:use_after_free",
                    seconds=exchange.elapsed,
                )
        elif (
            "ensure_resource_availability" in requirements
            and method in ("GET", "PUT", "PATCH")
            and any(_under(path, c) for c in self.created)
            and 200 <= exchange.response.status < 300
        ):
            ctx.collector.passed(
                requirements["ensure_resource_availability"],
                check="schemathesis:ensure_resource_availability",
                seconds=exchange.elapsed,
            )


# schemathesis' stateful checks by the names ApiDefinition.stateful_requirements maps.
STATEFUL_CHECKS: dict[str, Any] = {
    "use_after_free": use_after_free,
    "ensure_resource_availability": ensure_resource_availability,
}


def _under(path: str, resource: str) -> bool:
    """Whether `path` is `resource` or below it (/streams/100 is not below /streams/10)."""
    return path == resource or path.startswith(f"{resource}/")


class _StopMachine(Exception):
    """Raised inside the machine once the target is gone; the phase re-raises the cause."""
