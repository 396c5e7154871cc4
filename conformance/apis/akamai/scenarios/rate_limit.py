"""The Akamai rate limit observed: a burst until 429, the advertised next moment, the refill."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

from requests import PreparedRequest

from conformance.apis.akamai.scenarios.account import BASE
from conformance.scenarios.base import Scenario, ScenarioContext, Sent

RATE_CITES = (
    "AKAMAI-RATE-001",
    "AKAMAI-RATE-002",
    "AKAMAI-RATE-007",
    "AKAMAI-RATE-008",
    "AKAMAI-RATE-010",
    "AKAMAI-RATE-011",
)
PROBE = f"{BASE}/streamTypes"  # the cheapest read
SEED_LIMIT = 20
SEED_WINDOW = 60.0
NEXT_TOLERANCE = 0.9  # seconds a target's clock may lag ours before X-RateLimit-Next is wrong
NEXT_ATTEMPTS = 3  # requests at X-RateLimit-Next, each at the Next the last 429 named
REFILL_TRIES = 3  # pauses (3, 6, 12 tokens' worth) after which a budget not grown back fails
# The longest wait for an X-RateLimit-Next: the seeds' budget refills whole within a window. A
# Next further off (a hostile or broken target: a day ahead) is not waited for.
NEXT_WAIT_LIMIT = SEED_WINDOW


# A burst during which another client spent from the same budget (another run, the account's
# own tools) says nothing about how many requests a budget serves: it is repeated this often.
BURST_ATTEMPTS = 3


def shared_budget(served: list[Sent]) -> bool:
    """Whether another client spent tokens between two of ours: X-RateLimit-Remaining fell by
    more than our one request (a refill only raises it)."""
    return any(
        a.remaining is not None and b.remaining is not None and b.remaining < a.remaining - 1
        for a, b in itertools.pairwise(served)
    )


def send_now(ctx: ScenarioContext, *, polite: bool = False) -> Sent:
    """One GET of the probe, sent at once unless `polite` (waits for the advertised budget)."""
    if polite:
        ctx.client.wait_for_budget()
    return send_prepared(ctx, ctx.client.prepare("GET", PROBE))


def send_prepared(ctx: ScenarioContext, prepared: PreparedRequest) -> Sent:
    at = time.time()
    exchange = ctx.client.send_prepared(
        prepared, phase="scenarios", labels=(ctx.scenario.name,), polite=False
    )
    return Sent(at, time.time(), exchange)


def wait_for_full_budget(ctx: ScenarioContext) -> Sent:
    """Probe with growing pauses until the budget is (nearly) full, within a bound."""
    deadline = time.monotonic() + min(ctx.settle_timeout, SEED_WINDOW + 5)
    pause = 0.05
    probe = send_now(ctx, polite=True)
    while True:
        limit, remaining = probe.header_int("X-RateLimit-Limit"), probe.remaining
        if limit is None or remaining is None or remaining >= limit - 1:
            return probe
        if time.monotonic() + pause > deadline:
            return probe
        time.sleep(pause)
        pause = min(pause * 2, 8.0)
        probe = send_now(ctx, polite=True)


@dataclass(slots=True)
class Burst:
    """Requests sent back to back until a 429, or until the target has plainly served more
    than its own advertised budget and refill allow."""

    limit: int
    sent: list[Sent] = field(default_factory=list)
    verdict: str = "slow"  # throttled | over-served | slow (the budget never ran out)
    zero_at: int | None = None  # index of the first response advertising Remaining 0
    refill_rate: float = 0.0  # tokens a second, estimated while the budget drained

    def add(self, sent: Sent) -> bool:
        """Record one answer; False once the burst has its verdict."""
        self.sent.append(sent)
        if sent.status == 429:
            self.verdict = "throttled"
            return False
        if self.zero_at is None:
            if sent.remaining == 0:
                self._drained()
            return True
        served_since = len(self.sent) - 1 - self.zero_at
        seconds = sent.answered - self.sent[self.zero_at].answered
        if served_since >= 5 and served_since > self.refill_rate * seconds + 3:
            self.verdict = "over-served"
            return False
        return True

    def _drained(self) -> None:
        first = self.sent[0].remaining or 0
        self.zero_at = len(self.sent) - 1
        refilled = max(0, self.zero_at - first)
        seconds = self.sent[-1].answered - self.sent[0].at
        self.refill_rate = refilled / seconds if seconds > 0 else 0.0

    @property
    def served(self) -> list[Sent]:
        return self.sent[:-1] if self.verdict == "throttled" else self.sent

    @property
    def throttled(self) -> Sent | None:
        return self.sent[-1] if self.verdict == "throttled" else None


def burst(ctx: ScenarioContext, limit: int) -> Burst:
    """Send back to back (signed ahead, to outpace a fast refill) until a verdict or a bound."""
    result = Burst(limit)
    deadline = time.monotonic() + SEED_WINDOW / 2
    batch = 3 * min(limit, SEED_LIMIT)  # signing takes as long as a third of a send
    while len(result.sent) < 10 * min(limit, SEED_LIMIT) and time.monotonic() < deadline:
        for prepared in [ctx.client.prepare("GET", PROBE) for _ in range(batch)]:
            if not result.add(send_prepared(ctx, prepared)):
                return result
    return result


def rate_limit(ctx: ScenarioContext) -> None:
    """From a full budget, a burst is served for the advertised tokens and then throttled;
    the 429's X-RateLimit-Next is honest and the budget refills."""
    if ctx.minimal:
        folded_rate_limit(ctx)
        return
    for _ in range(BURST_ATTEMPTS):
        probe = wait_for_full_budget(ctx)
        limit = probe.header_int("X-RateLimit-Limit") or SEED_LIMIT
        result = burst(ctx, limit)
        if not shared_budget(result.served):
            break
    _observe_throttling(ctx, result)
    if not shared_budget(result.served):  # else another client's requests spent the budget too
        _observe_full_budget(ctx, result)
    _observe_countdown(ctx, result.served, "back-to-back requests")
    last = result.sent[-1]
    if result.throttled is not None:
        last = _observe_next(ctx, result.throttled) or last
    _observe_refill(ctx, result, last)


def folded_rate_limit(ctx: ScenarioContext) -> None:
    """The minimal profile's rate-limit observation: the run's own requests, sent from a full
    budget, are the burst; only what is left of the budget, one request past it, one at its
    X-RateLimit-Next and one after a pause are sent here."""
    before = [s for s in ctx.history if s.status != 401]  # unauthenticated: another budget
    limit = next(
        (v for v in (s.header_int("X-RateLimit-Limit") for s in reversed(before)) if v), SEED_LIMIT
    )
    result = burst(ctx, limit)
    sent = before + result.sent
    _observe_advertised_budget(ctx, sent, limit)
    _observe_throttling(ctx, result)
    served = [s for s in sent if s.status != 429]
    # Error answers of other steps may lack the headers (RATE-004's finding, not this one's).
    if all(s.remaining is not None and s.remaining >= 0 for s in served):
        _observe_countdown(ctx, served, "the run's served requests")
    throttled = result.throttled
    last = result.sent[-1]
    per_token = SEED_WINDOW / limit
    if throttled is not None:
        if throttled.next_at is not None:
            per_token = max(throttled.next_at - throttled.at, 0.05)
        last = _observe_next(ctx, throttled) or last
    _observe_refill(ctx, result, last, per_token=per_token)


def _observe_advertised_budget(ctx: ScenarioContext, sent: list[Sent], limit: int) -> None:
    """RATE-001 over the whole run: no request sent within the budget the answer before it
    advertised is refused with 429."""
    for previous, current in itertools.pairwise(sent):
        advertised = previous.remaining or 0
        if current.status == 429 and advertised >= 1:
            ctx.expect(
                "AKAMAI-RATE-001",
                False,
                f"answered 429 although the answer before it advertised "
                f"X-RateLimit-Remaining {advertised}",
                current.exchange,
            )
            return
    served = sum(1 for s in sent if s.status != 429)
    if served >= limit:
        ctx.expect("AKAMAI-RATE-001", True, "")


def _observe_throttling(ctx: ScenarioContext, result: Burst) -> None:
    """RATE-002: a burst that outpaced the refill was answered 429."""
    if result.verdict == "slow":  # the client never outpaced the refill: nothing to judge
        return
    sent = result.sent
    elapsed = sent[-1].answered - sent[0].at
    ctx.expect(
        "AKAMAI-RATE-002",
        result.throttled is not None,
        f"{len(sent)} requests sent back to back in {elapsed:.2f} s, none answered 429; "
        f"{len(sent) - 1 - (result.zero_at or 0)} were served after X-RateLimit-Remaining "
        f"reached 0, more than a refill of {result.refill_rate:.1f} tokens/s explains",
        sent[-1].exchange,
    )


def _observe_full_budget(ctx: ScenarioContext, result: Burst) -> None:
    """RATE-001: from the budget the first answer advertised, that many requests were served
    before the 429."""
    served, throttled = result.served, result.throttled
    first = served[0].remaining if served else None
    if first is None or throttled is None:
        return
    budget = min(first + 1, result.limit)
    full = "a full budget" if budget >= result.limit else f"a budget of {budget} advertised tokens"
    ctx.expect(
        "AKAMAI-RATE-001",
        len(served) >= budget,
        f"starting from {full}, request {len(served) + 1} was answered 429",
        throttled.exchange,
    )


def _observe_countdown(ctx: ScenarioContext, served: list[Sent], what: str) -> None:
    """RATE-007: over requests sent faster than the refill, X-RateLimit-Remaining fell below
    the first answer's (and was a non-negative integer throughout)."""
    values = [s.remaining for s in served]
    if len(values) < 2:
        return
    valid = all(v is not None and v >= 0 for v in values)
    counted = valid and min(v for v in values[1:] if v is not None) < (values[0] or 0)
    ctx.expect(
        "AKAMAI-RATE-007",
        counted,
        f"X-RateLimit-Remaining over {len(values)} {what}: {values}",
        served[-1].exchange,
    )


def _observe_next(ctx: ScenarioContext, throttled: Sent) -> Sent | None:
    """X-RateLimit-Next names a moment after the refused request; at that moment a request
    is served."""
    next_at = throttled.next_at
    if next_at is None:  # absence and form are the passive checks' (RATE-005, RATE-010)
        return None
    ctx.expect(
        "AKAMAI-RATE-010",
        next_at >= throttled.at - NEXT_TOLERANCE,
        f"the 429's X-RateLimit-Next is {throttled.at - next_at:.3f} s before the request it "
        "refused was sent",
        throttled.exchange,
    )
    ctx.expect(
        "AKAMAI-RATE-011",
        next_at >= throttled.at - NEXT_TOLERANCE,
        "the 429 refused a request sent after the moment its own X-RateLimit-Next names",
        throttled.exchange,
    )
    tries, at_next = 0, next_at
    while True:
        if not _waited_until(at_next):  # a moment too far off to wait for: no request there
            return None
        after, tries = send_now(ctx), tries + 1
        later = after.next_at
        # Another client on the same credentials may have taken the token at Next (two runs
        # on one account): then the 429 names a later Next, and a request there is served. A
        # Next that is early every time is the target's.
        if after.status != 429 or tries == NEXT_ATTEMPTS or later is None or later <= at_next:
            break
        at_next = later
    times = f" ({tries} times in a row, each at the Next its 429 named)" if tries > 1 else ""
    ctx.expect(
        "AKAMAI-RATE-011",
        after.status != 429,
        f"a request sent {after.at - at_next:.3f} s after X-RateLimit-Next was answered 429{times}",
        after.exchange,
    )
    return after


def _observe_refill(
    ctx: ScenarioContext, result: Burst, last: Sent, *, per_token: float | None = None
) -> None:
    """After pauses worth about three tokens (then six, twelve), Remaining has grown (or is
    back at the limit). Without `per_token`, the burst's own refill estimates a token's time."""
    served, sent = result.served, result.sent
    if per_token is None:
        start = (served[0].remaining or 0) + 1 if served else result.limit
        refilled = len(served) - start
        duration = sent[-1].answered - sent[0].at
        per_token = duration / refilled if refilled >= 2 else SEED_WINDOW / result.limit
    baseline = last.remaining if last.status != 429 and last.remaining is not None else 0
    pause = max(3 * per_token, 0.05)
    later, tries, contended = last, 0, 0
    patience_ends = time.monotonic() + ctx.settle_timeout

    def grown(sent: Sent) -> bool:
        shown = sent.remaining or 0
        return sent.status != 429 and (shown > baseline or shown >= result.limit - 1)

    while tries < REFILL_TRIES:
        time.sleep(min(pause, 20.0))
        later = send_now(ctx)
        if grown(later):
            break
        pause *= 2
        # Two runs on one account: the other run spent what our pause let refill (a 429,
        # though a request at its Next is served). Such a pause shows nothing either way.
        if _spent_by_another(ctx, later):
            contended += 1
            if time.monotonic() >= patience_ends:
                break
            continue
        tries += 1
    if not grown(later) and tries < REFILL_TRIES:
        ctx.collector.blocked(
            "AKAMAI-RATE-008",
            f"another client spent the budget during each of {contended} pause(s) "
            f"({ctx.settle_timeout:g} s in all): the refill could not be observed",
        )
        return
    ctx.expect(
        "AKAMAI-RATE-008",
        grown(later),
        f"after pausing, X-RateLimit-Remaining is {later.remaining} (status {later.status}); "
        f"it was {baseline} before the pause",
        later.exchange,
    )


def _waited_until(moment: float) -> bool:
    """Sleep until just after `moment` (epoch seconds); False, at once, when it lies more than
    NEXT_WAIT_LIMIT ahead."""
    wait = moment - time.time()
    if wait > NEXT_WAIT_LIMIT:
        return False
    time.sleep(max(0.0, wait) + 0.02)
    return True


def _spent_by_another(ctx: ScenarioContext, throttled: Sent) -> bool:
    """Whether a 429 came of another client's spending, not of a budget that never refills:
    a request at the X-RateLimit-Next it names is served, or its own 429 names a later Next
    (the token at the first went to someone; a Next that keeps moving is RATE-011's to judge)."""
    next_at = throttled.next_at
    if throttled.status != 429 or next_at is None or next_at < throttled.at - NEXT_TOLERANCE:
        return False
    if not _waited_until(next_at):
        return False
    probe = send_now(ctx)
    return probe.status != 429 or (probe.next_at is not None and probe.next_at > next_at)


RATE_LIMIT = Scenario(
    "rate-limit",
    "akamai",
    rate_limit,
    RATE_CITES,
    needs_writes=False,
    description="A burst until 429; X-RateLimit-Remaining, -Next and the refill.",
)
