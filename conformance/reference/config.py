"""Settings of one reference server instance."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_AZION_TOKEN = "dsconform-edit-token"
DEFAULT_AZION_VIEW_TOKEN = "dsconform-view-token"


@dataclass(frozen=True, slots=True)
class EdgeGridCredentials:
    """The three EdgeGrid values of an .edgerc section (the host is the server's own)."""

    client_token: str
    client_secret: str
    access_token: str
    max_body: int = 131072  # bytes of a POST body the signature hashes (the .edgerc max_body)


@dataclass(frozen=True, slots=True)
class ReferenceConfig:
    """How a reference server behaves: faults, timing, budget and credentials."""

    faults: frozenset[str] = field(default_factory=frozenset)
    # Seconds a stream spends ACTIVATING/DEACTIVATING before it settles.
    activation_delay: float = 1.0
    # Requests per window; None takes the spec's `x-rate-limit` (Akamai: 20 a minute) and, for
    # Azion, switches rate limiting off.
    rate_limit: int | None = None
    rate_window: float = 60.0
    # Azion: the token with Edit Data Streaming permission and a View-only one.
    token: str = DEFAULT_AZION_TOKEN
    view_token: str = DEFAULT_AZION_VIEW_TOKEN
    # Akamai: verify EG1-HMAC-SHA256 signatures against these; None checks only the header form.
    edgegrid: EdgeGridCredentials | None = None
    max_body_bytes: int = 1_048_576
