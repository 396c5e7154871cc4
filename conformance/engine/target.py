"""The target of a run: the embedded reference server or a remote endpoint, with its auth.

What differs per API (its credentials, how they sign, what its embedded server accepts) is the
API's `TargetAccess` (`<api folder>/access.py`, `ACCESS`); an API without one is reached
unsigned (or with `-H Authorization`), and only `--base-url` names a remote target of it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from requests.auth import AuthBase

from conformance.apis import get_api
from conformance.core.send_rules import SendRules
from conformance.core.target_client import HeaderAuth, TargetClient
from conformance.reference.config import ReferenceConfig
from conformance.reference.launcher import reference_server
from conformance.settings import RunSettings
from conformance.target_url import TargetUrlError, normalise_target_url
from conformance.transport import AUTHORIZATION, Transport, TransportError, ca_bundle, client_cert
from conformance.transport import check_files as check_transport_files


class TargetConfigError(Exception):
    """The settings cannot describe a usable target (bad credentials file, no target, ...)."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where requests go, how they are signed, and the credentials scenarios may vary."""

    base_url: str
    embedded: bool
    auth: AuthBase | None
    default_headers: dict[str, str] = field(default_factory=dict)
    view_auth: AuthBase | None = None  # a read-only credential, when the API has one
    faults: tuple[str, ...] = ()
    transport: Transport = field(default_factory=Transport)

    def client(
        self,
        timeout: float,
        rules: SendRules | None = None,
        client_class: type[TargetClient] = TargetClient,
    ) -> TargetClient:
        """A client of this target (its URL, signing, headers and transport) that sends
        under `rules`."""
        return client_class(
            self.base_url,
            auth=self.auth,
            default_headers=self.default_headers,
            timeout=timeout,
            transport=self.transport,
            rules=rules,
        )


@dataclass(frozen=True, slots=True)
class RemoteCredentials:
    """How a run against a remote target of one API signs its requests."""

    auth: AuthBase | None = None
    view_auth: AuthBase | None = None  # a read-only credential, for the permission checks
    # The setting that signs (`--token`): a `-H Authorization` beside it is refused.
    signer: str | None = None
    base_url: str | None = None  # the target the credentials name, when --base-url does not
    account_key: str | None = None  # an account switch key the credentials carry


@dataclass(frozen=True, slots=True)
class EmbeddedCredentials:
    """Fresh credentials of one embedded run: what its server accepts (`ReferenceConfig.
    credentials`), what the client signs with, and the server's rate budget."""

    server: object | None = None
    auth: AuthBase | None = None
    view_auth: AuthBase | None = None
    rate_limit: int | None = None  # None: the server's own default
    rate_window: float = 60.0


class TargetAccess(Protocol):
    """How a target of one API is reached and signed for (its folder's `access.ACCESS`)."""

    # What else names a target, for "no target: give --base-url<hint>" (" (or ...)").
    target_hint: str

    def names_target(self, settings: RunSettings) -> bool:
        """Whether the credentials name a remote target themselves (without --base-url)."""
        ...

    def remote(self, settings: RunSettings) -> RemoteCredentials:
        """The credentials of a remote run; raises TargetConfigError (one line)."""
        ...

    def embedded(self, settings: RunSettings) -> EmbeddedCredentials:
        """Fresh credentials for a run against the embedded reference server."""
        ...

    def placeholder_auth(self, kind: str) -> AuthBase | None:
        """An auth of the recorded class name `kind` holding placeholders (None: not ours)."""
        ...

    def secrets(self, auth: AuthBase) -> list[str]:
        """The credential values `auth` (one of this API's) holds."""
        ...

    def crash_secrets(self, options: Mapping[str, Any], environ: Mapping[str, str]) -> set[str]:
        """Credentials that command options (argparse names) or variables point to, beyond
        their own values (a credentials file's contents), for scrubbing a crash log."""
        ...


class _Unsigned:
    """The access of an API without credentials: requests go unsigned."""

    target_hint = ""

    def names_target(self, settings: RunSettings) -> bool:
        return False

    def remote(self, settings: RunSettings) -> RemoteCredentials:
        return RemoteCredentials()

    def embedded(self, settings: RunSettings) -> EmbeddedCredentials:
        return EmbeddedCredentials()

    def placeholder_auth(self, kind: str) -> AuthBase | None:
        return None

    def secrets(self, auth: AuthBase) -> list[str]:
        return []

    def crash_secrets(self, options: Mapping[str, Any], environ: Mapping[str, str]) -> set[str]:
        return set()


def target_access(api: str) -> TargetAccess:
    """The API's `TargetAccess` (unsigned when its folder has no access.py)."""
    definition = get_api(api)
    if not definition.has_part("access"):
        return _Unsigned()
    access: TargetAccess = definition.part("access", "ACCESS")
    return access


def target_url(text: str, origin: str) -> str:
    """`text` as a target URL; TargetConfigError naming `origin` (a flag, a file) if it is not."""
    try:
        return normalise_target_url(text)
    except TargetUrlError as exc:
        raise TargetConfigError(f"{origin}: {exc}") from None


def _transport(
    settings: RunSettings, account_key: str | None = None, *, tls: bool = False
) -> Transport:
    """The run's headers, TLS settings and account key, files checked (TransportError). A CA
    bundle from a variable is checked only for a TLS target (`tls`): a stale
    $REQUESTS_CA_BUNDLE of the CI image must not stop a run that never uses it."""
    try:
        cert = client_cert(settings.client_cert, settings.client_key)
        verify, origin = ca_bundle(settings.ca_bundle, settings.tls_verify)
        from_variable = origin is not None and origin.startswith("$")
        check_transport_files(verify if tls or not from_variable else True, origin, cert)
    except TransportError as exc:
        raise TargetConfigError(str(exc)) from None
    headers = tuple((n, v) for n, v in settings.headers if n.lower() != AUTHORIZATION)
    key = settings.account_key or account_key
    parameter = get_api(settings.api).account_parameter
    return Transport(headers, key, verify, cert, account_parameter=parameter)


def _header_auth(settings: RunSettings, signer: str | None) -> AuthBase | None:
    """`-H Authorization: ...` as the run's credential; refused when `signer` (--token, the
    credentials file, the embedded server) signs the requests already: one would be ignored."""
    given = [v for n, v in settings.headers if n.lower() == AUTHORIZATION]
    if not given:
        return None
    if signer is not None:
        raise TargetConfigError(
            f"-H Authorization and {signer} both set the credential: give one of them"
        )
    if len(given) > 1:
        raise TargetConfigError("-H Authorization given twice: give it once")
    return HeaderAuth(given[0])


def _remote_target(settings: RunSettings) -> Target:
    access = target_access(settings.api)
    base_url = None
    if settings.base_url is not None:
        base_url = target_url(settings.base_url, "--base-url")
    credentials = access.remote(settings)
    header_auth = _header_auth(settings, credentials.signer)
    base_url = base_url or credentials.base_url
    if base_url is None:
        raise TargetConfigError(f"no target: give --base-url{access.target_hint}")
    transport = _transport(settings, credentials.account_key, tls=base_url.startswith("https://"))
    return Target(
        base_url,
        False,
        credentials.auth or header_auth,
        dict(get_api(settings.api).request_headers),
        credentials.view_auth,
        transport=transport,
    )


def _is_remote(settings: RunSettings) -> bool:
    return not settings.embedded or target_access(settings.api).names_target(settings)


def _embedded_transport(settings: RunSettings) -> Transport:
    _header_auth(settings, "the embedded reference server's own credentials")
    return _transport(settings)


def check_target(settings: RunSettings) -> None:
    """Raise TargetConfigError now for a target `open_target` could not use; sends nothing."""
    if _is_remote(settings):
        _remote_target(settings)
    else:
        _embedded_transport(settings)


@contextmanager
def open_target(settings: RunSettings) -> Iterator[Target]:
    """Yield the run's target; an embedded reference server lives as long as the block."""
    if _is_remote(settings):
        target = _remote_target(settings)
        if not settings.tls_verify:
            print(
                "dsconform: warning: --tls-verify false: the target's TLS certificate is not "
                "checked, anyone on the path can read and change the run's requests",
                file=sys.stderr,
            )
        yield target
        return
    transport = _embedded_transport(settings)
    credentials = target_access(settings.api).embedded(settings)
    config = ReferenceConfig(
        faults=frozenset(settings.faults),
        activation_delay=settings.activation_delay,
        rate_limit=credentials.rate_limit,
        rate_window=credentials.rate_window,
        credentials=credentials.server,
    )
    with reference_server(settings.api, config) as base_url:
        yield Target(
            base_url,
            True,
            credentials.auth,
            dict(get_api(settings.api).request_headers),
            credentials.view_auth,
            settings.faults,
            transport,
        )
