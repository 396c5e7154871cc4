"""What a check is: a small function over one exchange, tagged with the requirement it tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from conformance.core.exchange import Exchange

if TYPE_CHECKING:
    from conformance.openapi_document import OpenApiDocument


@dataclass(frozen=True, slots=True)
class Violation:
    """A check's failure: what is wrong, and a short stable kind for fingerprints."""

    message: str
    kind: str = "violation"


class _Pass:
    __slots__ = ()

    def __repr__(self) -> str:
        return "PASS"


PASS = _Pass()
# None: the check does not apply to this exchange; PASS: it applies and holds.
Outcome = Violation | _Pass | None


@dataclass(frozen=True, slots=True)
class CheckEnv:
    """What a check may consult besides the exchange."""

    document: OpenApiDocument
    # Secret values sent by any request of the run so far (filled in by the engine).
    known_secrets: set[str] = field(default_factory=set)


CheckFunction = Callable[[Exchange, CheckEnv], Outcome]


@dataclass(frozen=True, slots=True)
class ExchangeCheck:
    """A registered check: its function, the requirement it tests and the API it belongs to."""

    requirement_id: str
    api: str
    function: CheckFunction
    # Only exchanges of these operations (empty: every exchange).
    operations: tuple[str, ...] = ()

    def applies_to(self, exchange: Exchange) -> bool:
        return not self.operations or exchange.operation_id in self.operations

    @property
    def name(self) -> str:
        return self.function.__name__
