"""Azion Data Streaming API v3: everything that differs for it lives in this folder."""

from __future__ import annotations

from conformance.apis.definition import ApiDefinition, ResourceShape

API = ApiDefinition(
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
        create_operation="createStreaming",
        noun="streaming",
    ),
    package="conformance.apis.azion",
    negative_data_requirements={
        "createStreaming": "AZION-ERROR-006",
        "replaceStreaming": "AZION-ERROR-006",
        "updateStreaming": "AZION-ERROR-006",
    },
    stateful_requirements={
        "use_after_free": "AZION-DELETE-002",
        "ensure_resource_availability": "AZION-GET-004",
    },
    credential_probe="/data_streaming/streamings",
    request_headers={"Accept": "application/json; version=3"},
    request_headers_basis="what the console sends (FIELD-NOTES)",
    options={
        "token": "Azion token, sent as `Authorization: Token T`",
        "view-token": "Azion view-only token, for the permission checks",
        "domain-id": "Azion: a domain of the account that test streamings may name (repeatable)",
    },
    environment={"token": ("AZION_TOKEN",)},
    examples=(
        (
            "run --api azion --base-url https://api.azionapi.net --read-only",
            "a real account (token from $AZION_TOKEN), GET requests only",
        ),
    ),
    secret_members=(  # the endpoints' secrets
        "secret_key",
        "access_key",
        "api_key",
        "service_account_key",
        "shared_key",  # azure_monitor, azure_blob_storage: Azion's console (ERRATUM-AZION-019)
        "blob_sas_token",
    ),
    secret_value_maps=("headers",),  # custom header values may carry credentials
    curl_authorization="Token $AZION_TOKEN",  # set AZION_TOKEN and the command runs
    example_fault="schema-version-2",  # every body says "schema_version": 2
)
