"""The request pipeline of the Akamai reference server: rate limit, EdgeGrid authentication,
body size, routing (404, 405 with Allow), the handler, and the rate-limit headers on every
answer; any error becomes an RFC 7807 problem."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response

from conformance.apis.akamai.reference.credentials import accepted
from conformance.apis.akamai.reference.edgegrid_verify import (
    AuthHeader,
    EdgeGridError,
    parse_authorization,
    verify,
)
from conformance.apis.akamai.reference.rendering import Renderer
from conformance.apis.akamai.reference.state import AkamaiState
from conformance.apis.akamai.reference.store import akamai_date
from conformance.reference.body import read_capped
from conformance.reference.problem_details import ProblemError
from conformance.reference.rate_limit import RateDecision

log = logging.getLogger(__name__)

BASE_PATH = "/datastream-config-api/v1/log"
_CLIENT_TOKEN = re.compile(r"client_token=([^;\s]+)")

Handler = Callable[..., Awaitable[Response]]
# (path pattern below BASE_PATH, {method: handler}); one entry per path of the spec.
Routes = tuple[tuple[re.Pattern[str], Mapping[str, Handler]], ...]


class Transport:
    """Every request comes through `endpoint`."""

    def __init__(self, state: AkamaiState, render: Renderer, routes: Routes) -> None:
        self.state = state
        self.fault = state.fault
        self.render = render
        self.routes = routes

    async def endpoint(self, request: Request) -> Response:
        """Every request comes through here: budget, auth, routing, handler, headers."""
        client = self._client_key(request)
        decision = self.state.bucket.take(client)
        self.state.spent[client] += 1
        allowed = decision.allowed
        if self.fault("throttles-early"):
            allowed = allowed and decision.remaining >= decision.limit // 2
        if self.fault("never-throttles"):
            allowed = True
        try:
            if not allowed:
                raise ProblemError(
                    429, "The client has exceeded its request budget; see X-RateLimit-Next."
                )
            response = await self._dispatch(request)
        except ProblemError as problem:
            response = self.render.problem(problem)
        except Exception:  # never let a bug escape as a bare connection error
            log.exception("unexpected error in the Akamai reference server")
            response = self.render.problem(ProblemError(500, "Unexpected error."))
        self._rate_headers(response, decision, client)
        return response

    def _client_key(self, request: Request) -> str:
        match = _CLIENT_TOKEN.search(request.headers.get("authorization", ""))
        if match:
            return f"token:{match.group(1)}"
        return f"address:{request.client.host if request.client else 'unknown'}"

    async def _dispatch(self, request: Request) -> Response:
        if self.fault("unauthorized"):
            raise ProblemError(401, "The request's credentials are not valid.")
        if self.fault("static-mock"):
            canned = self.state.static.answer(request.method, request.scope["path"])
            if canned is not None:
                return self.render.json(canned.body, canned.status)
        header = self._auth_header(request)
        body = await self._read_body(request)
        if header is not None:
            self._verify(header, request, body)
        if request.method not in ("GET", "HEAD"):
            if self.fault("refuse-writes"):
                raise ProblemError(400, "The request is not valid.")
            if self.fault("refuse-writes-403"):
                raise ProblemError(403, "The client may not write.")
        path = request.scope["path"]
        if not path.startswith(BASE_PATH + "/"):
            raise ProblemError(404, f"No resource at {path}.")
        method = request.method
        for pattern, methods in self.routes:
            match = pattern.fullmatch(path[len(BASE_PATH) :])
            if match is None:
                continue
            if (
                self.fault("activate-post-accepted")
                and method == "POST"
                and path.endswith("activate")
            ):
                method = "PUT"
            handler = methods.get(method)
            if handler is None:
                if self.fault("wrong-method-404"):
                    raise ProblemError(404, f"No resource at {path} for {method}.")
                allow = ", ".join(methods)
                raise ProblemError(
                    405, f"{method} is not allowed on {path}.", headers={"Allow": allow}
                )
            return await handler(request, body, **match.groupdict())
        raise ProblemError(404, f"No resource at {path}.")

    def _auth_header(self, request: Request) -> AuthHeader | None:
        value = request.headers.get("authorization")
        if value is None and self.fault("missing-auth-accepted"):
            return None
        try:
            return parse_authorization(value)
        except EdgeGridError as exc:
            raise ProblemError(401, str(exc)) from None

    def _verify(self, header: AuthHeader, request: Request, body: bytes) -> None:
        credentials = accepted(self.state.config)
        if credentials is None or self.fault("bad-signature-accepted"):
            return
        host = request.headers.get("host", "")
        if self.fault("host-port-ignored"):
            host = host.rsplit(":", 1)[0]
        raw_path: bytes = request.scope.get("raw_path") or request.scope["path"].encode()
        query: bytes = request.scope.get("query_string", b"")
        path_and_query = raw_path.decode("latin-1") + (
            "?" + query.decode("latin-1") if query else ""
        )
        try:
            verify(
                header,
                credentials,
                method=request.method,
                scheme=request.url.scheme,
                host=host,
                path_and_query=path_and_query,
                body=body,
                now=self.state.clock(),
                max_skew=float("inf") if self.fault("expired-timestamp-accepted") else 300.0,
                hash_every_body=self.fault("put-body-hashed"),
            )
        except EdgeGridError as exc:
            raise ProblemError(401, str(exc)) from None

    async def _read_body(self, request: Request) -> bytes:
        cap = self.state.config.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                raise ProblemError(400, "Content-Length is not a number.")
            if int(declared) > cap:
                raise ProblemError(400, f"The request body is larger than {cap} bytes.")
        body = await read_capped(request, cap)
        if body is None:
            raise ProblemError(400, f"The request body is larger than {cap} bytes.")
        return body

    def _rate_headers(self, response: Response, decision: RateDecision, client: str) -> None:
        now = self.state.clock()
        remaining = decision.remaining
        if self.fault("remaining-not-counting-down"):
            remaining = decision.limit
        if self.fault("remaining-never-refills"):
            remaining = max(0, decision.limit - self.state.spent[client])
        if self.fault("remaining-exceeds-limit"):
            remaining += decision.limit
        if self.fault("429-remaining-nonzero") and response.status_code == 429:
            remaining = max(remaining, 1)
        next_at = decision.next_at
        if self.fault("next-too-early") and next_at is not None:
            next_at = now - 1.0
        if self.fault("next-header-missing"):
            next_at = None
        shown = dataclasses.replace(
            decision,
            limit=100 if self.fault("limit-header-wrong") else decision.limit,
            remaining=remaining,
            next_at=next_at,
        )
        headers = shown.headers()
        if self.fault("next-not-iso8601") and next_at is not None:
            headers["X-RateLimit-Next"] = akamai_date(next_at)
        error = response.status_code >= 400
        if self.fault("limit-header-missing") or (
            self.fault("limit-header-missing-on-errors") and error
        ):
            del headers["X-RateLimit-Limit"]
        if self.fault("remaining-header-missing") or (
            self.fault("remaining-header-missing-on-errors") and error
        ):
            del headers["X-RateLimit-Remaining"]
        for name, value in headers.items():
            response.headers[name] = value
