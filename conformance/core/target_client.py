"""The one HTTP client every phase sends through: auth, timeouts, body caps, listeners."""

from __future__ import annotations

import contextlib
import http.client
import json as jsonlib
import math
import re
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
import urllib3.exceptions
from requests.auth import AuthBase
from requests.utils import get_environ_proxies

from conformance.core.exchange import Exchange, RecordedRequest, RecordedResponse
from conformance.core.request_watchdog import TICK, WATCHDOG, WatchedAdapter
from conformance.core.send_rules import SendRules
from conformance.core.stopping import (
    CLEANUP_GRACE,
    INFLIGHT_GRACE,
    RunInterrupted,
    StopControl,
)
from conformance.settings import READ_METHODS
from conformance.target_url import TargetUrl
from conformance.time_formats import parse_iso8601
from conformance.transport import Transport

DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024
ExchangeListener = Callable[[Exchange], None]


class TargetError(Exception):
    """The target could not be talked to at all (refused, reset, TLS, timeout), answers only
    5xx, or the run's overall deadline has passed: the run stops and writes what it has."""


class ExchangeFailed(TargetError):
    """One request got no complete answer (timed out, reset or garbled mid-answer) from a
    target that has answered before: a finding against what the request was exercising, and
    the run goes on. Code that does not record it treats it as any TargetError (abort)."""

    def __init__(self, message: str, exchange: Exchange) -> None:
        super().__init__(message)
        self.exchange = exchange  # the request, and whatever part of the answer arrived


class WriteRefused(Exception):
    """A read-only run was about to send a write; the step that needs it is skipped."""


class HeaderAuth(AuthBase):
    """An `Authorization` value given with `-H`: the run's credential when nothing else signs
    (left off, like any auth, on the requests that test missing credentials)."""

    def __init__(self, value: str) -> None:
        self.header_value = value

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self.header_value
        return request


# More 5xx answers in a row than any one fault of a single operation gives in a default run
# (10 cases per generation mode), fewer than a run against a dead target would burn.
MAX_SERVER_ERRORS_IN_A_ROW = 50
# Requests in a row without a complete answer after which the target counts as down (one such
# exchange is a finding; a target that never answered at all is down at the first).
MAX_TRANSPORT_FAILURES_IN_A_ROW = 3
TRANSPORT_ERRORS = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)


class TargetClient:
    """Sends requests to one target under its `SendRules` and hands every complete exchange
    to its listeners, in the order they were added."""

    max_wait = 75.0  # the longest pause for the target's advertised budget
    max_server_errors_in_a_row = MAX_SERVER_ERRORS_IN_A_ROW
    max_transport_failures_in_a_row = MAX_TRANSPORT_FAILURES_IN_A_ROW

    def __init__(
        self,
        base_url: str,
        *,
        auth: AuthBase | None = None,
        default_headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        transport: Transport | None = None,
        rules: SendRules | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.transport = transport or Transport()
        self.timeout = timeout
        self.max_body_bytes = max_body_bytes
        self.session = requests.Session()
        for scheme in ("http://", "https://"):  # a watchdog bounds each whole request
            self.session.mount(scheme, WatchedAdapter())
        self.session.headers.update({"User-Agent": "dsconform"})
        self.session.headers.update(default_headers or {})
        self.session.headers.update(dict(self.transport.headers))
        self.rules = rules or SendRules()
        self._listeners: list[ExchangeListener] = []
        self.requests_made = 0
        self.waited_seconds = 0.0
        self._not_before = 0.0  # epoch seconds: the advertised budget forbids sending earlier
        self._sent_at: deque[float] = deque()
        self._unfiltered = 0
        self._server_errors_in_a_row = 0
        self._transport_failures_in_a_row = 0
        self.answered = 0  # complete answers so far
        # Writes that got no complete answer: the target may have acted on one all the same
        # (a create whose answer no listener saw), which the run's cleanup must look for.
        self.unanswered_writes: list[Exchange] = []

    @property
    def read_only(self) -> bool:
        """Whether this client refuses every write (`--read-only`, or a remote target)."""
        return self.rules.read_only

    @property
    def stop(self) -> StopControl:
        """The run's stop control: signals, the phases' cut-off and the cleanup grace."""
        return self.rules.stop

    def listen(self, listener: ExchangeListener) -> None:
        """Hand every later complete exchange to `listener`, after those already listening."""
        self._listeners.append(listener)

    def adopt(self, exchange: Exchange) -> None:
        """Count an exchange another client sent for this run (a worker process's) and hand
        it to this client's listeners, as if it had been sent here."""
        self.requests_made += 1
        for listener in self._listeners:
            listener(exchange)

    @contextlib.contextmanager
    def listening(self, listener: ExchangeListener, *, first: bool = False) -> Iterator[None]:
        """Hand each exchange of the block to `listener` too; `first` puts it ahead of every
        other listener, so a tracker of created resources has seen a create before a later
        listener can interrupt the block."""
        if first:
            self._listeners.insert(0, listener)
        else:
            self._listeners.append(listener)
        try:
            yield
        finally:
            self._listeners.remove(listener)

    def close(self) -> None:
        self.session.close()

    def cleanup_window(self) -> AbstractContextManager[None]:
        """Requests sent in this block are cleanup: they go on after a stop signal or the
        deadline, for a short grace period (see `stopping`)."""
        return self.stop.cleanup()

    @contextlib.contextmanager
    def unfiltered(self) -> Iterator[None]:
        """Requests sent in this block pass the operation filter (the run's own bookkeeping)."""
        self._unfiltered += 1
        try:
            yield
        finally:
            self._unfiltered -= 1

    def send(
        self,
        method: str,
        path: str,
        *,
        phase: str,
        json: Any = None,
        data: str | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        auth: AuthBase | bool | None = True,
        labels: tuple[str, ...] = (),
        polite: bool = True,
    ) -> Exchange:
        """Send one request; `auth=False` sends none, an AuthBase overrides the default.

        A polite request first waits until our cap and the target's advertised budget allow
        it; the rate-limit scenarios send impolitely to provoke a 429 on purpose.
        """
        prepared = self.prepare(
            method, path, json=json, data=data, headers=headers, params=params, auth=auth
        )
        return self.send_prepared(prepared, phase=phase, labels=labels, polite=polite)

    def prepare(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: str | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        auth: AuthBase | bool | None = True,
    ) -> requests.PreparedRequest:
        """A signed request ready for `send_prepared` (auth is applied last, over the body)."""
        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"
        if json is not None:
            data = jsonlib.dumps(json)
            headers = {"Content-Type": "application/json", **(headers or {})}
        use_auth = self.auth if auth is True else (None if auth is False else auth)
        request = requests.Request(
            method.upper(), url, headers=dict(headers or {}), params=params, data=data
        )
        prepared = self.session.prepare_request(request)
        key, parameter = self.transport.account_key, self.transport.account_parameter
        if key and parameter:  # before signing: the signature covers the query
            query = urlencode({parameter: key})
            prepared.url = f"{prepared.url}{'&' if '?' in str(prepared.url) else '?'}{query}"
        if use_auth is None:
            prepared.headers.pop("Authorization", None)
            return prepared
        signed: requests.PreparedRequest = use_auth(prepared)
        return signed

    def send_prepared(
        self,
        prepared: requests.PreparedRequest,
        *,
        phase: str,
        labels: tuple[str, ...] = (),
        polite: bool = True,
    ) -> Exchange:
        """Send a prepared request within the whole-request bound; see `send`.

        Raises RunInterrupted after a stop signal (outside cleanup), ExchangeFailed when one
        request gets no complete answer, TargetError when the target is unusable or the
        deadline has passed."""
        cleaning = self.stop.cleaning > 0
        self._check_allowed(prepared, cleaning)
        self._check_may_send(cleaning)
        if polite:
            self.wait_for_budget()
            if self.rules.shared_budget is not None:
                self.waited_seconds += self.rules.shared_budget.reserve(self.max_wait)
            self._check_may_send(cleaning)
        exchange = self._exchange_of(prepared, cleaning, phase, labels)
        if not cleaning:
            self.stop.raise_if_requested()
        return exchange

    def _check_allowed(self, prepared: requests.PreparedRequest, cleaning: bool) -> None:
        """Raise when the run may not send this request: a write of a read-only run, a write
        the ownership guard refuses, an operation the filters leave out."""
        if self.rules.read_only and str(prepared.method).upper() not in READ_METHODS:
            raise WriteRefused(f"read-only run: {prepared.method} {prepared.url} not sent")
        if self.rules.write_guard is not None:  # ownership: writes only to what the run created
            self.rules.write_guard.check(str(prepared.method), str(prepared.url))
        guard = self.rules.operation_guard
        if guard is not None and not cleaning and not self._unfiltered:
            method, url = str(prepared.method), str(prepared.url)
            guard(self.rules.operation_resolver(method, urlsplit(url).path), method, url)

    def _exchange_of(
        self,
        prepared: requests.PreparedRequest,
        cleaning: bool,
        phase: str,
        labels: tuple[str, ...],
    ) -> Exchange:
        """Send `prepared` within the whole-request bound and hand its exchange to the
        listeners; raise what a request without a complete answer means."""
        started = time.monotonic()
        self.requests_made += 1
        response: requests.Response | None = None
        body, truncated = b"", False
        failure: BaseException | None = None
        exchange: Exchange | None = None
        with (
            self.stop.shield(),
            WATCHDOG.guard(lambda: self._request_limit(started, cleaning)) as guard,
        ):
            bound = max(0.001, self._request_limit(started, cleaning) - started)
            try:
                response = self._send(prepared, bound)
                try:
                    body, truncated = self._read_capped(response)
                    guard.done()
                finally:
                    response.close()
            except TRANSPORT_ERRORS as exc:
                failure = exc
            if failure is None and not guard.cut:
                exchange = self._exchange(
                    prepared, response, body, truncated, started, phase, labels
                )
                self._answered(exchange)
        if exchange is None:
            partial = self._exchange(prepared, response, body, True, started, phase, labels)
            if partial.request.method.upper() not in READ_METHODS:
                self.unanswered_writes.append(partial)
            raise self._transport_failure(partial, failure, guard.cut, cleaning) from None
        return exchange

    def _answered(self, exchange: Exchange) -> None:
        """A complete answer: learn the budget, tell the guard and the listeners."""
        self.answered += 1
        self._transport_failures_in_a_row = 0
        self._learn_budget(exchange)
        if self.rules.write_guard is not None:
            self.rules.write_guard.observe(exchange)
        for listener in self._listeners:
            listener(exchange)
        self._count_server_errors(exchange)

    def _send(self, prepared: requests.PreparedRequest, bound: float) -> requests.Response:
        """`Session.send` with what `Session.request` would have taken from the environment
        (proxies; the CA bundle is resolved once, in `conformance.transport`)."""
        url = str(prepared.url)
        with warnings.catch_warnings():
            if self.transport.verify is False:  # said once on stderr, not once per request
                warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
            return self.session.send(
                prepared,
                timeout=(bound, bound),
                stream=True,
                allow_redirects=False,
                proxies={} if _is_loopback(url) else get_environ_proxies(url),
                verify=self.transport.verify,
                cert=self.transport.cert,
            )

    def _check_may_send(self, cleaning: bool) -> None:
        """Refuse to send after a stop or the deadline (cleanup: after its grace period)."""
        now = time.monotonic()
        if not cleaning:
            self.stop.raise_if_requested()
            if self.rules.deadline is not None and now > self.rules.deadline:
                raise TargetError("the run's overall deadline has passed")
        elif now >= self._cleanup_limit():
            raise TargetError(self._cleanup_over())

    def _request_limit(self, started: float, cleaning: bool) -> float:
        """The moment (time.monotonic()) a request started at `started` is cut off."""
        if cleaning:
            return min(started + self.timeout, self._cleanup_limit())
        # A request in flight when the deadline passes gets the grace a signal gives it (the
        # answer to a create is still seen, and its resource deleted).
        deadline = self.rules.deadline if self.rules.deadline is not None else math.inf
        return min(started + self.timeout, self.stop.cut_at, deadline + INFLIGHT_GRACE)

    def _cleanup_limit(self) -> float:
        """Until when cleanup may send: the grace period after a signal or the deadline."""
        deadline = self.rules.deadline if self.rules.deadline is not None else math.inf
        return min(self.stop.cleanup_until, deadline + CLEANUP_GRACE)

    def _cleanup_over(self) -> str:
        if self.stop.second_signal:
            return "cleanup stopped by a second signal"
        return f"cleanup stopped: its grace period of {CLEANUP_GRACE:g} s is over"

    def _transport_failure(
        self, partial: Exchange, failure: BaseException | None, expired: bool, cleaning: bool
    ) -> BaseException:
        """What a request without a complete answer means: a stop, the deadline, a down
        target, or one bad exchange."""
        now = time.monotonic()
        request = f"{partial.request.method} {partial.request.url}"
        if cleaning:
            if now >= self._cleanup_limit():
                return TargetError(f"{request}: {self._cleanup_over()}")
        else:
            if self.stop.signum is not None:
                return RunInterrupted(self.stop.signum)
            if self.rules.deadline is not None and now >= self.rules.deadline:
                return TargetError(f"the run's overall deadline has passed ({request} in flight)")
        timed_out = expired or isinstance(
            failure, requests.Timeout | urllib3.exceptions.TimeoutError | TimeoutError
        )
        if timed_out or failure is None:
            reason = f"no complete answer within {self.timeout:g} s (timed out)"
        else:
            reason = _short_reason(failure)
        self._transport_failures_in_a_row += 1
        if self.answered == 0:
            return TargetError(f"{request}: {reason}")
        if self._transport_failures_in_a_row >= self.max_transport_failures_in_a_row:
            return TargetError(
                f"{self._transport_failures_in_a_row} requests in a row got no complete "
                f"answer (the last: {request}: {reason})"
            )
        return ExchangeFailed(f"{request}: {reason}", partial)

    def _exchange(
        self,
        prepared: requests.PreparedRequest,
        response: requests.Response | None,
        body: bytes,
        truncated: bool,
        started: float,
        phase: str,
        labels: tuple[str, ...] = (),
    ) -> Exchange:
        split = urlsplit(prepared.url or "")
        path = split.path + (f"?{split.query}" if split.query else "")
        raw_body = prepared.body
        request_body = (
            raw_body.decode("utf-8", "replace") if isinstance(raw_body, bytes) else (raw_body or "")
        )
        return Exchange(
            request=RecordedRequest(
                str(prepared.method), str(prepared.url), path, dict(prepared.headers), request_body
            ),
            response=RecordedResponse(
                response.status_code if response is not None else 0,
                dict(response.headers) if response is not None else {},
                body.decode("utf-8", "replace"),
                truncated,
            ),
            operation_id=self.rules.operation_resolver(str(prepared.method), split.path),
            phase=phase,
            elapsed=time.monotonic() - started,
            labels=labels,
        )

    def _count_server_errors(self, exchange: Exchange) -> None:
        """A target answering nothing but 5xx is down, not under test: stop rather than spend
        the budget (a real account may allow only 20 requests a minute) on more of them."""
        if exchange.response.status < 500:
            self._server_errors_in_a_row = 0
            return
        self._server_errors_in_a_row += 1
        if self._server_errors_in_a_row >= self.max_server_errors_in_a_row:
            raise TargetError(
                f"the target answered {self._server_errors_in_a_row} requests in a row with a "
                f"5xx (the last: {exchange.response.status} to {exchange.request.method} "
                f"{exchange.request.path}); it looks down"
            )

    def wait_for_budget(self) -> None:
        """Sleep until our own cap and the target's advertised budget allow the next request."""
        if self.rules.rate_cap is not None:
            count, period = self.rules.rate_cap
            now = time.monotonic()
            while self._sent_at and now - self._sent_at[0] >= period:
                self._sent_at.popleft()
            if len(self._sent_at) >= count:
                self._sleep(self._sent_at[0] + period - now)
            self._sent_at.append(time.monotonic())
        self._sleep(min(self._not_before - time.time(), self.max_wait))

    def _sleep(self, delay: float) -> None:
        """Sleep `delay` seconds, or less when the deadline, a stop signal or the end of the
        cleanup grace period comes first."""
        if delay <= 0:
            return
        began = time.monotonic()
        end = began + delay
        while True:
            now = time.monotonic()
            if self.stop.cleaning:
                until = min(end, self._cleanup_limit())
            elif self.stop.requested:
                until = now
            else:
                until = min(end, self.rules.deadline if self.rules.deadline is not None else end)
            if now >= until:
                break
            time.sleep(min(TICK, until - now))
        self.waited_seconds += time.monotonic() - began

    def _learn_budget(self, exchange: Exchange) -> None:
        response = exchange.response
        remaining = response.header("X-RateLimit-Remaining")
        next_at = response.header("X-RateLimit-Next")
        retry_after = response.header("Retry-After")
        if self.rules.shared_budget is not None:
            moment = parse_iso8601(next_at or "")
            self.rules.shared_budget.settle(
                int(remaining) if remaining and remaining.strip().isdigit() else None,
                moment.timestamp() if moment else None,
            )
        if (next_at and (remaining or "").strip() == "0") or (response.status == 429 and next_at):
            moment = parse_iso8601(next_at or "")
            if moment is not None:
                self._not_before = max(self._not_before, moment.timestamp())
        if response.status == 429 and retry_after:
            with contextlib.suppress(ValueError):
                self._not_before = max(self._not_before, time.time() + float(retry_after))

    def _read_capped(self, response: requests.Response) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(chunk_size=65536):
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_body_bytes:
                return b"".join(chunks)[: self.max_body_bytes], True
        return b"".join(chunks), False


def _is_loopback(url: str) -> bool:
    """Whether a request URL's host is this machine (then no proxy is used: see
    `conformance.transport`)."""
    host = (urllib3.util.parse_url(url).host or "").strip("[]").lower()
    return TargetUrl("http", host, None, "").is_loopback


# TLS failures (OpenSSL's code, to search for), and what the user can do about them.
_TLS_REASONS = (
    (
        "CERTIFICATE_VERIFY_FAILED",
        "the target's TLS certificate is not trusted ({detail}); give its CA with "
        "--ca-bundle FILE (or --tls-verify false)",
    ),
    ("CERTIFICATE_REQUIRED", "the target requires a client certificate (--client-cert)"),
    ("WRONG_VERSION_NUMBER", "the target does not speak TLS on that port (try http://)"),
    (
        "EOF occurred in violation of protocol",
        "the target closed the TLS connection (does it require a client certificate? "
        "--client-cert)",
    ),
)
_VERIFY_DETAIL = re.compile(r"certificate verify failed: ([^(]+?)\s*\(")


def _short_reason(exc: BaseException) -> str:
    text = str(exc)
    for marker, reason in _TLS_REASONS:
        if marker in text:
            detail = _VERIFY_DETAIL.search(text)
            explained = reason.format(detail=detail.group(1) if detail else "unknown CA")
            code = marker if marker.isupper() else "UNEXPECTED_EOF"
            return _printable(f"SSL {code}: {explained}")
    for marker in (
        "Connection refused",
        "Connection reset",
        "Name or service not known",
        "Read timed out",
        "RemoteDisconnected",
    ):
        if marker in text:
            return marker.lower() if marker[0].isupper() and " " in marker else marker
    first = text.splitlines()[0] if text else type(exc).__name__
    return _printable(first[:200])


def _printable(text: str) -> str:
    # Target-controlled bytes (a garbage status line) must not reach a terminal raw.
    return "".join(c if c.isprintable() else "?" for c in text)
