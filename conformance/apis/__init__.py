"""What differs per API: where its contract lives and how its paths start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.spec_files import contracts_dir


@dataclass(frozen=True, slots=True)
class ResourceShape:
    """The one kind of resource a run creates in an API (a stream, a streaming), as the API's
    paths and answers show it: what the write guard, cleanup and sweep go by."""

    collection: str  # the collection's absolute path
    item_template: str  # the item's path as the spec's paths end
    id_parameter: str  # the path parameter that carries the id
    created_id: tuple[str, ...]  # members leading to the new id in a create's answer
    list_items: tuple[str, ...]  # members leading to the items of a list answer (): the body
    read_item: tuple[str, ...]  # members leading to the item in a GET of it
    name_member: str  # the item's name (run-prefixed when the run made it)
    # The target refuses to delete an active item: deactivate it (PUT item/deactivate), wait.
    deactivate_before_delete: bool = False

    @staticmethod
    def dig(body: Any, members: tuple[str, ...]) -> Any:
        """The value `members` lead to in a JSON body; None when the way is not there."""
        for member in members:
            if not isinstance(body, dict):
                return None
            body = body.get(member)
        return body


@dataclass(frozen=True, slots=True)
class ApiDefinition:
    """One API under test."""

    name: str
    title: str
    spec_file: str
    catalogue_file: str
    seed_file: str
    id_prefix: str
    resource: ResourceShape

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
    resource=ResourceShape(
        collection="/datastream-config-api/v1/log/streams",
        item_template="/streams/{streamId}",
        id_parameter="streamId",
        created_id=("streamVersionKey", "streamId"),
        list_items=(),
        read_item=(),
        name_member="streamName",
        deactivate_before_delete=True,
    ),
)

AZION = ApiDefinition(
    name="azion",
    title="Azion Data Streaming API v3",
    spec_file="azion-data-streaming-v3.yaml",
    catalogue_file="azion.yaml",
    seed_file="azion-data-streaming-api-v3.md",
    id_prefix="AZION",
    resource=ResourceShape(
        collection="/data_streaming/streamings",
        item_template="/data_streaming/streamings/{id}",
        id_parameter="id",
        created_id=("results", "id"),
        list_items=("results",),
        read_item=("results",),
        name_member="name",
    ),
)

APIS: dict[str, ApiDefinition] = {api.name: api for api in (AKAMAI, AZION)}


def get_api(name: str) -> ApiDefinition:
    """Look an API up by its CLI name (`akamai` or `azion`)."""
    try:
        return APIS[name]
    except KeyError:
        known = ", ".join(sorted(APIS))
        raise ValueError(f"unknown API {name!r} (known: {known})") from None
