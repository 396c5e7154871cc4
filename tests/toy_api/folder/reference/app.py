"""Reference server of the toy Notes API, with switchable faults (see faults.py)."""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.apis.toy.reference.faults import FAULTS, VACUITY_FAULTS
from conformance.reference.config import ReferenceConfig
from conformance.reference.faults import FaultSwitchboard

VERSION = {"X-Toy-Version": "1"}


class Notes:
    """The notes of one server instance, and its faults."""

    def __init__(self, config: ReferenceConfig) -> None:
        self.faults = FaultSwitchboard((*FAULTS, *VACUITY_FAULTS), config.faults)
        self.notes: dict[int, dict[str, Any]] = {}
        self.next_id = 1
        self.deleted: dict[int, dict[str, Any]] = {}

    def answer(self, status: int, body: Any = None) -> Response:
        headers = {} if self.faults.active("no-version-header") else dict(VERSION)
        if body is None:
            return Response(status_code=status, headers=headers)
        return JSONResponse(body, status_code=status, headers=headers)

    async def http_error(self, request: Request, exc: Exception) -> Response:
        """Unknown paths and wrong methods, with the version header like every answer."""
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return self.answer(status, {"error": "not found" if status == 404 else "refused"})

    async def collection(self, request: Request) -> Response:
        if request.method == "GET":
            return self.answer(200, {"items": list(self.notes.values())})
        if self.faults.active("writes-refused"):
            return self.answer(403, {"error": "forbidden"})
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            return self.answer(400, {"error": "the body is not JSON"})
        problem = _problem(body)
        if problem and not (self.faults.active("nameless-note-accepted") and "name" in problem):
            return self.answer(400, {"error": problem})
        note = {"id": self.next_id, "name": str(body.get("name", "")), "text": body.get("text", "")}
        self.notes[self.next_id] = note
        self.next_id += 1
        return self.answer(200 if self.faults.active("create-answers-200") else 201, note)

    async def item(self, request: Request) -> Response:
        try:
            note_id = int(request.path_params["note_id"])
        except ValueError:
            return self.answer(404, {"error": "not found"})
        if request.method == "GET":
            note = self.notes.get(note_id)
            if note is None and self.faults.active("deleted-note-found"):
                note = self.deleted.get(note_id)
            return self.answer(200, note) if note else self.answer(404, {"error": "not found"})
        if self.faults.active("writes-refused"):
            return self.answer(403, {"error": "forbidden"})
        if note_id not in self.notes:
            return self.answer(404, {"error": "not found"})
        self.deleted[note_id] = self.notes.pop(note_id)
        return self.answer(204)


def _problem(body: Any) -> str | None:
    """Why a create body breaks the schema (NoteCreate), or None."""
    if not isinstance(body, dict):
        return "the body must be an object"
    extra = sorted(set(body) - {"name", "text"})
    if extra:
        return f"unknown members: {', '.join(extra)}"
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 64:
        return "name is required: a string of 1 to 64 characters"
    if "text" in body and not isinstance(body["text"], str):
        return "text must be a string"
    return None


def create_app(config: ReferenceConfig) -> Starlette:
    """The toy reference app for `config` (UnknownFaultError for an unknown fault name)."""
    notes = Notes(config)
    app = Starlette(
        routes=[
            Route("/toy/notes", notes.collection, methods=["GET", "POST"]),
            Route("/toy/notes/{note_id}", notes.item, methods=["GET", "DELETE"]),
        ],
        exception_handlers={HTTPException: notes.http_error, Exception: notes.http_error},
    )
    app.router.redirect_slashes = False
    app.state.reference = notes
    return app
