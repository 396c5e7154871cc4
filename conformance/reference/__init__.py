"""Reference implementations of both APIs, with switchable faults."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from conformance.reference.config import ReferenceConfig
from conformance.reference.faults import Fault

if TYPE_CHECKING:
    from starlette.applications import Starlette

# One subpackage per API, each built the same way: app.py (create_app) and faults.py (FAULTS,
# VACUITY_FAULTS) over the shared pieces of this package.
_PACKAGES = {
    "akamai": "conformance.reference.akamai",
    "azion": "conformance.reference.azion",
}


def build_app(api: str, config: ReferenceConfig | None = None) -> Starlette:
    """The reference ASGI app of `api` ("akamai" or "azion")."""
    module = import_module(f"{_PACKAGES[api]}.app")
    app: Starlette = module.create_app(config or ReferenceConfig())
    return app


def known_faults(api: str) -> tuple[Fault, ...]:
    """Every fault the API's reference server can inject, in registration order."""
    faults: tuple[Fault, ...] = import_module(f"{_PACKAGES[api]}.faults").FAULTS
    return faults


def vacuity_faults(api: str) -> tuple[Fault, ...]:
    """The faults that make the whole server go wrong as real mocks and gateways do (a static
    mock, one constant id, refused writes, 401 everywhere, a wrong id); each breaks several
    requirements."""
    faults: tuple[Fault, ...] = import_module(f"{_PACKAGES[api]}.faults").VACUITY_FAULTS
    return faults
