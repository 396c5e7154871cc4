"""Akamai DataStream 2 Configuration API v1: everything that differs for it lives in this folder."""

from __future__ import annotations

from conformance.apis.definition import ApiDefinition, Deactivation, ResourceShape

# The query parameter that makes an Akamai API client act for another account (partners and
# resellers): https://techdocs.akamai.com/developer/docs/manage-many-accounts-with-one-api-client
ACCOUNT_SWITCH_PARAMETER = "accountSwitchKey"

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
        create_operation="createStream",
        noun="stream",
        deactivation=Deactivation(
            method="PUT",
            path_suffix="/deactivate",
            status_member="activationStatus",
            active=("ACTIVATED", "ACTIVATING"),
            settling=("ACTIVATED", "ACTIVATING", "DEACTIVATING"),
        ),
    ),
    package="conformance.apis.akamai",
    negative_data_requirements={
        "createStream": "AKAMAI-STATUS-004",
        "editStream": "AKAMAI-STATUS-004",
        "listStreams": "AKAMAI-STATUS-003",
        "getStream": "AKAMAI-STATUS-003",
    },
    stateful_requirements={
        "use_after_free": "AKAMAI-STATUS-009",
        "ensure_resource_availability": "AKAMAI-STREAM-CREATE-003",
    },
    credential_probe="/datastream-config-api/v1/log/groups",
    options={
        "edgerc": "Akamai .edgerc file (EdgeGrid credentials); without --base-url its host is the "
        "target, and the variable is used only with --base-url",
        "section": "section of the .edgerc (the Akamai CLI's variable first)",
        "account-key": "Akamai: act for this account, sent as the "
        f"{ACCOUNT_SWITCH_PARAMETER} query parameter on every request (no variable: it chooses "
        "the account the run writes to)",
    },
    environment={
        "edgerc": ("AKAMAI_EDGERC",),
        "section": ("AKAMAI_EDGERC_SECTION", "AKAMAI_SECTION"),
    },
    account_parameter=ACCOUNT_SWITCH_PARAMETER,
    examples=(
        (
            "run --api akamai --edgerc ~/.edgerc --profile minimal --rate-limit 20/60s",
            "the target is the .edgerc section's host; each observable requirement once",
        ),
        (
            "plan --api akamai --profile minimal",
            "the requests such a run would send, before sending any",
        ),
    ),
    # EdgeGrid and Akamai's other signed-auth headers
    secret_headers=(
        "x-akamai-acs-auth-data",
        "x-akamai-acs-auth-sign",
        "x-akamai-g2o-auth-data",
        "x-akamai-g2o-auth-sign",
    ),
    secret_auth_schemes=("EG1-HMAC-",),  # an EdgeGrid signature, whatever the header's name
    secret_members=(  # the connectors' secrets
        "accessKey",
        "secretAccessKey",
        "authToken",
        "eventCollectorToken",
        "clientKey",  # Splunk/HTTPS mTLS key in Akamai's Go client (ERRATUM-AKAMAI-132)
    ),
    secret_names=("account_switch_key",),  # accountSwitchKey: which account a client acts for
    curl_signature_note=(
        "Akamai requests need an EdgeGrid signature: replay with an EdgeGrid-aware client "
        "(e.g. httpie-edgegrid) rather than the redacted Authorization header."
    ),
)
