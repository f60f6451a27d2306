"""When to ask the API about a generation next: cold polling, or a plan learnt from history.

With a learnt duration distribution (durations.py) the cheapest schedule that notices every
end within `notice_delay` is a grid: any end at time T needs a check in [T, T + notice_delay],
so the greedy cover of the window where ends fall — first check one notice delay after its
start, then one every notice delay, none before — minimises the expected number of calls.
The window starts at the `early_share` quantile (ends before it are the few we accept noticing
late) widened by the estimate's own uncertainty; past the latest end ever seen, the cold
spacing takes over. Pure functions of time, so the tracker, the tests and the benchmark share
one policy.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from bot.tracking.durations import DurationModel, Observation, estimate


@dataclass(frozen=True)
class PollPolicy:
    first_delay: float = 5.0  # cold start: first check after this
    min_interval: float = 4.5  # cold start: never closer than this...
    growth: float = 0.10  # ...and otherwise this fraction of the elapsed time (<= 10 % late)
    max_interval: float = 60.0  # cold: never further apart than this
    notice_delay: float = 5.0  # with history: an end is noticed at most this late...
    early_share: float = 0.03  # ...except this share of ends, earlier than the window
    min_history: int = 3  # observations needed before trusting history
    explore: float = 0.2  # share of generations checked one step before the window
    step_jitter: float = 0.01  # with history, checks come up to this share of it early
    guard: float = 0.1  # and the first one this share earlier: cell edges are not exact
    half_life: float = 10.0  # observations; older ones weigh half as much
    jitter: float = 0.1  # checks move earlier by up to 10 % (at most max_jitter s), so
    max_jitter: float = 1.0  # restarts do not synchronise them and lateness bounds still hold
    webhook_grace: float = 120.0  # trusted callbacks, no history: the safety net waits this
    webhook_slack: float = 1.0  # a callback arrives within this long after the end
    relearn_after: float = 1.0  # seconds between two learnings of one model (learning.py)

    def _jittered(self, delay: float, rng: random.Random) -> float:
        spread = min(delay * self.jitter, self.max_jitter)
        return max(0.05, delay - rng.uniform(0.0, spread))

    def cold_interval(self, elapsed: float) -> float:
        # Lateness stays proportional to the wait: ~10 % of the elapsed time, within bounds.
        return min(self.max_interval, max(self.min_interval, self.growth * elapsed))

    def learn(self, observations: Sequence[Observation]) -> DurationModel | None:
        """The duration model to schedule from, or None while history is too short."""
        if len(observations) < self.min_history:
            return None
        return estimate(observations, half_life=self.half_life)

    def plan(self, model: DurationModel) -> tuple[float, float]:
        """(first check, end of the dense checks), in seconds after creation."""
        step = self.notice_delay * (1 - self.step_jitter)
        median = model.quantile(0.5)
        # The cautious reading of a cell is its start. A wide one only says "ended before its
        # end" (a first check found it done): read it as reaching as far below the median as
        # the distribution is known to reach, not back to zero.
        low, high = model.cell_at(self.early_share)
        floor = max(low, high - max(2 * self.notice_delay, median - high))
        # Our own first checks censor the early ends (found done, not by how much) while late
        # ones are seen running and measured: assume the early tail reaches at least as far
        # below the median as the late tail reaches above it.
        floor = min(floor, 2 * median - model.quantile(1 - self.early_share))
        # A small sample rarely holds the earliest or latest ends: widen by about one gap
        # between neighbouring order statistics (e.g. (max - min) / n for a uniform).
        start = max(0.0, floor - (median - floor) / model.effective_n)
        latest = model.latest
        until = latest + (latest - median) / model.effective_n + self.notice_delay
        return start + step - self.guard * self.notice_delay, until

    def next_delay(
        self,
        elapsed: float,
        model: DurationModel | None = None,
        *,
        first: bool = False,
        webhook: bool = False,
        rng: random.Random | None = None,
    ) -> float:
        """Seconds from now until the next check of a generation `elapsed` seconds old."""
        rng = rng or random.Random()
        if webhook:
            # Callbacks are seen arriving (health.py): this one will tell us, and polls are a
            # safety net that waits until it is overdue: past every end learnt so far (or the
            # grace, without history). From then on, poll as without a webhook.
            overdue = self.plan(model)[1] + self.webhook_slack if model else self.webhook_grace
            if elapsed < overdue:
                return self._jittered(overdue - elapsed, rng)
            return self._jittered(self.cold_interval(elapsed), rng)
        if model is None:
            if first:
                return self._jittered(max(0.0, self.first_delay - elapsed), rng)
            return self._jittered(self.cold_interval(elapsed), rng)
        first_check, until = self.plan(model)
        step = self.notice_delay * (1 - self.step_jitter)
        if elapsed < first_check - step / 2:  # surely not done yet: sleep until the window
            if first and rng.random() < self.explore:
                # A first check that finds the generation done only bounds its end from above,
                # so how many ends fall before the window would never be learnt again: a few
                # generations look one step earlier, which keeps the window's start honest.
                first_check -= step
            return max(0.05, first_check - elapsed - rng.uniform(0.0, step * self.step_jitter))
        if elapsed <= until:
            return max(0.05, step - rng.uniform(0.0, self.notice_delay * self.step_jitter))
        return self._jittered(max(step, self.cold_interval(elapsed)), rng)


def simulate(
    policy: PollPolicy,
    duration: float,
    model: DurationModel | None = None,
    *,
    webhook_at: float | None = None,
    seed: int = 0,
) -> tuple[int, float, Observation]:
    """(checks, seconds between the end and noticing it, what the checks saw) for one run.

    With `webhook_at`, a callback hint makes the check immediate at that time.
    """
    rng = random.Random(seed)
    now, checks, seen_running = 0.0, 0, 0.0
    first = True
    while True:
        delay = policy.next_delay(now, model, first=first, webhook=webhook_at is not None, rng=rng)
        first = False
        wake = now + delay
        hinted = webhook_at is not None and webhook_at < wake
        if hinted:
            wake = webhook_at
            webhook_at = None
        now = wake
        checks += 1
        if now >= duration:
            low = max(seen_running, now - policy.webhook_slack) if hinted else seen_running
            return checks, now - duration, Observation(low, now)
        seen_running = now
