"""The property phase: schemathesis-generated valid and invalid requests for every operation.

Every exchange goes through the run's TargetClient, so all registered exchange checks apply;
schemathesis' own `negative_data_rejection` runs on top and is mapped to requirement IDs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import negative_data_rejection

from conformance.checks.base import ExchangeCheck
from conformance.checks.operation_contract import documented_success_status
from conformance.core.exchange import Exchange
from conformance.core.results import Finding
from conformance.core.target_client import ExchangeFailed, TargetError, WriteRefused
from conformance.engine.context import Event, PhaseContext
from conformance.engine.leftovers import LeftoverTracker
from conformance.engine.ownership import aim_case, ownership_of
from conformance.engine.schemathesis_bridge import (
    as_schemathesis_response,
    load_openapi,
    send_case,
)
from conformance.settings import READ_METHODS

NAME_FIELDS = ("streamName", "name")
NO_ANSWER = "no-complete-answer"
BAD_REQUEST = 400  # the code every API's negative_data_requirements entry names
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def load_schema(ctx: PhaseContext) -> Any:
    schema = load_openapi(ctx.document.raw, ctx.client.base_url)
    # The client signs every request itself; a "negative" case that only drops or mangles the
    # Authorization header would be re-signed and rightly accepted: a false finding.
    schema.config.generation.update(with_security_parameters=False)
    return schema


def run_property_phase(ctx: PhaseContext) -> None:
    """Explore every operation in both generation modes, `max_examples` cases each (in this
    process: `property_workers.run_in_workers` shares them out among processes)."""
    explore_operations(ctx, None)


def explore_operations(ctx: PhaseContext, only: set[str] | None) -> None:
    """Explore the operations named in `only` (all when None)."""
    schema = load_schema(ctx)
    accepted: set[str] = set()  # operations a positive (valid) case of which was answered 2xx
    for result in schema.get_all_operations():
        operation = result.ok()
        operation_id = operation.definition.raw.get("operationId", operation.label)
        if only is not None and operation_id not in only:
            continue
        if not ctx.scope.explores(ctx.catalogue, operation_id):
            continue
        if ctx.client.read_only and operation.method.upper() not in READ_METHODS:
            continue
        with ctx.cassette(f"property-{operation_id}"):
            for mode in MODES:
                ctx.emit(Event("property", "step", f"{operation.label} ({mode.value})"))
                _explore(ctx, operation, mode, accepted)


def _explore(ctx: PhaseContext, operation: Any, mode: GenerationMode, accepted: set[str]) -> None:
    cases = _Cases(ctx, operation, mode, accepted)
    leftovers = LeftoverTracker(ctx.api.name)
    # Unsatisfiable: nothing of this operation can be made invalid (e.g. a GET without
    # parameters once the security header is left out), so there is no negative case to send.
    # A listener, first in line: it sees a create's answer before an interrupt can land.
    with ctx.client.listening(leftovers, first=True):
        try:
            with contextlib.suppress(Unsatisfiable):
                _hypothesis_test(ctx, operation.as_strategy(generation_mode=mode), cases.send)()
        finally:  # also after Ctrl-C or SIGTERM: nothing the phase created may survive it
            settle = ctx.settings.settle_timeout
            for path in leftovers.remove_all(ctx.client, settle_timeout=settle):
                ctx.notes.append(f"could not delete {path}")
    if cases.refused and not ctx.client.read_only:
        ctx.notes.append(
            f"property {cases.operation_id} ({mode.value}): {len(cases.refused)} case(s) not "
            f"sent, they would have touched what the run did not create "
            f"(first: {cases.refused[0]})"
        )
    if cases.target_error:
        raise cases.target_error[0]


def _hypothesis_test(
    ctx: PhaseContext, strategy: Any, send: Callable[[Any], None]
) -> Callable[[], None]:
    """The hypothesis test that draws the run's cases from `strategy` and sends each."""

    @seed(ctx.settings.seed)
    @settings(
        max_examples=ctx.settings.max_examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(strategy)
    def explore(case: Any) -> None:
        send(case)

    return explore  # type: ignore[no-any-return]


class _Cases:
    """Sends the generated cases of one operation and mode, and judges what they exercise."""

    def __init__(
        self, ctx: PhaseContext, operation: Any, mode: GenerationMode, accepted: set[str]
    ) -> None:
        self.ctx = ctx
        self.mode = mode
        self.accepted = accepted  # operations a positive case of which was answered 2xx
        self.operation_id = operation.definition.raw.get("operationId", operation.label)
        self.requirement = ctx.api.negative_data_requirements.get(self.operation_id)
        self.exercised = (
            self.requirement if mode is GenerationMode.NEGATIVE else None
        ) or success_requirement(ctx.checks, self.operation_id)
        self.ownership = ownership_of(ctx.client)
        self.target_error: list[TargetError] = []
        self.refused: list[str] = []

    def send(self, case: Any) -> None:
        ctx, mode, operation_id = self.ctx, self.mode, self.operation_id
        if self.target_error:
            return
        if mode is GenerationMode.POSITIVE and isinstance(case.body, dict):
            for field in NAME_FIELDS:
                if field in case.body:
                    case.body[field] = f"{ctx.run_prefix}-prop"
        try:
            # Generated ids are arbitrary and may name a customer's stream: a case naming an
            # id the run did not create goes to an id proven absent instead (ownership.py).
            aim = (
                aim_case(self.ownership, ctx.client, case, phase="property", reads=False)
                if self.ownership
                else None
            )
            if aim == "refused":
                self.refused.append("no id proven absent to aim it at")
                return
            exchange, prepared = send_case(ctx, case, phase="property")
        except ExchangeFailed as exc:  # one bad exchange: a finding, and the phase goes on
            if self.exercised:
                record_bad_exchange(ctx, exc, self.exercised, "property", operation_id)
            return
        except TargetError as exc:
            self.target_error.append(exc)
            return
        except WriteRefused as exc:  # not ours to change: skipped, not failed
            self.refused.append(str(exc))
            return
        if mode is GenerationMode.POSITIVE and 200 <= exchange.response.status < 300:
            self.accepted.add(operation_id)
        if self.requirement and mode is GenerationMode.NEGATIVE:
            _negative_data_rejection(
                ctx,
                case,
                exchange,
                prepared,
                self.requirement,
                operation_id,
                operation_id in self.accepted,
            )


def success_requirement(checks: tuple[ExchangeCheck, ...], operation_id: str | None) -> str | None:
    """The requirement on an operation's documented answer (its success status), among the
    API's `checks` (`PhaseContext.checks`)."""
    for check in checks:
        if check.function is documented_success_status and operation_id in check.operations:
            return check.requirement_id
    return None


def record_bad_exchange(
    ctx: PhaseContext,
    failure: ExchangeFailed,
    requirement_id: str,
    phase: str,
    operation_id: str | None,
) -> None:
    """A request that got no complete answer, as one finding against what it exercised."""
    ctx.collector.failed(
        Finding(
            requirement_id,
            "transport",
            NO_ANSWER,
            f"no complete answer: {failure}"[:600],
            phase,
            operation_id,
            failure.exchange,
        )
    )
    ctx.notes.append(f"{phase}: {failure}")


def _negative_data_rejection(
    ctx: PhaseContext,
    case: Any,
    exchange: Exchange,
    prepared: Any,
    requirement: str,
    operation_id: str,
    twin_accepted: bool,
) -> None:
    """A 2xx to an invalid case fails `requirement`. A refusal counts only if it is the 400 the
    requirement names and a valid case of the operation was accepted in this run (the twin):
    a target refusing everything (401 everywhere, writes refused) shows nothing."""
    response = as_schemathesis_response(exchange, prepared)
    try:
        case.validate_response(response, checks=[negative_data_rejection])
    except FailureGroup as group:
        for failure in group.exceptions:
            ctx.collector.failed(
                Finding(
                    requirement,
                    "schemathesis:negative_data_rejection",
                    "accepted-invalid-input",
                    f"{failure.title}: {failure.message}".strip()[:600],
                    "property",
                    operation_id,
                    exchange,
                )
            )
        return
    except Exception as exc:  # schemathesis itself broke: the suite's error
        ctx.collector.errored(
            Finding(
                requirement,
                "schemathesis:negative_data_rejection",
                "check-crashed",
                f"{type(exc).__name__}: {exc}"[:600],
                "property",
                operation_id,
                exchange,
            )
        )
        return
    if exchange.response.status != BAD_REQUEST:
        return  # another refusal (404 for a generated id, 401, 403): not what it names
    if twin_accepted:
        ctx.collector.passed(
            requirement, check="schemathesis:negative_data_rejection", seconds=exchange.elapsed
        )
    # Else no observation, and not blocked either: the generator's "valid" cases are valid by
    # the schema only (random ids, properties, domains), so their refusal is no sign of a target
    # refusing everything; the scenarios, whose valid twins are valid, judge that.
