"""What differs per API: where its contract lives and how its paths start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from conformance.spec_files import contracts_dir


@dataclass(frozen=True, slots=True)
class ApiDefinition:
    """One API under test."""

    name: str
    title: str
    spec_file: str
    catalogue_file: str
    seed_file: str
    id_prefix: str

    @property
    def spec_path(self) -> Path:
        return contracts_dir() / self.spec_file

    @property
    def catalogue_path(self) -> Path:
        return contracts_dir() / "requirements" / self.catalogue_file


AKAMAI = ApiDefinition(
    name="akamai",
    title="Akamai DataStream 2 Configuration API v1",
    spec_file="akamai-datastream2-v1.yaml",
    catalogue_file="akamai.yaml",
    seed_file="akamai-datastream2-config-api-v1.txt",
    id_prefix="AKAMAI",
)

AZION = ApiDefinition(
    name="azion",
    title="Azion Data Streaming API v3",
    spec_file="azion-data-streaming-v3.yaml",
    catalogue_file="azion.yaml",
    seed_file="azion-data-streaming-api-v3.md",
    id_prefix="AZION",
)

APIS: dict[str, ApiDefinition] = {api.name: api for api in (AKAMAI, AZION)}


def get_api(name: str) -> ApiDefinition:
    """Look an API up by its CLI name (`akamai` or `azion`)."""
    try:
        return APIS[name]
    except KeyError:
        known = ", ".join(sorted(APIS))
        raise ValueError(f"unknown API {name!r} (known: {known})") from None
