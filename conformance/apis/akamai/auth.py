"""EdgeGrid signing (EG1-HMAC-SHA256) for the suite's client, and the .edgerc it comes from."""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass
from pathlib import Path

from requests.auth import AuthBase

from conformance.apis.akamai.reference.credentials import EdgeGridCredentials
from conformance.engine.target import TargetConfigError

EDGERC_KEYS = ("client_token", "client_secret", "access_token")


def edgegrid_auth(credentials: EdgeGridCredentials) -> AuthBase:
    """edgegrid-python's signer for `credentials`."""
    from akamai.edgegrid import EdgeGridAuth

    auth: AuthBase = EdgeGridAuth(
        client_token=credentials.client_token,
        client_secret=credentials.client_secret,
        access_token=credentials.access_token,
        max_body=credentials.max_body,
    )
    return auth


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


def _edgerc_text(path: Path) -> str:
    """The .edgerc's text: we read the bytes ourselves (EdgeRc would skip a missing file
    silently and decode in the locale's encoding)."""
    try:
        return path.expanduser().read_bytes().decode("utf-8")
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


def read_edgerc(path: Path, section: str) -> EdgeRcSection:
    """One .edgerc section, read and signed for by edgegrid-python itself (`EdgeRc`,
    `EdgeGridAuth.from_edgerc`), so `max_body` and `headers_to_sign` hold as Akamai's tools
    hold them.

    Every problem is one TargetConfigError line that names the file, the section and the line
    number, never a line's content.
    """
    from akamai.edgegrid import EdgeGridAuth, EdgeRc

    text = _edgerc_text(path)
    rc = EdgeRc(os.devnull)  # Akamai's parser and defaults, fed the text we decoded
    where = f"{path} [{section}]"
    try:
        rc.read_string(text, source=str(path.expanduser()))
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
