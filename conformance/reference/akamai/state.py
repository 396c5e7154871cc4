"""What every part of the Akamai reference server shares: configuration, faults, the spec,
the store, the rate limiter and the seed's catalogues (groups, products, properties, fields)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from functools import lru_cache

from conformance.apis import AKAMAI
from conformance.openapi_document import OpenApiDocument
from conformance.reference.akamai import seed_data as seed
from conformance.reference.akamai.faults import FAULTS, VACUITY_FAULTS
from conformance.reference.akamai.store import AkamaiStore
from conformance.reference.config import ReferenceConfig
from conformance.reference.faults import FaultSwitchboard
from conformance.reference.rate_limit import TokenBucket
from conformance.reference.static_mock import StaticMock

JSON = "application/json"
USER = "dsconform"  # createdBy / modifiedBy of everything this server stores


@lru_cache(maxsize=1)
def _document() -> OpenApiDocument:
    return OpenApiDocument.load(AKAMAI.spec_path)


class AkamaiState:
    """One server instance's configuration, faults, rate limiter, store and catalogues."""

    def __init__(self, config: ReferenceConfig, *, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.faults = FaultSwitchboard(FAULTS + VACUITY_FAULTS, config.faults)
        self.document = _document()
        self.static = StaticMock(self.document)
        self.clock = clock
        self.store = AkamaiStore(clock=clock)
        spec_limit = int((self.document.raw.get("x-rate-limit") or {}).get("limit", 20))
        self.bucket = TokenBucket(config.rate_limit or spec_limit, config.rate_window, clock=clock)
        self.spent: Counter[str] = Counter()
        self.groups = {g["groupId"]: g for g in seed.GROUPS}
        self.products = {p["productId"]: p for p in seed.PRODUCTS}
        self.properties = seed.properties_by_pair()
        self.property_names = {
            p["propertyId"]: p["propertyName"] for ps in self.properties.values() for p in ps
        }
        self.dataset_fields = {
            field["datasetFieldId"]: (group, field)
            for group in seed.dataset_groups()
            for field in group["datasetFields"]
        }
        mapping = self.document.raw["components"]["schemas"]["Connector"]["discriminator"]
        self.connector_schemas: dict[str, str] = {
            ctype: str(ref).removeprefix("#") for ctype, ref in mapping["mapping"].items()
        }
        self.connector_type_names = {
            c["connectorType"]: c["connectorTypeName"] for c in seed.CONNECTOR_TYPES
        }

    def fault(self, name: str) -> bool:
        """Whether the named fault is on."""
        return self.faults.active(name)
