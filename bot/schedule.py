"""When to ask the API about a generation next: adaptive polling that learns from history.

Pure functions of time, so the tracker, the tests and the benchmark share one policy.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PollPolicy:
    first_delay: float = 5.0  # cold start: first check after this
    min_interval: float = 4.5  # cold start: never closer than this...
    growth: float = 0.15  # ...and otherwise this fraction of the elapsed time
    max_interval: float = 60.0  # never further apart than this
    dense_interval: float = 3.0  # around the expected end
    dense_lead: float = 4.0  # start dense checks this long before the earliest expected end
    min_history: int = 3  # durations needed before trusting history
    jitter: float = 0.1  # +-10 % (at most +-max_jitter s), so restarts do not synchronise checks
    max_jitter: float = 1.0
    webhook_grace: float = 120.0  # with webhooks, the first safety-net check waits this long

    def _jittered(self, delay: float, rng: random.Random) -> float:
        spread = min(delay * self.jitter, self.max_jitter)
        return max(0.05, delay + rng.uniform(-spread, spread))

    def cold_interval(self, elapsed: float) -> float:
        # Lateness stays proportional to the wait: ~15 % of the elapsed time, within bounds.
        return min(self.max_interval, max(self.min_interval, self.growth * elapsed))

    def next_delay(
        self,
        elapsed: float,
        history: Sequence[float] = (),
        *,
        first: bool = False,
        webhook: bool = False,
        rng: random.Random | None = None,
    ) -> float:
        """Seconds from now until the next check of a generation `elapsed` seconds old."""
        rng = rng or random.Random()
        window = expected_window(history, self.min_history)
        if webhook:
            # The callback will tell us; polls are only a safety net for a lost callback.
            grace = max(self.webhook_grace, 2 * window[1]) if window else self.webhook_grace
            if elapsed < grace:
                return self._jittered(grace - elapsed, rng)
            return self._jittered(self.max_interval, rng)
        if window is None:
            if first:
                return self._jittered(max(0.0, self.first_delay - elapsed), rng)
            return self._jittered(self.cold_interval(elapsed), rng)
        low, high = window
        dense_from = low - self.dense_lead
        if elapsed < dense_from - self.dense_interval:  # unlikely done yet: sleep until the window
            return self._jittered(min(self.max_interval, dense_from - elapsed), rng)
        if elapsed <= high + self.dense_lead:
            return self._jittered(self.dense_interval, rng)
        return self._jittered(self.cold_interval(elapsed), rng)


def expected_window(history: Sequence[float], min_history: int = 3) -> tuple[float, float] | None:
    """(early, late) end times from recent durations: roughly the 10th and 90th percentiles."""
    if len(history) < min_history:
        return None
    ordered = sorted(history)
    last = len(ordered) - 1
    return ordered[round(0.1 * last)], ordered[round(0.9 * last)]


def simulate(
    policy: PollPolicy,
    duration: float,
    history: Sequence[float] = (),
    *,
    webhook_at: float | None = None,
    seed: int = 0,
) -> tuple[int, float]:
    """(number of checks, seconds between the end and noticing it) for one generation.

    With `webhook_at`, a callback hint makes the check immediate at that time.
    """
    rng = random.Random(seed)
    now, checks = 0.0, 0
    first = True
    while True:
        delay = policy.next_delay(
            now, history, first=first, webhook=webhook_at is not None, rng=rng
        )
        first = False
        wake = now + delay
        if webhook_at is not None and webhook_at < wake:
            wake = webhook_at
            webhook_at = None
        now = wake
        checks += 1
        if now >= duration:
            return checks, now - duration
