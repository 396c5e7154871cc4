"""Server-side check of Akamai EdgeGrid (EG1-HMAC-SHA256) Authorization headers.

The signature is recomputed with edgegrid-python's own `EdgeGridAuthHeaders`, so the server and
the suite's client (`EdgeGridAuth` on a `requests.Session`) cannot drift apart: the data signed
is method, scheme, Host (with its port), path and query, the (empty) canonical headers, the
SHA-256 of the body for POST only (first `max_body` bytes, the credentials' own: an API
states it and its clients' .edgerc must agree), and the unsigned header itself.
"""

from __future__ import annotations

import calendar
import hmac
import re
import time
from dataclasses import dataclass, field
from typing import Any

from akamai.edgegrid.edgegrid import EdgeGridAuthHeaders

from conformance.apis.akamai.reference.credentials import EdgeGridCredentials

SCHEME = "EG1-HMAC-SHA256"
MAX_CLOCK_SKEW = 300.0  # seconds a request timestamp may be off the server clock
_FIELDS = ("client_token", "access_token", "timestamp", "nonce", "signature")
_TIMESTAMP = re.compile(r"^\d{8}T\d{2}:\d{2}:\d{2}\+0000$")


@dataclass(frozen=True, slots=True)
class AuthHeader:
    """The parts of an EdgeGrid Authorization header."""

    client_token: str
    access_token: str
    timestamp: str
    nonce: str
    signature: str
    unsigned: str  # the header up to and including the ';' before signature=


class EdgeGridError(ValueError):
    """Why a request is not authenticated (the 401 detail)."""


def parse_authorization(value: str | None) -> AuthHeader:
    """Split an `EG1-HMAC-SHA256 k=v;...` header; raise EdgeGridError when malformed."""
    if not value:
        raise EdgeGridError("The request has no Authorization header.")
    scheme, _, rest = value.strip().partition(" ")
    if scheme != SCHEME:
        raise EdgeGridError(f"The Authorization scheme must be {SCHEME}.")
    marker = rest.rfind("signature=")
    if marker < 0:
        raise EdgeGridError("The Authorization header has no signature.")
    parts: dict[str, str] = {}
    for item in rest.split(";"):
        key, sep, val = item.strip().partition("=")
        if sep:
            parts[key] = val
    missing = [name for name in _FIELDS if not parts.get(name)]
    if missing:
        raise EdgeGridError(f"The Authorization header lacks {', '.join(missing)}.")
    if not _TIMESTAMP.match(parts["timestamp"]):
        raise EdgeGridError(
            "The Authorization timestamp is not of the form yyyyMMddTHH:mm:ss+0000."
        )
    return AuthHeader(
        client_token=parts["client_token"],
        access_token=parts["access_token"],
        timestamp=parts["timestamp"],
        nonce=parts["nonce"],
        signature=parts["signature"],
        unsigned=f"{SCHEME} {rest[:marker]}",
    )


def timestamp_epoch(timestamp: str) -> float:
    """Epoch seconds of an EdgeGrid timestamp such as 20240102T03:04:05+0000."""
    return float(calendar.timegm(time.strptime(timestamp, "%Y%m%dT%H:%M:%S+0000")))


class _EveryBodySigner(EdgeGridAuthHeaders):  # type: ignore[misc]
    """A signer that hashes the body of every method, not only POST (a fault's behaviour)."""

    def make_content_hash(self, body: Any, method: str) -> str:
        content_hash: str = super().make_content_hash(body, "POST")
        return content_hash


@dataclass(slots=True)
class _SignedRequest:
    """The shape `EdgeGridAuthHeaders.make_data_to_sign` reads (a requests PreparedRequest)."""

    method: str
    url: str
    body: bytes
    headers: dict[str, Any] = field(default_factory=dict)


def expected_signature(
    credentials: EdgeGridCredentials,
    header: AuthHeader,
    *,
    method: str,
    scheme: str,
    host: str,
    path_and_query: str,
    body: bytes,
    max_body: int | None = None,
    hash_every_body: bool = False,
) -> str:
    """The signature a client holding `credentials` would have sent for this request."""
    signer_class = _EveryBodySigner if hash_every_body else EdgeGridAuthHeaders
    signer = signer_class(
        credentials.client_token,
        credentials.client_secret,
        credentials.access_token,
        max_body=credentials.max_body if max_body is None else max_body,
    )
    request = _SignedRequest(method=method, url=f"{scheme}://{host}{path_and_query}", body=body)
    signature: str = signer.sign_request(request, header.timestamp, header.unsigned)
    return signature


def verify(
    header: AuthHeader,
    credentials: EdgeGridCredentials,
    *,
    method: str,
    scheme: str,
    host: str,
    path_and_query: str,
    body: bytes,
    now: float,
    max_skew: float = MAX_CLOCK_SKEW,
    hash_every_body: bool = False,
) -> None:
    """Raise EdgeGridError unless the header was made with `credentials` for this request."""
    if not hmac.compare_digest(header.client_token, credentials.client_token):
        raise EdgeGridError("The client token is not valid.")
    if not hmac.compare_digest(header.access_token, credentials.access_token):
        raise EdgeGridError("The access token is not valid.")
    if abs(now - timestamp_epoch(header.timestamp)) > max_skew:
        raise EdgeGridError("The request timestamp is too far from the server time.")
    wanted = expected_signature(
        credentials,
        header,
        method=method,
        scheme=scheme,
        host=host,
        path_and_query=path_and_query,
        body=body,
        hash_every_body=hash_every_body,
    )
    if not hmac.compare_digest(wanted, header.signature):
        raise EdgeGridError("The signature does not match the request.")
