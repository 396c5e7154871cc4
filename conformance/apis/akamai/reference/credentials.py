"""The EdgeGrid credentials the reference server verifies signatures against."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance.reference.config import ReferenceConfig


@dataclass(frozen=True, slots=True)
class EdgeGridCredentials:
    """The three EdgeGrid values of an .edgerc section (the host is the server's own)."""

    client_token: str
    client_secret: str
    access_token: str
    max_body: int = 131072  # bytes of a POST body the signature hashes (the .edgerc max_body)


def accepted(config: ReferenceConfig) -> EdgeGridCredentials | None:
    """What the server verifies EG1-HMAC-SHA256 signatures against; None checks only the
    Authorization header's form."""
    credentials = config.credentials
    if credentials is not None and not isinstance(credentials, EdgeGridCredentials):
        raise TypeError(f"expected EdgeGridCredentials, got {type(credentials).__name__}")
    return credentials
