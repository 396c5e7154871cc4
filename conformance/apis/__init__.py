"""The one list of APIs under test; everything that differs per API lives in its folder."""

from __future__ import annotations

from conformance.apis import akamai, azion
from conformance.apis.definition import ApiDefinition, ResourceShape

AKAMAI = akamai.API
AZION = azion.API
APIS: dict[str, ApiDefinition] = {api.name: api for api in (AKAMAI, AZION)}

__all__ = ["AKAMAI", "APIS", "AZION", "ApiDefinition", "ResourceShape", "get_api"]


def get_api(name: str) -> ApiDefinition:
    """Look an API up by its CLI name (`akamai` or `azion`)."""
    try:
        return APIS[name]
    except KeyError:
        known = ", ".join(sorted(APIS))
        raise ValueError(f"unknown API {name!r} (known: {known})") from None
