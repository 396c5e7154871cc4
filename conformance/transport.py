"""How requests reach a target: extra headers, TLS verification, a client certificate, an
account switch key (for an API that has one: `ApiDefinition.account_parameter`); their flags
are rows of `run_options.RUN_OPTIONS` (`sweep` takes them too).

Precedence: a flag, then the variables `requests` users expect, then the default.

- `--ca-bundle FILE` beats `$REQUESTS_CA_BUNDLE`, then `$CURL_CA_BUNDLE` (both as `requests`
  reads them), then `$SSL_CERT_FILE` (OpenSSL's, which `requests` alone would ignore), then the
  certifi bundle; `--tls-verify false` checks nothing (and says so on stderr).
- Proxies come from `$HTTPS_PROXY`/`$HTTP_PROXY`/`$ALL_PROXY` with `$NO_PROXY`, as `requests`
  reads them, except that a loopback target is always connected to directly: the write guard
  lets writes go to loopback by default because the bytes stay on this machine, and through a
  proxy "127.0.0.1" would be the proxy's own loopback, somewhere else (Go's net/http does the
  same).

Every file is checked before the first request (`check_files`, called by the preflight): it
must exist, be readable and be PEM that OpenSSL loads; a certificate and its key must match.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")
# RFC 9110 token characters: what a header name may be made of.
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
# Headers the HTTP stack owns: a user value would break the framing or name another host.
_RESERVED_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
AUTHORIZATION = "authorization"


class TransportError(ValueError):
    """A transport setting that cannot work; the message is one line and never quotes a
    header value."""


@dataclass(frozen=True, slots=True)
class Transport:
    """What every request of a run carries and how its connection is made."""

    headers: tuple[tuple[str, str], ...] = ()  # `-H`: sent unless a request sets the name itself
    account_key: str | None = None  # sent as `account_parameter` on every request
    verify: bool | str = True  # False, True (the certifi bundle), or a CA bundle file/directory
    cert: tuple[str, str] | str | None = None  # client certificate (and key), as requests takes
    account_parameter: str = ""  # the query parameter of the API's account switch

    @property
    def credentials(self) -> list[str]:
        """Values that must never reach a report, a cassette or a log: credential-looking
        headers (and the part after their scheme) and the account switch key."""
        from conformance.redaction import is_credential_header

        key = self.account_key or ""
        # In a URL the key is percent-encoded (`1-ABC:1-DEF` is sent as `1-ABC%3A1-DEF`).
        values = [key, quote(key, safe=""), quote_plus(key)]
        for name, value in self.headers:
            if is_credential_header(name, value):
                values += [value, value.split(None, 1)[-1]]
        return [v for v in values if v.strip()]


def header(text: str) -> tuple[str, str]:
    """`-H NAME:VALUE` (curl's form, `NAME: VALUE` too). Errors never quote the text: a value
    may be a credential."""
    name, colon, value = text.partition(":")
    name, value = name.strip(), value.strip()
    if not colon or not name:
        raise argparse.ArgumentTypeError("expected NAME:VALUE, such as 'X-Api-Key: ...'")
    if not _TOKEN.match(name):
        raise argparse.ArgumentTypeError(
            "the header name (before the first colon) may hold only letters, digits and "
            "!#$%&'*+-.^_`|~"
        )
    if not value:
        raise argparse.ArgumentTypeError(f"header {name} has no value after the colon")
    if any(c in "\r\n\0" or (not c.isprintable() and c != "\t") for c in value):
        raise argparse.ArgumentTypeError(f"header {name}: its value holds a control character")
    if not value.isascii():
        raise argparse.ArgumentTypeError(f"header {name}: its value must be ASCII")
    if name.lower() in _RESERVED_HEADERS:
        raise argparse.ArgumentTypeError(
            f"header {name} is set by the HTTP client itself (the target comes from --base-url)"
        )
    return name, value


def boolean(text: str) -> str:
    """`true` or `false` (kept as text: an explicit `false` must not read as "not given")."""
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")
    return lowered


def account_key(text: str) -> str:
    """`--account-key`: an account switch key (`1-5BYUG1:1-8BYUX`)."""
    if not text.strip() or any(not c.isprintable() or c.isspace() for c in text):
        raise argparse.ArgumentTypeError("must be a non-empty key without spaces")
    return text


def environment_help() -> str:
    """The variables of this module, for `--help`."""
    return "\n".join(
        [
            f"  {', '.join(CA_VARIABLES)}\n  {'':17s}the default of --ca-bundle, in that order",
            "  HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY\n"
            f"  {'':17s}proxies, as requests reads them (never for a loopback target)",
        ]
    )


def ca_bundle(
    flag: Path | None, verify: bool, environ: Mapping[str, str] | None = None
) -> tuple[bool | str, str | None]:
    """What to verify the target's certificate with, and where that came from (a flag or a
    variable; None for certifi's bundle or no verification)."""
    if not verify:
        return False, None
    if flag is not None:
        return str(flag), "--ca-bundle"
    env = os.environ if environ is None else environ
    for variable in CA_VARIABLES:
        if env.get(variable):
            return env[variable], f"${variable}"
    return True, None


def client_cert(cert: Path | None, key: Path | None) -> tuple[str, str] | str | None:
    """The client certificate as requests takes it (TransportError for a key alone)."""
    if key is not None and cert is None:
        raise TransportError("--client-key needs --client-cert")
    if cert is None:
        return None
    return (str(cert), str(key)) if key is not None else str(cert)


def _readable(path: str, origin: str) -> bytes:
    """The bytes of `path` (at most the first MiB, enough to tell PEM) or a one-line error."""
    try:
        with open(path, "rb") as stream:
            return stream.read(1 << 20)
    except FileNotFoundError:
        raise TransportError(f"{origin} {path}: file not found") from None
    except IsADirectoryError:
        raise TransportError(f"{origin} {path}: is a directory, not a file") from None
    except OSError as exc:
        raise TransportError(f"{origin} {path}: cannot read it ({exc.strerror})") from None


def _pem_certificate(text: bytes) -> bool:
    return b"-----BEGIN " in text and b"CERTIFICATE-----" in text


def check_files(verify: bool | str, origin: str | None, cert: tuple[str, str] | str | None) -> None:
    """Every TLS file exists, is readable and is PEM OpenSSL loads; the key fits the
    certificate. Raises TransportError (one line) otherwise."""
    import ssl  # here: `dsconform --help` imports this module for its flags

    if isinstance(verify, str):
        where = origin or "CA bundle"
        if os.path.isdir(verify):  # requests takes a c_rehash directory too
            if not os.access(verify, os.R_OK | os.X_OK):
                raise TransportError(f"{where} {verify}: directory not readable")
        else:
            if not _pem_certificate(_readable(verify, where)):
                raise TransportError(f"{where} {verify}: not a PEM file of CA certificates")
            try:
                ssl.create_default_context().load_verify_locations(cafile=verify)
            except (ssl.SSLError, ValueError):
                raise TransportError(
                    f"{where} {verify}: OpenSSL cannot load its certificates"
                ) from None
    if cert is None:
        return
    cert_file, key_file = cert if isinstance(cert, tuple) else (cert, None)
    if not _pem_certificate(_readable(cert_file, "--client-cert")):
        raise TransportError(f"--client-cert {cert_file}: not a PEM certificate")
    key_text = _readable(key_file or cert_file, "--client-key" if key_file else "--client-cert")
    if b"PRIVATE KEY-----" not in key_text:
        where = f"--client-key {key_file}" if key_file else f"--client-cert {cert_file}"
        what = "a PEM private key" if key_file else "its PEM private key (or give --client-key)"
        raise TransportError(f"{where}: not {what}")
    if b"ENCRYPTED" in key_text:
        raise TransportError(
            f"{'--client-key ' + key_file if key_file else '--client-cert ' + cert_file}: "
            "the key is encrypted; give an unencrypted copy (openssl pkey -in KEY -out FILE)"
        )
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_cert_chain(cert_file, key_file, password=lambda: b"")
    except (ssl.SSLError, ValueError):
        raise TransportError(
            f"--client-cert {cert_file}: the certificate and its key do not load as a pair"
        ) from None
