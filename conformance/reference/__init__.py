"""Reference servers: the pieces every API's server shares; each API's own server lives in
its folder (`conformance/apis/<name>/reference/`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conformance.apis import get_api
from conformance.reference.config import ReferenceConfig
from conformance.reference.faults import Fault

if TYPE_CHECKING:
    from starlette.applications import Starlette


def build_app(api: str, config: ReferenceConfig | None = None) -> Starlette:
    """The reference ASGI app of `api` (its folder's reference/app.py)."""
    app: Starlette = get_api(api).part("reference.app", "create_app")(config or ReferenceConfig())
    return app


def known_faults(api: str) -> tuple[Fault, ...]:
    """Every fault the API's reference server can inject, in registration order."""
    faults: tuple[Fault, ...] = get_api(api).part("reference.faults", "FAULTS")
    return faults


def vacuity_faults(api: str) -> tuple[Fault, ...]:
    """The faults that make the whole server go wrong as real mocks and gateways do (a static
    mock, one constant id, refused writes, 401 everywhere, a wrong id); each breaks several
    requirements."""
    faults: tuple[Fault, ...] = get_api(api).part("reference.faults", "VACUITY_FAULTS")
    return faults
