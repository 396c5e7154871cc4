"""The target of a run: the embedded reference server or a remote endpoint, with its auth."""

from __future__ import annotations

import configparser
import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from requests.auth import AuthBase

from conformance.core.target_client import AzionTokenAuth, HeaderAuth, TargetClient
from conformance.reference.config import EdgeGridCredentials, ReferenceConfig
from conformance.reference.launcher import reference_server
from conformance.settings import RunSettings
from conformance.target_url import TargetUrlError, normalise_target_url
from conformance.transport import AUTHORIZATION, Transport, TransportError, ca_bundle, client_cert
from conformance.transport import check_files as check_transport_files

AZION_ACCEPT = "application/json; version=3"
# The embedded Akamai server keeps the seed's 20-token budget but refills it in half a second,
# so a full run is not throttled to 20 requests a minute, yet a burst still drains it on a
# loaded machine (at a quarter second the rate-limit scenario could not outrun the refill).
EMBEDDED_AKAMAI_WINDOW = 0.5
# The minimal profile counts requests the way a budget-bound client sends them: the seed's 20
# tokens, refilled ten times faster than the vendor's minute, are slower than the suite sends.
EMBEDDED_AKAMAI_WINDOW_MINIMAL = 6.0
EMBEDDED_AZION_RATE = (50, 1.0)


class TargetConfigError(Exception):
    """The settings cannot describe a usable target (bad .edgerc, missing token, ...)."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where requests go, how they are signed, and the credentials scenarios may vary."""

    base_url: str
    embedded: bool
    auth: AuthBase | None
    default_headers: dict[str, str] = field(default_factory=dict)
    view_auth: AuthBase | None = None  # Azion: a view-only token, when known
    faults: tuple[str, ...] = ()
    transport: Transport = field(default_factory=Transport)

    def client(
        self, timeout: float, client_class: type[TargetClient] = TargetClient
    ) -> TargetClient:
        """A client of this target: its URL, signing, headers and transport."""
        return client_class(
            self.base_url,
            auth=self.auth,
            default_headers=self.default_headers,
            timeout=timeout,
            transport=self.transport,
        )


def edgegrid_auth(credentials: EdgeGridCredentials) -> AuthBase:
    from akamai.edgegrid import EdgeGridAuth

    auth: AuthBase = EdgeGridAuth(
        client_token=credentials.client_token,
        client_secret=credentials.client_secret,
        access_token=credentials.access_token,
        max_body=credentials.max_body,
    )
    return auth


EDGERC_KEYS = ("client_token", "client_secret", "access_token")


@dataclass(frozen=True, slots=True)
class EdgeRcSection:
    """One .edgerc section as Akamai's own reader sees it."""

    auth: AuthBase  # edgegrid-python's EdgeGridAuth.from_edgerc: max_body, headers_to_sign
    credentials: EdgeGridCredentials
    host: str
    account_key: str | None  # `account_key`: sent as accountSwitchKey


def _edgerc_problem(exc: configparser.Error) -> str:
    """What is wrong with an .edgerc, by line number: never the line itself (it may hold a
    client_secret), never the parser's own message (it quotes lines and values)."""
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return f"line {exc.lineno} comes before any [section] header"
    if isinstance(exc, configparser.ParsingError):
        lines = ", ".join(str(number) for number, _ in exc.errors[:5])
        return f"cannot parse line(s) {lines} (expected `key = value`)"
    if isinstance(exc, configparser.DuplicateSectionError | configparser.DuplicateOptionError):
        where = f" at line {exc.lineno}" if exc.lineno else ""
        return f"a section or key is given twice{where}"
    if isinstance(exc, configparser.InterpolationError):
        return f"a value of section [{exc.section}] has a stray % sign"
    return f"not a valid .edgerc ({type(exc).__name__})"


def read_edgerc(path: Path, section: str) -> EdgeRcSection:
    """One .edgerc section, read and signed for by edgegrid-python itself (`EdgeRc`,
    `EdgeGridAuth.from_edgerc`), so `max_body` and `headers_to_sign` hold as Akamai's tools
    hold them.

    We read the bytes first (EdgeRc would skip a missing file silently and decode in the
    locale's encoding); every problem is one TargetConfigError line that names the file, the
    section and the line number, never a line's content.
    """
    from akamai.edgegrid import EdgeGridAuth, EdgeRc

    file = path.expanduser()
    try:
        text = file.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise TargetConfigError(f"{path}: .edgerc file not found") from None
    except IsADirectoryError:
        raise TargetConfigError(f"{path}: is a directory, not an .edgerc file") from None
    except UnicodeDecodeError as exc:
        raise TargetConfigError(
            f"{path}: not a text file in UTF-8 (undecodable byte at offset {exc.start})"
        ) from None
    except OSError as exc:
        raise TargetConfigError(f"{path}: cannot read the .edgerc ({exc.strerror})") from None
    rc = EdgeRc(os.devnull)  # Akamai's parser and defaults, fed the text we decoded
    where = f"{path} [{section}]"
    try:
        rc.read_string(text, source=str(file))
        if not rc.has_section(section):
            raise TargetConfigError(f"{path}: no section [{section}]")
        values = {k: rc.get(section, k) for k in (*EDGERC_KEYS, "host")}
        account_key = rc.get(section, "account_key", fallback="").strip() or None
    except configparser.Error as exc:
        raise TargetConfigError(f"{path}: {_edgerc_problem(exc)}") from None
    missing = [k for k in EDGERC_KEYS if not values[k]]
    if missing:
        raise TargetConfigError(f"{where}: missing {', '.join(missing)}")
    try:
        max_body = rc.getint(section, "max_body")
    except (ValueError, configparser.Error):
        max_body = 0
    if max_body <= 0:
        raise TargetConfigError(f"{where}: max_body must be a whole number of bytes above 0")
    try:
        auth: AuthBase = EdgeGridAuth.from_edgerc(rc, section)
    except configparser.Error as exc:
        raise TargetConfigError(f"{path}: {_edgerc_problem(exc)}") from None
    creds = EdgeGridCredentials(
        values["client_token"], values["client_secret"], values["access_token"], max_body
    )
    return EdgeRcSection(auth, creds, values["host"], account_key)


def _target_url(text: str, origin: str) -> str:
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
    return Transport(headers, settings.account_key or account_key, verify, cert)


def _header_auth(settings: RunSettings, signer: str | None) -> AuthBase | None:
    """`-H Authorization: ...` as the run's credential; refused when `signer` (--token, the
    .edgerc, the embedded server) signs the requests already: one of them would be ignored."""
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
    if settings.base_url is not None:
        base_url: str | None = _target_url(settings.base_url, "--base-url")
    else:
        base_url = None
    if settings.api == "azion":
        if base_url is None:
            raise TargetConfigError("no target: give --base-url")
        headers = {"Accept": AZION_ACCEPT}
        header_auth = _header_auth(settings, "--token ($AZION_TOKEN)" if settings.token else None)
        token = AzionTokenAuth(settings.token) if settings.token else header_auth
        view = AzionTokenAuth(settings.view_token) if settings.view_token else None
        transport = _transport(settings, tls=base_url.startswith("https://"))
        return Target(base_url, False, token, headers, view, transport=transport)
    auth: AuthBase | None = None
    account_key = None
    if settings.edgerc is not None:
        section = read_edgerc(settings.edgerc, settings.section)
        auth, account_key = section.auth, section.account_key
        if base_url is None and section.host:
            named = section.host if "://" in section.host else f"https://{section.host}"
            base_url = _target_url(named, f"{settings.edgerc} [{settings.section}] host")
    header_auth = _header_auth(settings, "--edgerc" if settings.edgerc is not None else None)
    auth = auth or header_auth
    if base_url is None:
        raise TargetConfigError("no target: give --base-url (or an .edgerc with a host)")
    transport = _transport(settings, account_key, tls=base_url.startswith("https://"))
    return Target(base_url, False, auth, transport=transport)


def _is_remote(settings: RunSettings) -> bool:
    return not settings.embedded or (settings.api == "akamai" and settings.edgerc is not None)


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
    faults = frozenset(settings.faults)
    if settings.api == "akamai":
        creds = EdgeGridCredentials(
            f"akab-{secrets.token_hex(8)}",
            secrets.token_urlsafe(24),
            f"akab-{secrets.token_hex(8)}",
        )
        config = ReferenceConfig(
            faults=faults,
            activation_delay=settings.activation_delay,
            rate_window=(
                EMBEDDED_AKAMAI_WINDOW_MINIMAL
                if settings.profile == "minimal"
                else EMBEDDED_AKAMAI_WINDOW
            ),
            edgegrid=creds,
        )
        with reference_server("akamai", config) as base_url:
            yield Target(
                base_url, True, edgegrid_auth(creds), faults=settings.faults, transport=transport
            )
        return
    token, view_token = secrets.token_hex(20), secrets.token_hex(20)
    limit, window = EMBEDDED_AZION_RATE
    config = ReferenceConfig(
        faults=faults,
        activation_delay=settings.activation_delay,
        rate_limit=limit,
        rate_window=window,
        token=token,
        view_token=view_token,
    )
    with reference_server("azion", config) as base_url:
        yield Target(
            base_url,
            True,
            AzionTokenAuth(token),
            {"Accept": AZION_ACCEPT},
            AzionTokenAuth(view_token),
            settings.faults,
            transport,
        )
