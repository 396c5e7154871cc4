"""What the runner asks of cassettes: a replay (an input: it replaces the target) or a
recorder (an output: the runner's recording listener drives it), never both."""

from __future__ import annotations

from conformance.cassettes.recorder import CassetteRecorder
from conformance.cassettes.replay import CassetteReplayer, open_replayer
from conformance.cassettes.store import CassetteError
from conformance.settings import RunSettings

__all__ = ["CassetteRecorder", "CassetteReplayer", "open_recorder", "open_replay"]


def open_replay(settings: RunSettings) -> CassetteReplayer | None:
    """The replay `--replay DIR` asks for, or None. Raises CassetteError for an unusable
    replay directory or contradictory settings."""
    if settings.record_dir is not None and settings.replay_dir is not None:
        raise CassetteError("--record and --replay exclude each other")
    if settings.replay_dir is None:
        return None
    if settings.faults:
        raise CassetteError("--fault does not apply to a replay (the recording has its own)")
    return open_replayer(settings.replay_dir, settings.api)


def open_recorder(settings: RunSettings) -> CassetteRecorder | None:
    """The recorder `--record DIR` asks for, or None (`open_replay` refuses both at once)."""
    if settings.record_dir is None or settings.replay_dir is not None:
        return None
    return CassetteRecorder(settings.record_dir, settings.api)
