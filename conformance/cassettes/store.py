"""Reading cassettes back, strictly: a corrupt or truncated file is one clear error, never a
traceback, and never silently "an empty cassette" (vcrpy's own loader would do either)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from vcr.serializers import yamlserializer

from conformance.cassettes.layout import FORMAT, METADATA_KEY, RUN_FILE, api_dir, cassette_file


class CassetteError(Exception):
    """A cassette directory or file that cannot be used (missing, corrupt, truncated)."""


@dataclass(frozen=True, slots=True)
class Interaction:
    request: dict[str, Any]
    response: dict[str, Any]


@dataclass(slots=True)
class CassetteFile:
    path: Path
    group: str
    interactions: list[Interaction] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


def read_cassette(path: Path) -> CassetteFile:
    """Parse and validate one cassette written by dsconform (or built from seed samples)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CassetteError(f"{path}: cassette not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CassetteError(f"{path}: unreadable cassette ({exc})") from None
    if not text.strip():
        raise CassetteError(f"{path}: empty file, not a cassette (truncated?)")
    try:
        data = yamlserializer.deserialize(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or type(exc).__name__
        raise CassetteError(f"{path}: corrupt cassette, not valid YAML{where} ({reason})") from None
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError(f"{path}: not a vcrpy cassette (no `interactions` list)")
    meta = (
        (data.get("metadata") or {}).get(METADATA_KEY)
        if isinstance(data.get("metadata"), dict)
        else None
    )
    if data.get("version") != 1 or not isinstance(meta, dict):
        raise CassetteError(
            f"{path}: truncated or foreign cassette (its `version` or dsconform metadata is "
            "missing; a cassette written by dsconform ends with both)"
        )
    if meta.get("format") != FORMAT:
        raise CassetteError(f"{path}: cassette format {meta.get('format')!r}, expected {FORMAT}")
    interactions = []
    for index, item in enumerate(data["interactions"]):
        problem = _interaction_problem(item)
        if problem:
            raise CassetteError(f"{path}: interaction {index + 1} is corrupt ({problem})")
        interactions.append(Interaction(item["request"], item["response"]))
    expected = meta.get("interactions")
    if expected != len(interactions):
        raise CassetteError(
            f"{path}: truncated cassette: holds {len(interactions)} interaction(s), "
            f"its metadata says {expected}"
        )
    return CassetteFile(path, str(meta.get("group") or path.stem), interactions, meta)


def _interaction_problem(item: Any) -> str | None:
    if not isinstance(item, dict):
        return "not a mapping"
    request, response = item.get("request"), item.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        return "request or response missing"
    for key in ("method", "uri"):
        if not isinstance(request.get(key), str):
            return f"request has no {key}"
    status = response.get("status")
    if not isinstance(status, dict) or not isinstance(status.get("code"), int):
        return "response has no status code"
    if not isinstance(response.get("body"), dict) or "string" not in response["body"]:
        return "response has no body"
    if not isinstance(response.get("headers", {}), dict):
        return "response headers are not a mapping"
    return None


def read_run_file(root: Path, api: str) -> dict[str, Any]:
    """`DIR/<api>/run.json`, validated."""
    path = api_dir(root, api) / RUN_FILE
    if not path.is_file():
        if not root.is_dir():
            raise CassetteError(f"{root}: cassette directory not found")
        raise CassetteError(f"{path}: not found (was {root} recorded with --record for {api}?)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CassetteError(f"{path}: corrupt run file ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("api") != api:
        raise CassetteError(f"{path}: not a dsconform run file for {api} (format {FORMAT})")
    groups = data.get("groups")
    if not isinstance(groups, list) or not all(
        isinstance(g, dict) and isinstance(g.get("group"), str) for g in groups
    ):
        raise CassetteError(f"{path}: corrupt run file (`groups` is not a list of groups)")
    return data


def read_api_cassettes(root: Path, api: str) -> tuple[dict[str, Any] | None, list[CassetteFile]]:
    """Every cassette of `DIR/<api>/` in recording order (run.json's order when there is one)."""
    directory = api_dir(root, api)
    if not directory.is_dir():
        raise CassetteError(f"{directory}: no cassettes for {api}")
    run = read_run_file(root, api) if (directory / RUN_FILE).exists() else None
    if run is not None:
        files = [directory / cassette_file(g["group"]) for g in run["groups"]]
        missing = [f for f in files if not f.is_file()]
        if missing:
            raise CassetteError(f"{missing[0]}: listed in {RUN_FILE} but missing")
    else:
        files = sorted(directory.glob("*.yaml"))
        if not files:
            raise CassetteError(f"{directory}: no cassettes (*.yaml) for {api}")
    return run, [read_cassette(f) for f in files]
