"""What every part of the Azion reference server shares: configuration, faults, the spec,
the store and the rate limiter."""

from __future__ import annotations

from functools import lru_cache

from conformance.apis import AZION
from conformance.openapi_document import OpenApiDocument
from conformance.reference.azion.faults import FAULTS, VACUITY_FAULTS
from conformance.reference.azion.store import AzionStore
from conformance.reference.config import ReferenceConfig
from conformance.reference.faults import FaultSwitchboard
from conformance.reference.rate_limit import TokenBucket
from conformance.reference.static_mock import StaticMock


@lru_cache(maxsize=1)
def _document() -> OpenApiDocument:
    return OpenApiDocument.load(AZION.spec_path)


class AzionState:
    """One server instance's configuration, faults, rate limiter and store."""

    def __init__(self, config: ReferenceConfig) -> None:
        self.config = config
        self.faults = FaultSwitchboard(FAULTS + VACUITY_FAULTS, config.faults)
        self.document = _document()
        self.static = StaticMock(self.document)
        self.store = AzionStore()
        self.bucket = (
            TokenBucket(config.rate_limit, config.rate_window)
            if config.rate_limit is not None
            else None
        )
        self.secret_fields = frozenset(self.document.raw.get("x-secret-fields") or ())

    def fault(self, name: str) -> bool:
        """Whether the named fault is on."""
        return self.faults.active(name)
