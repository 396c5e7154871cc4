"""How a target of the Azion API is reached and signed for: a token (and a view-only one for
the permission checks), fresh ones for the embedded server."""

from __future__ import annotations

import secrets as random_secrets
from collections.abc import Mapping
from typing import Any

from requests.auth import AuthBase

from conformance.apis.azion import API
from conformance.apis.azion.auth import AzionTokenAuth
from conformance.apis.azion.reference.credentials import Tokens
from conformance.engine.target import EmbeddedCredentials, RemoteCredentials, TargetAccess
from conformance.redaction import PLACEHOLDER
from conformance.settings import RunSettings

# The embedded Azion server's rate limit: requests per window (seconds).
EMBEDDED_AZION_RATE = (50, 1.0)


class _AzionAccess:
    target_hint = ""

    def names_target(self, settings: RunSettings) -> bool:
        return False

    def remote(self, settings: RunSettings) -> RemoteCredentials:
        token, view = settings.token, settings.view_token
        variables = "".join(f" (${v})" for v in API.environment.get("token", ()))
        return RemoteCredentials(
            AzionTokenAuth(token) if token else None,
            AzionTokenAuth(view) if view else None,
            signer=f"--token{variables}" if token else None,
        )

    def embedded(self, settings: RunSettings) -> EmbeddedCredentials:
        token, view = random_secrets.token_hex(20), random_secrets.token_hex(20)
        limit, window = EMBEDDED_AZION_RATE
        return EmbeddedCredentials(
            Tokens(token, view),
            AzionTokenAuth(token),
            AzionTokenAuth(view),
            rate_limit=limit,
            rate_window=window,
        )

    def placeholder_auth(self, kind: str) -> AuthBase | None:
        # A token of the recorded kind: scenarios that re-spell the token take the same path.
        return AzionTokenAuth(PLACEHOLDER) if kind == "AzionTokenAuth" else None

    def secrets(self, auth: AuthBase) -> list[str]:
        return [auth.token] if isinstance(auth, AzionTokenAuth) else []

    def crash_secrets(self, options: Mapping[str, Any], environ: Mapping[str, str]) -> set[str]:
        return set()  # the tokens are values of options and variables: scrubbed as such


ACCESS: TargetAccess = _AzionAccess()
