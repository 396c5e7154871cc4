"""Where cassettes live: names come from the API and the group, never from a timestamp."""

from __future__ import annotations

import re
from pathlib import Path

FORMAT = 1
RUN_FILE = "run.json"
UNSCOPED = "_unscoped"  # requests sent outside any group (account discovery between phases)
METADATA_KEY = "dsconform"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def api_dir(root: Path, api: str) -> Path:
    return root / api


def cassette_file(group: str) -> str:
    """`stream-lifecycle` -> `stream-lifecycle.yaml`; anything unsafe in a name becomes `-`."""
    name = _UNSAFE.sub("-", group).strip("-.") or "unnamed"
    return f"{name}.yaml"


def cassette_path(root: Path, api: str, group: str) -> Path:
    return api_dir(root, api) / cassette_file(group)
