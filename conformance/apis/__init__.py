"""The one list of APIs under test; everything that differs per API lives in its folder.

An API joins by its folder (`conformance/apis/<name>/`, conventions in definition.py) and one
line in FOLDERS below; the CLI, serve, plan, sweep, cassettes, the registries and the pytest
plugin read their choices from APIS.
"""

from __future__ import annotations

from importlib import import_module

from conformance.apis.definition import ApiDefinition, ResourceShape

FOLDERS = (
    "akamai",
    "azion",
)
APIS: dict[str, ApiDefinition] = {
    api.name: api for api in (import_module(f"{__name__}.{folder}").API for folder in FOLDERS)
}
# The two vendors' definitions by name, for their own folders and their tests.
AKAMAI = APIS["akamai"]
AZION = APIS["azion"]

__all__ = ["AKAMAI", "APIS", "AZION", "ApiDefinition", "ResourceShape", "get_api"]


def get_api(name: str) -> ApiDefinition:
    """Look an API up by its CLI name (one of APIS)."""
    try:
        return APIS[name]
    except KeyError:
        known = ", ".join(sorted(APIS))
        raise ValueError(f"unknown API {name!r} (known: {known})") from None
