"""The one parser of target URLs: it decides where requests go and whether writes may go there.

A base URL is accepted only in a form every parser on the way reads alike: `http` or `https`,
a host name, an IPv4 address or a bracketed IPv6 address, an optional port and an optional
path; no user info, no backslash, no whitespace or control character, no percent sign in the
host, no query or fragment. What it yields (`TargetUrl.url`) is rebuilt from the parsed parts,
and urllib3 (what requests connects with) must read the same host and port from it; the write
guard asks the same parsed value (`TargetUrl.is_loopback`). So a URL cannot be judged loopback
by us while the HTTP stack connects somewhere else.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

SCHEMES = ("http", "https")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_HOST_NAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*\.?$")
# RFC 3986 path characters: unreserved, sub-delims, ":", "@", "/" and percent escapes.
_PATH = re.compile(r"^(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
LOOPBACK_NAMES = frozenset({"localhost"})


class TargetUrlError(ValueError):
    """A base URL dsconform refuses; the message is one line and says what to give instead."""


@dataclass(frozen=True, slots=True)
class TargetUrl:
    """A parsed, normalised base URL."""

    scheme: str
    host: str  # lower case; an IPv6 address without its brackets
    port: int | None
    path: str  # "" or starting with "/", without a trailing "/"

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port is None else f"{host}:{self.port}"

    @property
    def url(self) -> str:
        """The URL requests are sent under (rebuilt from the parts, never the input text)."""
        return f"{self.scheme}://{self.netloc}{self.path}"

    @property
    def is_loopback(self) -> bool:
        """Whether the host is this machine: 127.0.0.0/8, ::1 or `localhost`."""
        if self.host in LOOPBACK_NAMES:
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def _refuse(text: str, why: str) -> TargetUrlError:
    if "@" in text:  # what precedes the last "@" may be a password: never echo it
        head, _, tail = text.rpartition("@")
        scheme = _SCHEME.match(head)
        text = f"{scheme.group(0) if scheme else ''}<redacted>@{tail}"
    shown = text if len(text) <= 80 and text.isprintable() else repr(text[:80])
    return TargetUrlError(f"base URL {shown}: {why}")


def parse_target_url(text: str) -> TargetUrl:
    """Parse a base URL or raise TargetUrlError (one line) saying why it is refused."""
    if not text:
        raise TargetUrlError("base URL is empty: give one such as http://127.0.0.1:8080")
    if any(c.isspace() or not c.isprintable() for c in text):
        raise _refuse(text, "contains whitespace or a control character")
    if not text.isascii():
        raise _refuse(text, "contains non-ASCII characters (give an IDN host in its xn-- form)")
    if "\\" in text:
        raise _refuse(text, "contains a backslash")
    match = _SCHEME.match(text)
    if match is None:
        hint = "" if "@" in text else f"; did you mean http://{text} ?"
        raise _refuse(text, f"has no scheme (http:// or https://){hint}")
    scheme = match.group(1).lower()
    if scheme not in SCHEMES:
        raise _refuse(text, f"scheme {scheme!r} is not supported (use http:// or https://)")
    rest = text[match.end() :]
    if "?" in rest or "#" in rest:
        raise _refuse(text, "a base URL takes no query or fragment")
    netloc, slash, path = rest.partition("/")
    path = slash + path
    if "@" in netloc:
        raise _refuse(text, "user info (user:password@) is not allowed; pass credentials as flags")
    if "%" in netloc:
        raise _refuse(text, "percent signs are not allowed in the host")
    host, port = _split_host_port(text, netloc)
    if not _PATH.match(path):
        raise _refuse(text, "its path holds characters that must be percent-encoded")
    parsed = TargetUrl(scheme, host, port, path.rstrip("/"))
    _cross_check(text, parsed)
    return parsed


def _split_host_port(text: str, netloc: str) -> tuple[str, int | None]:
    if netloc.startswith("["):
        end = netloc.find("]")
        if end < 0:
            raise _refuse(text, "unclosed [ in the host")
        host, after = netloc[1:end], netloc[end + 1 :]
        try:
            address = ipaddress.IPv6Address(host)
        except ValueError:
            raise _refuse(text, "the bracketed host is not an IPv6 address") from None
        host = address.compressed
        if after and not after.startswith(":"):
            raise _refuse(text, "unexpected text after the IPv6 address")
        port_text = after[1:] if after else None
    else:
        host, colon, port_text_raw = netloc.partition(":")
        port_text = port_text_raw if colon else None
        if not host:
            raise _refuse(text, "has no host")
        if not _HOST_NAME.match(host):
            raise _refuse(text, f"{host!r} is not a host name or IP address")
        host = host.lower()
    port: int | None = None
    if port_text is not None:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise _refuse(text, "the port must be a number from 1 to 65535")
        port = int(port_text)
    return host, port


def _cross_check(text: str, parsed: TargetUrl) -> None:
    """urllib3, which requests connects with, must read the same host and port."""
    from urllib3.util import parse_url

    theirs = parse_url(parsed.url)
    their_host = (theirs.host or "").strip("[]").lower()
    ours = parsed.host
    if ":" in ours:
        try:
            their_host = ipaddress.IPv6Address(their_host).compressed
        except ValueError:
            their_host = ""  # urllib3 read no IPv6 address where we did: refused below
    if their_host != ours or theirs.port != parsed.port or theirs.auth:
        raise _refuse(text, "is ambiguous (the HTTP library reads another host or port)")


def normalise_target_url(text: str) -> str:
    """The normalised form of a base URL (TargetUrlError when refused)."""
    return parse_target_url(text).url


def is_loopback_url(text: str) -> bool:
    """Whether a base URL names this machine; a URL the parser refuses never does."""
    try:
        return parse_target_url(text).is_loopback
    except TargetUrlError:
        return False
