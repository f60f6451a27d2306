"""The polling policy (tracking/schedule.py): cold start, learnt plans, webhooks.

Runs are simulated (schedule.simulate): counts and seconds of a virtual clock, no waiting.
"""

from __future__ import annotations

import dataclasses
import itertools
import random

import pytest

from bot.tracking.durations import Observation
from bot.tracking.schedule import PollPolicy, simulate

POLICY = PollPolicy()
STEADY = dataclasses.replace(POLICY, jitter=0.0, step_jitter=0.0, explore=0.0)
SEEDS = range(200)


def checks_at(policy: PollPolicy, until: float, model=None, *, seed: int = 0) -> list[float]:
    """Times of every check of a generation that has not ended before `until`."""
    rng = random.Random(seed)
    now, times, first = 0.0, [], True
    while now < until:
        now += policy.next_delay(now, model, first=first, rng=rng)
        first = False
        times.append(now)
    return times


def follow(durations, policy: PollPolicy = POLICY) -> list[tuple[int, float]]:
    """Generations one after the other, each scheduled from what the earlier ones taught."""
    seen: list[Observation] = []  # newest first, as the repository returns them
    results = []
    for i, duration in enumerate(durations):
        checks, late, observation = simulate(policy, duration, policy.learn(seen[:40]), seed=i)
        seen.insert(0, observation)
        results.append((checks, late))
    return results


def p95(values) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))]


def best_schedule(duration: float, low: float, notice: float = 5.0) -> int:
    """Checks every `notice` s from one notice after the earliest possible end, none before."""
    return max(1, -int(-(duration - low) // notice))


# -- cold start --------------------------------------------------------------------------------


def test_cold_start_first_check_after_first_delay_never_later():
    assert STEADY.next_delay(0.0, first=True) == POLICY.first_delay
    # a generation picked up late (e.g. after a restart) is checked at first_delay, not later
    assert STEADY.next_delay(2.0, first=True) == pytest.approx(POLICY.first_delay - 2.0)
    assert STEADY.next_delay(30.0, first=True) == pytest.approx(0.05)
    for seed in SEEDS:  # jitter only brings checks forward, so lateness bounds hold
        delay = POLICY.next_delay(0.0, first=True, rng=random.Random(seed))
        assert POLICY.first_delay - POLICY.max_jitter <= delay <= POLICY.first_delay


def test_cold_intervals_grow_with_the_elapsed_time_within_bounds():
    for elapsed in [0, 1, 5, 10, 29.9, 30, 100, 599, 600, 601, 1000, 1800]:
        assert POLICY.min_interval <= STEADY.next_delay(float(elapsed)) <= POLICY.max_interval
    assert STEADY.next_delay(10.0) == POLICY.min_interval
    assert STEADY.next_delay(100.0) == pytest.approx(10.0)  # 10 % of the elapsed time
    assert STEADY.next_delay(1000.0) == POLICY.max_interval
    spaced = [b - a for a, b in itertools.pairwise(checks_at(STEADY, 1800.0))]
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(spaced))


def test_target_cold_30_second_generation():
    results = [simulate(POLICY, 30.0, seed=seed)[:2] for seed in SEEDS]
    assert max(checks for checks, _ in results) <= 8
    assert max(late for _, late in results) <= 5.0


@pytest.mark.parametrize("duration", [60.0, 300.0, 600.0, 1200.0, 1790.0])
def test_target_cold_long_generation_never_later_than_10_percent(duration):
    for seed in range(50):
        _, late, _ = simulate(POLICY, duration, seed=seed)
        assert late <= 0.10 * duration


# -- with history ------------------------------------------------------------------------------


def test_too_little_history_means_cold_start():
    assert POLICY.learn([Observation(25, 30)] * 2) is None
    assert POLICY.learn([Observation(25, 30)] * 3) is not None


def test_a_learnt_plan_sleeps_then_checks_every_notice_delay():
    model = POLICY.learn([Observation(296, 300), Observation(300, 304), Observation(298, 302)])
    first, until = STEADY.plan(model)
    assert 290 < first < 305 and until > 304
    times = checks_at(STEADY, until + 60, model)
    assert times[0] == pytest.approx(first)  # nothing before the window
    dense = [t for t in times if t <= until + 1e-9]
    assert all(g == pytest.approx(POLICY.notice_delay) for g in map(
        lambda p: p[1] - p[0], itertools.pairwise(dense)))  # fmt: skip
    later = [t for t in times if t > until]  # past every end seen: cold spacing again
    assert later[1] - later[0] == pytest.approx(POLICY.cold_interval(later[0]))


def test_jittered_learnt_checks_are_never_further_apart_than_the_notice_delay():
    model = POLICY.learn([Observation(50, 55), Observation(58, 63), Observation(60, 65)])
    first, until = POLICY.plan(model)
    for seed in SEEDS:
        dense = [t for t in checks_at(POLICY, until, model, seed=seed) if t >= first - 5.0]
        assert all(0.97 * 5.0 <= b - a <= 5.0 for a, b in itertools.pairwise(dense))


def test_target_stable_30_second_generations_cost_at_most_3_gets():
    rng = random.Random(1)
    results = follow([30 * rng.uniform(0.98, 1.02) for _ in range(203)])
    learnt = results[3:]  # after the three cold ones
    assert max(checks for checks, _ in learnt) <= 3
    assert sum(checks for checks, _ in learnt) / len(learnt) < 1.5
    assert p95(late for _, late in learnt) <= 5.0
    cold = results[:3]
    assert min(checks for checks, _ in cold) >= 6  # what history saves


def test_600_s_with_15_percent_spread_stays_near_the_best_schedule():
    # A regression guard; the 1.2x target is measured and reported by the benchmark.
    rng = random.Random(2)
    durations = [600 * rng.uniform(0.85, 1.15) for _ in range(313)]
    learnt = follow(durations)[13:]
    best = sum(best_schedule(d, 510.0) for d in durations[13:])
    assert sum(checks for checks, _ in learnt) <= 1.25 * best
    assert p95(late for _, late in learnt) <= 5.0


def test_a_slow_day_is_still_noticed_in_time():
    durations = [30.0 * (1 + 0.004 * i) for i in range(150)]  # 30 s drifting to 48 s
    learnt = follow(durations)[3:]
    assert p95(late for _, late in learnt) <= 5.0
    assert max(checks for checks, _ in learnt) <= 4


def test_one_fast_outlier_does_not_make_the_next_generations_pay():
    rng = random.Random(4)
    durations = [30 * rng.uniform(0.98, 1.02) for _ in range(23)]
    durations[20] = 4.0
    results = follow(durations)
    assert all(checks <= 3 for checks, _ in results[21:])


def test_exploration_is_rare_and_one_step_early():
    model = POLICY.learn([Observation(296, 300), Observation(300, 304), Observation(298, 302)])
    first, _ = STEADY.plan(model)
    delays = [POLICY.next_delay(0.0, model, first=True, rng=random.Random(s)) for s in SEEDS]
    early = [d for d in delays if d < first - 1.0]
    assert 0.1 < len(early) / len(delays) < 0.3
    assert all(d == pytest.approx(first - POLICY.notice_delay, abs=0.2) for d in early)


# -- webhooks ----------------------------------------------------------------------------------


def test_trusted_callbacks_wait_until_overdue_then_poll_as_without_a_webhook():
    assert STEADY.next_delay(0.0, first=True, webhook=True) == POLICY.webhook_grace
    assert STEADY.next_delay(50.0, webhook=True) == pytest.approx(POLICY.webhook_grace - 50.0)
    # overdue: the cold spacing, as without a webhook (never later than 10 % of the wait)
    for elapsed in (POLICY.webhook_grace, 300.0, 600.0):
        assert STEADY.next_delay(elapsed, webhook=True) == STEADY.next_delay(elapsed)
    # with history, overdue means past the end of the learnt window, not a fixed grace
    model = POLICY.learn([Observation(199, 200)] * 5)
    _, until = STEADY.plan(model)
    assert STEADY.next_delay(0.0, model, first=True, webhook=True) == pytest.approx(
        until + POLICY.webhook_slack
    )
    assert until < 220.0


@pytest.mark.parametrize("learnt", [False, True])
def test_target_webhooks_one_check_noticed_at_the_callback(learnt):
    model = POLICY.learn([Observation(59, 60)] * 10) if learnt else None
    for seed in SEEDS:
        checks, late, seen = simulate(POLICY, 60.0, model, webhook_at=60.5, seed=seed)
        assert (checks, late) == (1, pytest.approx(0.5))
        assert seen.low == pytest.approx(60.5 - POLICY.webhook_slack)  # a tight interval


def test_simulate_is_deterministic_per_seed():
    assert simulate(POLICY, 60.0, seed=5) == simulate(POLICY, 60.0, seed=5)
    assert simulate(POLICY, 60.0, seed=5) != simulate(POLICY, 60.0, seed=6)
