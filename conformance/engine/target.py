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


def _edgerc_problem(exc: configparser.Error) -> str:
    """What is wrong with a credentials file, by line number: configparser's own message quotes
    the offending line, and in an .edgerc that line may be a client_secret."""
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return f"line {exc.lineno} comes before any section header (such as [default])"
    if isinstance(exc, configparser.ParsingError):
        numbers = [str(number) for number, _ in exc.errors[:5]]
        if len(numbers) == 1:
            return f"line {numbers[0]} is not 'name = value'"
        return f"lines {', '.join(numbers)} are not 'name = value'"
    if isinstance(exc, configparser.DuplicateOptionError):
        return f"line {exc.lineno}: {exc.option!r} given twice in [{exc.section}]"
    if isinstance(exc, configparser.DuplicateSectionError):
        return f"line {exc.lineno}: section [{exc.section}] given twice"
    if isinstance(exc, configparser.InterpolationError):
        return f"the value of {exc.option!r} in [{exc.section}] has a '%' (write it as '%%')"
    return f"cannot be parsed ({type(exc).__name__})"


def read_edgerc(path: Path, section: str) -> tuple[EdgeGridCredentials, str]:
    """Credentials and host of one .edgerc section, read as Akamai's own tools read it."""
    from akamai.edgegrid import EdgeRc

    if not path.expanduser().is_file():
        raise TargetConfigError(f"{path}: .edgerc file not found")
    try:
        rc = EdgeRc(str(path))
        values = {
            k: rc.get(section, k) for k in ("client_token", "client_secret", "access_token", "host")
        }
    except configparser.NoSectionError:
        raise TargetConfigError(f"{path}: no section [{section}]") from None
    except configparser.Error as exc:
        raise TargetConfigError(f"{path}: not a valid .edgerc: {_edgerc_problem(exc)}") from None
    missing = [k for k, v in values.items() if not v and k != "host"]
    if missing:
        raise TargetConfigError(f"{path} [{section}]: missing {', '.join(missing)}")
    creds = EdgeGridCredentials(
        values["client_token"], values["client_secret"], values["access_token"]
    )
    return creds, values["host"]


def _remote_target(settings: RunSettings) -> Target:
    if settings.api == "azion":
        headers = {"Accept": AZION_ACCEPT}
        token = AzionTokenAuth(settings.token) if settings.token else None
        view = AzionTokenAuth(settings.view_token) if settings.view_token else None
        return Target(str(settings.base_url), False, token, headers, view)
    auth: AuthBase | None = None
    base_url = settings.base_url
    if settings.edgerc is not None:
        creds, host = read_edgerc(settings.edgerc, settings.section)
        auth = edgegrid_auth(creds)
        if base_url is None and host:
            base_url = host if host.startswith("http") else f"https://{host}"
    if base_url is None:
        raise TargetConfigError("no target: give --base-url (or an .edgerc with a host)")
    return Target(base_url, False, auth)


@contextmanager
def open_target(settings: RunSettings) -> Iterator[Target]:
    """Yield the run's target; an embedded reference server lives as long as the block."""
    if not settings.embedded or (settings.api == "akamai" and settings.edgerc is not None):
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
