"""Toy Notes API v1: a third API that exists only in tests/test_toy_api.py, which copies this
folder into the package as `conformance/apis/toy/` and adds its one line to the API list."""

from __future__ import annotations

from conformance.apis.definition import ApiDefinition, ResourceShape

API = ApiDefinition(
    name="toy",
    title="Toy Notes API v1",
    spec_file="toy-notes-v1.yaml",
    catalogue_file="toy.yaml",
    seed_file="toy-notes-v1.md",
    id_prefix="TOY",
    resource=ResourceShape(
        collection="/toy/notes",
        item_template="/toy/notes/{noteId}",
        id_parameter="noteId",
        created_id=("id",),
        list_items=("items",),
        read_item=(),
        name_member="name",
        create_operation="createNote",
        noun="note",
    ),
    package="conformance.apis.toy",
    negative_data_requirements={"createNote": "TOY-STATUS-001"},
    stateful_requirements={"use_after_free": "TOY-GET-001"},
    credential_probe="/toy/notes",
)
