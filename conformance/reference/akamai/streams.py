"""The Akamai stream operations: list, get, history, activation history, create, edit,
delete, activate and deactivate."""

from __future__ import annotations

import json
import re

from starlette.requests import Request
from starlette.responses import Response

from conformance.reference.akamai.records import Records
from conformance.reference.akamai.rendering import Renderer
from conformance.reference.akamai.state import USER, AkamaiState
from conformance.reference.akamai.store import ActivationEntry, Stream, Version
from conformance.reference.akamai.validation import Validator
from conformance.reference.problem_details import FieldProblem, ProblemError

CONSTANT_STREAM_ID = 1001  # what every create answers under the constant-id fault


def _entry(version: int, is_active: bool, at: float) -> ActivationEntry:
    return ActivationEntry(version, is_active, at, USER)


class Streams:
    """Handlers of the nine stream operations, and their path and query parameters."""

    def __init__(
        self, state: AkamaiState, render: Renderer, validate: Validator, records: Records
    ) -> None:
        self.state = state
        self.fault = state.fault
        self.render = render
        self.validate = validate
        self.records = records

    def _stream_id(self, text: str) -> int:
        if re.fullmatch(r"-?[0-9]+", text):
            return int(text)
        if self.fault("non-integer-stream-id-500"):
            raise ProblemError(500, "Unexpected error.")
        raise ProblemError(404, f"There is no stream {text!r}.")

    def _int_query(self, request: Request, name: str, ignore_bad: bool) -> int | None:
        text = request.query_params.get(name)
        if text is None:
            return None
        if re.fullmatch(r"-?[0-9]+", text.strip()):
            return int(text)
        if ignore_bad:
            return None
        raise ProblemError(
            400, f"The {name} query parameter must be an integer.", [FieldProblem(name, text)]
        )

    def _live_stream(self, stream_id: int, *, include_deleted: bool = False) -> Stream:
        stream = (
            self.state.store.streams.get(stream_id)
            if include_deleted
            else self.state.store.live(stream_id)
        )
        if stream is None:
            raise ProblemError(404, f"There is no stream {stream_id}.")
        return stream

    async def list_streams(self, request: Request, body: bytes) -> Response:
        group_id = self._int_query(request, "groupId", self.fault("non-integer-group-id-ignored"))
        unknown = group_id is not None and group_id not in self.state.groups
        if unknown and not self.fault("unknown-group-streams-allowed"):
            raise ProblemError(403, f"The account has no access to group {group_id}.")
        with self.state.store.lock:
            streams = sorted(
                (s for s in self.state.store.streams.values() if not s.deleted),
                key=lambda s: s.stream_id,
                reverse=True,
            )
            if self.fault("list-omits-newest-stream") and streams:
                streams = streams[1:]
            if group_id is not None and not self.fault("group-filter-ignored"):
                streams = [s for s in streams if s.group_id == group_id]
            items = [
                self.render.summary(
                    s, s.versions[0] if self.fault("list-shows-first-version") else s.latest
                )
                for s in streams
            ]
        return self.render.json(items, as_text=self.fault("list-streams-as-text"))

    async def get_stream(self, request: Request, body: bytes, stream_id: str) -> Response:
        sid = self._stream_id(stream_id)
        version_number = self._int_query(
            request, "version", self.fault("non-integer-version-ignored")
        )
        if version_number is not None and version_number < 1:
            raise ProblemError(400, "The version query parameter must be at least 1.")
        with self.state.store.lock:
            stream = self.state.store.streams.get(sid)
            if stream is None or (
                stream.deleted and not self.fault("deleted-stream-still-readable")
            ):
                if self.fault("unknown-stream-500"):
                    raise ProblemError(500, "Unexpected error.")
                raise ProblemError(
                    400 if self.fault("get-unknown-stream-400") else 404,
                    f"There is no stream {sid}.",
                )
            version = (
                stream.versions[0] if self.fault("get-returns-first-version") else stream.latest
            )
            if version_number is not None and not self.fault("version-query-ignored"):
                found = stream.version(version_number)
                if self.fault("old-versions-discarded") and version_number != stream.latest.number:
                    found = None
                if found is None and not self.fault("unknown-version-returns-latest"):
                    raise ProblemError(404, f"Stream {sid} has no version {version_number}.")
                version = found or stream.latest
            detail = self.render.detail(stream, version)
            if self.fault("wrong-id"):
                others = [s for s in self.state.store.streams if s != sid]
                detail["streamId"] = max(others) if others else sid + 1
        return self.render.json(detail, as_text=self.fault("get-stream-as-text"))

    async def stream_history(self, request: Request, body: bytes, stream_id: str) -> Response:
        sid = self._stream_id(stream_id)
        with self.state.store.lock:
            if self.fault("history-unknown-stream-empty") and self.state.store.live(sid) is None:
                return self.render.json([])
            stream = self._live_stream(sid)
            versions = list(reversed(stream.versions))
            if self.fault("history-missing-first-version") and len(versions) > 1:
                versions = versions[:-1]
            if self.fault("history-duplicates-latest"):
                versions.insert(0, versions[0])
            if self.fault("history-entries-summaries"):
                items = [self.render.summary(stream, v) for v in versions]
            else:
                items = [
                    self.render.detail(
                        stream,
                        v,
                        at=v.modified_at
                        if self.fault("history-activation-status-frozen")
                        else None,
                    )
                    for v in versions
                ]
        return self.render.json(items, as_text=self.fault("history-as-text"))

    async def activation_history(self, request: Request, body: bytes, stream_id: str) -> Response:
        sid = self._stream_id(stream_id)
        with self.state.store.lock:
            if (
                self.fault("activation-history-unknown-stream-empty")
                and self.state.store.live(sid) is None
            ):
                return self.render.json([])
            stream = self._live_stream(sid)
            items = [
                {
                    "streamId": stream.stream_id,
                    "streamVersionId": entry.version,
                    "createdBy": entry.by,
                    "createdDate": self.render.date(entry.at),
                    "isActive": str(entry.is_active).lower()
                    if self.fault("activation-history-is-active-string")
                    else entry.is_active,
                }
                for entry in reversed(stream.activations)
            ]
        return self.render.json(items, as_text=self.fault("activation-history-as-text"))

    async def create_stream(self, request: Request, body: bytes) -> Response:
        document = self.validate.body(request, body, "createStream")
        group_id = int(document["groupId"])
        if group_id not in self.state.groups:
            raise ProblemError(403, f"The account has no access to group {group_id}.")
        product_id = self.validate.product_of(document, group_id)
        now = self.state.clock()
        with self.state.store.lock:
            problems = self.validate.problems(document, product_id, group_id, None)
            if problems:
                raise ProblemError(
                    400,
                    "The stream configuration is not valid.",
                    problems,
                    title="Erroneous data input",
                )
            active = bool(document.get("activateNow", False))
            if self.fault("activate-now-ignored"):
                active = False
            if self.fault("create-always-activates"):
                active = True
            stream = Stream(
                stream_id=(
                    CONSTANT_STREAM_ID
                    if self.fault("constant-id")
                    else self.state.store.allocate_stream_id()
                ),
                product_id=product_id,
                group_id=group_id,
                created_at=now,
                created_by=USER,
            )
            version = Version(
                1, self.records.config(document, None), now, active, now if active else None
            )
            stream.versions.append(version)
            if active and not self.fault("activate-now-not-recorded"):
                stream.activations.append(_entry(1, True, now))
            self.state.store.streams[stream.stream_id] = stream
        if self.fault("create-key-unwrapped"):
            return self.render.json({"streamId": stream.stream_id, "streamVersionId": 1}, 202)
        shown_id = stream.stream_id + 1 if self.fault("create-key-wrong-id") else stream.stream_id
        return self.render.key(shown_id, 1, 201 if self.fault("create-answers-201") else 202)

    async def edit_stream(self, request: Request, body: bytes, stream_id: str) -> Response:
        sid = self._stream_id(stream_id)
        with self.state.store.lock:
            self._live_stream(sid)
        document = self.validate.body(request, body, "editStream")
        now = self.state.clock()
        with self.state.store.lock:
            stream = self._live_stream(sid)
            problems: list[FieldProblem] = []
            if document.get("groupId") is not None and document["groupId"] != stream.group_id:
                problems.append(
                    FieldProblem(
                        "groupId",
                        f"The stream belongs to group {stream.group_id}; an edit can't move it.",
                    )
                )
            if "productId" in document and document["productId"] != stream.product_id:
                problems.append(
                    FieldProblem(
                        "productId",
                        f"The stream is for {stream.product_id}; an edit can't change it.",
                    )
                )
            problems += self.validate.problems(document, stream.product_id, stream.group_id, stream)
            if problems:
                raise ProblemError(
                    400,
                    "The stream configuration is not valid.",
                    problems,
                    title="Erroneous data input",
                )
            base = stream.latest
            active = base.active
            if self.fault("edit-deactivates-active-stream"):
                active = False
            if self.fault("edit-activates-inactive-stream"):
                active = True
            if self.fault("edit-honours-activate-now") and "activateNow" in document:
                active = bool(document["activateNow"])
            number = base.number + (2 if self.fault("versions-step-by-two") else 1)
            if self.fault("edit-does-not-bump-version"):
                number = base.number
            stored = (
                json.loads(json.dumps(base.config))
                if self.fault("edit-not-persisted")
                else self.records.config(document, base)
            )
            version = Version(number, stored, now, active, now if active else None)
            if self.fault("edit-does-not-bump-version"):
                stream.versions[-1] = version
            else:
                stream.versions.append(version)
            if self.fault("activation-history-reset-on-edit"):
                stream.activations.clear()
            if active:
                stream.activations.append(_entry(number, True, now))
        shown = base.number if self.fault("edit-key-old-version") else number
        return self.render.key(sid, shown, 200 if self.fault("edit-answers-200") else 202)

    async def delete_stream(self, request: Request, body: bytes, stream_id: str) -> Response:
        sid = self._stream_id(stream_id)
        with self.state.store.lock:
            stream = self.state.store.live(sid)
            if stream is None and not self.fault("delete-unknown-stream-200"):
                raise ProblemError(404, f"There is no stream {sid}.")
            if stream is not None:
                stream.deleted = True
        if self.fault("delete-answers-204"):
            return Response(status_code=204)
        return self.render.json(
            {"message": "Deleted" if self.fault("delete-message-deleted") else "Success"}
        )

    async def activate_stream(self, request: Request, body: bytes, stream_id: str) -> Response:
        sid = self._stream_id(stream_id)
        now = self.state.clock()
        with self.state.store.lock:
            stream = self.state.store.streams.get(sid)
            if stream is None and self.fault("activate-unknown-stream-202"):
                return self.render.key(sid, 1)
            stream = self._live_stream(
                sid, include_deleted=self.fault("deleted-stream-activatable")
            )
            latest = stream.latest
            if latest.active:
                raise ProblemError(
                    400, f"Version {latest.number} of stream {sid} is already active."
                )
            if self.fault("reactivation-refused") and any(
                not e.is_active for e in stream.activations
            ):
                raise ProblemError(
                    400, f"Stream {sid} was deactivated and can't be activated again."
                )
            if not self.fault("activate-not-applied"):
                latest.active, latest.changed_at = True, now
            if not self.fault("activation-not-recorded"):
                stream.activations.append(_entry(latest.number, True, now))
        if self.fault("activate-answers-message"):
            return self.render.json({"message": "Success"}, 202)
        shown = 1 if self.fault("activate-key-first-version") else latest.number
        return self.render.key(sid, shown, 200 if self.fault("activate-answers-200") else 202)

    async def deactivate_stream(self, request: Request, body: bytes, stream_id: str) -> Response:
        sid = self._stream_id(stream_id)
        now = self.state.clock()
        with self.state.store.lock:
            stream = self._live_stream(sid)
            latest = stream.latest
            if not latest.active:
                raise ProblemError(400, f"Version {latest.number} of stream {sid} is not active.")
            if not self.fault("deactivate-not-applied"):
                latest.active, latest.changed_at = False, now
            if not self.fault("deactivation-not-recorded"):
                stream.activations.append(_entry(latest.number, False, now))
        if self.fault("deactivate-answers-message"):
            return self.render.json({"message": "Success"}, 202)
        shown = 1 if self.fault("deactivate-key-first-version") else latest.number
        return self.render.key(sid, shown, 200 if self.fault("deactivate-answers-200") else 202)
