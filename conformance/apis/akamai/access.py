"""How a target of the Akamai API is reached and signed for: EdgeGrid credentials from an
.edgerc (whose host may name the target), fresh ones for the embedded server."""

from __future__ import annotations

import secrets as random_secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from requests.auth import AuthBase

from conformance.apis.akamai import API
from conformance.apis.akamai.auth import edgegrid_auth, read_edgerc
from conformance.apis.akamai.reference.credentials import EdgeGridCredentials
from conformance.engine.target import (
    EmbeddedCredentials,
    RemoteCredentials,
    TargetAccess,
    target_url,
)
from conformance.redaction import PLACEHOLDER
from conformance.settings import RunSettings

# The embedded Akamai server keeps the seed's 20-token budget but refills it in half a second,
# so a full run is not throttled to 20 requests a minute, yet a burst still drains it on a
# loaded machine (at a quarter second the rate-limit scenario could not outrun the refill).
EMBEDDED_AKAMAI_WINDOW = 0.5
# The minimal profile counts requests the way a budget-bound client sends them: the seed's 20
# tokens, refilled ten times faster than the vendor's minute, are slower than the suite sends.
EMBEDDED_AKAMAI_WINDOW_MINIMAL = 6.0
_SIGNER_VALUES = ("client_token", "client_secret", "access_token")


class _AkamaiAccess:
    target_hint = " (or an .edgerc with a host)"

    def names_target(self, settings: RunSettings) -> bool:
        return settings.edgerc is not None

    def remote(self, settings: RunSettings) -> RemoteCredentials:
        if settings.edgerc is None:
            return RemoteCredentials()  # unsigned, for mocks (or -H Authorization)
        section = read_edgerc(settings.edgerc, settings.section)
        base_url = None
        if settings.base_url is None and section.host:
            named = section.host if "://" in section.host else f"https://{section.host}"
            base_url = target_url(named, f"{settings.edgerc} [{settings.section}] host")
        return RemoteCredentials(
            section.auth, signer="--edgerc", base_url=base_url, account_key=section.account_key
        )

    def embedded(self, settings: RunSettings) -> EmbeddedCredentials:
        credentials = EdgeGridCredentials(
            f"akab-{random_secrets.token_hex(8)}",
            random_secrets.token_urlsafe(24),
            f"akab-{random_secrets.token_hex(8)}",
        )
        minimal = settings.profile == "minimal"
        window = EMBEDDED_AKAMAI_WINDOW_MINIMAL if minimal else EMBEDDED_AKAMAI_WINDOW
        return EmbeddedCredentials(credentials, edgegrid_auth(credentials), rate_window=window)

    def placeholder_auth(self, kind: str) -> AuthBase | None:
        if kind != "EdgeGridAuth":
            return None
        # A signer of the recorded kind: scenarios that re-sign take the same path.
        return edgegrid_auth(EdgeGridCredentials(PLACEHOLDER, PLACEHOLDER, PLACEHOLDER))

    def secrets(self, auth: AuthBase) -> list[str]:
        signer = getattr(auth, "ah", None)  # EdgeGridAuth keeps its credentials here
        values = [getattr(signer, name, None) for name in _SIGNER_VALUES]
        return [v for v in values if isinstance(v, str)]

    def crash_secrets(self, options: Mapping[str, Any], environ: Mapping[str, str]) -> set[str]:
        edgerc = options.get("edgerc") or _variable("edgerc", environ)
        if not edgerc:
            return set()
        section = options.get("section") or _variable("section", environ) or "default"
        found = read_edgerc(Path(edgerc), section)
        credentials = found.credentials
        return {
            credentials.client_token,
            credentials.client_secret,
            credentials.access_token,
            found.account_key or "",
        }


def _variable(name: str, environ: Mapping[str, str]) -> str | None:
    """The value of the first set variable of option `name` (the order the run reads them)."""
    return next((environ[v] for v in API.environment.get(name, ()) if environ.get(v)), None)


ACCESS: TargetAccess = _AkamaiAccess()
