"""The Azion streaming operations: list and create (/data_streaming/streamings), get, PUT,
PATCH and delete (/data_streaming/streamings/{id})."""

from __future__ import annotations

import copy
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from conformance.reference.azion.records import DEFAULT_DATA_SOURCE, STREAMING_MEMBERS, Records
from conformance.reference.azion.rendering import Renderer
from conformance.reference.azion.state import AzionState
from conformance.reference.azion.transport import Gates
from conformance.reference.azion.validation import Validator

CONSTANT_STREAMING_ID = 49  # what every create answers under the constant-id fault (the seed's)


class Streamings:
    """Handlers of the streaming operations."""

    def __init__(
        self,
        state: AzionState,
        render: Renderer,
        gates: Gates,
        validate: Validator,
        records: Records,
    ) -> None:
        self.state = state
        self.fault = state.fault
        self.render = render
        self.gates = gates
        self.validate = validate
        self.records = records

    async def streamings(self, request: Request) -> Response:
        """GET (listStreamings) and POST (createStreaming) /data_streaming/streamings."""
        refused = self.gates.gate(request)
        if refused is not None:
            return refused
        if request.method in ("GET", "HEAD"):
            return self._list()
        body = await self.gates.read_json(request)
        if isinstance(body, Response):
            return body
        problems = self.validate.problems("createStreaming", body)
        if problems:
            return self.render.bad_request(problems)
        with self.state.store.lock:
            new_id = (
                CONSTANT_STREAMING_ID
                if self.fault("constant-id")
                else self.state.store.allocate_id()
            )
            record = self.records.full_record(new_id, body)
            if self.fault("create-drops-domain-ids"):
                record["domain_ids"] = []
            self.state.store.put(record)
        shown = self.render.record(record)
        if self.fault("create-id-string"):
            shown["id"] = str(shown["id"])
        return self.render.success(shown, 200 if self.fault("create-status-200") else 201)

    def _list(self) -> Response:
        records = self.state.store.all(include_deleted=self.fault("deleted-still-listed"))
        if self.fault("list-hides-inactive"):
            records = [r for r in records if r.get("active") is not False]
        if self.fault("list-omits-newest") and records:
            newest = max(r["id"] for r in records)
            records = [r for r in records if r["id"] != newest]
        shown = [self.render.record(r) for r in records]
        if self.fault("list-returns-summaries"):
            shown = [{"id": s["id"], "name": s.get("name")} for s in shown]
        return self.render.success(shown)

    async def streaming(self, request: Request) -> Response:
        """GET, PUT, PATCH and DELETE /data_streaming/streamings/{id}."""
        streaming_id = self.gates.path_id(request)
        if isinstance(streaming_id, Response):
            return streaming_id
        refused = self.gates.gate(request)
        if refused is not None:
            return refused
        method = request.method
        if method in ("GET", "HEAD"):
            return self._get(streaming_id)
        if method == "DELETE":
            return self._delete(streaming_id)
        body = await self.gates.read_json(request)
        if isinstance(body, Response):
            return body
        if method == "PUT":
            return self._replace(streaming_id, body)
        return self._update(streaming_id, body)

    def _get(self, streaming_id: int) -> Response:
        record = self.state.store.get(
            streaming_id, include_deleted=self.fault("deleted-still-readable")
        )
        if record is None:
            if self.fault("unknown-id-500"):
                return self.render.internal_error()
            return self.render.not_found()
        if self.fault("get-returns-first-streaming"):
            record = self.state.store.all()[0]
        shown = self.render.record(record)
        if self.fault("wrong-id"):
            others = [r["id"] for r in self.state.store.all() if r["id"] != streaming_id]
            shown["id"] = max(others) if others else streaming_id + 1
        if self.fault("get-omits-headers") and isinstance(shown.get("endpoint"), dict):
            shown["endpoint"].pop("headers", None)
        return self.render.success([shown] if self.fault("get-results-as-array") else shown)

    def _replace(self, streaming_id: int, body: Any) -> Response:
        partial = self.fault("put-acts-as-patch")
        problems = self.validate.problems(
            "updateStreaming" if partial else "replaceStreaming", body
        )
        if problems:
            return self.render.bad_request(problems)
        with self.state.store.lock:
            current = self.state.store.streamings.get(streaming_id)
            if current is None and not self.fault("put-unknown-id-upserts"):
                return self.render.not_found()
            if partial and current is not None:
                record = copy.deepcopy(current)
                for key in STREAMING_MEMBERS:
                    if key in body:
                        self.records.apply_member(record, key, body[key])
            else:
                record = self.records.full_record(streaming_id, body)
            if current is None:
                self.state.store.next_id = max(self.state.store.next_id, streaming_id + 1)
            if not self.fault("edit-not-persisted"):
                self.state.store.put(record)
        if self.fault("put-status-204"):
            return Response(status_code=204)
        return self.render.success(self.render.record(record))

    def _update(self, streaming_id: int, body: Any) -> Response:
        problems = self.validate.problems("updateStreaming", body)
        if problems:
            return self.render.bad_request(problems)
        with self.state.store.lock:
            current = self.state.store.streamings.get(streaming_id)
            if current is None:
                return self.render.not_found()
            record = copy.deepcopy(current)
            if self.fault("patch-acts-as-put"):
                record["active"] = True
                record["data_source"] = DEFAULT_DATA_SOURCE
                record["domain_ids"] = []
            for key in STREAMING_MEMBERS:
                if key in body:
                    self.records.apply_member(record, key, body[key])
            if not self.fault("edit-not-persisted"):
                self.state.store.put(record)
        shown = self.render.record(record)
        if self.fault("patch-returns-only-changes"):
            shown = {k: v for k, v in shown.items() if k == "id" or k in body}
        return self.render.success(shown)

    def _delete(self, streaming_id: int) -> Response:
        record = self.state.store.get(streaming_id)
        if not self.state.store.delete(streaming_id):
            if self.fault("delete-unknown-id-204"):
                return Response(status_code=204)
            return self.render.not_found()
        if self.fault("delete-status-200-body") and record is not None:
            return self.render.success(self.render.record(record))
        return Response(status_code=204)
