"""Secrets never reach disk: one scrubbing pipeline for reports, cassettes and logs.

Three nets, each catching what the others cannot:

- names: a JSON member, query or form parameter, or header whose name says "secret" (matched
  case-insensitively and across spellings: `api_key`, `apiKey`, `API-KEY` and `Api Key` are one
  name) has its value replaced, in bodies at any depth, in JSON held inside strings, and in
  JSON-like or `name=value` fragments of free text (a check message quoting a body);
- values: every credential the user gave us (tokens, signing client_token/client_secret/
  access_token) and every secret value the run has sent is replaced wherever it turns up;
- the last line of defence (`cassettes.secret_scan`) refuses a written file that still holds one.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from conformance.apis import APIS

PLACEHOLDER = "<redacted>"

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "set-cookie2",
        "x-api-key",
        "x-auth-token",
        # and each API's own (its definition's secret_headers)
        *(name.lower() for api in APIS.values() for name in api.secret_headers),
    }
)
# A challenge names a scheme (`Token realm="api"`), it carries no credential; the auth checks
# quote it.
_CHALLENGE_HEADERS = frozenset({"www-authenticate", "proxy-authenticate"})
# A header value that is a credential by its form, whatever the header's name (challenges aside).
_SIGNATURE_SCHEMES = (*(s for api in APIS.values() for s in api.secret_auth_schemes), "AWS4-HMAC-")
_CREDENTIAL_VALUE = re.compile(
    r"^\s*(?:"
    + "".join(f"{re.escape(scheme)}|" for scheme in _SIGNATURE_SCHEMES)
    + r"(?i:Token|Bearer|Basic|Digest)\s+\S)"
)
# Connector secrets of every API as its contract spells them (its definition's secret_members):
# checks.secrets watches these for echoes, and cassettes number their values (filters.py);
# redaction matches far more names.
SECRET_FIELDS = frozenset(
    {
        *(member for api in APIS.values() for member in api.secret_members),
        "password",
        "token",
        "client_secret",
        "access_token",
        "client_token",
    }
)
# Fields whose every value is secret (custom header values may carry credentials).
SECRET_VALUE_MAPS = frozenset(member for api in APIS.values() for member in api.secret_value_maps)


def normalise_name(name: str) -> str:
    """A name as redaction compares it: lower case, without `_`, `-`, `.` and spaces."""
    return re.sub(r"[\s_.\-]+", "", name).lower()


# Secret names, normalised. A name is secret when it (or it without a plural `s`) is one of
# these, contains one of _SECRET_PARTS, or ends in `token` or in one of the `...key` names.
_SECRET_NAMES = frozenset(
    normalise_name(n)
    for n in (
        *SECRET_FIELDS,
        "auth",
        "authorization",
        "proxy_authorization",
        "cookie",
        "set_cookie",
        "creds",
        "session",
        "session_id",
        "sid",
        "signature",
        "sig",
        "otp",
        *(name for api in APIS.values() for name in api.secret_names),
    )
)
_SECRET_PARTS = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "credential",
    "apikey",
    "privatekey",
    "accesskey",
    "authorization",
    "cookie",
    "signature",
    "connectionstring",
    "sessionid",
)
# `...key` is secret only after one of these: `streamVersionKey`, `object_key_prefix`,
# `cacheKey` or `partitionKey` are identifiers a report reader (and a replay) needs.
_SECRET_KEY_PREFIXES = (
    "api",
    "access",
    "secret",
    "private",
    "account",
    "signing",
    "encryption",
    "decryption",
    "master",
    "shared",
    "hmac",
    "license",
    "subscription",
    "client",
    "auth",
    "session",
    "storage",
    "sas",
    "ssh",
    "consumer",
    "app",
    "developer",
    "root",
    "function",
    "functions",
)
# `...token` names that are not credentials: pagination cursors.
_HARMLESS_TOKENS = frozenset({"pagetoken", "nextpagetoken", "nexttoken", "continuationtoken"})
# Only in a query or form string is a bare `key` (Google's `?key=`) a credential.
_QUERY_SECRET_NAMES = frozenset({"key", "code"})


@lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """Does a JSON member, query or form parameter of this name hold a secret?"""
    normal = normalise_name(name)
    candidates = {normal, normal[:-1]} if normal.endswith("s") and len(normal) > 3 else {normal}
    for candidate in candidates:
        if not candidate:
            continue
        if candidate in _SECRET_NAMES or any(part in candidate for part in _SECRET_PARTS):
            return True
        if candidate.endswith("token") and candidate not in _HARMLESS_TOKENS:
            return True
        if candidate.endswith("key") and candidate[:-3].endswith(_SECRET_KEY_PREFIXES):
            return True
    return False


# Header names matched by pattern as well as by SECRET_HEADERS (normalised, so `X-Api-Key`,
# `x_api_key` and `X-API-KEY` are one name): `*secret*`, `*token*`, `*password*`,
# `*credential*`, `*cookie*`, `*signature*`, `*session*`, `*authorization*`, `x-auth-*` and any
# `*key` (`X-Api-Key`, `X-Functions-Key`, `Ocp-Apim-Subscription-Key`). `WWW-Authenticate` is
# not one: it names a scheme, and the auth checks quote it.
_HEADER_PARTS = (
    "secret",
    "token",
    "password",
    "passwd",
    "credential",
    "cookie",
    "signature",
    "session",
    "authorization",
    "apikey",
    "privatekey",
)
# Never redacted by pattern (a credential *value* in them is still scrubbed): rate-limit
# headers are counters that the rate-limit checks judge, also when replaying a cassette, and a
# counter is never a credential; cache keys are diagnostics that name a URL.
_HARMLESS_HEADER_PREFIXES = ("xratelimit", "ratelimit")
_HARMLESS_HEADERS = frozenset({"xcachekey", "xtruecachekey", "keepalive"})


@lru_cache(maxsize=1024)
def is_secret_header(name: str) -> bool:
    """Does a header of this name carry a credential (deny-list plus name pattern)?"""
    lowered = name.strip().lower()
    if lowered in SECRET_HEADERS:
        return True
    normal = normalise_name(lowered)
    if normal in _HARMLESS_HEADERS or normal.startswith(_HARMLESS_HEADER_PREFIXES):
        return False
    return (
        any(part in normal for part in _HEADER_PARTS)
        or normal.endswith("key")
        or normal.startswith("xauth")
    )


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    """A copy of `headers` with credential-bearing values replaced."""
    return {k: redact_header_value(k, v) for k, v in headers.items()}


def is_credential_header(name: str, value: str) -> bool:
    """Is this header a credential, by its name or by its value's form (challenges aside)?"""
    if is_secret_header(str(name)):
        return True
    return bool(_CREDENTIAL_VALUE.match(str(value))) and str(name).lower() not in _CHALLENGE_HEADERS


def redact_header_value(name: str, value: str) -> str:
    """One header value, redacted when its name or its form is a credential's; otherwise with
    secret fragments (`token=...`, a known credential) scrubbed."""
    if is_credential_header(name, value):
        return PLACEHOLDER
    return redact_text(str(value))


Placeholder = Callable[[Any], str]


def _constant(_: Any) -> str:
    return PLACEHOLDER


def redact_json(
    value: Any, placeholder: Placeholder = _constant, *, scrub_known: bool = True
) -> Any:
    """A copy of a JSON value with secret members replaced at any depth (`placeholder(value)`
    says by what), and secret fragments of every string scrubbed (JSON inside a string,
    `name=value` pairs and, with `scrub_known`, known secret values)."""
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(key, str) and is_secret_name(key) and item not in (None, ""):
                result[key] = _redact_leaves(item, placeholder)
            elif key in SECRET_VALUE_MAPS and isinstance(item, dict):
                result[key] = {name: placeholder(v) for name, v in item.items()}
            elif type(item) in _SCALARS:
                result[key] = item
            else:
                result[key] = redact_json(item, placeholder, scrub_known=scrub_known)
        return result
    if isinstance(value, list):
        return [
            item
            if type(item) in _SCALARS
            else redact_json(item, placeholder, scrub_known=scrub_known)
            for item in value
        ]
    if isinstance(value, str):
        return _redact_string(value, placeholder, scrub_known)
    return value


_SCALARS = frozenset({int, float, bool, type(None)})


def _redact_leaves(value: Any, placeholder: Placeholder) -> Any:
    """Every leaf of a secret member's value replaced, its shape kept: a field-keyed error map
    (`"invalid_service_account_key": ["..."]`) stays a map of lists for the checks to judge."""
    if isinstance(value, dict):
        return {k: _redact_leaves(v, placeholder) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_leaves(v, placeholder) for v in value]
    return placeholder(value)


# JSON inside a string is parsed and redacted when it is no longer than this.
MAX_NESTED_JSON = 1_000_000


def _redact_string(text: str, placeholder: Placeholder, scrub_known: bool) -> str:
    if ":" not in text and "=" not in text:  # no fragment to find (the common case: fast)
        return scrub_known_secrets(text) if scrub_known else text
    stripped = text.strip()
    if stripped[:1] in ("{", "[") and len(stripped) <= MAX_NESTED_JSON:
        try:
            parsed = json.loads(stripped)
        except ValueError:
            pass
        else:
            if isinstance(parsed, (dict, list)):
                redacted = redact_json(parsed, placeholder, scrub_known=scrub_known)
                if redacted != parsed:
                    return json.dumps(redacted, ensure_ascii=False)
                return scrub_known_secrets(text) if scrub_known else text
    return redact_text(text, placeholder, scrub_known=scrub_known)


def redact_body_text(text: str) -> str:
    """Redact a body given as text: JSON member by member, anything else by `redact_text`."""
    if not text:
        return text
    try:
        parsed = json.loads(text)
    except ValueError:
        return redact_text(text)
    if not isinstance(parsed, (dict, list)):
        return redact_text(text)
    # Known secrets are scrubbed once, over the whole text, not string by string.
    redacted = redact_json(parsed, scrub_known=False)
    return scrub_known_secrets(json.dumps(redacted, ensure_ascii=False))


def redact_url(url: str) -> str:
    """Hide credential-like query values (`?token=...`, `&apiKey=...`) and known secrets."""
    return redact_text(url)


# ---------------------------------------------------------------------------------------------
# Free text: fragments of JSON or Python reprs (`"apiKey": "..."`, `'password': '...'`),
# `name=value` pairs (query and form strings, a signed `client_token=...;signature=...`) and
# header lines (`X-Api-Key: ...`) whose name is secret lose their value.

_QUOTED_NAME = re.compile(
    r"""(?P<esc>\\*)(?P<q>["'])(?P<name>[^"'\\\n]{1,64})(?P=esc)(?P=q)\s*:\s*"""
)
_PAIR = re.compile(r"(?<![\w.\-])(?P<name>[A-Za-z][\w.\-]{0,63})=(?P<value>[^&\s;,\"'<>)\]}\\]+)")
_HEADER_LINE = re.compile(
    r"(?<![\w\-])(?P<name>[A-Za-z][\w\-]{1,63}):[ \t]+"
    r"(?=(?P<value>(?:(?:(?i:Token|Bearer|Basic|Digest)|EG1-HMAC-SHA256)[ \t]+)?[^\s\"',;:]+))"
)


_USERINFO = re.compile(r"(?<=://)[^/\s@:?#]+:[^/\s@?#]*@")


def redact_text(
    text: str, placeholder: Placeholder = _constant, *, scrub_known: bool = True
) -> str:
    """Free text with the values of secret-named fragments (and, with `scrub_known`, every
    known secret value) replaced; a URL's `user:password@` too."""
    if not isinstance(text, str) or not text:
        return text
    if "://" in text and "@" in text:
        text = _USERINFO.sub(lambda m: f"{placeholder(m.group(0)[:-1])}@", text)
    if ":" in text:
        text = _redact_quoted_members(text, placeholder)
    if "=" in text:
        text = _PAIR.sub(
            lambda m: (
                f"{m.group('name')}={placeholder(m.group('value'))}"
                if _is_secret_parameter(m.group("name")) and not m.group("value").startswith("<")
                else m.group(0)
            ),
            text,
        )
    if ":" in text:
        text = _redact_header_lines(text, placeholder)
    return scrub_known_secrets(text) if scrub_known else text


def _redact_header_lines(text: str, placeholder: Placeholder) -> str:
    out: list[str] = []
    position = 0
    for match in _HEADER_LINE.finditer(text):
        value = match.group("value")
        # A bare number after a secret-sounding word is prose ("our credentials: 401 on ..."),
        # not a header line; a real header holding a number is redacted by its name elsewhere.
        if not is_secret_header(match.group("name")) or value.startswith("<") or value.isdigit():
            continue
        out += [text[position : match.end()], placeholder(value)]
        position = match.end() + len(value)
    if not out:
        return text
    out.append(text[position:])
    return "".join(out)


def _is_secret_parameter(name: str) -> bool:
    return is_secret_name(name) or name.lower() in _QUERY_SECRET_NAMES


def _redact_quoted_members(text: str, placeholder: Placeholder) -> str:
    out: list[str] = []
    position = 0
    for match in _QUOTED_NAME.finditer(text):
        if match.start() < position or not is_secret_name(match.group("name")):
            continue
        start = match.end()
        end = _value_end(text, start, match.group("esc"))
        value = text[start:end]
        if not value or value.strip("\"'\\").startswith("<redacted"):
            continue
        esc, q = match.group("esc"), match.group("q")
        opener = value[len(esc) : len(esc) + 1] if value.startswith(esc) else ""
        if opener in ("'", '"') and value.startswith(esc + opener):
            closed = len(value) > len(esc) + 1 and value.endswith(esc + opener)
            inner = value[len(esc) + 1 : len(value) - (len(esc) + 1) if closed else len(value)]
            replacement = f"{esc}{opener}{placeholder(inner)}" + (
                f"{esc}{opener}" if closed else ""
            )
        else:
            replacement = f"{esc}{q}{placeholder(value)}{esc}{q}"
        out.append(text[position:start])
        out.append(replacement)
        position = end
    if not out:
        return text
    out.append(text[position:])
    return "".join(out)


def _value_end(text: str, start: int, esc: str) -> int:
    """Where the JSON-ish value starting at `start` ends (the end of `text` if it is cut)."""
    if start + len(esc) >= len(text):
        return len(text)
    opener = text[start + len(esc)] if text.startswith(esc, start) and esc else text[start]
    if esc and text.startswith(esc, start) and opener in "\"'":
        closing = esc + opener
        found = text.find(closing, start + len(closing))
        return len(text) if found < 0 else found + len(closing)
    if opener in "\"'":
        index = start + 1
        while index < len(text):
            char = text[index]
            if char == "\\":
                index += 2
                continue
            if char == opener or char == "\n":
                return index + 1 if char == opener else index
            index += 1
        return len(text)
    if opener in "{[":
        depth = 0
        quote = ""
        index = start
        while index < len(text):
            char = text[index]
            if quote:
                if char == "\\":
                    index += 2
                    continue
                if char == quote:
                    quote = ""
            elif char in "\"'":
                quote = char
            elif char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
                if depth == 0:
                    return index + 1
            index += 1
        return len(text)
    match = re.compile(r"[^,}\]\s]*").match(text, start)
    return match.end() if match else start


# ---------------------------------------------------------------------------------------------
# Secret values known to the run (cassettes, issue 5). Field names catch a secret where the
# contract puts it; a value the run has sent as a secret, or authenticated with, is also
# replaced wherever else it turns up (echoed in a message, a URL, an unknown field).
#
# How a value is found depends on how much innocent text it could take with it:
# - long and varied (MIN_SECRET_LENGTH characters, MIN_SECRET_DISTINCT distinct): anywhere,
#   even inside a longer word;
# - shorter or repetitive, yet MIN_WORD_LENGTH characters or more: as a whole word only (not
#   next to a letter or digit), so `Zq7Kp2` goes from `Token Zq7Kp2` but not from `aZq7Kp2b`;
# - shorter still (a 1-3 character token): only where it stands as a value of its own: a
#   whole string (a JSON string, a header value), after `=` in a query or form string, or
#   after an auth scheme (`Token x`). Replacing every `a` or `42` in free text would destroy
#   the report and still reveal the token by the holes it leaves.
# Values the run learns from its own requests (remember_secret) need the first tier: they are
# generated test data, and a short one ("x") says nothing. Credentials the user gave us
# (remember_credential) are kept whatever their length.

MIN_SECRET_LENGTH = 8
MIN_SECRET_DISTINCT = 5
MIN_WORD_LENGTH = 4
# A secret field of a *response* that holds no value the run sent as a connector secret: kept
# apart from PLACEHOLDER so that, in a cassette, "the response echoes a secret we sent" stays
# recognisable (checks.secrets looks for exactly that).
RESPONSE_PLACEHOLDER = "<redacted-in-response>"
_secret_scopes: list[set[str]] = [set()]
_secret_lock = threading.Lock()


@contextmanager
def secret_scope() -> Iterator[set[str]]:
    """Values remembered inside the block are forgotten after it (one run, one scope)."""
    scope: set[str] = set()
    with _secret_lock:
        _secret_scopes.append(scope)
    try:
        yield scope
    finally:
        with _secret_lock:
            _secret_scopes.remove(scope)


def remember_secret(value: object) -> None:
    """Treat `value` as a secret for the rest of the scope (short values are ignored)."""
    if isinstance(value, str) and looks_like_secret(value):
        with _secret_lock:
            _secret_scopes[-1].add(value)


def remember_credential(value: object) -> None:
    """A credential the user gave us: a secret for the rest of the scope, whatever its length."""
    if isinstance(value, str) and value.strip() and "<redacted" not in value:
        with _secret_lock:
            _secret_scopes[-1].add(value)


def looks_like_secret(value: object) -> bool:
    """Long and varied enough to be replaced wherever it occurs without collateral damage."""
    return (
        isinstance(value, str)
        and len(value) >= MIN_SECRET_LENGTH
        and len(set(value)) >= MIN_SECRET_DISTINCT
        and "<redacted" not in value
    )


def known_secrets() -> frozenset[str]:
    with _secret_lock:
        return frozenset().union(*_secret_scopes)


def secret_field_values(value: Any) -> set[str]:
    """Every string held by a secret field of a JSON value, at any depth."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and is_secret_name(key) and isinstance(item, str):
                found.add(item)
            elif key in SECRET_VALUE_MAPS and isinstance(item, dict):
                found.update(v for v in item.values() if isinstance(v, str))
            else:
                found |= secret_field_values(item)
    elif isinstance(value, list):
        for item in value:
            found |= secret_field_values(item)
    return found


_WORD_CHAR = "A-Za-z0-9"
_AFTER_SCHEME = "|".join(f"(?<={scheme} )" for scheme in ("Token", "Bearer", "Basic", "Digest"))


@lru_cache(maxsize=64)
def _patterns(secrets: frozenset[str]) -> tuple[tuple[str, re.Pattern[str] | None], ...]:
    """One (value, pattern) per secret, longest first; no pattern: plain substring search."""
    result: list[tuple[str, re.Pattern[str] | None]] = []
    for value in sorted(secrets, key=lambda v: (-len(v), v)):
        escaped = re.escape(value)
        if looks_like_secret(value):
            result.append((value, None))
        elif len(value) >= MIN_WORD_LENGTH:
            result.append((value, re.compile(rf"(?<![{_WORD_CHAR}]){escaped}(?![{_WORD_CHAR}])")))
        else:
            # A value of its own: quoted, after `=`, or after an auth scheme.
            result.append(
                (
                    value,
                    re.compile(
                        rf"(?:(?<=[\"'=])|{_AFTER_SCHEME})"
                        rf"{escaped}(?=[\"'&;,\s\\]|$)"
                    ),
                )
            )
    return tuple(result)


def _tiers(extra: Iterable[str] = ()) -> tuple[tuple[str, re.Pattern[str] | None], ...]:
    return _patterns(known_secrets() | frozenset(v for v in extra if v))


def scrub_known_secrets(
    text: str, *, placeholder: str = PLACEHOLDER, extra: Iterable[str] = ()
) -> str:
    """`text` with every known secret value replaced by `placeholder` (longest first; see the
    tiers above for how short values are found)."""
    if not isinstance(text, str) or not text:
        return text
    for value, pattern in _tiers(extra):
        if value not in text:
            continue
        if text == value or text.strip() == value:
            return placeholder
        text = (
            text.replace(value, placeholder) if pattern is None else pattern.sub(placeholder, text)
        )
    return text


def find_known_secrets(text: str, extra: Iterable[str] = ()) -> list[str]:
    """The known secrets `text` still holds, found as `scrub_known_secrets` would find them."""
    found: list[str] = []
    for value, pattern in _tiers(extra):
        if value in text and (pattern is None or pattern.search(text) or text.strip() == value):
            found.append(value)
    return found


def scrub_strings(value: Any) -> Any:
    """A copy of a JSON value with secret fragments (`redact_text`) and known secret values
    replaced in every string (a report's messages quote what scenarios sent and what targets
    answered, so field names alone cannot catch everything)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: scrub_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_strings(v) for v in value]
    return value


def remember_request_secrets(body: str) -> None:
    """Remember the secret-field values of a JSON request body (for `scrub_strings`)."""
    if not body:
        return
    try:
        parsed = json.loads(body)
    except ValueError:
        return
    for value in secret_field_values(parsed):
        remember_secret(value)
