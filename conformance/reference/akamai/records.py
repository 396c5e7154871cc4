"""What a version of an Akamai stream keeps of a createStream or editStream body: its
members with defaults filled in, and each connector with its id and compressLogs."""

from __future__ import annotations

import json
from typing import Any

from conformance.reference.akamai.state import AkamaiState
from conformance.reference.akamai.store import Version


class Records:
    """The storage mapping of request bodies, and its faults."""

    def __init__(self, state: AkamaiState) -> None:
        self.state = state
        self.fault = state.fault

    def config(self, body: dict[str, Any], previous: Version | None) -> dict[str, Any]:
        """What a version keeps: the request's members with defaults filled in."""
        stored: dict[str, Any] = {
            key: json.loads(json.dumps(body[key]))
            for key in (
                "streamName",
                "streamType",
                "templateName",
                "contractId",
                "emailIds",
                "propertyIds",
                "datasetFieldIds",
                "config",
            )
            if key in body
        }
        if "propertyIds" in stored:
            stored["propertyIds"] = list(dict.fromkeys(stored["propertyIds"]))
        if self.fault("create-drops-email-ids"):
            stored.pop("emailIds", None)
        if self.fault("create-stores-first-property-only"):
            stored["propertyIds"] = stored.get("propertyIds", [])[:1]
        config = stored.setdefault("config", {})
        config.setdefault(
            "uploadFilePrefix", "logs" if self.fault("prefix-default-wrong") else "ak"
        )
        config.setdefault("uploadFileSuffix", "ak" if self.fault("suffix-default-wrong") else "ds")
        if self.fault("frequency-not-stored"):
            config["frequency"] = {"timeInSec": 30}
        if "connectors" in body:
            stored["connectors"] = [self._connector(c) for c in body["connectors"]]
        else:
            stored["connectors"] = (
                json.loads(json.dumps(previous.config["connectors"])) if previous else []
            )
        return stored

    def _connector(self, connector: dict[str, Any]) -> dict[str, Any]:
        stored = dict(connector)
        ctype = stored.get("connectorType")
        stored["connectorId"] = self.state.store.allocate_connector_id()
        if ctype == "S3":
            stored["compressLogs"] = not self.fault("s3-compress-logs-false")
        elif ctype == "AZURE":
            stored["compressLogs"] = not self.fault("azure-compress-logs-false")
        elif ctype == "DATADOG":
            stored.setdefault("compressLogs", self.fault("datadog-compress-default-true"))
            if self.fault("datadog-tags-dropped"):
                stored.pop("tags", None)
        elif ctype == "SPLUNK":
            stored.setdefault("compressLogs", not self.fault("splunk-compress-default-false"))
        else:
            stored.setdefault("compressLogs", True)
        return stored
