"""Steps shared by the Azion scenarios: throttle-tolerant sends, envelopes, echoes, cleanup."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.auth import AuthBase

from conformance.apis.azion.scenarios.account import BASE, AzionAccount, discover_azion_account
from conformance.apis.azion.scenarios.account import secret_fields as _secret_fields
from conformance.core.exchange import Exchange
from conformance.scenarios.base import ScenarioContext, Twin

STREAMINGS = f"{BASE}/streamings"
TEMPLATES = f"{BASE}/templates"
# A 429 met in a step is the target's budget, not the step's finding: wait it out and resend.
THROTTLE_RETRIES = 6
FALLBACK_WAIT = 1.0  # seconds, when a 429 names no Retry-After
# Members a streaming response echoes from the request body (endpoint compared separately).
ECHOED_MEMBERS = ("name", "domain_ids", "template_id", "template_model", "data_source", "active")


def streaming_path(streaming_id: object) -> str:
    return f"{STREAMINGS}/{streaming_id}"


def template_path(template_id: object) -> str:
    return f"{TEMPLATES}/{template_id}"


class SchemeTokenAuth(AuthBase):
    """`Authorization: <scheme> <token>` with the scheme word spelt as given."""

    def __init__(self, scheme: str, token: str) -> None:
        self.scheme = scheme
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"{self.scheme} {self.token}"
        return request


def send(ctx: ScenarioContext, method: str, path: str, **kwargs: Any) -> Exchange:
    """`ctx.send`, resending after a 429 (the client waits for the advertised Retry-After)."""
    exchange = ctx.send(method, path, **kwargs)
    for _ in range(THROTTLE_RETRIES):
        if exchange.response.status != 429:
            break
        if not exchange.response.header("Retry-After"):
            time.sleep(FALLBACK_WAIT)
        exchange = ctx.send(method, path, **kwargs)
    return exchange


def account(ctx: ScenarioContext) -> AzionAccount:
    """What the target offers to build streamings from; the minimal profile lists the templates
    once per run (the first scenario's lookup serves the others)."""
    if ctx.minimal:
        return ctx.once("azion-account", lambda: _discover(ctx))
    return _discover(ctx)


def _discover(ctx: ScenarioContext) -> AzionAccount:
    return discover_azion_account(
        ctx.client,
        phase="scenarios",
        labels=(ctx.scenario.name,),
        domain_ids=ctx.domain_ids,
    )


# ---------------------------------------------------------------------- reading answers


def results(exchange: Exchange) -> Any:
    """The envelope's `results`, or None when the body is not the envelope."""
    try:
        body = exchange.response.json()
    except ValueError:
        return None
    return body.get("results") if isinstance(body, dict) else None


def results_object(exchange: Exchange) -> dict[str, Any] | None:
    found = results(exchange)
    return found if isinstance(found, dict) else None


def results_list(exchange: Exchange) -> list[dict[str, Any]] | None:
    found = results(exchange)
    if not isinstance(found, list):
        return None
    return [item for item in found if isinstance(item, dict)]


def find_by_id(items: list[dict[str, Any]] | None, wanted: object) -> dict[str, Any] | None:
    return next((item for item in items or [] if item.get("id") == wanted), None)


def ok(exchange: Exchange) -> bool:
    return 200 <= exchange.response.status < 300


def status_text(exchange: Exchange) -> str:
    return f"{exchange.request.method} {exchange.request.path} answered {exchange.response.status}"


# ---------------------------------------------------------------------- comparing content


def endpoint_differences(sent: Any, shown: Any) -> list[str]:
    """Non-secret endpoint variables whose shown value differs from the sent one."""
    if not isinstance(sent, dict):
        return []
    if not isinstance(shown, dict):
        return ["endpoint (missing)"]
    secrets = _secret_fields()
    return [
        f"endpoint.{key}: sent {value!r}, got {shown.get(key, '(missing)')!r}"
        for key, value in sent.items()
        if key not in secrets and shown.get(key) != value
    ]


def echo_differences(body: dict[str, Any], shown: dict[str, Any] | None) -> list[str]:
    """Members of a create/PUT/PATCH body the response does not echo as sent."""
    if shown is None:
        return ["no streaming in the answer"]
    problems = [
        f"{key}: sent {body[key]!r}, got {shown.get(key, '(missing)')!r}"
        for key in ECHOED_MEMBERS
        if key in body and shown.get(key) != body[key]
    ]
    if "endpoint" in body:
        problems.extend(endpoint_differences(body["endpoint"], shown.get("endpoint")))
    return problems


def content_differences(expected: dict[str, Any], actual: dict[str, Any] | None) -> list[str]:
    """Members of `expected` that `actual` lacks or holds with another value."""
    if actual is None:
        return ["not found"]
    return [
        f"{key}: expected {value!r}, got {actual.get(key, '(missing)')!r}"
        for key, value in expected.items()
        if actual.get(key) != value
    ]


def brief(problems: list[str]) -> str:
    return "; ".join(problems[:4]) + (f" (+{len(problems) - 4} more)" if len(problems) > 4 else "")


# ---------------------------------------------------------------------- identity

NEW_ID = "AZION-CREATE-001"  # "... the new streaming, with a new integer id"


def ids_seen_before(ctx: ScenarioContext, exchange: Exchange) -> set[object]:
    """Streaming ids the run's creates and lists showed before `exchange`."""
    seen: set[object] = set()
    for sent in ctx.history:
        if sent.exchange is exchange:
            break
        if not ok(sent.exchange):
            continue
        if sent.exchange.operation_id == "createStreaming":
            shown = results_object(sent.exchange)
            if shown is not None and shown.get("id") is not None:
                seen.add(shown["id"])
        elif sent.exchange.operation_id == "listStreamings":
            seen.update(item.get("id") for item in results_list(sent.exchange) or [])
    return seen


def listed_before(ctx: ScenarioContext, streaming_id: object, exchange: Exchange) -> bool:
    """Whether a list the run read before `exchange` showed the streaming."""
    for sent in ctx.history:
        if sent.exchange is exchange:
            return False
        listing = sent.exchange
        if listing.operation_id == "listStreamings" and ok(listing):
            shown = find_by_id(results_list(listing), streaming_id)
            if shown is not None:
                return True
    return False


def path_id(exchange: Exchange) -> int | None:
    """The integer id at the end of the request path (GET /streamings/{id}), if any."""
    last = exchange.request.path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return int(last) if last.isascii() and last.isdigit() else None


# ---------------------------------------------------------------------- created streamings


@dataclass(slots=True)
class Created:
    """Streamings a scenario made and has not deleted yet; whatever is left goes at cleanup."""

    ctx: ScenarioContext
    live: list[object] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ctx.on_cleanup(self.delete_all)

    def keep(self, exchange: Exchange) -> dict[str, Any] | None:
        """Track the streaming a successful create answered with; returns it."""
        shown = results_object(exchange)
        if ok(exchange) and shown is not None and shown.get("id") is not None:
            if shown["id"] not in self.live:
                self.live.append(shown["id"])
            return shown
        return None

    def forget(self, streaming_id: object) -> None:
        if streaming_id in self.live:
            self.live.remove(streaming_id)

    def delete_all(self) -> None:
        for streaming_id in reversed(list(self.live)):
            send(self.ctx, "DELETE", streaming_path(streaming_id))
            self.forget(streaming_id)

    def create(self, body: dict[str, Any], **kwargs: Any) -> tuple[Exchange, dict[str, Any] | None]:
        """POST a body; a created streaming is tracked at once (even when it should not exist).
        Its id must be new: one no earlier create or list of the run answered (CREATE-001)."""
        exchange = send(self.ctx, "POST", STREAMINGS, json=body, **kwargs)
        shown = self.keep(exchange)
        if shown is not None and NEW_ID in self.ctx.scenario.cites:
            known = ids_seen_before(self.ctx, exchange)
            self.ctx.expect(
                NEW_ID,
                shown["id"] not in known,
                f"create answered id {shown['id']!r}, which an earlier create or list of the "
                f"run already showed: not a new streaming",
                exchange,
            )
        return exchange, shown

    def create_required(self, body: dict[str, Any]) -> tuple[Exchange, dict[str, Any]]:
        """POST a body the scenario cannot go on without."""
        exchange, shown = self.create(body)
        self.ctx.require(
            shown is not None, f"could not create a streaming: {status_text(exchange)}"
        )
        assert shown is not None
        return exchange, shown

    def write(self, method: str, path: str, body: Any, **kwargs: Any) -> Exchange:
        """Send a body that should be refused; a streaming it created anyway is tracked."""
        exchange = send(self.ctx, method, path, json=body, **kwargs)
        if method == "POST" or (method == "PUT" and ok(exchange)):
            self.keep(exchange)
        return exchange

    def expect_refused(
        self,
        what: str,
        method: str,
        path: str,
        body: Any,
        *requirement_ids: str,
        twin: Twin | None = None,
    ) -> Exchange:
        """Send a body the contract refuses and expect 400 (one observation per ID); the
        refusal counts only if the run saw `twin` (by default: any body of the same method on
        the same operation) accepted."""
        exchange = self.write(method, path, body)
        valid = twin or default_twin(method)
        for requirement_id in requirement_ids:
            self.ctx.expect_refused(
                requirement_id, exchange, f"{what}: expected 400, {status_text(exchange)}", valid
            )
        return exchange


WRITE_OPERATIONS = {
    "POST": "createStreaming",
    "PUT": "replaceStreaming",
    "PATCH": "updateStreaming",
    "DELETE": "deleteStreaming",
}


def operation_twin(exchange: Exchange) -> Twin:
    """The same method on the same operation, accepted (any body, the run's own credentials)."""
    operation_id = exchange.operation_id or "(no operation)"
    method = exchange.request.method.upper()
    return Twin(method, operation_id, f"{method} {operation_id} served to the run's token")


def default_twin(method: str) -> Twin:
    """Any valid body of `method` on its streaming operation, accepted."""
    operation_id = WRITE_OPERATIONS[method.upper()]
    return Twin(method, operation_id, f"a valid {method.upper()} ({operation_id}) accepted")


def endpoint_twin(method: str, endpoint_type: str) -> Twin:
    """A valid `method` whose endpoint is of `endpoint_type`, accepted."""

    def matches(body: Any) -> bool:
        endpoint = body.get("endpoint") if isinstance(body, dict) else None
        return isinstance(endpoint, dict) and endpoint.get("endpoint_type") == endpoint_type

    operation_id = WRITE_OPERATIONS[method.upper()]
    return Twin(
        method,
        operation_id,
        f"a valid {method.upper()} with a {endpoint_type} endpoint accepted",
        matches,
    )
