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
    # The other global templates Azion's own software names (its OpenAPI's template_id enum is
    # 2, 4, 86, 184, 251; the console's fixture lists them; ERRATUM-AZION-022), models as there.
    {
        "id": 4,
        "name": "WAF Event Collector",
        "template_model": (
            '{ "version": "$version", "time": "$time", "client": "$client"'
            ', "configuration": "$configuration", "host": "$host"'
            ', "remote_addr": "$remote_addr", "server_protocol": "$server_protocol"'
            ', "country": "$country", "waf_server": "$waf_server", "waf_uri": "$waf_uri"'
            ', "waf_learning": "$waf_learning", "blocked": "$blocked"'
            ', "waf_score": "$waf_score", "waf_match": "$waf_match"'
            ', "waf_attack_family": "$waf_attack_family"'
            ', "waf_attack_action": "$waf_attack_action", "headers": "-"'
            ', "truncated_body": "$truncated_body", "waf_args": "$waf_args"'
            ', "requestPath": "$requestPath", "requestQuery": "$requestQuery" }'
        ),
    },
    {
        "id": 184,
        "name": "Edge Applications + WAF Event Collector",
        "template_model": (
            '{ "time": "$time", "client": "$client", "session_id": "$session_id"'
            ', "stream": "$stream", "host": "$host", "request_time": "$request_time"'
            ', "request_method": "$request_method", "status": "$status"'
            ', "proxy_status": "$proxy_status", "scheme": "$scheme"'
            ', "request_uri": "$request_uri", "request_length": "$request_length"'
            ', "bytes_sent": "$bytes_sent", "tcpinfo_rtt": "$tcpinfo_rtt"'
            ', "upstream_cache_status": "$upstream_cache_status"'
            ', "upstream_status": "$upstream_status"'
            ', "upstream_bytes_received": "$upstream_bytes_received"'
            ', "upstream_connect_time": "$upstream_connect_time"'
            ', "upstream_header_time": "$upstream_header_time"'
            ', "upstream_response_time": "$upstream_response_time"'
            ', "upstream_addr": "$upstream_addr"'
            ', "upstream_bytes_sent": "$upstream_bytes_sent"'
            ', "sent_http_content_type": "$sent_http_content_type"'
            ', "http_user_agent": "$http_user_agent", "http_referer": "$http_referrer"'
            ', "sent_http_x_original_image_size": "$sent_http_x_original_image_size"'
            ', "server_protocol": "$server_protocol", "server_port": "$server_port"'
            ', "server_addr": "$server_addr", "remote_addr": "$remote_addr"'
            ', "remote_port": "$remote_port", "waf_attack_family": "$waf_attack_family"'
            ', "waf_attack_action": "$waf_attack_action", "waf_learning": "$waf_learning"'
            ', "waf_block": "$waf_block", "waf_total_processed": "$waf_total_processed"'
            ', "waf_total_blocked": "$waf_total_blocked", "waf_score": "$waf_score"'
            ', "waf_match": "$waf_match", "waf_headers": "$waf_headers"'
            ', "country": "$country", "state": "$state", "asn": "$asn"'
            ', "ssl_protocol": "$ssl_protocol", "ssl_cipher": "$ssl_cipher"'
            ', "ssl_session_reused": "$ssl_session_reused"'
            ', "ssl_server_name": "$ssl_server_name", "request_id": "$request_id"'
            ', "requestPath": "$requestPath", "requestQuery": "$requestQuery"'
            ', "configuration": "$configuration" }'
        ),
    },
    {
        "id": 251,
        "name": "Activity History Collector",
        "template_model": (
            '{ "time": "$time", "client": "$client", "title": "$title"'
            ', "comment": "$comment", "type": "$type", "author_name": "$author_name"'
            ', "author_email": "$author_email" }'
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
