"""What one run of the Akamai stream lifecycle builds up: the stream's key, its saved versions
and the latest reads, shared by every step of the lifecycle."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.apis.akamai.scenarios.account import AkamaiAccount
from conformance.apis.akamai.scenarios.steps import AkamaiSteps
from conformance.core.exchange import Exchange
from conformance.scenarios.base import ScenarioContext


@dataclass
class Lifecycle:
    """The state one run of the lifecycle builds up."""

    ctx: ScenarioContext
    steps: AkamaiSteps
    account: AkamaiAccount
    created: dict[str, Any] = field(default_factory=dict)
    sid: int = 0
    versions: list[int] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)
    fields: dict[int, list[int]] = field(default_factory=dict)
    reads: dict[int, Exchange] = field(default_factory=dict)
    new_id: bool = True  # createStream answered a streamId the run had not seen before

    def expect(self, rid: str, holds: bool, message: str, exchange: Exchange | None) -> bool:
        return self.ctx.expect(rid, holds, message, exchange)
