"""Akamai DataStream 2 Configuration API v1: everything that differs for it lives in this folder."""

from __future__ import annotations

from conformance.apis.definition import ApiDefinition, ResourceShape

API = ApiDefinition(
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
        noun="stream",
        deactivate_before_delete=True,
        activation_member="activationStatus",
    ),
    package="conformance.apis.akamai",
)
