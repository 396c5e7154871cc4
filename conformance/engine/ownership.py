"""Which resources a run may change: only those it created itself (issue 11).

Our users point dsconform at real accounts, and a loopback gateway may front one. So every
state-changing request (anything but GET/HEAD/OPTIONS) of every phase passes one guard in
`TargetClient.send_prepared`: a write whose path names one of the API's resources (its
`ResourceShape.item_template`, such as `/streams/{id}[/...]`) is sent only when

- the id is one this run created: learned from the answer of the run's own create (never from a
  list answer or a link), or adopted by its unique run-prefixed name when a create's answer
  carried no usable id. Ids the run created and deleted stay writable (the "deleted id answers
  404" requirements write to them): both vendors allocate ids from increasing sequences and
  never hand a deleted id out again, so a tombstone of ours is an id nobody else can hold; or
- the id is one no allocator will hand out soon and the run has just seen a GET of it answered
  404 (for an id without any digit, any 4xx). The "unknown id answers 404" requirements need a
  write to an id that never existed. An arbitrary id the run saw answered 404 is not safe: where
  ids come from one increasing sequence, the next create (ours, another run's, the customer's)
  takes max+1, so a GET 404 of 1006 followed by a PUT to 1006 can land on a resource created in
  between. A client cannot choose an
  id (creates are server-allocated), so the only way an id becomes live is the allocator
  reaching it. A number of at least ABSENT_FLOOR (ABSENT_ID, 2e9, inside int32) lies orders of
  magnitude past any id either vendor hands out; a segment without a digit ("not-a-number", the
  non-integer-id probes) is no integer id at all, and no lenient parse turns it into one. The
  fresh answer proves nothing holds it right now; the proof expires after ABSENT_PROOF_SECONDS
  all the same.

Everything else naming a resource is refused with NotOwned (a WriteRefused: the case or step
is skipped, not failed). The path is judged raw and percent-decoded and with dot segments
resolved, matched case-insensitively, so `/streams/1001/../1002` or `%2F` cannot smuggle
another id past it. On the collection itself only POST (a create) is allowed.
"""

from __future__ import annotations

import json
import posixpath
import re
import threading
import time
from collections.abc import Iterable
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from conformance.apis import get_api
from conformance.core.exchange import Exchange
from conformance.core.target_client import TargetClient, WriteRefused
from conformance.engine.created_resources import created_resource_path
from conformance.settings import READ_METHODS

ABSENT_ID = 2_000_000_000
ABSENT_FLOOR = 1_000_000_000
ABSENT_PROOF_SECONDS = 600.0


class NotOwned(WriteRefused):
    """A write would touch a resource this run did not create; it is not sent (phases treat
    it as every WriteRefused: the case or step is skipped, not failed)."""


class Ownership:
    """The run's record of what it created, and the guard every write passes."""

    def __init__(self, api: str, run_prefix: str = "") -> None:
        self.api = api
        self.run_prefix = run_prefix
        self.shape = get_api(api).resource
        self.collection = self.shape.collection
        self._item = re.compile(
            rf"{re.escape(self.collection)}(?:/+([^/]*))?(/.*)?$", re.IGNORECASE
        )
        self._lock = threading.Lock()
        self._owned: dict[str, bool] = {}  # id -> still alive (False: we deleted it)
        self._absent_since: dict[str, float] = {}  # id -> time.monotonic() of its GET 404

    # --- the record -------------------------------------------------------------------
    def register(self, resource_id: Any) -> None:
        """Note an id the run's own create answered with."""
        with self._lock:
            self._owned.setdefault(str(resource_id), True)

    def adopt_named(self, resource_id: Any, name: Any) -> bool:
        """Own a listed resource only when its name carries this run's unique prefix (a create
        whose answer had no usable id); returns whether it was adopted."""
        if not self.run_prefix or not isinstance(name, str):
            return False
        if not name.startswith(f"{self.run_prefix}-") or resource_id is None:
            return False
        self.register(resource_id)
        return True

    def owns(self, resource_id: Any) -> bool:
        with self._lock:
            return str(resource_id) in self._owned

    def owned_ids(self, *, alive: bool = True) -> list[str]:
        """Ids this run created (only those not yet deleted when `alive`)."""
        with self._lock:
            return [i for i, live in self._owned.items() if live or not alive]

    def owned_items(self, items: Iterable[Any], key: str) -> list[Any]:
        """The members of a list answer that are this run's (by their `key` member)."""
        return [i for i in items if isinstance(i, dict) and self.owns(i.get(key))]

    def resource_path(self, resource_id: Any) -> str:
        return f"{self.collection}/{resource_id}"

    # --- the guard --------------------------------------------------------------------
    def check(self, method: str, url: str) -> None:
        """Raise NotOwned unless a write to `url` touches only what this run may change."""
        method = method.upper()
        if method in READ_METHODS:
            return
        for path in _readings(urlsplit(url).path):
            match = self._item.search(path)
            if match is None:
                continue
            resource_id, rest = match.group(1), match.group(2)
            if resource_id is None or (resource_id == "" and not rest):
                if method == "POST":
                    continue  # a create on the collection
                raise NotOwned(f"{method} {url}: a write to the whole collection, not sent")
            if self.owns(resource_id) or self._absent_ok(resource_id):
                continue
            raise NotOwned(
                f"{method} {url}: resource {resource_id!r} was not created by this run, not sent"
            )

    def _absent_ok(self, resource_id: str) -> bool:
        with self._lock:
            proven = self._absent_since.get(resource_id)
        return proven is not None and time.monotonic() - proven < ABSENT_PROOF_SECONDS

    def observe(self, exchange: Exchange) -> None:
        """Learn from an answer: our creates, our deletes, the absence proof of ABSENT_ID."""
        path = urlsplit(exchange.request.url).path.rstrip("/")
        created = created_resource_path(self.api, exchange)
        # Only a create on the collection itself makes something ours (a base path of a gateway
        # may come first); a POST elsewhere answering with some id does not.
        if created is not None and path.lower().endswith(self.collection.lower()):
            self.register(created.rsplit("/", 1)[1])
        method, status = exchange.request.method.upper(), exchange.response.status
        resource_id = path.rsplit("/", 1)[1]
        if method == "GET" and path.lower().endswith(self.resource_path(resource_id).lower()):
            with self._lock:
                if _never_allocated(resource_id, status):
                    self._absent_since[resource_id] = time.monotonic()
                else:
                    self._absent_since.pop(resource_id, None)
        elif method == "DELETE" and (200 <= status < 300 or status == 404):
            with self._lock:
                if resource_id in self._owned:
                    self._owned[resource_id] = False

    def prove_absent(self, client: TargetClient, *, phase: str) -> bool:
        """GET ABSENT_ID; True (and writes to it allowed for a while) when it answers 404."""
        with client.unfiltered():  # ownership is never filtered out (engine/filters.py)
            exchange = client.send("GET", self.resource_path(ABSENT_ID), phase=phase)
        return exchange.response.status == 404

    def ensure_absent_proof(self, client: TargetClient, *, phase: str) -> bool:
        """A fresh proof that ABSENT_ID does not exist: the last one, or a new GET."""
        return self._absent_ok(str(ABSENT_ID)) or self.prove_absent(client, phase=phase)


def _never_allocated(resource_id: str, status: int) -> bool:
    """Whether a GET answer proves an id absent that no allocator will hand out soon."""
    if not resource_id or not 400 <= status < 500:
        return False
    if re.fullmatch(r"[A-Za-z][A-Za-z_-]*", resource_id):
        return True
    return status == 404 and resource_id.isdigit() and int(resource_id) >= ABSENT_FLOOR


def _readings(path: str) -> list[str]:
    """The ways a server might read a path: raw, percent-decoded (up to three times), with
    slashes collapsed and dot segments resolved."""
    seen: list[str] = []
    current = path
    for _ in range(4):
        for form in (current, _resolved(current)):
            if form not in seen:
                seen.append(form)
        decoded = unquote(current)
        if decoded == current:
            break
        current = decoded
    return seen


def _resolved(path: str) -> str:
    collapsed = re.sub(r"/{2,}", "/", path.replace("\\", "/"))
    resolved = posixpath.normpath(collapsed) if collapsed else collapsed
    return resolved if resolved != "." else "/"


def ownership_of(client: TargetClient) -> Ownership | None:
    """The run's ownership record, when the client has one (every run's client does)."""
    guard = client.rules.write_guard
    return guard if isinstance(guard, Ownership) else None


Aim = Literal["as-is", "aimed", "refused"]


def id_parameter(api: str, operation_path: str) -> str | None:
    """The path parameter of `operation_path` that names one of the API's resources (None for
    other operations, such as templates, whose `{id}` is not the API's resource)."""
    shape = get_api(api).resource
    # A spec's paths may start below its base path: the item's suffix identifies the operation.
    return shape.id_parameter if shape.item_template in operation_path else None


def aim_case(
    ownership: Ownership, client: TargetClient, case: Any, *, phase: str, reads: bool = True
) -> Aim:
    """Point a generated case that names a resource the run did not create at ABSENT_ID
    instead (reads too unless `reads` is False: reading is harmless, but a state machine must
    chain only from its own creates), proving ABSENT_ID absent first when the case writes:
    "as-is" (nothing to change),
    "aimed" (now names ABSENT_ID; what a link promised about it no longer holds) or "refused"
    (no proof of absence: the case must not be sent)."""
    api, path = ownership.api, str(case.operation.path)
    name = id_parameter(api, path)
    parameters = case.path_parameters
    if name is None or parameters is None or name not in parameters:
        return "as-is"
    if not reads and str(case.method).upper() in READ_METHODS:
        return "as-is"
    if ownership.owns(parameters[name]):
        return "as-is"
    case.path_parameters = {**parameters, name: ABSENT_ID}
    if str(case.method).upper() in READ_METHODS:
        return "aimed"
    return "aimed" if ownership.ensure_absent_proof(client, phase=phase) else "refused"


def owned_view_of_list(ownership: Ownership, exchange: Exchange) -> bytes | None:
    """A list answer as the state machine may see it: only this run's resources, so that
    links from it never lead to anyone else's (None: not a list answer of the collection)."""
    path = urlsplit(exchange.request.url).path.rstrip("/").lower()
    if exchange.request.method.upper() != "GET" or not path.endswith(ownership.collection.lower()):
        return None
    try:
        body = exchange.response.json()
    except ValueError:
        return None
    shape = ownership.shape
    items = shape.dig(body, shape.list_items)
    if not isinstance(items, list):
        return None
    return json.dumps(
        _replaced(body, shape.list_items, ownership.owned_items(items, shape.id_parameter))
    ).encode()


def _replaced(body: Any, members: tuple[str, ...], value: Any) -> Any:
    """`body` with what `members` lead to replaced by `value`."""
    if not members:
        return value
    return {**body, members[0]: _replaced(body[members[0]], members[1:], value)}
