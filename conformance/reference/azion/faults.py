"""The faults the Azion reference server can inject: one documented behaviour broken each."""

from __future__ import annotations

from conformance.reference.faults import Fault, vacuity_fault

# The endpoint variable each per-type fault stops requiring (one catalogue entry per type).
ENDPOINT_REQUIRED_FAULTS: dict[str, tuple[str, str, str]] = {
    # fault name: (endpoint_type, variable, requirement id)
    "standard-payload-format-optional": ("standard", "payload_format", "AZION-ENDPOINT-002"),
    "kafka-bootstrap-servers-optional": ("kafka", "bootstrap_servers", "AZION-ENDPOINT-003"),
    "s3-secret-key-optional": ("s3", "secret_key", "AZION-ENDPOINT-004"),
    "big-query-service-account-key-optional": (
        "big_query",
        "service_account_key",
        "AZION-ENDPOINT-005",
    ),
    "elasticsearch-api-key-optional": ("elasticsearch", "api_key", "AZION-ENDPOINT-006"),
    "firehose-stream-name-optional": ("aws_kinesis_firehose", "stream_name", "AZION-ENDPOINT-007"),
    "datadog-api-key-optional": ("datadog", "api_key", "AZION-ENDPOINT-008"),
    "qradar-url-optional": ("qradar", "url", "AZION-ENDPOINT-009"),
}

FAULTS: tuple[Fault, ...] = (
    # AUTH
    Fault("no-auth-required", "AZION-AUTH-001", "a request without Authorization is served"),
    Fault("unknown-token-accepted", "AZION-AUTH-002", "any token is accepted as an edit token"),
    Fault("auth-scheme-case-sensitive", "AZION-AUTH-003", "`token <t>` (lower case) gets 401"),
    Fault("view-token-cannot-read", "AZION-AUTH-004", "the view-only token gets 403 on reads"),
    Fault("view-token-can-create", "AZION-AUTH-005", "the view-only token may create"),
    Fault("view-token-can-edit", "AZION-AUTH-006", "the view-only token may PUT and PATCH"),
    Fault("view-token-can-delete", "AZION-AUTH-007", "the view-only token may delete"),
    # ACCEPT
    Fault("json-served-as-text", "AZION-ACCEPT-001", "200/201 bodies are sent as text/plain"),
    Fault("accept-version-ignored", "AZION-ACCEPT-002", "Accept version=4 is served, not 406"),
    Fault("accept-needs-space", "AZION-ACCEPT-003", "`application/json;version=3` gets 406"),
    Fault(
        "content-type-json-refused",
        "AZION-ACCEPT-004",
        "a body sent as plain application/json gets 415 (charset demanded)",
    ),
    # ENVELOPE
    Fault("no-envelope", "AZION-ENVELOPE-001", "200/201 bodies are the bare results"),
    Fault("results-missing", "AZION-ENVELOPE-001", "the envelope says `data`, not `results`"),
    Fault("schema-version-2", "AZION-ENVELOPE-002", "schema_version is 2"),
    Fault("get-results-as-array", "AZION-ENVELOPE-003", "getStreaming's results is a list"),
    # LIST
    Fault("list-returns-summaries", "AZION-LIST-001", "list items hold only id and name"),
    Fault("list-hides-inactive", "AZION-LIST-002", "inactive streamings are not listed"),
    Fault("list-omits-newest", "AZION-LIST-003", "the newest streaming is missing from the list"),
    # CREATE
    Fault("create-status-200", "AZION-CREATE-001", "create answers 200 instead of 201"),
    Fault("create-id-string", "AZION-CREATE-001", "create answers the new id as a string"),
    Fault("create-drops-domain-ids", "AZION-CREATE-002", "create stores domain_ids as []"),
    Fault("name-not-required", "AZION-CREATE-003", "a create/PUT body without name is accepted"),
    Fault(
        "domain-ids-not-required",
        "AZION-CREATE-004",
        "a create/PUT body without domain_ids is accepted",
    ),
    Fault(
        "endpoint-not-required",
        "AZION-CREATE-005",
        "a create/PUT body without endpoint is accepted",
    ),
    Fault("active-defaults-false", "AZION-CREATE-006", "a streaming created without active is off"),
    # TEMPLATE
    Fault("template-id-not-echoed", "AZION-TEMPLATE-001", "responses leave template_id out"),
    Fault("template-model-rejected", "AZION-TEMPLATE-002", "a template_model body gets 400"),
    Fault(
        "both-templates-accepted",
        "AZION-TEMPLATE-003",
        "template_id and template_model together are accepted",
    ),
    Fault(
        "template-model-type-not-checked",
        "AZION-TEMPLATE-004",
        "a non-string template_model is accepted",
    ),
    Fault("template-list-missing-model", "AZION-TEMPLATE-005", "listed templates lack the model"),
    Fault("custom-templates-listed", "AZION-TEMPLATE-006", "customized templates are listed"),
    Fault("get-template-wrong-id", "AZION-TEMPLATE-007", "getTemplate always answers template 86"),
    Fault("unknown-template-500", "AZION-TEMPLATE-008", "an unknown template id gets 500"),
    # GET
    Fault("get-returns-first-streaming", "AZION-GET-001", "getStreaming answers the lowest id"),
    Fault("unknown-id-500", "AZION-GET-002", "getStreaming of an unknown id gets 500"),
    Fault("non-integer-id-500", "AZION-GET-003", "a non-integer path id gets 500"),
    Fault("get-omits-headers", "AZION-GET-004", "getStreaming leaves the endpoint headers out"),
    # EDIT
    Fault("patch-returns-only-changes", "AZION-EDIT-001", "PATCH answers only the named members"),
    Fault(
        "patch-acts-as-put",
        "AZION-EDIT-002",
        "PATCH resets unnamed active, data_source and domain_ids",
    ),
    Fault("put-status-204", "AZION-EDIT-003", "PUT answers 204 without a body"),
    Fault("put-acts-as-patch", "AZION-EDIT-004", "a partial PUT body is accepted and merged"),
    Fault("edit-not-persisted", "AZION-EDIT-005", "edits are answered but not stored"),
    Fault("put-unknown-id-upserts", "AZION-EDIT-006", "PUT of an unknown id creates it"),
    Fault("empty-patch-accepted", "AZION-EDIT-007", "PATCH with {} is answered 200"),
    # DELETE
    Fault("delete-status-200-body", "AZION-DELETE-001", "delete answers 200 with a body"),
    Fault("deleted-still-readable", "AZION-DELETE-002", "GET of a deleted streaming answers 200"),
    Fault("deleted-still-listed", "AZION-DELETE-003", "deleted streamings stay in the list"),
    Fault("delete-unknown-id-204", "AZION-DELETE-004", "DELETE of an unknown id answers 204"),
    # ENDPOINT
    Fault(
        "endpoint-variables-not-checked",
        "AZION-ENDPOINT-001",
        "no endpoint variable is required (only endpoint_type)",
    ),
    *(
        Fault(name, requirement, f"a {etype} endpoint without {variable} is accepted")
        for name, (etype, variable, requirement) in ENDPOINT_REQUIRED_FAULTS.items()
    ),
    Fault("unknown-endpoint-type-accepted", "AZION-ENDPOINT-010", "endpoint_type syslog accepted"),
    Fault("secrets-echoed", "AZION-ENDPOINT-011", "responses echo secret endpoint variables"),
    # HEADERS
    Fault("headers-dropped", "AZION-HEADERS-001", "custom headers are accepted but dropped"),
    Fault("more-than-5-headers-accepted", "AZION-HEADERS-002", "6 custom headers are accepted"),
    Fault(
        "headers-on-non-standard-accepted",
        "AZION-HEADERS-003",
        "headers on a non-standard endpoint are accepted",
    ),
    Fault(
        "log-line-separator-escaped",
        "AZION-HEADERS-004",
        "a newline log_line_separator is stored as the two characters \\n",
    ),
    # DATASOURCE
    Fault("invalid-data-source-accepted", "AZION-DATASOURCE-001", "data_source `ftp` accepted"),
    Fault("data-source-not-defaulted", "AZION-DATASOURCE-002", "omitted data_source is null"),
    # ERROR
    Fault("bad-request-as-detail", "AZION-ERROR-001", '400 bodies are {"detail": ...}'),
    Fault("not-found-as-field-map", "AZION-ERROR-002", '404 bodies are {"id": [...]}'),
    Fault("unauthorized-without-detail", "AZION-ERROR-002", '401 bodies are {"error": ...}'),
    Fault("not-acceptable-as-field-map", "AZION-ERROR-003", '406 bodies are {"accept": [...]}'),
    Fault("throttled-without-detail", "AZION-ERROR-003", '429 bodies are {"message": ...}'),
    Fault("never-throttles", "AZION-ERROR-004", "no 429 even when a rate limit is configured"),
    Fault("not-found-as-html", "AZION-ERROR-005", "404 answers are HTML"),
    Fault(
        "active-wrong-type-500",
        "AZION-ERROR-006",
        "a non-boolean `active` crashes the server (500) instead of 400",
    ),
)


def _vacuity(name: str, description: str, *requirements: str) -> Fault:
    return vacuity_fault("AZION-", name, description, *requirements)


# Refusal requirements ("an invalid X is answered 400"): a server refusing every write must not
# pass them, since it refuses the valid twin as well.
_REFUSALS = (
    "ENDPOINT-001",
    "ENDPOINT-010",
    "ERROR-006",
    "CREATE-003",
    "CREATE-004",
    "CREATE-005",
    "TEMPLATE-003",
    "TEMPLATE-004",
    "TEMPLATE-006",
    "HEADERS-002",
    "HEADERS-003",
    "DATASOURCE-001",
    "EDIT-004",
    "EDIT-007",
)

VACUITY_FAULTS: tuple[Fault, ...] = (
    _vacuity(
        "static-mock",
        "every operation answers its documented example, whatever was sent (Prism's static mode)",
        "CREATE-001",
        "CREATE-002",
        "GET-001",
        "GET-004",
        "EDIT-001",
        "EDIT-003",
        "DELETE-003",
        "AUTH-001",
    ),
    _vacuity(
        "constant-id",
        "every create answers the same id; reads answer the last streaming so created",
        "CREATE-001",
    ),
    _vacuity("refuse-writes", "every write (POST, PUT, PATCH, DELETE) is answered 400", *_REFUSALS),
    _vacuity(
        "refuse-writes-403",
        "every write is answered 403, as a gateway's method policy does",
        "ACCEPT-004",
        *_REFUSALS,
    ),
    _vacuity(
        "unauthorized",
        "every request is answered 401, the valid token's too",
        "AUTH-004",
        *_REFUSALS,
    ),
    _vacuity("wrong-id", "GET of a streaming answers another streaming's id", "GET-001"),
)
