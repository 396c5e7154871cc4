"""A signed client of the Akamai reference server, shared by the Akamai reference tests.

It signs every request with edgegrid-python's `EdgeGridAuth` on a `requests.Session` (as the
suite's own client does) and, unless told otherwise, checks every answer against the response
schema the spec documents for that operation and status.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import requests
from akamai.edgegrid import EdgeGridAuth

from conformance.apis import AKAMAI
from conformance.apis.akamai.reference import seed_data as seed
from conformance.apis.akamai.reference.credentials import EdgeGridCredentials
from conformance.openapi_document import OpenApiDocument
from conformance.reference.config import ReferenceConfig

BASE = "/datastream-config-api/v1/log"
CREDENTIALS = EdgeGridCredentials(
    client_token="akab-dsconform-client-token",
    client_secret="ZHNjb25mb3JtLWNsaWVudC1zZWNyZXQ=",
    access_token="akab-dsconform-access-token",
)
DOCUMENT = OpenApiDocument.load(AKAMAI.spec_path)
PAIR = ("Download_Delivery", 21484)


def fast_config(**changes: Any) -> ReferenceConfig:
    """A server for tests: signed requests, a generous budget, no activation delay."""
    settings: dict[str, Any] = {
        "credentials": CREDENTIALS,
        "rate_limit": 10_000,
        "activation_delay": 0.0,
    }
    settings.update(changes)
    return ReferenceConfig(**settings)


def _operation_routes() -> list[tuple[re.Pattern[str], str, str]]:
    routes = []
    for operation in DOCUMENT.operations:
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", operation.path)
        routes.append((re.compile(pattern + "$"), operation.method.upper(), operation.operation_id))
    return routes


_ROUTES = _operation_routes()


def operation_of(method: str, path: str) -> str | None:
    """The operationId of `method path` (query removed), or None."""
    bare = path.split("?", 1)[0]
    for pattern, op_method, operation_id in _ROUTES:
        if op_method == method.upper() and pattern.match(bare):
            return operation_id
    return None


# ---------------------------------------------------------------------- request bodies
def _create_examples() -> dict[str, dict[str, Any]]:
    operation = DOCUMENT.operation("createStream")
    examples = operation.definition["requestBody"]["content"]["application/json"]["examples"]
    return {name: example["value"] for name, example in examples.items()}


CREATE_EXAMPLES = _create_examples()
CONNECTORS = {
    name: CREATE_EXAMPLES[key]["connectors"][0]
    for name, key in (
        ("S3", "seed"),
        ("AZURE", "azure"),
        ("DATADOG", "datadog"),
        ("SPLUNK", "splunk"),
    )
}
EDIT_KEYS = (
    "streamName",
    "streamType",
    "templateName",
    "contractId",
    "emailIds",
    "propertyIds",
    "datasetFieldIds",
    "config",
)


def connector(kind: str, **changes: Any) -> dict[str, Any]:
    """The seed's connector sample of `kind`, members changed or dropped (None)."""
    body = copy.deepcopy(CONNECTORS[kind])
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


class Api:
    """One reference server, spoken to with signed requests."""

    def __init__(self, base: str, *, check_schemas: bool = True) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.auth = EdgeGridAuth(
            client_token=CREDENTIALS.client_token,
            client_secret=CREDENTIALS.client_secret,
            access_token=CREDENTIALS.access_token,
        )
        self.check_schemas = check_schemas
        self._free = {
            pair: [p["propertyId"] for p in props]
            for pair, props in seed.properties_by_pair().items()
        }

    def url(self, path: str) -> str:
        return f"{self.base}{BASE}{path}"

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        signed: bool = True,
    ) -> requests.Response:
        """One request below the base path; answers are checked against the spec's schemas."""
        sender = self.session if signed else requests
        response = sender.request(
            method, self.url(path), json=json, data=data, headers=headers, timeout=10
        )
        if self.check_schemas:
            check_against_spec(method, path, response)
        return response

    # -------------------------------------------------------------- stream helpers
    def properties(self, count: int = 1, pair: tuple[str, int] = PAIR) -> list[int]:
        """`count` properties of `pair` no earlier body of this client has used."""
        free = self._free[pair]
        taken, self._free[pair] = free[:count], free[count:]
        return taken

    def body(self, **changes: Any) -> dict[str, Any]:
        """The seed's create sample with fresh properties, members changed or dropped (None)."""
        body = copy.deepcopy(CREATE_EXAMPLES["seed"])
        body["propertyIds"] = self.properties(1)
        for key, value in changes.items():
            if value is None:
                body.pop(key, None)
            else:
                body[key] = value
        return body

    def edit_body(self, created: dict[str, Any], **changes: Any) -> dict[str, Any]:
        """An editStream body made from a create body (the members the edit sample has)."""
        body = {key: copy.deepcopy(created[key]) for key in EDIT_KEYS if key in created}
        for key, value in changes.items():
            if value is None:
                body.pop(key, None)
            else:
                body[key] = value
        return body

    def create(self, body: dict[str, Any] | None = None, **changes: Any) -> requests.Response:
        return self.call(
            "POST", "/streams", json=body if body is not None else self.body(**changes)
        )

    def created(self, body: dict[str, Any] | None = None, **changes: Any) -> int:
        """Create a stream and return its id (the create must succeed)."""
        response = self.create(body, **changes)
        assert response.status_code == 202, response.text
        return int(response.json()["streamVersionKey"]["streamId"])

    def stream(self, stream_id: int, version: int | None = None) -> dict[str, Any]:
        query = f"?version={version}" if version is not None else ""
        response = self.call("GET", f"/streams/{stream_id}{query}")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.call(method, path, **kwargs).json()


def check_against_spec(method: str, path: str, response: requests.Response) -> None:
    """Fail unless the answer is one the spec documents for this operation, body included."""
    operation_id = operation_of(method, path)
    if operation_id is None:
        return
    operation = DOCUMENT.operation(operation_id)
    status = response.status_code
    assert str(status) in operation.definition["responses"], (
        f"{method} {path}: {status} is not documented"
    )
    for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining"):
        assert header in response.headers, f"{method} {path}: no {header}"
    pointer = DOCUMENT.response_schema_pointer(operation, status)
    if pointer is None or not response.content:
        return
    errors = list(DOCUMENT.validator(pointer).iter_errors(response.json()))
    assert not errors, f"{method} {path} {status}: {[e.message for e in errors][:3]}"
