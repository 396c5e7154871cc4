"""A hostile target on loopback: every answer plants secrets where a careless report copies them.

Each response (200 to GETs, 400 to anything else, so findings quote it) carries secret members
in camelCase, odd spellings and nesting, JSON inside strings, a form string, secret-looking
headers (`X-Secret`, `X-Api-Key`, `Set-Cookie`, ...), and echoes back the request's
Authorization value and body, in the body and in a header. Markup a report must escape rides
along in `message`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.http_server import serving_http

# Every value here must reach no written file (each is unique enough to search for).
PLANTED: dict[str, str] = {
    "apiKey": "planted-apiKey-7Qx1",
    "Password": "planted-Password-8Rw2",
    "privateKey": "planted-privateKey-9Sv3",
    "client-secret": "planted-client-dash-secret-1Tu4",
    "API-KEY": "planted-API-KEY-upper-2Uv5",
    "secretAccessKey": "planted-nested-secretAccessKey-3Vw6",
    "access_token": "planted-access_token-4Wx7",
    "passwd": "planted-passwd-5Xy8",
    "Client Secret": "planted-spaced-client-secret-6Yz9",
    "credentials.pass": "planted-credentials-member-7Za0",
    "json-in-string": "planted-clientSecret-in-a-string-8Ab1",
    "form": "planted-form-client_secret-9Bc2",
    "query": "planted-query-api_key-0Cd3",
    "X-Secret": "planted-X-Secret-header-1De4",
    "X-Api-Key": "planted-X-Api-Key-header-2Ef5",
    "Set-Cookie": "planted-Set-Cookie-session-3Fg6",
    "X-Upstream-Token": "planted-X-Upstream-Token-4Gh7",
    "X-Service-Password": "planted-X-Service-Password-5Hi8",
    "array": "planted-array-token-6Ij9",
}
# Target-controlled text a report must escape for the format it lands in.
MARKUP = (
    "<img src=http://x/leak.png> `a`` b` | cell\nnext [x](javascript:alert(1)) ![i](http://x/i)"
)


def hostile_body(authorization: str, request_body: str) -> dict[str, Any]:
    """The JSON every answer carries: planted secrets, and what the request sent."""
    return {
        "apiKey": PLANTED["apiKey"],
        "Password": PLANTED["Password"],
        "data": {
            "privateKey": PLANTED["privateKey"],
            "items": [
                {"client-secret": PLANTED["client-secret"]},
                {"API-KEY": PLANTED["API-KEY"], "name": "kept"},
                [{"tokens": [PLANTED["array"]]}],
            ],
            "connector": {"secretAccessKey": PLANTED["secretAccessKey"]},
        },
        "access_token": PLANTED["access_token"],
        "passwd": PLANTED["passwd"],
        "Client Secret": PLANTED["Client Secret"],
        "credentials": {"user": "someone", "pass": PLANTED["credentials.pass"]},
        "detail": json.dumps({"clientSecret": PLANTED["json-in-string"]}),
        "form": f"grant_type=client_credentials&client_secret={PLANTED['form']}&scope=all",
        "next": f"/data_streaming/streamings?page=2&api_key={PLANTED['query']}",
        "message": f"rejected {MARKUP}",
        "echo": {"authorization": authorization, "body": request_body},
        "seen": f"you sent {authorization} with {request_body[:200]}",
    }


class _HostileHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request_body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        authorization = self.headers.get("Authorization") or ""
        body = json.dumps(hostile_body(authorization, request_body)).encode()
        self.send_response(200 if self.command == "GET" else 400)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Secret", PLANTED["X-Secret"])
        self.send_header("X-Api-Key", PLANTED["X-Api-Key"])
        self.send_header("Set-Cookie", f"session={PLANTED['Set-Cookie']}; HttpOnly")
        self.send_header("X-Upstream-Token", PLANTED["X-Upstream-Token"])
        self.send_header("X-Service-Password", PLANTED["X-Service-Password"])
        self.send_header("X-Echo", authorization)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def hostile_server() -> Iterator[str]:
    """Serve the hostile target on 127.0.0.1 (a free port) until the block ends; yields its URL."""
    with serving_http(ThreadingHTTPServer(("127.0.0.1", 0), _HostileHandler)) as url:
        yield url
