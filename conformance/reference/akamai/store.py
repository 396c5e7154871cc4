"""In-memory state of the Akamai reference server: streams, their versions and activations.

Activation status is computed from timestamps when read (ACTIVATING until `delay` seconds after
the change, then ACTIVATED; likewise DEACTIVATING/DEACTIVATED), never by background tasks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ACTIVATED = "ACTIVATED"
ACTIVATING = "ACTIVATING"
DEACTIVATED = "DEACTIVATED"
DEACTIVATING = "DEACTIVATING"


def akamai_date(epoch: float) -> str:
    """The seed's body date form, e.g. 16-01-2020 11:07:12 GMT."""
    return time.strftime("%d-%m-%Y %H:%M:%S GMT", time.gmtime(epoch))


@dataclass(slots=True)
class Version:
    """One saved configuration of a stream, with its own activation state."""

    number: int
    config: dict[str, Any]  # streamName, streamType, templateName, contractId, emailIds?,
    # propertyIds, datasetFieldIds, config (defaults filled), connectors (with secrets)
    modified_at: float
    active: bool = False
    changed_at: float | None = None  # when `active` last changed; None: never activated

    def status(self, now: float, delay: float) -> str:
        """ACTIVATED, ACTIVATING, DEACTIVATED or DEACTIVATING at `now`."""
        if self.changed_at is None:
            return ACTIVATED if self.active else DEACTIVATED
        settled = now >= self.changed_at + delay
        if self.active:
            return ACTIVATED if settled else ACTIVATING
        return DEACTIVATED if settled else DEACTIVATING


@dataclass(frozen=True, slots=True)
class ActivationEntry:
    """One activation status change (an item of getActivationHistory)."""

    version: int
    is_active: bool
    at: float
    by: str


@dataclass(slots=True)
class Stream:
    """A stream: fixed product and group, its versions (oldest first) and activation changes."""

    stream_id: int
    product_id: str
    group_id: int
    created_at: float
    created_by: str
    versions: list[Version] = field(default_factory=list)
    activations: list[ActivationEntry] = field(default_factory=list)
    deleted: bool = False

    @property
    def latest(self) -> Version:
        return self.versions[-1]

    def version(self, number: int) -> Version | None:
        for version in self.versions:
            if version.number == number:
                return version
        return None

    def property_ids(self) -> set[int]:
        return {int(p) for p in self.latest.config.get("propertyIds", []) if is_int(p)}


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(slots=True)
class AkamaiStore:
    """All streams (deleted ones kept, flagged), id counters and one lock."""

    clock: Callable[[], float] = time.time
    streams: dict[int, Stream] = field(default_factory=dict)
    next_stream_id: int = 1001
    next_connector_id: int = 8601
    lock: threading.RLock = field(default_factory=threading.RLock)

    def allocate_stream_id(self) -> int:
        """A fresh stream id (never reused). Caller holds the lock."""
        stream_id = self.next_stream_id
        self.next_stream_id += 1
        return stream_id

    def allocate_connector_id(self) -> int:
        """A fresh connector id (never reused). Caller holds the lock."""
        connector_id = self.next_connector_id
        self.next_connector_id += 1
        return connector_id

    def live(self, stream_id: int) -> Stream | None:
        """The undeleted stream with this id, if any."""
        stream = self.streams.get(stream_id)
        return stream if stream is not None and not stream.deleted else None

    def property_owner(self, property_id: int, *, include_deleted: bool = False) -> int | None:
        """The id of the stream that monitors `property_id`, if any."""
        for stream in self.streams.values():
            if (include_deleted or not stream.deleted) and property_id in stream.property_ids():
                return stream.stream_id
        return None
