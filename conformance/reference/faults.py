"""The fault switchboard: each fault breaks one documented requirement; a vacuity fault (a
whole server gone wrong the way real mocks and gateways do) breaks several."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Fault:
    """A switchable violation of one requirement of the catalogue."""

    name: str
    requirement_id: str
    description: str
    # Vacuity faults (static mock, constant id, refused writes, 401 everywhere, wrong id): the
    # other requirements they break; none of them may be reported passed against such a server.
    also_breaks: tuple[str, ...] = ()
    vacuity: bool = False

    @property
    def requirement_ids(self) -> tuple[str, ...]:
        """Every requirement the fault breaks, its main one first."""
        return (self.requirement_id, *self.also_breaks)


def vacuity_fault(prefix: str, name: str, description: str, *requirements: str) -> Fault:
    """A vacuity fault: the server goes wrong as a whole, the way real mocks and broken gateways
    do; none of `requirements` (IDs without the API `prefix`, the first its main one) may be
    reported passed against it."""
    ids = tuple(prefix + r for r in requirements)
    return Fault(name, ids[0], description, also_breaks=ids[1:], vacuity=True)


class UnknownFaultError(ValueError):
    """A fault name that the API's server does not know."""


class FaultSwitchboard:
    """The set of faults switched on for one server instance."""

    def __init__(self, known: Iterable[Fault], active: Iterable[str] = ()) -> None:
        self.known: dict[str, Fault] = {fault.name: fault for fault in known}
        active_set = frozenset(active)
        unknown = sorted(active_set - self.known.keys())
        if unknown:
            raise UnknownFaultError(f"unknown fault(s): {', '.join(unknown)} (see --list-faults)")
        self._active = active_set

    def active(self, name: str) -> bool:
        """Whether the named fault is on; naming a fault the server lacks is a bug."""
        if name not in self.known:
            raise KeyError(f"fault {name!r} is not registered")
        return name in self._active

    @property
    def active_names(self) -> frozenset[str]:
        return self._active
