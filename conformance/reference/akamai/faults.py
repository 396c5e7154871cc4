"""The faults the Akamai reference server can inject: one documented behaviour broken each."""

from __future__ import annotations

from conformance.reference.faults import Fault, vacuity_fault

_A = "AKAMAI-"


def _f(name: str, requirement: str, description: str) -> Fault:
    return Fault(name, _A + requirement, description)


FAULTS: tuple[Fault, ...] = (
    # ------------------------------------------------------------------ rate limiting
    _f("throttles-early", "RATE-001", "429 once half of the budget is spent"),
    _f("never-throttles", "RATE-002", "requests past the budget are served, never 429"),
    _f("limit-header-missing", "RATE-003", "no X-RateLimit-Limit on any response"),
    _f("limit-header-missing-on-errors", "RATE-003", "no X-RateLimit-Limit on 4xx/5xx responses"),
    _f("remaining-header-missing", "RATE-004", "no X-RateLimit-Remaining on any response"),
    _f("remaining-header-missing-on-errors", "RATE-004", "no X-RateLimit-Remaining on 4xx/5xx"),
    _f("next-header-missing", "RATE-005", "no X-RateLimit-Next, even when Remaining is 0"),
    _f("limit-header-wrong", "RATE-006", "X-RateLimit-Limit says 100 whatever the budget"),
    _f("remaining-not-counting-down", "RATE-007", "X-RateLimit-Remaining always equals Limit"),
    _f(
        "remaining-never-refills", "RATE-008", "X-RateLimit-Remaining counts down but never refills"
    ),
    _f("remaining-exceeds-limit", "RATE-009", "X-RateLimit-Remaining is Limit higher than it is"),
    _f("next-not-iso8601", "RATE-010", "X-RateLimit-Next uses the body date form, not ISO 8601"),
    _f("next-too-early", "RATE-011", "X-RateLimit-Next names a moment before the budget refills"),
    # ------------------------------------------------------------------ status codes
    _f("unknown-stream-500", "STATUS-001", "getStream of an unknown streamId answers 500"),
    _f("non-integer-stream-id-500", "STATUS-001", "a non-integer streamId answers 500"),
    _f("malformed-json-415", "STATUS-002", "a body that is not JSON is answered 415, not 400"),
    _f("non-integer-version-ignored", "STATUS-003", "getStream ?version=abc returns the latest"),
    _f("non-integer-group-id-ignored", "STATUS-003", "listStreams ?groupId=abc lists everything"),
    _f("stream-name-type-not-checked", "STATUS-004", "a numeric streamName is accepted (202)"),
    _f("missing-auth-accepted", "STATUS-006", "a request without Authorization is served"),
    _f("bad-signature-accepted", "STATUS-006", "EdgeGrid signatures and tokens are not checked"),
    _f("expired-timestamp-accepted", "STATUS-006", "a day-old EdgeGrid timestamp is accepted"),
    _f("unknown-group-properties-allowed", "STATUS-008", "listProperties of a foreign group: 200"),
    _f("unknown-group-streams-allowed", "STATUS-008", "listStreams ?groupId=<foreign>: 200 []"),
    _f("get-unknown-stream-400", "STATUS-009", "getStream of an unknown streamId answers 400"),
    _f("delete-unknown-stream-200", "STATUS-009", "deleteStream of an unknown streamId: 200"),
    _f("activate-unknown-stream-202", "STATUS-009", "activateStream of an unknown streamId: 202"),
    _f("history-unknown-stream-empty", "STATUS-009", "getStreamHistory of an unknown id: 200 []"),
    _f(
        "activation-history-unknown-stream-empty",
        "STATUS-009",
        "getActivationHistory of an unknown streamId answers 200 []",
    ),
    _f("deleted-stream-still-readable", "STATUS-009", "getStream of a deleted stream answers 200"),
    _f("wrong-method-404", "STATUS-010", "a method the path lacks is answered 404, not 405"),
    _f("activate-post-accepted", "STATUS-010", "POST .../activate (the v2 form) is served"),
    _f("non-json-content-type-accepted", "STATUS-011", "a text/plain body is parsed as JSON"),
    _f("429-remaining-nonzero", "STATUS-012", "429 responses say X-RateLimit-Remaining 1"),
    # ------------------------------------------------------------------ problem details
    _f("problem-wrapped-in-array", "ERROR-001", "error bodies are a JSON array of one problem"),
    _f("problem-as-application-json", "ERROR-002", "errors are sent as application/json"),
    _f("problem-without-type", "ERROR-003", "error bodies lack type"),
    _f("problem-without-title", "ERROR-004", "error bodies lack title"),
    _f("problem-without-instance", "ERROR-005", "error bodies lack instance"),
    _f("problem-status-always-400", "ERROR-006", "the problem's status is 400 whatever the code"),
    _f("problem-status-as-string", "ERROR-006", 'the problem\'s status is a string ("404")'),
    _f("problem-status-code-member", "ERROR-006", "statusCode (the Go client's) instead of status"),
    _f("problem-errors-missing-detail", "ERROR-007", "errors[] items have no detail"),
    _f("problem-errors-not-array", "ERROR-007", "errors is an object keyed by member name"),
    _f("stream-error-bad-type", "ERROR-008", "streams report errors[] of type FAILED"),
    # ------------------------------------------------------------------ authentication, scope
    _f("put-body-hashed", "AUTH-001", "PUT bodies are hashed into the signature: valid edits 401"),
    _f("host-port-ignored", "AUTH-001", "the signature is checked against Host without its port"),
    _f(
        "products-list-foreign-group",
        "AUTH-002",
        "listProducts names group 18544 of another account",
    ),
    # ------------------------------------------------------------------ lookups
    _f("properties-as-text", "PROP-001", "listProperties answers text/plain"),
    _f("property-id-as-string", "PROP-002", "listProperties gives propertyId as a string"),
    _f("connector-types-as-text", "CONN-001", "listConnectorTypes answers text/plain"),
    _f("connector-type-name-missing", "CONN-002", "connector types lack connectorTypeName"),
    _f("splunk-missing-from-connector-types", "CONN-003", "listConnectorTypes omits SPLUNK"),
    _f("dataset-fields-as-text", "DATASET-001", "listDatasetFields answers text/plain"),
    _f("dataset-field-id-as-string", "DATASET-002", "datasetFieldId is a string"),
    _f("any-template-accepted", "DATASET-003", "listDatasetFields of FOO answers 200"),
    _f(
        "dataset-field-1068-twice", "DATASET-004", "field 1068 listed twice, as in the seed's table"
    ),
    _f("dataset-fields-carry-order", "DATASET-005", "listDatasetFields fields carry order"),
    _f("dataset-fields-sample-only", "DATASET-006", "fields 2001-2010 are not listed"),
    _f("groups-answer-202", "GROUP-001", "listGroups answers 202"),
    _f("group-enabled-missing", "GROUP-002", "groups lack enabled"),
    _f("products-as-text", "PRODUCT-001", "listProducts answers text/plain"),
    _f("product-templates-missing", "PRODUCT-002", "products lack templates"),
    _f("product-group-contract-ids-missing", "PRODUCT-003", "product groups lack contractIds"),
    _f("product-template-raw-logs", "PRODUCT-004", "product templates say RAW_LOGS"),
    _f("child-group-properties-forbidden", "PRODUCT-005", "listProperties of a child group: 403"),
    _f("stream-types-as-text", "STREAMTYPE-001", "listStreamTypes answers text/plain"),
    _f("stream-type-is-raw-missing", "STREAMTYPE-002", "stream types lack isRaw"),
    _f("stream-types-list-extra", "STREAMTYPE-003", "listStreamTypes also lists STRUCTURED_LOGS"),
    # ------------------------------------------------------------------ listStreams
    _f("list-streams-as-text", "STREAM-LIST-001", "listStreams answers text/plain"),
    _f("list-properties-as-string", "STREAM-LIST-002", "listStreams gives properties as a string"),
    _f("list-shows-first-version", "STREAM-LIST-003", "listStreams shows each stream's version 1"),
    _f("current-version-id-off-by-one", "STREAM-LIST-004", "currentVersionId is version + 1"),
    _f("list-omits-newest-stream", "STREAM-LIST-005", "the newest stream is not listed"),
    _f("group-filter-ignored", "STREAM-LIST-006", "listStreams ?groupId lists every group"),
    _f("stream-type-name-raw-logs", "STREAM-LIST-007", 'streamTypeName is "RAW_LOGS"'),
    # ------------------------------------------------------------------ createStream
    _f("create-answers-201", "STREAM-CREATE-001", "createStream answers 201 (the v2 code)"),
    _f("create-key-unwrapped", "STREAM-CREATE-002", "create answers {streamId, streamVersionId}"),
    _f("create-key-wrong-id", "STREAM-CREATE-003", "create answers a streamId one too high"),
    _f("create-drops-email-ids", "STREAM-CREATE-004", "emailIds are not stored"),
    _f("create-stores-first-property-only", "STREAM-CREATE-004", "only the first property kept"),
    _f("activate-now-ignored", "STREAM-CREATE-005", "activateNow true leaves the stream inactive"),
    _f("create-always-activates", "STREAM-CREATE-006", "activateNow false still activates"),
    _f("create-contract-id-optional", "STREAM-CREATE-007", "createStream without contractId: 202"),
    _f("email-ids-required", "STREAM-CREATE-008", "createStream without emailIds: 400"),
    _f("fourth-property-accepted", "STREAM-CREATE-009", "a stream with four properties: 202"),
    _f(
        "property-in-two-streams-accepted",
        "STREAM-CREATE-010",
        "createStream with another stream's property: 202",
    ),
    _f(
        "edit-property-in-other-stream-accepted",
        "STREAM-CREATE-010",
        "editStream with another stream's property: 202",
    ),
    _f(
        "deleted-stream-keeps-properties",
        "STREAM-CREATE-010",
        "a deleted stream's properties stay taken",
    ),
    _f("unknown-property-accepted", "STREAM-CREATE-011", "a property not listed is accepted"),
    # ------------------------------------------------------------------ getStream
    _f("get-stream-as-text", "STREAM-GET-001", "getStream answers text/plain"),
    _f("get-stream-missing-product-name", "STREAM-GET-002", "getStream lacks productName"),
    _f("get-returns-first-version", "STREAM-GET-003", "getStream without version gives version 1"),
    _f("version-query-ignored", "STREAM-GET-004", "getStream ?version=N gives the latest"),
    _f("unknown-version-returns-latest", "STREAM-GET-005", "?version=99 gives the latest (200)"),
    _f("dataset-order-by-id", "STREAM-GET-006", "order follows the field IDs, not their position"),
    _f("dataset-order-from-1", "STREAM-GET-006", "order starts at 1"),
    _f("datasets-drop-last-field", "STREAM-GET-007", "the last datasetFieldId is not shown"),
    _f("stream-type-wrong-in-get", "STREAM-GET-008", 'streamType is "Logs - Raw"'),
    _f("template-name-raw-logs", "STREAM-GET-009", "templateName is RAW_LOGS (the seed's slip)"),
    # ------------------------------------------------------------------ edit, delete
    _f("edit-answers-200", "STREAM-EDIT-001", "editStream answers 200 (the v2 code)"),
    _f("edit-key-old-version", "STREAM-EDIT-002", "editStream answers the base version's key"),
    _f("edit-not-persisted", "STREAM-EDIT-003", "an edit makes a version with the old config"),
    _f("delete-answers-204", "STREAM-DELETE-001", "deleteStream answers 204 without a body"),
    _f("delete-message-deleted", "STREAM-DELETE-002", 'deleteStream says {"message": "Deleted"}'),
    _f("deleted-stream-activatable", "STREAM-DELETE-003", "a deleted stream can be activated"),
    # ------------------------------------------------------------------ activation
    _f("activate-answers-200", "ACTIVATE-001", "activateStream answers 200"),
    _f("activate-answers-message", "ACTIVATE-002", 'activateStream says {"message": "Success"}'),
    _f("activate-key-first-version", "ACTIVATE-003", "activateStream answers version 1"),
    _f("activate-not-applied", "ACTIVATE-004", "activateStream answers 202 and changes nothing"),
    _f("reactivation-refused", "ACTIVATE-005", "a deactivated stream can't be activated again"),
    _f("deactivate-answers-200", "DEACTIVATE-001", "deactivateStream answers 200"),
    _f("deactivate-answers-message", "DEACTIVATE-002", 'deactivateStream says {"message": ...}'),
    _f("deactivate-key-first-version", "DEACTIVATE-003", "deactivateStream answers version 1"),
    _f("deactivate-not-applied", "DEACTIVATE-004", "deactivateStream answers 202, changes nothing"),
    _f("activation-history-as-text", "ACTHIST-001", "getActivationHistory answers text/plain"),
    _f("activation-history-is-active-string", "ACTHIST-002", 'isActive is a string ("true")'),
    _f("activation-not-recorded", "ACTHIST-003", "activateStream adds no history entry"),
    _f("activate-now-not-recorded", "ACTHIST-003", "create with activateNow adds no entry"),
    _f("deactivation-not-recorded", "ACTHIST-004", "deactivateStream adds no history entry"),
    _f("activation-history-reset-on-edit", "ACTHIST-005", "an edit clears activation history"),
    # ------------------------------------------------------------------ history, versions
    _f("history-as-text", "HISTORY-001", "getStreamHistory answers text/plain"),
    _f("history-entries-summaries", "HISTORY-002", "history items are listStreams summaries"),
    _f("history-missing-first-version", "HISTORY-003", "history leaves version 1 out"),
    _f("history-duplicates-latest", "HISTORY-003", "history lists the latest version twice"),
    _f("history-activation-status-frozen", "HISTORY-004", "history shows status at creation"),
    _f("edit-does-not-bump-version", "VERSION-001", "an edit overwrites the latest version"),
    _f("versions-step-by-two", "VERSION-002", "each edit adds 2 to the version number"),
    _f("edit-deactivates-active-stream", "VERSION-003", "editing an active stream: inactive"),
    _f("edit-activates-inactive-stream", "VERSION-004", "every edit of a stream activates it"),
    _f("edit-honours-activate-now", "VERSION-010", "activateNow true on edit activates"),
    _f("old-versions-discarded", "VERSION-005", "?version=1 after an edit answers 404"),
    _f("activation-status-active", "VERSION-007", 'activationStatus "ACTIVE", not ACTIVATED'),
    _f("dates-iso8601", "VERSION-008", "body dates are ISO 8601"),
    # ------------------------------------------------------------------ stream configuration
    _f("frequency-not-checked", "CONFIG-001", "timeInSec 45 is accepted"),
    _f("delimiter-not-checked", "CONFIG-002", "delimiter COMMA is accepted"),
    _f("prefix-length-not-checked", "CONFIG-003", "a 201-character uploadFilePrefix is accepted"),
    _f("prefix-dot-accepted", "CONFIG-004", "an uploadFilePrefix with . is accepted"),
    _f("prefix-default-wrong", "CONFIG-005", 'uploadFilePrefix defaults to "logs"'),
    _f("suffix-length-not-checked", "CONFIG-006", "an 11-character uploadFileSuffix is accepted"),
    _f("suffix-chars-accepted", "CONFIG-007", "an uploadFileSuffix with ? is accepted"),
    _f("suffix-default-wrong", "CONFIG-009", 'uploadFileSuffix defaults to "ak"'),
    _f("prefix-dynamic-variables-refused", "CONFIG-010", "a prefix with {...} is answered 400"),
    _f("path-spaced-variables-refused", "CONFIG-011", "a path with spaces inside {} gets 400"),
    _f("path-length-not-checked", "CONFIG-012", "a 256-character connector path is accepted"),
    _f("stream-type-not-checked", "CONFIG-016", "streamType STRUCTURED_LOGS is accepted"),
    _f("template-name-not-checked", "CONFIG-017", "templateName FOO is accepted"),
    _f("unknown-dataset-field-accepted", "CONFIG-018", "datasetFieldId 9999 is accepted"),
    _f("frequency-not-stored", "CONFIG-019", "timeInSec is stored as 30 whatever was sent"),
    # ------------------------------------------------------------------ connectors
    _f("unknown-connector-type-accepted", "CONNECTOR-001", "connectorType FOO is accepted"),
    _f("s3-secret-optional", "CONNECTOR-002", "an S3 connector without secretAccessKey: 202"),
    _f("azure-access-key-optional", "CONNECTOR-003", "an Azure connector without accessKey: 202"),
    _f("datadog-auth-token-optional", "CONNECTOR-004", "a Datadog connector without authToken"),
    _f("splunk-token-optional", "CONNECTOR-005", "a Splunk connector without its token: 202"),
    _f("splunk-url-not-checked", "CONNECTOR-006", "a Splunk url not ending collector/raw: 202"),
    _f("s3-compress-logs-false", "CONNECTOR-007", "S3 connectors say compressLogs false"),
    _f("azure-compress-logs-false", "CONNECTOR-008", "Azure connectors say compressLogs false"),
    _f("datadog-compress-default-true", "CONNECTOR-009", "Datadog compressLogs defaults to true"),
    _f("splunk-compress-default-false", "CONNECTOR-010", "Splunk compressLogs defaults to false"),
    _f("s3-secret-access-key-echoed", "CONNECTOR-011", "getStream echoes S3 secretAccessKey"),
    _f("s3-access-key-echoed", "CONNECTOR-012", "getStream echoes S3 accessKey"),
    _f("azure-access-key-echoed", "CONNECTOR-013", "getStream echoes Azure accessKey"),
    _f("datadog-auth-token-echoed", "CONNECTOR-014", "getStream echoes Datadog authToken"),
    _f("splunk-token-echoed", "CONNECTOR-015", "getStream echoes Splunk eventCollectorToken"),
    _f("connector-id-as-string", "CONNECTOR-016", "connectorId is a string"),
    _f("datadog-tags-dropped", "CONNECTOR-017", "Datadog tags are not stored"),
)


def _v(name: str, description: str, *requirements: str) -> Fault:
    return vacuity_fault(_A, name, description, *requirements)


# Refusal requirements ("an invalid X is answered 400"): a server refusing every write must not
# pass them, since it refuses the valid twin as well.
_REFUSALS = (
    "STATUS-004",
    "STREAM-CREATE-007",
    "STREAM-CREATE-009",
    "CONFIG-001",
    "CONFIG-002",
    "CONNECTOR-001",
    "CONNECTOR-002",
    "CONNECTOR-005",
)

VACUITY_FAULTS: tuple[Fault, ...] = (
    _v(
        "static-mock",
        "every operation answers its documented example, whatever was sent (Prism's static mode)",
        "STREAM-CREATE-003",
        "STREAM-CREATE-004",
        "STREAM-EDIT-003",
        "ACTIVATE-004",
        "DEACTIVATE-004",
        "STATUS-006",
    ),
    _v(
        "constant-id",
        "every createStream answers the same streamId; reads answer the last stream so created",
        "STREAM-CREATE-003",
    ),
    _v("refuse-writes", "every write (POST, PUT, DELETE) is answered 400", *_REFUSALS),
    _v(
        "refuse-writes-403",
        "every write is answered 403, as a gateway's method policy does",
        "STREAM-CREATE-001",
        *_REFUSALS,
    ),
    _v(
        "unauthorized",
        "every request is answered 401, valid EdgeGrid signatures included",
        "AUTH-001",
        "STATUS-003",
        "STATUS-004",
    ),
    _v("wrong-id", "getStream answers another stream's streamId", "STREAM-CREATE-003"),
)
