"""How the Akamai reference server shows what it stores: streams, versions, data sets,
connectors (secrets left out), dates, stream version keys and RFC 7807 problems."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from conformance.reference.akamai import seed_data as seed
from conformance.reference.akamai.state import JSON, USER, AkamaiState
from conformance.reference.akamai.store import ACTIVATED, Stream, Version, akamai_date, is_int
from conformance.reference.problem_details import PROBLEM_MEDIA_TYPE, ProblemError, problem_body

# The secret members of each connector type, never shown unless a fault echoes them.
SECRETS = {
    "S3": ("accessKey", "secretAccessKey"),
    "AZURE": ("accessKey",),
    "DATADOG": ("authToken",),
    "SPLUNK": ("eventCollectorToken", "clientKey"),
}
_ECHO_FAULTS = {
    "secretAccessKey": "s3-secret-access-key-echoed",
    "S3:accessKey": "s3-access-key-echoed",
    "AZURE:accessKey": "azure-access-key-echoed",
    "authToken": "datadog-auth-token-echoed",
    "eventCollectorToken": "splunk-token-echoed",
}


class Renderer:
    """Response bodies and their faults."""

    def __init__(self, state: AkamaiState) -> None:
        self.state = state
        self.fault = state.fault

    def json(self, body: Any, status: int = 200, *, as_text: bool = False) -> Response:
        return Response(
            json.dumps(body), status_code=status, media_type="text/plain" if as_text else JSON
        )

    def problem(self, problem: ProblemError) -> Response:
        body: Any = problem_body(problem)
        if self.fault("problem-without-type"):
            del body["type"]
        if self.fault("problem-without-title"):
            del body["title"]
        if self.fault("problem-without-instance"):
            del body["instance"]
        if self.fault("problem-status-always-400"):
            body["status"] = 400
        if self.fault("problem-status-as-string"):
            body["status"] = str(problem.status)
        if self.fault("problem-status-code-member"):
            body["statusCode"] = body.pop("status")
        if self.fault("problem-errors-missing-detail") and "errors" in body:
            body["errors"] = [{k: v for k, v in e.items() if k != "detail"} for e in body["errors"]]
        if self.fault("problem-errors-not-array") and "errors" in body:
            body["errors"] = {item.field: item.detail for item in problem.errors}
        if self.fault("problem-wrapped-in-array"):
            body = [body]
        media = JSON if self.fault("problem-as-application-json") else PROBLEM_MEDIA_TYPE
        response = Response(json.dumps(body), status_code=problem.status, media_type=media)
        for name, value in problem.headers.items():
            response.headers[name] = value
        return response

    def date(self, epoch: float) -> str:
        if self.fault("dates-iso8601"):
            return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return akamai_date(epoch)

    def key(self, stream_id: int, version: int, status: int = 202) -> Response:
        return self.json(
            {"streamVersionKey": {"streamId": stream_id, "streamVersionId": version}}, status
        )

    def status(self, version: Version, at: float | None = None) -> str:
        status = version.status(
            self.state.clock() if at is None else at, self.state.config.activation_delay
        )
        return (
            "ACTIVE" if self.fault("activation-status-active") and status == ACTIVATED else status
        )

    def properties_of(self, version: Version) -> list[dict[str, Any]]:
        return [
            {
                "propertyId": pid,
                "propertyName": self.state.property_names.get(pid, f"property-{pid}"),
            }
            for pid in version.config.get("propertyIds", [])
        ]

    def summary(self, stream: Stream, version: Version) -> dict[str, Any]:
        connectors = version.config.get("connectors", [])
        names = self.state.connector_type_names
        properties: Any = self.properties_of(version)
        if self.fault("list-properties-as-string"):
            properties = ",".join(p["propertyName"] for p in properties)
        current = (
            version.number + 1 if self.fault("current-version-id-off-by-one") else version.number
        )
        return {
            "streamId": stream.stream_id,
            "streamName": version.config.get("streamName"),
            "streamVersionId": version.number,
            "createdBy": stream.created_by,
            "createdDate": self.date(stream.created_at),
            "currentVersionId": current,
            "archived": False,
            "activationStatus": self.status(version),
            "groupId": stream.group_id,
            "groupName": self.state.groups[stream.group_id]["groupName"],
            "contractId": version.config.get("contractId"),
            "connectors": ",".join(
                f"{names.get(c.get('connectorType'), c.get('connectorType'))}"
                f"-{c.get('connectorName')}"
                for c in connectors
            ),
            "streamTypeName": "RAW_LOGS"
            if self.fault("stream-type-name-raw-logs")
            else seed.STREAM_TYPE_NAME,
            "properties": properties,
        }

    def detail(
        self, stream: Stream, version: Version, *, at: float | None = None
    ) -> dict[str, Any]:
        config = version.config
        product = self.state.products[stream.product_id]
        detail: dict[str, Any] = {
            "streamId": stream.stream_id,
            "streamVersionId": version.number,
            "streamName": config.get("streamName"),
            "productId": stream.product_id,
            "productName": product["productName"],
            "templateName": "RAW_LOGS"
            if self.fault("template-name-raw-logs")
            else config.get("templateName"),
            "groupId": stream.group_id,
            "groupName": self.state.groups[stream.group_id]["groupName"],
            "contractId": config.get("contractId"),
            "streamType": "Logs - Raw"
            if self.fault("stream-type-wrong-in-get")
            else config.get("streamType"),
            "activationStatus": self.status(version, at),
            "createdBy": stream.created_by,
            "createdDate": self.date(stream.created_at),
            "modifiedBy": USER,
            "modifiedDate": self.date(version.modified_at),
        }
        if self.fault("get-stream-missing-product-name"):
            del detail["productName"]
        if "emailIds" in config:
            detail["emailIds"] = config["emailIds"]
        detail["config"] = json.loads(json.dumps(config.get("config", {})))
        detail["datasets"] = self._datasets(config.get("datasetFieldIds", []))
        detail["connectors"] = [self._saved_connector(c) for c in config.get("connectors", [])]
        detail["properties"] = self.properties_of(version)
        if self.fault("stream-error-bad-type"):
            detail["errors"] = [
                {"type": "FAILED", "title": "Failed", "detail": f"Version {version.number} failed."}
            ]
        return detail

    def _datasets(self, field_ids: list[Any]) -> list[dict[str, Any]]:
        ids = [i for i in field_ids if is_int(i) and i in self.state.dataset_fields]
        if self.fault("datasets-drop-last-field"):
            ids = ids[:-1]
        order = {
            fid: n
            for n, fid in enumerate(sorted(ids) if self.fault("dataset-order-by-id") else ids)
        }
        first = 1 if self.fault("dataset-order-from-1") else 0
        groups: list[dict[str, Any]] = []
        for template_group in seed.dataset_groups():
            chosen = [
                {**f, "order": order[f["datasetFieldId"]] + first}
                for f in template_group["datasetFields"]
                if f["datasetFieldId"] in order
            ]
            if chosen:
                chosen.sort(key=lambda f: int(f["order"]))
                group = {k: v for k, v in template_group.items() if k != "datasetFields"}
                group["datasetFields"] = chosen
                groups.append(group)
        return groups

    def _saved_connector(self, stored: dict[str, Any]) -> dict[str, Any]:
        ctype = stored.get("connectorType")
        shown = dict(stored)
        for secret in SECRETS.get(str(ctype), ()):
            fault = _ECHO_FAULTS.get(secret) or _ECHO_FAULTS.get(f"{ctype}:{secret}")
            if not (fault and self.fault(fault)):
                shown.pop(secret, None)
        if self.fault("connector-id-as-string"):
            shown["connectorId"] = str(shown["connectorId"])
        return shown
