"""Each Akamai connector type created and read back; defaults the seed promises."""

from __future__ import annotations

import copy
from typing import Any

from conformance.apis.akamai.scenarios.steps import (
    ACTIVE,
    AUTH_001,
    EXAMPLE_PATHS,
    EXAMPLE_PREFIXES,
    NEW_STREAM,
    VISIBLE_MEMBERS,
    AkamaiSteps,
    body_of,
    detail_of,
    status_of,
    version_key,
)
from conformance.core.exchange import Exchange
from conformance.scenarios.base import Scenario, ScenarioContext

CONNECTOR_CITES = (
    AUTH_001,
    NEW_STREAM,
    "AKAMAI-CONNECTOR-009",
    "AKAMAI-CONNECTOR-010",
    "AKAMAI-CONNECTOR-017",
    "AKAMAI-CONFIG-005",
    "AKAMAI-CONFIG-009",
    "AKAMAI-CONFIG-010",
    "AKAMAI-CONFIG-011",
    "AKAMAI-STREAM-CREATE-005",
    "AKAMAI-STREAM-CREATE-008",
    "AKAMAI-ACTHIST-003",
)
# compressLogs when the request leaves it out (the seed's Datadog and Splunk members).
COMPRESS_DEFAULTS = {
    "DATADOG": ("AKAMAI-CONNECTOR-009", False),
    "SPLUNK": ("AKAMAI-CONNECTOR-010", True),
}
COMPRESS_DEFAULTS_IDS = tuple(rid for rid, _ in COMPRESS_DEFAULTS.values())


def _variant(
    steps: AkamaiSteps, ctype: str, prop: int
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """(body with what this type's stream also exercises, plain fallback, requirement of it).

    S3 and Azure carry a seed example path; Datadog a seed prefix/suffix pair and
    activateNow true; Splunk no emailIds and no prefix or suffix (the defaults)."""
    ctx = steps.ctx
    account = steps.account()
    plain = account.stream_body(ctx.name(f"conn-{ctype.lower()}"), [prop], connector=ctype)
    body = copy.deepcopy(plain)
    if ctype == "S3":
        body["connectors"][0]["path"] = EXAMPLE_PATHS[0]
        return body, plain, "AKAMAI-CONFIG-011"
    if ctype == "AZURE":  # minimal (no S3 stream): the richest example, spaces and / in {}
        body["connectors"][0]["path"] = EXAMPLE_PATHS[0 if ctx.minimal else 1]
        return body, plain, "AKAMAI-CONFIG-011"
    if ctype == "DATADOG":
        plain["activateNow"] = body["activateNow"] = True
        prefix, suffix = EXAMPLE_PREFIXES[0]
        body["config"].update(uploadFilePrefix=prefix, uploadFileSuffix=suffix)
        return body, plain, "AKAMAI-CONFIG-010"
    for member in ("uploadFilePrefix", "uploadFileSuffix"):
        plain["config"].pop(member)
        body["config"].pop(member)
    body.pop("emailIds")
    return body, plain, "AKAMAI-STREAM-CREATE-008"


def _is_ours(ctx: ScenarioContext, used: dict[str, Any], read: Exchange, *rids: str) -> bool:
    """Whether getStream shows the stream that was sent (its streamName); if not, defaults
    and echoes of `rids` are not judged on another stream (CREATE-004 reports the mix-up)."""
    shown = detail_of(read).get("streamName")
    if shown == used.get("streamName"):
        return True
    for rid in rids:
        ctx.collector.blocked(
            rid, f"getStream of the created stream shows stream {shown!r}, not the one sent"
        )
    return False


def _check_connector(ctx: ScenarioContext, sent: dict[str, Any], read: Exchange) -> None:
    detail = detail_of(read)
    saved = (detail.get("connectors") or [{}])[0]
    saved = saved if isinstance(saved, dict) else {}
    ctype = str(sent["connectorType"])
    if saved.get("connectorType") != ctype:
        # Not the connector that was sent: CONNECTOR-017 fails it below, and a default of
        # one connector type is not judged on a connector of another.
        ctx.expect(
            "AKAMAI-CONNECTOR-017",
            False,
            f"a {ctype} connector was saved, getStream shows a "
            f"{saved.get('connectorType', '(missing)')!r} connector",
            read,
        )
        if ctype in COMPRESS_DEFAULTS and "compressLogs" not in sent:
            ctx.collector.blocked(
                COMPRESS_DEFAULTS[ctype][0],
                f"getStream of the {ctype} stream showed a "
                f"{saved.get('connectorType', '(missing)')!r} connector, not a {ctype} one",
            )
        return
    wrong = [
        f"{m}: sent {sent.get(m)!r}, got {saved.get(m)!r}"
        for m in VISIBLE_MEMBERS[ctype]
        if m in sent and saved.get(m) != sent.get(m)
    ]
    ctx.expect(
        "AKAMAI-CONNECTOR-017",
        not wrong,
        f"the saved {ctype} connector differs from the submitted one: " + "; ".join(wrong),
        read,
    )
    if ctype in COMPRESS_DEFAULTS and "compressLogs" not in sent:
        requirement, default = COMPRESS_DEFAULTS[ctype]
        ctx.expect(
            requirement,
            saved.get("compressLogs") is default,
            f"a {ctype} connector saved without compressLogs shows "
            f"{saved.get('compressLogs')!r}, not {str(default).lower()}",
            read,
        )


def _check_defaults(ctx: ScenarioContext, sent: dict[str, Any], read: Exchange) -> None:
    detail = detail_of(read)
    config = detail.get("config")
    config = config if isinstance(config, dict) else {}
    for member, requirement, default in (
        ("uploadFilePrefix", "AKAMAI-CONFIG-005", "ak"),
        ("uploadFileSuffix", "AKAMAI-CONFIG-009", "ds"),
    ):
        if member not in sent["config"]:
            ctx.expect(
                requirement,
                config.get(member) == default,
                f"a stream saved without {member} shows {config.get(member)!r}, not {default!r}",
                read,
            )


def _check_activated(steps: AkamaiSteps, sid: int, read: Exchange) -> None:
    ctx = steps.ctx
    ctx.expect(
        "AKAMAI-STREAM-CREATE-005",
        status_of(read) in ACTIVE,
        f"created with activateNow true, the stream is {status_of(read)}",
        read,
    )
    history = steps.get(f"/streams/{sid}/activationHistory")
    entries = body_of(history) if isinstance(body_of(history), list) else []
    ctx.expect(
        "AKAMAI-ACTHIST-003",
        any(
            isinstance(e, dict) and e.get("isActive") is True and e.get("streamVersionId") == 1
            for e in entries
        ),
        "createStream with activateNow true left no isActive true entry for version 1",
        history,
    )


def connectors(ctx: ScenarioContext) -> None:
    """One stream per connector type: created, read back without secrets, deleted."""
    steps = AkamaiSteps(ctx)
    # Minimal: stream-lifecycle's stream is the S3 one.
    types = ("AZURE", "DATADOG", "SPLUNK") if ctx.minimal else ("S3", "AZURE", "DATADOG", "SPLUNK")
    properties = steps.take(len(types))
    for ctype, prop in zip(types, properties, strict=True):
        body, plain, requirement = _variant(steps, ctype, prop)
        created, used = steps.create_valid(body, example=requirement, plain=plain)
        sid = int(version_key(created)[0] or 0)
        read = steps.stream(sid)
        ctx.require(read.response.status == 200, f"getStream answered {read.response.status}")
        judged = (*COMPRESS_DEFAULTS_IDS, "AKAMAI-CONFIG-005", "AKAMAI-CONFIG-009")
        if _is_ours(ctx, used, read, *judged, "AKAMAI-STREAM-CREATE-005"):
            _check_connector(ctx, used["connectors"][0], read)
            _check_defaults(ctx, used, read)
            if used.get("activateNow"):
                _check_activated(steps, sid, read)
        else:
            ctx.expect(
                "AKAMAI-CONNECTOR-017",
                False,
                f"getStream of the created {ctype} stream shows stream "
                f"{detail_of(read).get('streamName')!r}, not {used.get('streamName')!r}",
                read,
            )
        steps.remove(sid)


CONNECTORS = Scenario(
    "connectors",
    "akamai",
    connectors,
    CONNECTOR_CITES,
    description="S3, Azure, Datadog and Splunk streams read back; defaults and seed examples.",
)
