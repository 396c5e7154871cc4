"""The reference servers' layout: both APIs' servers are built from the same modules.

(Their size bounds are the package's: tests/test_module_size.py.)
"""

from __future__ import annotations

from pathlib import Path

from conformance.apis import APIS

APIS_DIR = Path(__file__).resolve().parent.parent / "conformance" / "apis"


def test_both_servers_are_built_the_same_way() -> None:
    shapes = {
        api.name: sorted(p.name for p in (APIS_DIR / api.name / "reference").glob("*.py"))
        for api in APIS.values()
    }
    for api, names in shapes.items():
        assert {"app.py", "faults.py", "validation.py", "rendering.py", "store.py"} <= set(names), (
            api
        )
