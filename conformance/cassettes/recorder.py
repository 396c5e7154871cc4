"""`--record DIR`: every HTTP interaction of the run into vcrpy cassettes, one per group."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import vcr
from vcr.cassette import Cassette
from vcr.record_mode import RecordMode

from conformance import __version__
from conformance.cassettes.capped_bodies import capped_bodies
from conformance.cassettes.filters import Redactor
from conformance.cassettes.layout import (
    FORMAT,
    METADATA_KEY,
    RUN_FILE,
    UNSCOPED,
    api_dir,
    cassette_file,
    cassette_path,
)
from conformance.cassettes.matchers import MATCH_ON, MATCHERS
from conformance.cassettes.secret_scan import SecretLeakError, enforce_clean
from conformance.core.determinism import deterministic_generation
from conformance.core.target_client import DEFAULT_MAX_BODY_BYTES
from conformance.engine.target import Target, target_access
from conformance.redaction import is_secret_header, remember_credential
from conformance.settings import RunSettings


def make_vcr(redactor: Redactor, *, replay: bool = False) -> vcr.VCR:
    """The one vcrpy configuration dsconform uses, for recording and replaying alike.

    vcrpy runs `before_record_response` over responses it loads, too: a replay must not
    redact again what it plays (it would lose the numbered echoes), so it has none."""
    config = vcr.VCR(
        serializer="yaml",
        match_on=MATCH_ON,
        before_record_request=redactor.request,
        before_record_response=None if replay else redactor.response,
        decode_compressed_response=False,  # Redactor.response decodes before redacting
    )
    for name, matcher in MATCHERS.items():
        config.register_matcher(name, matcher)
    return config


def target_secrets(target: Target, settings: RunSettings) -> list[str]:
    """Credentials the run authenticates with: they must never reach a cassette."""
    values: list[str | None] = [settings.token, settings.view_token]
    access = target_access(settings.api)  # what each of the API's auths holds
    for auth in (target.auth, target.view_auth):
        if auth is not None:
            values += access.secrets(auth)
    # Any credential header the target sends with every request (and its credential part).
    for name, value in target.default_headers.items():
        if is_secret_header(name):
            values += [value, value.split(None, 1)[-1]]
    values += target.transport.credentials  # -H credentials, the account switch key
    header = getattr(target.auth, "header_value", None)  # -H Authorization (HeaderAuth)
    if isinstance(header, str):
        values += [header, header.split(None, 1)[-1]]
    return [v for v in values if isinstance(v, str) and v]


class _GroupCassette(AbstractContextManager["Cassette"]):
    """One group's cassette: vcrpy's context, plus our metadata and the secret scan."""

    def __init__(self, recorder: CassetteRecorder, group: str) -> None:
        self.recorder = recorder
        self.group = group
        self.path = cassette_path(recorder.root, recorder.api, group)
        self._context: Any = None
        self._cassette: Cassette | None = None
        self._meta: dict[str, Any] = {}

    def __enter__(self) -> Cassette:
        if self.group in self.recorder.groups:
            raise RuntimeError(f"cassette group {self.group!r} recorded twice in one run")
        self.path.unlink(missing_ok=True)
        config = self.recorder.vcr.get_merged_config(
            path=str(self.path), record_mode=RecordMode.ALL
        )
        self._context = Cassette.use(**config)
        cassette: Cassette = self._context.__enter__()
        self._meta = cassette.get_metadata(
            METADATA_KEY,
            {"format": FORMAT, "api": self.recorder.api, "group": self.group, "interactions": 0},
        )
        self._cassette = cassette
        return cassette

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._cassette is not None
        self._meta["interactions"] = len(self._cassette.data)
        self._context.__exit__(exc_type, exc, tb)
        self.recorder.groups[self.group] = len(self._cassette.data)
        if self.path.exists():
            enforce_clean(self.path, self.recorder.extra_secrets)


class CassetteRecorder:
    """Records a run under `DIR/<api>/`."""

    mode = "record"

    def __init__(self, root: Path, api: str) -> None:
        self.root = root
        self.api = api
        self.redactor = Redactor()
        self.vcr = make_vcr(self.redactor)
        self.groups: dict[str, int] = {}
        self.extra_secrets: list[str] = []
        self.wall_origin = time.time()

    def adjust_settings(self, settings: RunSettings) -> RunSettings:
        return settings

    def run_prefix(self) -> str | None:
        return None  # a fresh one, stored in run.json

    def group(self, name: str) -> AbstractContextManager[object]:
        return _GroupCassette(self, name)

    @contextmanager
    def attached(self, settings: RunSettings, target: Target, run_prefix: str) -> Iterator[None]:
        """Around the phases: old cassettes of this API go, the unscoped cassette records."""
        directory = api_dir(self.root, self.api)
        directory.mkdir(parents=True, exist_ok=True)
        for old in [*directory.glob("*.yaml"), directory / RUN_FILE]:
            old.unlink(missing_ok=True)
        self.redactor.origin = time.monotonic()
        self.wall_origin = time.time()
        self.extra_secrets = target_secrets(target, settings)
        for value in self.extra_secrets:
            remember_credential(value)
        leaked = False
        try:
            with (
                deterministic_generation(),
                capped_bodies(DEFAULT_MAX_BODY_BYTES),
                self.group(UNSCOPED),
            ):
                yield
        except SecretLeakError:
            leaked = True
            raise
        finally:
            if not leaked:  # an aborted run is still a recording of what happened
                self._write_run_file(settings, target, run_prefix)

    def _write_run_file(self, settings: RunSettings, target: Target, run_prefix: str) -> None:
        order = [UNSCOPED, *[g for g in self.groups if g != UNSCOPED]]
        data = {
            "format": FORMAT,
            "tool": f"dsconform {__version__}",
            "api": self.api,
            "base_url": target.base_url,
            "embedded": target.embedded,
            "auth": type(target.auth).__name__ if target.auth is not None else None,
            "view_auth": type(target.view_auth).__name__ if target.view_auth is not None else None,
            "default_headers": dict(target.default_headers),
            "account_key": bool(target.transport.account_key),  # accountSwitchKey on each URI
            "faults": list(target.faults),
            "run_prefix": run_prefix,
            # The replay's clock starts here: time.time() reads as it did while recording, so
            # recorded X-RateLimit-Next and Date values are as far off as they were live.
            "clock_origin": round(self.wall_origin, 3),
            "seed": settings.seed,
            "max_examples": settings.max_examples,
            "profile": settings.profile,  # what a scenario sends depends on it
            "phases": list(settings.phases),
            "groups": [
                {"group": g, "file": cassette_file(g), "interactions": self.groups[g]}
                for g in order
            ],
        }
        path = api_dir(self.root, self.api) / RUN_FILE
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".run-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2)
            stream.write("\n")
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
        enforce_clean(path, self.extra_secrets)

    def finish(self) -> tuple[str | None, list[str]]:
        """(abort reason, notes) once the run is over."""
        total = sum(self.groups.values())
        where = api_dir(self.root, self.api)
        return None, [
            f"recorded {total} interaction(s) in {len(self.groups)} cassette(s) under {where}"
        ]
