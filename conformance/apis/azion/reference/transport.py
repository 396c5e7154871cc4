"""The gates of the Azion reference server, in Django REST framework's order: Accept (406),
authentication (401), permission (403) and rate limit (429); then the body's media type (415),
size and JSON (400)."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from conformance.apis.azion.reference.credentials import accepted
from conformance.apis.azion.reference.rendering import Renderer
from conformance.apis.azion.reference.state import AzionState
from conformance.apis.azion.reference.validation import NON_FIELD, BodyProblem
from conformance.reference.body import read_capped

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One range of an Accept header, lower-cased."""

    media_type: str
    params: dict[str, str]


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an Accept header, without those of q=0."""
    ranges: list[MediaRange] = []
    for item in header.split(","):
        pieces = [p.strip() for p in item.split(";")]
        if not pieces[0]:
            continue
        params: dict[str, str] = {}
        for piece in pieces[1:]:
            name, _, value = piece.partition("=")
            params[name.strip().lower()] = value.strip().strip('"').lower()
        try:
            if float(params.get("q", "1")) <= 0:
                continue
        except ValueError:
            pass
        ranges.append(MediaRange(pieces[0].lower(), params))
    return ranges


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated token and whether it may write."""

    token: str
    can_edit: bool


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class Gates:
    """What a request must pass before its handler runs, and the reading of its body."""

    def __init__(self, state: AzionState, render: Renderer) -> None:
        self.state = state
        self.fault = state.fault
        self.render = render
        accept = parse_accept(str(state.document.raw.get("x-accept-version", "")))
        self.served_type = accept[0].media_type if accept else "application/json"
        self.served_version = accept[0].params.get("version", "3") if accept else "3"

    def path_id(self, request: Request) -> int | Response:
        """The `{id}` of the path, or the answer to a non-integer one (404, or 500 by fault)."""
        raw_id = str(request.path_params["id"])
        if not raw_id.isascii() or not raw_id.isdigit():
            if self.fault("non-integer-id-500"):
                return self.render.internal_error()
            return self.render.not_found()
        return int(raw_id)

    def _accept_ok(self, request: Request) -> bool:
        header = request.headers.get("accept")
        if header is None or not header.strip():
            return True
        lowered = header.lower()
        if (
            self.fault("accept-needs-space")
            and ";version=" in lowered.replace(" ", "")
            and "; version=" not in lowered
        ):
            return False
        main = self.served_type.partition("/")[0]
        for item in parse_accept(header):
            if item.media_type not in (self.served_type, f"{main}/*", "*/*"):
                continue
            version = item.params.get("version")
            if version is None or version == self.served_version:
                return True
            if self.fault("accept-version-ignored"):
                return True
        return False

    def _authenticate(self, request: Request) -> Caller | Response:
        header = request.headers.get("authorization")
        challenge = {"WWW-Authenticate": "Token"}
        if header is None or not header.strip():
            if self.fault("no-auth-required"):
                return Caller(accepted(self.state.config).token, can_edit=True)
            return self.render.detail(
                401, "Authentication credentials were not provided.", challenge
            )
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        scheme_ok = (
            scheme == "Token"
            if self.fault("auth-scheme-case-sensitive")
            else (scheme.lower() == "token")
        )
        tokens = accepted(self.state.config)
        if scheme_ok and token == tokens.token:
            return Caller(token, can_edit=True)
        if scheme_ok and token == tokens.view_token:
            return Caller(token, can_edit=False)
        if self.fault("unknown-token-accepted") and token:
            return Caller(token, can_edit=True)
        return self.render.detail(401, "Invalid token.", challenge)

    def _permitted(self, caller: Caller, method: str) -> bool:
        if caller.can_edit:
            return True
        if method not in WRITE_METHODS:
            return not self.fault("view-token-cannot-read")
        return (
            (method == "POST" and self.fault("view-token-can-create"))
            or (method in ("PUT", "PATCH") and self.fault("view-token-can-edit"))
            or (method == "DELETE" and self.fault("view-token-can-delete"))
        )

    def gate(self, request: Request) -> Response | None:
        """Accept, authentication, permission and rate limit; None when the request may pass."""
        if not self._accept_ok(request):
            return self.render.detail(406, "Could not satisfy the request Accept header.")
        caller = self._authenticate(request)
        if isinstance(caller, Response):
            return caller
        if not self._permitted(caller, request.method):
            return self.render.detail(403, "You do not have permission to perform this action.")
        if request.method in WRITE_METHODS and self.fault("refuse-writes"):
            return JSONResponse({"non_field_errors": ["The request is not valid."]}, 400)
        if request.method in WRITE_METHODS and self.fault("refuse-writes-403"):
            return self.render.detail(403, "You do not have permission to perform this action.")
        if self.state.bucket is not None and not self.fault("never-throttles"):
            decision = self.state.bucket.take(caller.token)
            if not decision.allowed:
                wait = (decision.next_at or time.time()) - time.time()
                seconds = max(1, math.ceil(wait))
                unit = "second" if seconds == 1 else "seconds"
                return self.render.detail(
                    429,
                    f"Request was throttled. Expected available in {seconds} {unit}.",
                    {"Retry-After": str(seconds)},
                )
        return None

    async def read_json(self, request: Request) -> Any | Response:
        """The parsed JSON body, or the 415/400 answer.

        No Content-Type and no body at all reads as `{}` (so the answer is the 400 map of the
        missing members, as a DRF service answers); a body of another media type is 415.
        """
        content_type = request.headers.get("content-type", "")
        media, _, params = content_type.partition(";")
        media_ok = media.strip().lower() == "application/json"
        if media_ok and self.fault("content-type-json-refused") and "charset" not in params.lower():
            media_ok = False
        if not media_ok:
            if not content_type.strip() and not await self._has_body(request):
                return {}
            shown = content_type or "none"
            return self.render.detail(415, f'Unsupported media type "{shown}" in request.')
        cap = self.state.config.max_body_bytes
        too_large = BodyProblem(
            NON_FIELD, "too-large", f"The request body exceeds the limit of {cap} bytes."
        )
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > cap:
            return self.render.bad_request([too_large])
        raw = await read_capped(request, cap)
        if raw is None:
            return self.render.bad_request([too_large])
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            message = f"JSON parse error - {exc}"
            return self.render.bad_request([BodyProblem(NON_FIELD, "parse", message)])

    @staticmethod
    async def _has_body(request: Request) -> bool:
        length = request.headers.get("content-length")
        if length is not None:
            return length.strip() != "0"
        if "transfer-encoding" not in request.headers:
            return False
        async for chunk in request.stream():
            if chunk:
                return True
        return False
