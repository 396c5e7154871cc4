"""One settings object for a run: its fields, defaults, environment variables and redaction.

Precedence, written once: a CLI flag, then the environment variable, then the default.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PHASES = ("property", "stateful", "scenarios")
# --profile minimal: what reaches every observable requirement with the fewest requests.
PROFILES = {"default": PHASES, "minimal": ("scenarios",)}
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ENVIRONMENT = {"token": "AZION_TOKEN", "edgerc": "AKAMAI_EDGERC", "section": "AKAMAI_SECTION"}
SECRET_SETTINGS = frozenset({"token", "view_token", "account_key"})
# Read before ENVIRONMENT's variable of the same setting: the Akamai CLI's name for the section.
ENVIRONMENT_FIRST: dict[str, tuple[str, ...]] = {"section": ("AKAMAI_EDGERC_SECTION",)}


@dataclass(frozen=True, slots=True)
class RunSettings:
    """Everything that decides what a run does."""

    api: str
    base_url: str | None = None  # None: the embedded reference server
    token: str | None = None  # Azion
    view_token: str | None = None  # Azion: a view-only token, for the permission checks
    edgerc: Path | None = None  # Akamai
    section: str = "default"
    report_dir: Path | None = None
    phases: tuple[str, ...] = PHASES
    max_examples: int = 10
    seed: int = 0
    workers: int = 1
    timeout: float = 30.0
    settle_timeout: float = 60.0
    # Embedded reference server only: faults to inject (the suite's own proof) and its timing.
    faults: tuple[str, ...] = ()
    activation_delay: float = 0.3
    # Cassettes and gating (issue 5): record every interaction to DIR, or replay from it
    # instead of a target; known failures a run may have (see conformance/gating/).
    record_dir: Path | None = None
    replay_dir: Path | None = None
    baseline: Path | None = None
    # Safety on real endpoints (issue 7): GETs only; writes to a non-loopback target need
    # allow_writes; our own request cap (count, period seconds); an overall deadline.
    read_only: bool = False
    allow_writes: bool = False
    rate_limit: tuple[int, float] | None = None
    deadline: float | None = None
    profile: str = "default"
    # Azion: domains of the account that streamings may name (default: the seed's sample id).
    domain_ids: tuple[int, ...] = ()
    # Only these scenarios (None: all of the API's).
    scenarios: tuple[str, ...] | None = None
    # Which failed requirements fail the run (issue 12): explicit MUSTs, every MUST, or all;
    # the other failures are deviations. See conformance/core/results.py fails_the_run.
    fail_on: str = "explicit"
    # Transport (issue 15, conformance/transport.py): `-H` headers, TLS, client certificate;
    # Akamai's account switch key (else the .edgerc section's account_key).
    headers: tuple[tuple[str, str], ...] = ()
    ca_bundle: Path | None = None
    tls_verify: bool = True
    client_cert: Path | None = None
    client_key: Path | None = None
    account_key: str | None = None
    # Issue 15: requirement-ID / operationId globs (engine/filters.py), and fail-fast: stop
    # after this many failed requirements the failure policy covers (None: never).
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_failures: int | None = None

    @property
    def embedded(self) -> bool:
        return self.base_url is None

    def redacted(self) -> dict[str, Any]:
        """The settings as JSON-ready data, secrets replaced."""
        data: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name in SECRET_SETTINGS and value:
                value = "<redacted>"
            elif isinstance(value, Path):
                value = str(value)
            elif isinstance(value, tuple):
                value = list(value)
            if field.name == "headers":
                from conformance.redaction import redact_header_value

                value = [f"{name}: {redact_header_value(name, v)}" for name, v in self.headers]
            if field.name == "rate_limit" and value:
                value = f"{value[0]}/{value[1]:g}s"
            data[field.name] = value
        return data
