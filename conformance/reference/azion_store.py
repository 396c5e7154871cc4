"""In-memory state of the Azion reference server: data streamings and templates."""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from typing import Any

# The global templates of the seed's samples (sections 6 and 7), with the broken escaping of the
# `template_model` strings repaired (ERRATUM-AZION-011, ERRATUM-AZION-012).
SEED_TEMPLATES: tuple[dict[str, Any], ...] = (
    {
        "id": 2,
        "name": "Edge Applications EC",
        "template_model": (
            '{ "version": "$version","time": "$time","client":"$client",'
            '"configuration": "$configuration","host": "$host"}'
        ),
    },
    {
        "id": 3,
        "name": "Test Applications EC",
        "template_model": (
            '{ "request_time": "$request_time","time": "$time","client": "$client",'
            '"proxy_status": "$proxy_status","host": "$host"}'
        ),
    },
    {
        "id": 86,
        "name": "Edge Functions Event Collector",
        "template_model": (
            '{ "time": "$time","client": "$client", "requestID": "$request_id",'
            '"logmessage": "$log_message" }'
        ),
    },
)

# Custom templates get ids above every global one, so the two never collide.
_FIRST_CUSTOM_TEMPLATE_ID = 1001


@dataclass(slots=True)
class AzionStore:
    """Streamings (live and deleted) and templates (global and custom), behind one lock."""

    streamings: dict[int, dict[str, Any]] = field(default_factory=dict)
    deleted: dict[int, dict[str, Any]] = field(default_factory=dict)
    global_templates: dict[int, dict[str, Any]] = field(
        default_factory=lambda: {t["id"]: dict(t) for t in SEED_TEMPLATES}
    )
    custom_templates: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 1
    next_custom_template_id: int = _FIRST_CUSTOM_TEMPLATE_ID
    lock: threading.Lock = field(default_factory=threading.Lock)

    def allocate_id(self) -> int:
        """A fresh streaming id (ids are never reused, even after a delete). Caller holds lock."""
        new_id = self.next_id
        self.next_id += 1
        return new_id

    def add_custom_template(self, name: str, model: Any) -> int:
        """Record a customized template (never listed); returns its id. Caller holds lock."""
        template_id = self.next_custom_template_id
        self.next_custom_template_id += 1
        self.custom_templates[template_id] = {
            "id": template_id,
            "name": f"Custom template of {name}",
            "template_model": model,
        }
        return template_id

    def get(self, streaming_id: int, *, include_deleted: bool = False) -> dict[str, Any] | None:
        """A deep copy of the streaming, or None."""
        with self.lock:
            record = self.streamings.get(streaming_id)
            if record is None and include_deleted:
                record = self.deleted.get(streaming_id)
            return copy.deepcopy(record) if record is not None else None

    def all(self, *, include_deleted: bool = False) -> list[dict[str, Any]]:
        """Deep copies of every streaming, in id order."""
        with self.lock:
            records = list(self.streamings.values())
            if include_deleted:
                records.extend(self.deleted.values())
            return [copy.deepcopy(r) for r in sorted(records, key=lambda r: r["id"])]

    def put(self, record: dict[str, Any]) -> None:
        """Store (insert or replace) a streaming. Caller holds lock."""
        self.streamings[int(record["id"])] = copy.deepcopy(record)

    def delete(self, streaming_id: int) -> bool:
        """Remove a streaming; False when there was none."""
        with self.lock:
            record = self.streamings.pop(streaming_id, None)
            if record is None:
                return False
            self.deleted[streaming_id] = record
            return True
