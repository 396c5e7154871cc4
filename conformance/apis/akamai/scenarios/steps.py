"""Steps the Akamai scenarios share: signed sends that observe AKAMAI-AUTH-001, stream creation
with guaranteed cleanup, reads, polling and comparisons of saved streams."""

from __future__ import annotations

import copy
import json
import random
import re
from collections.abc import Iterable
from typing import Any

from conformance.apis.akamai.scenarios.account import (
    BASE,
    AkamaiAccount,
    Patience,
    discover_account,
)
from conformance.core.exchange import Exchange
from conformance.engine.ownership import ownership_of
from conformance.scenarios.base import ScenarioAborted, ScenarioContext, Twin

AUTH_001 = "AKAMAI-AUTH-001"
# createStream's key names the stream it created: a streamId the run has not seen before.
NEW_STREAM = "AKAMAI-STREAM-CREATE-003"
# A valid create refused because another client's stream took a property since discovery is
# re-tried with other properties this many times (each try costs a list and a create).
TAKEN_RETRIES = 3
# The most properties a minimal run holds at once (the four-property refusal).
MINIMAL_FREE_PROPERTIES = 4
ACTIVE = frozenset({"ACTIVATING", "ACTIVATED"})
INACTIVE = frozenset({"DEACTIVATING", "DEACTIVATED"})

# The seed's examples of valid prefix/suffix pairs and connector paths ("Dynamic time variables").
EXAMPLE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("{ %Y }-{ %m }-{ %d }", "akam"),
    ("diagnostics{ %Y-%m-%d }", "logs"),
    ("{ %m }-diagnostics", "delivery"),
    ("upload-{ %m_%d_%H }-file", "data"),
)
EXAMPLE_PATHS: tuple[str, ...] = (
    "logs/{ %Y / %m / %d }",
    "{ %m }-logs/diagnostics",
    "diagnostics/{ %Y }/{ %m }/{ %d }{ %H }/",
)
# Non-secret members a saved connector must show as submitted (AKAMAI-CONNECTOR-017).
VISIBLE_MEMBERS: dict[str, tuple[str, ...]] = {
    "S3": ("connectorType", "connectorName", "bucket", "region", "path"),
    "AZURE": ("connectorType", "connectorName", "accountName", "containerName", "path"),
    "DATADOG": ("connectorType", "connectorName", "url", "service", "source", "tags"),
    "SPLUNK": ("connectorType", "connectorName", "url"),
}


CREATE_TWIN = Twin("POST", "createStream", "a valid createStream accepted")
EDIT_TWIN = Twin("PUT", "editStream", "a valid editStream accepted")


def connector_twin(connector_type: str) -> Twin:
    """A valid createStream with a `connector_type` connector, accepted."""

    def matches(body: Any) -> bool:
        connectors = body.get("connectors") if isinstance(body, dict) else None
        first = connectors[0] if isinstance(connectors, list) and connectors else None
        return isinstance(first, dict) and first.get("connectorType") == connector_type

    return Twin("POST", "createStream", f"a valid {connector_type} createStream accepted", matches)


def operation_twin(exchange: Exchange) -> Twin:
    """The same method on the same operation, accepted."""
    operation_id = exchange.operation_id or "(no operation)"
    method = exchange.request.method.upper()
    return Twin(method, operation_id, f"a valid {method} {operation_id} accepted")


def stream_ids_seen_before(ctx: ScenarioContext, exchange: Exchange) -> set[int]:
    """streamIds the run's creates and stream lists showed before `exchange`."""
    seen: set[int] = set()
    for sent in ctx.history:
        earlier = sent.exchange
        if earlier is exchange:
            break
        if not accepted(earlier):
            continue
        if earlier.operation_id == "createStream":
            sid = version_key(earlier)[0]
            if sid is not None:
                seen.add(sid)
        elif earlier.operation_id == "listStreams":
            listed = body_of(earlier)
            for item in listed if isinstance(listed, list) else []:
                if isinstance(item, dict) and _is_int(item.get("streamId")):
                    seen.add(item["streamId"])
    return seen


def body_of(exchange: Exchange) -> Any:
    """The response body as JSON, or None when it is not JSON."""
    try:
        return exchange.response.json()
    except ValueError:
        return None


def detail_of(exchange: Exchange) -> dict[str, Any]:
    """The response body when it is a JSON object, else an empty one."""
    body = body_of(exchange)
    return body if isinstance(body, dict) else {}


def version_key(exchange: Exchange) -> tuple[int | None, int | None]:
    """(streamId, streamVersionId) of a StreamVersionKey answer, None where absent."""
    body = body_of(exchange)
    key = body.get("streamVersionKey") if isinstance(body, dict) else None
    if not isinstance(key, dict):
        return None, None
    sid, version = key.get("streamId"), key.get("streamVersionId")
    return (
        sid if _is_int(sid) else None,
        version if _is_int(version) else None,
    )


def accepted(exchange: Exchange) -> bool:
    return 200 <= exchange.response.status < 300


def refused(exchange: Exchange, status: int = 400) -> bool:
    return exchange.response.status == status


def status_of(exchange: Exchange) -> Any:
    body = body_of(exchange)
    return body.get("activationStatus") if isinstance(body, dict) else None


def dataset_orders(detail: dict[str, Any]) -> dict[int, Any]:
    """datasetFieldId -> order across a DetailedStreamVersion's datasets groups."""
    orders: dict[int, Any] = {}
    for group in detail.get("datasets") or []:
        if not isinstance(group, dict):
            continue
        for item in group.get("datasetFields") or []:
            if isinstance(item, dict) and _is_int(item.get("datasetFieldId")):
                orders[item["datasetFieldId"]] = item.get("order")
    return orders


def property_ids(item: dict[str, Any]) -> list[Any]:
    return [p.get("propertyId") for p in item.get("properties") or [] if isinstance(p, dict)]


def property_ids_of(item: dict[str, Any]) -> list[Any]:
    """The properties a listed or read stream monitors (`properties` objects, or `propertyIds`)."""
    listed = item.get("propertyIds")
    return [*property_ids(item), *(listed if isinstance(listed, list) else [])]


def names_any(exchange: Exchange, numbers: Iterable[Any]) -> bool:
    """Whether the answer's body names one of `numbers` (as a whole number)."""
    text = exchange.response.body
    return any(re.search(rf"(?<!\d){n}(?!\d)", text) is not None for n in numbers if _is_int(n))


def _with_properties(body: dict[str, Any], swap: dict[int, int]) -> dict[str, Any]:
    """`body` with the properties in `swap` replaced by their new ones."""
    changed = copy.deepcopy(body)
    changed["propertyIds"] = [swap.get(p, p) for p in body.get("propertyIds") or []]
    return changed


def canonical(value: Any) -> str:
    """A comparable text of a JSON value (lists of objects compared order-free)."""
    if isinstance(value, list):
        return json.dumps(sorted(canonical(v) for v in value))
    if isinstance(value, dict):
        return json.dumps({k: canonical(v) for k, v in sorted(value.items())})
    return json.dumps(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class AkamaiSteps:
    """One scenario's helper: sends below BASE, stream creation with cleanup, reads, polls."""

    def __init__(self, ctx: ScenarioContext) -> None:
        self.ctx = ctx
        self._removed: set[int] = set()
        self._held: list[int] = []
        self._release_registered = False
        self._created: set[int] = set()  # streamIds of this scenario's creates
        self._account: AkamaiAccount | None = None

    # ---------------------------------------------------------------- sending
    def send(self, method: str, path: str, **kwargs: Any) -> Exchange:
        """Send below BASE; a request signed with the run's credentials observes AUTH-001.

        A 429 (another client spent the budget, or the target's headers did not say it ran
        out) is not what a step asks about: the request is repeated while the phase's patience
        with 429s lasts (account.Patience; the passive checks judge every 429 on their own)."""

        def send() -> Exchange:
            return self.ctx.send(method, f"{BASE}{path}", **kwargs)

        patience = self.ctx.once("akamai-throttle-patience", Patience)
        exchange = patience.repeat(send(), send)
        status = exchange.response.status
        # A 429 or a 5xx says nothing of the credentials (a limiter or a fault answered first).
        judges = status != 429 and status < 500
        if kwargs.get("auth", True) is True and AUTH_001 in self.ctx.scenario.cites and judges:
            self.ctx.expect(
                AUTH_001,
                status != 401,
                f"{method} {path} signed with the run's EdgeGrid credentials was answered 401",
                exchange,
            )
        return exchange

    def get(self, path: str, **kwargs: Any) -> Exchange:
        return self.send("GET", path, **kwargs)

    def account(self) -> AkamaiAccount:
        if self._account is None:
            enough = MINIMAL_FREE_PROPERTIES if self.ctx.minimal else None
            # Shared by the run's scenarios: its lookups and its pool of free properties, or
            # why discovery failed (the next scenario would only wait out the same 429s again).
            found = self.ctx.once("akamai-account", lambda: self._discover(enough))
            if isinstance(found, ScenarioAborted):
                raise found
            self._account = found
        return self._account

    def _discover(self, enough: int | None) -> AkamaiAccount | ScenarioAborted:
        try:
            client = self.ctx.client
            return discover_account(client, phase="scenarios", send=self.get, enough=enough)
        except ScenarioAborted as exc:
            return exc

    def take(self, count: int) -> list[int]:
        """Reserve free properties; they go back to the pool when every stream is deleted."""
        taken = self.account().take_properties(count)
        self._hold(taken)
        return taken

    def _hold(self, taken: list[int]) -> None:
        self._held.extend(taken)
        if not self._release_registered:
            self._release_registered = True
            self.ctx.on_cleanup(self._release)

    def _release(self) -> None:
        if self._account is not None:
            self._account.release(self._held)

    # ---------------------------------------------------------------- streams
    def create(self, body: Any, **kwargs: Any) -> Exchange:
        """createStream; whatever it creates is deleted when the scenario ends."""
        exchange = self.send("POST", "/streams", json=body, **kwargs)
        if accepted(exchange):
            sid = self._created_id(exchange, body)
            if sid is not None:
                self._created.add(sid)
                self.ctx.on_cleanup(lambda: self.remove(sid))
            answered = version_key(exchange)[0]
            if answered is not None and NEW_STREAM in self.ctx.scenario.cites:
                self.ctx.expect(
                    NEW_STREAM,
                    answered not in stream_ids_seen_before(self.ctx, exchange),
                    f"createStream answered streamId {answered}, which an earlier create or "
                    f"list of the run already showed: not a new stream",
                    exchange,
                )
        return exchange

    def create_valid(
        self,
        body: dict[str, Any],
        *,
        example: str | None = None,
        plain: dict[str, Any] | None = None,
    ) -> tuple[Exchange, dict[str, Any]]:
        """Create a stream the scenario needs (aborting when refused); returns the answer and
        the body it accepted, whose `propertyIds` may differ from `body`'s (read them there).

        With `example` (a requirement saying the body's example values are valid) a refusal is
        re-tried with the `plain` body: if that one is accepted, the example values were
        refused. A refusal because another client's stream took a property since discovery
        (two runs share one pool of free properties) is re-tried with other properties."""
        for attempt in range(TAKEN_RETRIES + 1):
            exchange, used = self._create_valid_once(body, example, plain)
            if accepted(exchange) or attempt == TAKEN_RETRIES:
                break
            taken = self._taken_by_others(exchange, used)
            if not taken:
                break
            swap = self._swap_properties(taken)
            body = _with_properties(body, swap)
            plain = _with_properties(plain, swap) if plain is not None else None
        self.ctx.require(
            accepted(exchange) and version_key(exchange)[0] is not None,
            f"createStream of a valid stream answered {exchange.response.status}",
        )
        connector = (used.get("connectors") or [{}])[0]
        self.account().accepted_connectors.add(str(connector.get("connectorType")))
        return exchange, used

    def _create_valid_once(
        self, body: dict[str, Any], example: str | None, plain: dict[str, Any] | None
    ) -> tuple[Exchange, dict[str, Any]]:
        exchange = self.create(body)
        if example is None or plain is None:
            return exchange, body
        if accepted(exchange):
            self.ctx.expect(example, True, "", exchange)
            return exchange, body
        retry = self.create(plain)
        # A refusal naming a property may be about the property (taken meanwhile by another
        # client, freed again since), not the example values: nothing to judge then.
        if accepted(retry) and not names_any(exchange, body.get("propertyIds") or []):
            self.ctx.expect(
                example,
                False,
                f"createStream refused the seed's example values "
                f"({exchange.response.status}) but accepted the same body without them",
                exchange,
            )
        return retry, plain

    def taken_properties(self, property_ids: Iterable[Any]) -> set[int]:
        """Which of `property_ids` a stream that is not this scenario's monitors right now."""
        wanted = {p for p in property_ids if _is_int(p)}
        listed = body_of(self.get("/streams"))
        taken: set[int] = set()
        for item in listed if isinstance(listed, list) else []:
            if isinstance(item, dict) and item.get("streamId") not in self._created:
                taken |= wanted & set(property_ids_of(item))
        return taken

    def _taken_by_others(self, exchange: Exchange, used: dict[str, Any]) -> set[int]:
        """The properties of a refused create that another client's stream holds now (asked
        only when the refusal is a 4xx: a valid create refused is rare, a list is one GET)."""
        if not 400 <= exchange.response.status < 500:
            return set()
        return self.taken_properties(used.get("propertyIds") or [])

    def _swap_properties(self, taken: set[int]) -> dict[int, int]:
        """Other free properties for `taken` (which leave this scenario and the pool)."""
        self._held[:] = [p for p in self._held if p not in taken]
        fresh = self.account().take_properties(
            len(taken), avoid=frozenset(taken), rng=random.Random(self.ctx.name("swap"))
        )
        self._hold(fresh)
        return dict(zip(sorted(taken), fresh, strict=True))

    def _created_id(self, exchange: Exchange, body: Any) -> int | None:
        sid = version_key(exchange)[0]
        if sid is not None:
            return sid
        # No usable key: find the stream by its (run-prefixed) name so it is still removed.
        name = body.get("streamName") if isinstance(body, dict) else None
        listed = body_of(self.get("/streams"))
        for item in listed if isinstance(listed, list) else []:
            if isinstance(item, dict) and name and item.get("streamName") == name:
                found = item.get("streamId")
                # Ours by its run-prefixed name: the write guard may let us delete it.
                ownership = ownership_of(self.ctx.client)
                if ownership is not None and _is_int(found):
                    ownership.adopt_named(found, name)
                return found if _is_int(found) else None
        return None

    def discard(self, exchange: Exchange, body: Any) -> None:
        """A crafted request was wrongly accepted: delete its stream now (frees the property)."""
        if accepted(exchange):
            sid = self._created_id(exchange, body)
            if sid is not None:
                self.remove(sid)

    def remove(self, sid: int) -> None:
        """Delete a stream (deactivating it first when the target insists); idempotent."""
        if sid in self._removed:
            return
        exchange = self.send("DELETE", f"/streams/{sid}")
        if exchange.response.status in (200, 202, 204, 404):
            self._removed.add(sid)
            return
        current = self.get(f"/streams/{sid}")
        if status_of(current) in ACTIVE:
            self.send("PUT", f"/streams/{sid}/deactivate")
            self.wait_for(sid, INACTIVE - {"DEACTIVATING"})
        if self.send("DELETE", f"/streams/{sid}").response.status in (200, 202, 204, 404):
            self._removed.add(sid)
        else:
            self._held.clear()  # a stream keeps them: don't hand its properties to others

    def mark_removed(self, sid: int) -> None:
        self._removed.add(sid)

    def stream(self, sid: int, version: int | None = None) -> Exchange:
        params = {"version": version} if version is not None else None
        return self.get(f"/streams/{sid}", params=params)

    def wait_for(
        self, sid: int, wanted: Iterable[str], first: Exchange | None = None
    ) -> tuple[Exchange, bool]:
        """Poll getStream until its activationStatus is one of `wanted` (bounded)."""
        goal = frozenset(wanted)
        if first is not None and status_of(first) in goal:
            return first, True
        return self.ctx.poll(lambda: self.stream(sid), lambda e: status_of(e) in goal, first)


def without(body: dict[str, Any], member: str) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    changed.pop(member, None)
    return changed
