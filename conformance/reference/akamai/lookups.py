"""The Akamai lookup operations: properties, connector types, data set fields, groups,
products and stream types (the seed's catalogues, reshaped by their faults)."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from conformance.reference.akamai import seed_data as seed
from conformance.reference.akamai.rendering import Renderer
from conformance.reference.akamai.state import AkamaiState
from conformance.reference.problem_details import ProblemError


class Lookups:
    """Handlers of the six read-only catalogue operations."""

    def __init__(self, state: AkamaiState, render: Renderer) -> None:
        self.state = state
        self.fault = state.fault
        self.render = render

    async def list_properties(
        self, request: Request, body: bytes, product_id: str, group_id: str
    ) -> Response:
        if not group_id.isdigit():
            raise ProblemError(404, f"There is no group {group_id!r}.")
        gid = int(group_id)
        if gid not in self.state.groups and not self.fault("unknown-group-properties-allowed"):
            raise ProblemError(403, f"The account has no access to group {gid}.")
        if self.fault("child-group-properties-forbidden") and self.state.groups[gid].get(
            "parentGroupId"
        ):
            raise ProblemError(403, f"The account has no access to group {gid}.")
        if product_id not in self.state.products:
            raise ProblemError(404, f"There is no product {product_id!r}.")
        found = [dict(p) for p in self.state.properties.get((product_id, gid), [])]
        if self.fault("property-id-as-string"):
            found = [{**p, "propertyId": str(p["propertyId"])} for p in found]
        return self.render.json(found, as_text=self.fault("properties-as-text"))

    async def list_connector_types(self, request: Request, body: bytes) -> Response:
        types = [dict(c) for c in seed.CONNECTOR_TYPES]
        if self.fault("connector-type-name-missing"):
            types = [{"connectorType": c["connectorType"]} for c in types]
        if self.fault("splunk-missing-from-connector-types"):
            types = [c for c in types if c["connectorType"] != "SPLUNK"]
        return self.render.json(types, as_text=self.fault("connector-types-as-text"))

    async def list_dataset_fields(
        self, request: Request, body: bytes, template_name: str
    ) -> Response:
        if template_name != seed.TEMPLATE_NAME and not self.fault("any-template-accepted"):
            raise ProblemError(404, f"There is no data set template {template_name!r}.")
        groups = seed.dataset_groups()
        for group in groups:
            if self.fault("dataset-fields-sample-only"):
                group["datasetFields"] = [
                    f
                    for f in group["datasetFields"]
                    if f["datasetFieldId"] not in seed.TABLE_ONLY_FIELD_IDS
                ]
            for index, field in enumerate(group["datasetFields"]):
                if self.fault("dataset-fields-carry-order"):
                    field["order"] = index
                if self.fault("dataset-field-id-as-string"):
                    field["datasetFieldId"] = str(field["datasetFieldId"])
        if self.fault("dataset-field-1068-twice"):
            groups[-2]["datasetFields"].append(
                {
                    "datasetFieldId": 1068,
                    "datasetFieldName": "Error code",
                    "datasetFieldDescription": "A string describing a specific issue with "
                    "serving the request.",
                }
            )
        return self.render.json(groups, as_text=self.fault("dataset-fields-as-text"))

    async def list_groups(self, request: Request, body: bytes) -> Response:
        groups = [dict(g) for g in seed.GROUPS]
        if self.fault("group-enabled-missing"):
            groups = [{k: v for k, v in g.items() if k != "enabled"} for g in groups]
        return self.render.json(groups, 202 if self.fault("groups-answer-202") else 200)

    async def list_products(self, request: Request, body: bytes) -> Response:
        products = json.loads(json.dumps(seed.PRODUCTS))
        for product in products:
            if self.fault("products-list-foreign-group"):
                product["groups"].append(
                    {
                        "groupId": 18544,
                        "groupName": "DefaultGroup",
                        "parentGroupId": None,
                        "contractIds": ["1-5C1778"],
                        "childGroups": [],
                    }
                )
            if self.fault("product-templates-missing"):
                del product["templates"]
            if self.fault("product-template-raw-logs"):
                product["templates"] = [{"templateName": "RAW_LOGS"}]
            if self.fault("product-group-contract-ids-missing"):
                for group in product["groups"]:
                    del group["contractIds"]
        return self.render.json(products, as_text=self.fault("products-as-text"))

    async def list_stream_types(self, request: Request, body: bytes) -> Response:
        types = [dict(t) for t in seed.STREAM_TYPES]
        if self.fault("stream-type-is-raw-missing"):
            types = [{k: v for k, v in t.items() if k != "isRaw"} for t in types]
        if self.fault("stream-types-list-extra"):
            types.append(
                {
                    "streamTypeName": "Logs - Structured",
                    "streamType": "STRUCTURED_LOGS",
                    "isRaw": False,
                }
            )
        return self.render.json(types, as_text=self.fault("stream-types-as-text"))
