"""The results model: what every check observed, folded into one verdict per requirement."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from conformance.catalogue import Catalogue, Requirement
from conformance.core.exchange import Exchange

MAX_FINDINGS_PER_REQUIREMENT = 5
# What a finding keeps of each body: enough to show the violation, never the 2 MiB a hostile
# target may send per answer (times five findings per requirement, times every requirement).
FINDING_BODY_CHARS = 64 * 1024
# The failure policy (`--fail-on`, issue 12): which failed requirements fail the run. Every other
# failure is a deviation, reported first but not failing the run.
FAIL_ON_POLICIES = ("explicit", "must", "all")
DEFAULT_FAIL_ON = "explicit"
# The reason a requirement no exchange could judge gets, in scope and not otherwise explained.
NO_EXCHANGE_JUDGED = "no exchange of this run could judge it"


def fails_the_run(level: str, basis: str, policy: str) -> bool:
    """Whether a failure of a requirement of this level and basis fails the run under `policy`:
    `explicit` (the default) only explicit MUSTs, `must` every MUST, `all` anything."""
    if policy == "all":
        return True
    if level != "MUST":
        return False
    return policy == "must" or basis == "explicit"


def finding_fingerprint(requirement_id: str, operation: str | None, kind: str) -> str:
    """The key `dsconform diff` and baselines match findings by across runs."""
    key = f"{requirement_id}|{operation or '-'}|{kind}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


class Status(StrEnum):
    """A requirement's verdict. `error` means the suite broke, never the target."""

    PASSED = "passed"
    FAILED = "failed"
    UNTESTED = "untested"
    ERROR = "error"


class Untested(StrEnum):
    """Why a requirement was not judged (issue 12: coverage honesty)."""

    NOT_OBSERVABLE = "not-observable"  # a black-box client cannot see it
    OUT_OF_SCOPE = "out-of-scope"  # the user's choice: --read-only, --phases, --scenarios
    BLOCKED = "blocked"  # the target did not let us: credentials or a needed create refused


@dataclass(frozen=True, slots=True)
class Finding:
    """One observed violation (or suite error) with the exchange that shows it."""

    requirement_id: str
    check: str
    kind: str
    message: str
    phase: str
    operation: str | None = None
    exchange: Exchange | None = None

    @property
    def fingerprint(self) -> str:
        """Stable across runs: requirement, operation and kind, not the generated data."""
        return finding_fingerprint(self.requirement_id, self.operation, self.kind)

    def as_dict(self) -> dict[str, Any]:
        exchange = self.exchange.redacted() if self.exchange else None
        return {
            "fingerprint": self.fingerprint,
            "check": self.check,
            "kind": self.kind,
            "message": self.message,
            "phase": self.phase,
            "operation": self.operation,
            "request": exchange.request.as_dict() if exchange else None,
            "response": exchange.response.as_dict() if exchange else None,
        }


@dataclass(slots=True)
class RequirementResult:
    """Everything the run saw about one requirement."""

    requirement: Requirement
    passes: int = 0
    failures: int = 0
    errors: int = 0
    findings: list[Finding] = field(default_factory=list)
    checks: set[str] = field(default_factory=set)
    reason: str = ""
    untested_kind: Untested | None = None  # why, when nothing was judged
    # The target's answer time summed over the exchanges this requirement's observations judged
    # (an exchange judged for three requirements counts for each): JUnit's per-case time.
    seconds: float = 0.0

    @property
    def status(self) -> Status:
        if self.errors and not self.failures:
            return Status.ERROR
        if self.failures:
            return Status.FAILED
        if self.passes:
            return Status.PASSED
        return Status.UNTESTED


class ResultsCollector:
    """Thread-safe sink for check outcomes, keyed by requirement ID."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._results = {r.id: RequirementResult(r) for r in catalogue}
        self._lock = threading.Lock()
        self._ignored: set[str] = set()  # out of scope by --include/--exclude
        self._limit: tuple[int, str, Callable[[int], None]] | None = None
        self._failing: set[str] = set()  # failed requirements the failure policy covers
        for result in self._results.values():
            if not result.requirement.observable:
                result.reason = "not observable by a black-box client"
                result.untested_kind = Untested.NOT_OBSERVABLE

    def leave_out(self, requirement_id: str, reason: str) -> None:
        """Out of scope by the user's filter: untested whatever the run observes about it
        (cleanup requests of a left-out operation still pass the checks)."""
        with self._lock:
            self._ignored.add(requirement_id)
            result = self._result(requirement_id)
            result.reason, result.untested_kind = reason, Untested.OUT_OF_SCOPE

    def stop_after(self, count: int, policy: str, reached: Callable[[int], None]) -> None:
        """Call `reached(count)` once `count` requirements have failed that fail the run under
        `policy` (`--max-failures`; deviations do not count)."""
        self._limit = (count, policy, reached)

    def _count_failure(self, result: RequirementResult) -> None:
        """Under the lock: count a failed requirement; at the limit, call its callback."""
        requirement = result.requirement
        if self._limit is None or requirement.id in self._failing:
            return
        count, policy, reached = self._limit
        if fails_the_run(requirement.level, requirement.basis, policy):
            self._failing.add(requirement.id)
            if len(self._failing) == count:
                reached(count)

    def _result(self, requirement_id: str) -> RequirementResult:
        try:
            return self._results[requirement_id]
        except KeyError:
            raise KeyError(f"check cites unknown requirement {requirement_id}") from None

    def passed(self, requirement_id: str, *, check: str, seconds: float = 0.0) -> None:
        """One observation that held; `seconds`: the answer time of the exchange it judged."""
        with self._lock:
            result = self._result(requirement_id)
            if requirement_id in self._ignored:
                return
            result.passes += 1
            result.seconds += seconds
            result.checks.add(check)

    def failed(self, finding: Finding) -> None:
        with self._lock:
            result = self._result(finding.requirement_id)
            if finding.requirement_id in self._ignored:
                return
            result.failures += 1
            result.seconds += finding.exchange.elapsed if finding.exchange else 0.0
            result.checks.add(finding.check)
            self._keep(result, finding)
            self._count_failure(result)

    def errored(self, finding: Finding) -> None:
        with self._lock:
            result = self._result(finding.requirement_id)
            if finding.requirement_id in self._ignored:
                return
            result.errors += 1
            result.seconds += finding.exchange.elapsed if finding.exchange else 0.0
            result.checks.add(finding.check)
            self._keep(result, finding)

    def skipped(self, requirement_id: str, reason: str) -> None:
        """Not judged by the user's choice (read-only, phases, scenarios): out of scope."""
        self._untested(requirement_id, reason, Untested.OUT_OF_SCOPE)

    def blocked(self, requirement_id: str, reason: str) -> None:
        """Not judged because the target did not let us (a refusal, nothing to read)."""
        self._untested(requirement_id, reason, Untested.BLOCKED)

    def withhold_passes(self, reason: str) -> int:
        """Turn every passed requirement into a blocked one with `reason` (a run whose every
        answer judged nothing: its passes are not evidence); failures and errors stay. Returns
        how many requirements it turned."""
        turned = 0
        with self._lock:
            for result in self._results.values():
                if result.status is Status.PASSED:
                    held = "observation" if result.passes == 1 else "observations"
                    result.reason = f"{reason}; {result.passes} passing {held} withheld"
                    result.untested_kind = Untested.BLOCKED
                    result.passes = 0
                    turned += 1
        return turned

    def unjudged(self, requirement_id: str) -> bool:
        """True while nothing (no pass, failure or suite error) was observed about it."""
        with self._lock:
            result = self._result(requirement_id)
            return not (result.passes or result.failures or result.errors)

    def _untested(self, requirement_id: str, reason: str, kind: Untested) -> None:
        with self._lock:
            result = self._result(requirement_id)
            if not result.reason:
                result.reason = reason
                result.untested_kind = kind

    @staticmethod
    def _keep(result: RequirementResult, finding: Finding) -> None:
        known = {f.fingerprint for f in result.findings}
        if finding.fingerprint not in known and len(result.findings) < MAX_FINDINGS_PER_REQUIREMENT:
            result.findings.append(_trimmed(finding))

    def merge(self, results: list[RequirementResult]) -> None:
        """Add what another collector (a worker process's) observed."""
        with self._lock:
            for other in results:
                mine = self._result(other.requirement.id)
                if other.requirement.id in self._ignored:
                    continue
                mine.passes += other.passes
                mine.failures += other.failures
                mine.errors += other.errors
                mine.seconds += other.seconds
                mine.checks |= other.checks
                for finding in other.findings:
                    self._keep(mine, finding)
                if mine.failures:
                    self._count_failure(mine)

    def results(self) -> list[RequirementResult]:
        with self._lock:
            return list(self._results.values())


def _trimmed(finding: Finding) -> Finding:
    """The finding with its exchange's bodies cut to FINDING_BODY_CHARS (marked truncated)."""
    exchange = finding.exchange
    if exchange is None or (
        len(exchange.response.body) <= FINDING_BODY_CHARS
        and len(exchange.request.body) <= FINDING_BODY_CHARS
    ):
        return finding
    response = exchange.response
    if len(response.body) > FINDING_BODY_CHARS:
        response = replace(response, body=response.body[:FINDING_BODY_CHARS], truncated=True)
    request = replace(exchange.request, body=exchange.request.body[:FINDING_BODY_CHARS])
    return replace(finding, exchange=replace(exchange, request=request, response=response))
