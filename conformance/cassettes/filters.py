"""Redaction of cassette interactions before vcrpy keeps them (and so before any disk write).

Requests: credential headers, secret body fields (connector keys and tokens, custom header
values), secret query values and any value known to be secret become `PLACEHOLDER`.

Responses: the same headers (`Set-Cookie` included) become `PLACEHOLDER`. A secret field that
holds a value the run itself sent in a secret field becomes `<redacted:sent-N>` (a connector
secret checks.secrets watches) or `<redacted:value-N>` (any other), N counting the
distinct secret values the run sent, in order; any other secret field value, and any other
known secret, becomes `RESPONSE_PLACEHOLDER`. The index carries no secret, yet lets a replay
(whose regenerated requests send the same values in the same order) put the value back, so
"the response echoes what we sent" is judged from a cassette exactly as it was live.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from typing import Any

from vcr.filters import decode_response
from vcr.request import Request

from conformance.checks.secrets import secret_values as echo_checked_secrets
from conformance.redaction import (
    PLACEHOLDER,
    RESPONSE_PLACEHOLDER,
    SECRET_FIELDS,
    SECRET_VALUE_MAPS,
    looks_like_secret,
    redact_header_value,
    redact_json,
    redact_text,
    redact_url,
    remember_secret,
    scrub_known_secrets,
    secret_field_values,
)


def _text(body: Any) -> str:
    if body is None:
        return ""
    if isinstance(body, (bytes, bytearray)):
        return bytes(body).decode("utf-8", "replace")
    return str(body)


def _json(text: str) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


AT_KEY = "dsconform_at"  # seconds from the start of the recorded run to this response
# `sent-N`: a value checks.secrets watches for (a connector secret of 6+ characters);
# `value-N`: any other secret-field value the run sent (custom header values, short ones).
SENT_PLACEHOLDER = re.compile(r"<redacted:(?:sent|value)-(\d+)>")
CHECKED_ECHO = re.compile(r"<redacted:sent-\d+>")


def sent_placeholder(index: int, checked: bool = True) -> str:
    return f"<redacted:{'sent' if checked else 'value'}-{index}>"


def ordered_secret_values(value: Any) -> list[str]:
    """Strings of the contract's secret fields (SECRET_FIELDS, not every name redaction
    matches: the numbering must stay what recorded cassettes hold) of a JSON value, in
    document order (the order is what a replay relies on)."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SECRET_FIELDS and isinstance(item, str) and item:
                found.append(item)
            elif key in SECRET_VALUE_MAPS and isinstance(item, dict):
                found.extend(v for v in item.values() if isinstance(v, str) and v)
            else:
                found.extend(ordered_secret_values(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(ordered_secret_values(item))
    return found


class Redactor:
    """The vcrpy hooks of one run: it numbers the secret values the run sends."""

    def __init__(self) -> None:
        self.sent: dict[str, int] = {}  # secret value -> its index, 1-based, in sending order
        self.checked: set[str] = set()  # those of them checks.secrets learns
        self._lock = threading.Lock()
        # When recording: time.monotonic() at the start of the run; each response is stamped
        # with its offset from it (AT_KEY), so a replay can keep the run's timeline.
        self.origin: float | None = None

    # ------------------------------------------------------------------ requests

    def learn(self, body_text: str) -> None:
        parsed = _json(body_text)
        if parsed is None:
            return
        checked = echo_checked_secrets(parsed)
        for value in ordered_secret_values(parsed):
            if value.startswith("<redacted"):
                continue  # a recorded request, loaded for a replay: already redacted
            remember_secret(value)
            with self._lock:
                if value not in self.sent:
                    self.sent[value] = len(self.sent) + 1
                if value in checked:
                    self.checked.add(value)
        for value in secret_field_values(parsed):  # any secret-named field, not numbered
            if not value.startswith("<redacted"):
                remember_secret(value)

    def request(self, request: Request) -> Request:
        """vcrpy's `before_record_request`: a redacted copy (the live request is untouched)."""
        text = _text(request.body)
        self.learn(text)
        redacted = copy.deepcopy(request)
        redacted.uri = redact_url(request.uri)
        redacted.headers = {
            k: redact_header_value(k, _header(v)) for k, v in request.headers.items()
        }
        parsed = _json(text)
        if parsed is not None:
            body = json.dumps(redact_json(parsed, scrub_known=False), ensure_ascii=False)
            redacted.body = scrub_known_secrets(body).encode("utf-8")
        elif text:
            redacted.body = redact_text(text).encode("utf-8")
        return redacted

    # ------------------------------------------------------------------ responses

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        """vcrpy's `before_record_response` (after decompression)."""
        response = decode_response(response)
        response = copy.deepcopy(response)
        response["headers"] = {
            name: [redact_header_value(name, _header(v)) for v in _values(values)]
            for name, values in (response.get("headers") or {}).items()
        }
        if self.origin is not None and AT_KEY not in response:
            response[AT_KEY] = round(time.monotonic() - self.origin, 6)
        return _with_body(response, self.redact_response_text)

    def redact_response_text(self, text: str) -> str:
        with self._lock:
            sent = dict(self.sent)
            checked = frozenset(self.checked)

        def placeholder(value: Any) -> str:
            return self._placeholder(value, sent, checked)

        # Secret-named members and fragments (redaction.redact_json): numbered when they hold
        # a value the run sent, RESPONSE_PLACEHOLDER otherwise.
        parsed = _json(text)
        if isinstance(parsed, (dict, list)):
            redacted = redact_json(parsed, placeholder, scrub_known=False)
            if redacted != parsed:
                text = json.dumps(redacted, ensure_ascii=False)
        else:
            text = redact_text(text, placeholder, scrub_known=False)
        # Echoes outside secret fields (in a message, say): numbered too, when they look like
        # secrets; a short or repetitive value would take innocent text with it.
        for value in sorted(sent, key=len, reverse=True):
            if looks_like_secret(value) and value in text:
                text = text.replace(value, sent_placeholder(sent[value], value in checked))
        # Any other known secret (a credential, whatever its length; see redaction's tiers).
        return scrub_known_secrets(text, placeholder=RESPONSE_PLACEHOLDER)

    @staticmethod
    def _placeholder(value: Any, sent: dict[str, int], checked: frozenset[str]) -> str:
        if isinstance(value, str) and value in sent:
            return sent_placeholder(sent[value], value in checked)
        return RESPONSE_PLACEHOLDER

    # ------------------------------------------------------------------ replay

    def restore(self, response: dict[str, Any]) -> dict[str, Any]:
        """A recorded response with `<redacted:sent-N>` put back to the N-th value this run
        has sent (the replay regenerates the same values in the same order)."""
        with self._lock:
            by_index = {index: value for value, index in self.sent.items()}
        if not by_index:
            return response
        body = (response.get("body") or {}).get("string")
        text = _text(body)
        if not SENT_PLACEHOLDER.search(text):
            return response

        def put_back(found: str) -> str:
            return SENT_PLACEHOLDER.sub(lambda m: by_index.get(int(m.group(1)), m.group(0)), found)

        parsed = _json(text)
        if parsed is not None:
            new_text = json.dumps(_map_strings(parsed, put_back), ensure_ascii=False)
        else:
            new_text = put_back(text)
        restored = copy.deepcopy(response)
        return _with_body(restored, lambda _: new_text)


def _map_strings(value: Any, function: Any) -> Any:
    if isinstance(value, str):
        return function(value)
    if isinstance(value, dict):
        return {function(k): _map_strings(v, function) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_strings(v, function) for v in value]
    return value


def recorded_echoes_as_placeholder(text: str) -> str:
    """For a recheck, where requests hold PLACEHOLDER: numbered echoes become PLACEHOLDER too."""
    return CHECKED_ECHO.sub(PLACEHOLDER, text)


def _with_body(response: dict[str, Any], change: Any) -> dict[str, Any]:
    body = response.get("body") or {}
    text = _text(body.get("string"))
    if not text:
        return response
    new_text = change(text)
    if new_text != text:
        encoded = new_text.encode("utf-8")
        body["string"] = encoded
        for name in list(response.get("headers") or {}):
            if name.lower() == "content-length":
                response["headers"][name] = [str(len(encoded))]
    return response


def _header(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def _values(values: Any) -> list[Any]:
    return list(values) if isinstance(values, (list, tuple)) else [values]
