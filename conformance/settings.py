"""One settings object for a run: its fields, defaults, environment variables and redaction.

Precedence, written once (settings_builder.resolve_options): a CLI flag, then the environment
variable, then the config file, then the default. Which variables supply an option is each
API's own (`ApiDefinition.environment`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.apis import APIS

PHASES = ("property", "stateful", "scenarios")
# --profile minimal: what reaches every observable requirement with the fewest requests.
PROFILES = {"default": PHASES, "minimal": ("scenarios",)}
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SECRET_SETTINGS = frozenset({"token", "view_token", "account_key"})


def _every_api_variable() -> dict[str, tuple[str, ...]]:
    merged: dict[str, tuple[str, ...]] = {}
    for api in APIS.values():
        for name, variables in api.environment.items():
            known = merged.get(name, ())
            merged[name] = (*known, *(v for v in variables if v not in known))
    return merged


# Setting -> every variable some API reads it from, in reading order (for --help and crash logs).
ENVIRONMENT = _every_api_variable()


@dataclass(frozen=True, slots=True)
class RunSettings:
    """Everything that decides what a run does."""

    api: str
    base_url: str | None = None  # None: the embedded reference server
    # Credentials: each API takes some of them (`ApiDefinition.options`).
    token: str | None = None
    view_token: str | None = None  # a view-only token, for the permission checks
    edgerc: Path | None = None  # an .edgerc file
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
    # Domains of the account that created resources may name (default: the seed's sample id).
    domain_ids: tuple[int, ...] = ()
    # Only these scenarios (None: all of the API's).
    scenarios: tuple[str, ...] | None = None
    # Which failed requirements fail the run (issue 12): explicit MUSTs, every MUST, or all;
    # the other failures are deviations. See conformance/core/results.py fails_the_run.
    fail_on: str = "explicit"
    # Transport (issue 15, conformance/transport.py): `-H` headers, TLS, client certificate;
    # the account switch key of an API that has one (else its credentials file's).
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
