"""What the engine asks of cassettes: one object for a recording or a replay, or none."""

from __future__ import annotations

from conformance.cassettes.recorder import CassetteRecorder
from conformance.cassettes.replay import CassetteReplayer, open_replayer
from conformance.cassettes.store import CassetteError
from conformance.settings import RunSettings

CassetteSession = CassetteRecorder | CassetteReplayer
__all__ = ["CassetteRecorder", "CassetteReplayer", "CassetteSession", "open_cassette_session"]


def open_cassette_session(settings: RunSettings) -> CassetteSession | None:
    """Raises CassetteError for an unusable replay directory or contradictory settings."""
    if settings.record_dir is not None and settings.replay_dir is not None:
        raise CassetteError("--record and --replay exclude each other")
    if settings.replay_dir is not None:
        if settings.faults:
            raise CassetteError("--fault does not apply to a replay (the recording has its own)")
        return open_replayer(settings.replay_dir, settings.api)
    if settings.record_dir is not None:
        return CassetteRecorder(settings.record_dir, settings.api)
    return None
