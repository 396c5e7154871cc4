"""Akamai: what the seed says about the content of successful bodies, beyond their schema."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from conformance.checks.base import PASS, CheckEnv, Outcome, Violation
from conformance.core.exchange import Exchange

SEED_CONNECTOR_TYPES = frozenset({"AZURE", "S3", "DATADOG", "SPLUNK"})
# The seed's "Data set parameters" table.
SEED_DATASET_FIELDS = frozenset(
    {
        1000,
        1002,
        1100,
        1005,
        1006,
        1008,
        1009,
        1011,
        1012,
        1013,
        1014,
        1015,
        1016,
        1017,
        1019,
        1023,
        1031,
        1032,
        1037,
        1033,
        1068,
        1101,
        1102,
        1103,
        1066,
        2001,
        2002,
        2003,
        2004,
        2005,
        2006,
        2007,
        2009,
        2010,
        1082,
    }
)
ACTIVATION_STATUSES = frozenset({"ACTIVATED", "DEACTIVATED", "ACTIVATING", "DEACTIVATING"})
STREAM_ERROR_TYPES = frozenset({"ACTIVATION_ERROR", "UNEXPECTED_SYSTEM_ERROR"})
AKAMAI_DATE = re.compile(r"^\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2} GMT$")
_STREAM_ID = re.compile(r"/streams/(\d+)(?:/|$|\?)")

Rule = Callable[[Any], str | None]


def _body(exchange: Exchange) -> Any:
    if not 200 <= exchange.response.status < 300:
        return None
    try:
        return exchange.response.json()
    except ValueError:
        return None


def _items(body: Any) -> list[Any]:
    return body if isinstance(body, list) else [body] if isinstance(body, dict) else []


def _each(exchange: Exchange, rule: Rule, kind: str) -> Outcome:
    """Apply `rule` to each object of a 2xx body; the first complaint is the violation."""
    body = _body(exchange)
    if body is None:
        return None
    for item in _items(body):
        complaint = rule(item) if isinstance(item, dict) else None
        if complaint:
            return Violation(f"{exchange.operation_id}: {complaint}", kind=kind)
    return PASS


def path_stream_id(exchange: Exchange) -> int | None:
    match = _STREAM_ID.search(exchange.request.path)
    return int(match.group(1)) if match else None


def connector_types_include_seed_four(exchange: Exchange, env: CheckEnv) -> Outcome:
    """listConnectorTypes offers AZURE, S3, DATADOG and SPLUNK (others are tolerated)."""
    body = _body(exchange)
    if not isinstance(body, list):
        return None
    offered = {i.get("connectorType") for i in body if isinstance(i, dict)}
    missing = sorted(SEED_CONNECTOR_TYPES - offered)
    if not missing:
        return PASS
    return Violation(f"connector types lack {', '.join(missing)}", kind="connector-types")


def _dataset_field_ids(body: Any) -> list[Any]:
    return [
        f.get("datasetFieldId")
        for group in _items(body)
        if isinstance(group, dict)
        for f in group.get("datasetFields") or []
        if isinstance(f, dict)
    ]


def dataset_field_ids_unique(exchange: Exchange, env: CheckEnv) -> Outcome:
    """Each datasetFieldId appears once across the groups."""
    body = _body(exchange)
    if body is None:
        return None
    ids = _dataset_field_ids(body)
    repeated = sorted({i for i in ids if ids.count(i) > 1}, key=str)
    if not repeated:
        return PASS
    return Violation(f"datasetFieldId listed more than once: {repeated}", kind="dataset-dup")


def dataset_fields_have_no_order(exchange: Exchange, env: CheckEnv) -> Outcome:
    """`order` appears only in getStream, not in listDatasetFields."""
    body = _body(exchange)
    if body is None:
        return None
    for group in _items(body):
        for field in (group.get("datasetFields") or []) if isinstance(group, dict) else []:
            if isinstance(field, dict) and "order" in field:
                return Violation(
                    f"data set field {field.get('datasetFieldId')} carries order",
                    kind="dataset-order",
                )
    return PASS


def dataset_lists_seed_fields(exchange: Exchange, env: CheckEnv) -> Outcome:
    """EDGE_LOGS lists the fields of the seed's data set parameters table."""
    body = _body(exchange)
    if body is None or not exchange.request.path.rstrip("/").endswith("/EDGE_LOGS"):
        return None
    missing = sorted(SEED_DATASET_FIELDS - set(_dataset_field_ids(body)))
    if not missing:
        return PASS
    return Violation(f"EDGE_LOGS lacks data set fields {missing}", kind="dataset-missing")


def product_templates_are_edge_logs(exchange: Exchange, env: CheckEnv) -> Outcome:
    """Every product's templates are EDGE_LOGS."""

    def rule(product: dict[str, Any]) -> str | None:
        names = [
            t.get("templateName") for t in product.get("templates") or [] if isinstance(t, dict)
        ]
        odd = [n for n in names if n != "EDGE_LOGS"]
        return f"product {product.get('productId')} offers templates {odd}" if odd else None

    return _each(exchange, rule, "product-template")


def stream_types_only_raw_logs(exchange: Exchange, env: CheckEnv) -> Outcome:
    """RAW_LOGS is the only stream type."""
    body = _body(exchange)
    if not isinstance(body, list):
        return None
    types = [i.get("streamType") for i in body if isinstance(i, dict)]
    if types == ["RAW_LOGS"]:
        return PASS
    return Violation(f"stream types are {types}, expected only RAW_LOGS", kind="stream-types")


def list_current_version_matches(exchange: Exchange, env: CheckEnv) -> Outcome:
    """In listStreams, currentVersionId equals streamVersionId (the latest version)."""

    def rule(stream: dict[str, Any]) -> str | None:
        if stream.get("currentVersionId") == stream.get("streamVersionId"):
            return None
        return (
            f"stream {stream.get('streamId')}: currentVersionId "
            f"{stream.get('currentVersionId')} != streamVersionId {stream.get('streamVersionId')}"
        )

    return _each(exchange, rule, "current-version")


def list_stream_type_name_is_raw(exchange: Exchange, env: CheckEnv) -> Outcome:
    """Every streamTypeName in listStreams is "Logs - Raw"."""

    def rule(stream: dict[str, Any]) -> str | None:
        name = stream.get("streamTypeName")
        return None if name == "Logs - Raw" else f"streamTypeName {name!r}"

    return _each(exchange, rule, "stream-type-name")


def stream_type_is_raw_logs(exchange: Exchange, env: CheckEnv) -> Outcome:
    """streamType in getStream and getStreamHistory is RAW_LOGS."""

    def rule(version: dict[str, Any]) -> str | None:
        value = version.get("streamType")
        return None if value == "RAW_LOGS" else f"streamType {value!r}"

    return _each(exchange, rule, "stream-type")


def template_name_is_edge_logs(exchange: Exchange, env: CheckEnv) -> Outcome:
    """templateName in getStream and getStreamHistory is EDGE_LOGS."""

    def rule(version: dict[str, Any]) -> str | None:
        value = version.get("templateName")
        return None if value == "EDGE_LOGS" else f"templateName {value!r}"

    return _each(exchange, rule, "template-name")


def activation_status_is_known(exchange: Exchange, env: CheckEnv) -> Outcome:
    """activationStatus is one of the four documented values."""

    def rule(stream: dict[str, Any]) -> str | None:
        value = stream.get("activationStatus")
        return None if value in ACTIVATION_STATUSES else f"activationStatus {value!r}"

    return _each(exchange, rule, "activation-status")


def dates_in_akamai_form(exchange: Exchange, env: CheckEnv) -> Outcome:
    """createdDate and modifiedDate use DD-MM-YYYY HH:MM:SS GMT."""

    def rule(item: dict[str, Any]) -> str | None:
        for key in ("createdDate", "modifiedDate"):
            value = item.get(key)
            if value is not None and not (isinstance(value, str) and AKAMAI_DATE.match(value)):
                return f"{key} {value!r} is not DD-MM-YYYY HH:MM:SS GMT"
        return None

    return _each(exchange, rule, "date-form")


def stream_errors_are_typed(exchange: Exchange, env: CheckEnv) -> Outcome:
    """A stream's errors[] items are ACTIVATION_ERROR or UNEXPECTED_SYSTEM_ERROR, titled."""

    def rule(stream: dict[str, Any]) -> str | None:
        for error in stream.get("errors") or []:
            if not (
                isinstance(error, dict)
                and error.get("type") in STREAM_ERROR_TYPES
                and isinstance(error.get("title"), str)
                and isinstance(error.get("detail"), str)
            ):
                return f"stream {stream.get('streamId')} has malformed errors[] item {error!r}"
        return None

    return _each(exchange, rule, "stream-errors")


def _connectors(exchange: Exchange) -> Iterator[dict[str, Any]]:
    body = _body(exchange)
    for version in _items(body):
        if isinstance(version, dict):
            for connector in version.get("connectors") or []:
                if isinstance(connector, dict):
                    yield connector


def _connector_rule(
    connector_type: str, test: Callable[[dict[str, Any]], str | None], exchange: Exchange, kind: str
) -> Outcome:
    if _body(exchange) is None:
        return None
    seen = False
    for connector in _connectors(exchange):
        if connector.get("connectorType") != connector_type:
            continue
        seen = True
        complaint = test(connector)
        if complaint:
            return Violation(
                f"{exchange.operation_id}: {connector_type} connector {complaint}", kind=kind
            )
    return PASS if seen else None


def _compress_true(connector: dict[str, Any]) -> str | None:
    value = connector.get("compressLogs")
    return None if value is True else f"has compressLogs {value!r}"


def _lacks(member: str) -> Callable[[dict[str, Any]], str | None]:
    def test(connector: dict[str, Any]) -> str | None:
        return f"echoes {member}" if member in connector else None

    return test


def s3_compresses_logs(exchange: Exchange, env: CheckEnv) -> Outcome:
    """An S3 connector has compressLogs true."""
    return _connector_rule("S3", _compress_true, exchange, "s3-compress")


def azure_compresses_logs(exchange: Exchange, env: CheckEnv) -> Outcome:
    """An Azure connector has compressLogs true."""
    return _connector_rule("AZURE", _compress_true, exchange, "azure-compress")


def s3_hides_secret_access_key(exchange: Exchange, env: CheckEnv) -> Outcome:
    """An S3 connector in a response has no secretAccessKey."""
    return _connector_rule("S3", _lacks("secretAccessKey"), exchange, "s3-secret")


def s3_hides_access_key(exchange: Exchange, env: CheckEnv) -> Outcome:
    """An S3 connector in a response has no accessKey."""
    return _connector_rule("S3", _lacks("accessKey"), exchange, "s3-access-key")


def azure_hides_access_key(exchange: Exchange, env: CheckEnv) -> Outcome:
    """An Azure connector in a response has no accessKey."""
    return _connector_rule("AZURE", _lacks("accessKey"), exchange, "azure-access-key")


def datadog_hides_auth_token(exchange: Exchange, env: CheckEnv) -> Outcome:
    """A Datadog connector in a response has no authToken."""
    return _connector_rule("DATADOG", _lacks("authToken"), exchange, "datadog-token")


def splunk_hides_collector_token(exchange: Exchange, env: CheckEnv) -> Outcome:
    """A Splunk connector in a response has no eventCollectorToken."""
    return _connector_rule("SPLUNK", _lacks("eventCollectorToken"), exchange, "splunk-token")


def connectors_have_ids(exchange: Exchange, env: CheckEnv) -> Outcome:
    """Every connector in a response has an integer connectorId."""
    if _body(exchange) is None:
        return None
    seen = False
    for connector in _connectors(exchange):
        seen = True
        value = connector.get("connectorId")
        if not (isinstance(value, int) and not isinstance(value, bool)):
            return Violation(
                f"{exchange.operation_id}: connector "
                f"{connector.get('connectorName')!r} has connectorId {value!r}",
                kind="connector-id",
            )
    return PASS if seen else None


def version_key_names_path_stream(exchange: Exchange, env: CheckEnv) -> Outcome:
    """A streamVersionKey answer names the stream of the request path."""
    body = _body(exchange)
    wanted = path_stream_id(exchange)
    if not isinstance(body, dict) or wanted is None:
        return None
    key = body.get("streamVersionKey")
    got = key.get("streamId") if isinstance(key, dict) else None
    if got == wanted:
        return PASS
    return Violation(
        f"{exchange.operation_id} on stream {wanted} answered streamVersionKey streamId {got!r}",
        kind="version-key-stream",
    )


def history_entries_name_path_stream(exchange: Exchange, env: CheckEnv) -> Outcome:
    """Activation history entries carry the path's streamId."""
    wanted = path_stream_id(exchange)
    if wanted is None:
        return None

    def rule(entry: dict[str, Any]) -> str | None:
        got = entry.get("streamId")
        return None if got == wanted else f"entry for stream {got!r} under stream {wanted}"

    return _each(exchange, rule, "history-stream")


def delete_says_success(exchange: Exchange, env: CheckEnv) -> Outcome:
    """deleteStream answers {"message": "Success"}."""
    body = _body(exchange)
    if not isinstance(body, dict):
        return None
    if body.get("message") == "Success":
        return PASS
    return Violation(
        f"deleteStream answered message {body.get('message')!r}, not 'Success'",
        kind="delete-message",
    )
