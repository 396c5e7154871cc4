"""The target of a run: the embedded reference server or a remote endpoint, with its auth."""

from __future__ import annotations

import configparser
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from requests.auth import AuthBase

from conformance.engine.target_client import AzionTokenAuth
from conformance.reference.config import EdgeGridCredentials, ReferenceConfig
from conformance.reference.launcher import reference_server
from conformance.settings import RunSettings
from conformance.target_url import TargetUrlError, normalise_target_url

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


def edgegrid_auth(credentials: EdgeGridCredentials) -> AuthBase:
    from akamai.edgegrid import EdgeGridAuth

    auth: AuthBase = EdgeGridAuth(
        client_token=credentials.client_token,
        client_secret=credentials.client_secret,
        access_token=credentials.access_token,
    )
    return auth


EDGERC_KEYS = ("client_token", "client_secret", "access_token", "host")
# Akamai's EdgeRc defaults: a section may leave out any key (we then say which are missing).
_EDGERC_DEFAULTS = {
    "client_token": "",
    "client_secret": "",
    "host": "",
    "access_token": "",
    "max_body": "131072",
    "headers_to_sign": "None",
}


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


def read_edgerc(path: Path, section: str) -> tuple[EdgeGridCredentials, str]:
    """Credentials and host of one .edgerc section, read as Akamai's own tools read it.

    Every problem is one TargetConfigError line that names the file, the section and the
    line number, never a line's content.
    """
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
    rc = configparser.ConfigParser(_EDGERC_DEFAULTS)
    rc.optionxform = lambda option: option.replace("-", "_")  # type: ignore[assignment,method-assign]
    try:
        rc.read_string(text, source=str(file))
        if not rc.has_section(section):
            raise TargetConfigError(f"{path}: no section [{section}]")
        values = {k: rc.get(section, k) for k in EDGERC_KEYS}
    except configparser.Error as exc:
        raise TargetConfigError(f"{path}: {_edgerc_problem(exc)}") from None
    missing = [k for k, v in values.items() if not v and k != "host"]
    if missing:
        raise TargetConfigError(f"{path} [{section}]: missing {', '.join(missing)}")
    creds = EdgeGridCredentials(
        values["client_token"], values["client_secret"], values["access_token"]
    )
    return creds, values["host"]


def _target_url(text: str, origin: str) -> str:
    try:
        return normalise_target_url(text)
    except TargetUrlError as exc:
        raise TargetConfigError(f"{origin}: {exc}") from None


def _remote_target(settings: RunSettings) -> Target:
    if settings.base_url is not None:
        base_url: str | None = _target_url(settings.base_url, "--base-url")
    else:
        base_url = None
    if settings.api == "azion":
        if base_url is None:
            raise TargetConfigError("no target: give --base-url")
        headers = {"Accept": AZION_ACCEPT}
        token = AzionTokenAuth(settings.token) if settings.token else None
        view = AzionTokenAuth(settings.view_token) if settings.view_token else None
        return Target(base_url, False, token, headers, view)
    auth: AuthBase | None = None
    if settings.edgerc is not None:
        creds, host = read_edgerc(settings.edgerc, settings.section)
        auth = edgegrid_auth(creds)
        if base_url is None and host:
            named = host if "://" in host else f"https://{host}"
            base_url = _target_url(named, f"{settings.edgerc} [{settings.section}] host")
    if base_url is None:
        raise TargetConfigError("no target: give --base-url (or an .edgerc with a host)")
    return Target(base_url, False, auth)


def _is_remote(settings: RunSettings) -> bool:
    return not settings.embedded or (settings.api == "akamai" and settings.edgerc is not None)


def check_target(settings: RunSettings) -> None:
    """Raise TargetConfigError now for a target `open_target` could not use; sends nothing."""
    if _is_remote(settings):
        _remote_target(settings)


@contextmanager
def open_target(settings: RunSettings) -> Iterator[Target]:
    """Yield the run's target; an embedded reference server lives as long as the block."""
    if _is_remote(settings):
        yield _remote_target(settings)
        return
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
            yield Target(base_url, True, edgegrid_auth(creds), faults=settings.faults)
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
        )
