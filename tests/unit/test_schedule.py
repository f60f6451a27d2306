"""Tests for the adaptive polling policy (bot/schedule.py) and the issue's targets."""

from __future__ import annotations

import dataclasses
import itertools
import random

import pytest

from bot.schedule import PollPolicy, expected_window, simulate

POLICY = PollPolicy()
STEADY = dataclasses.replace(POLICY, jitter=0.0)  # no jitter: exact delays
SEEDS = range(200)


def checks_at(
    policy: PollPolicy, until: float, history=(), *, webhook: bool = False, seed: int = 0
) -> list[float]:
    """Times of every check of a generation that has not ended before `until`."""
    rng = random.Random(seed)
    now, times, first = 0.0, [], True
    while now < until:
        now += policy.next_delay(now, history, first=first, webhook=webhook, rng=rng)
        first = False
        times.append(now)
    return times


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise([0.0, *times])]


def around_60(seed: int) -> list[float]:
    rng = random.Random(1_000 + seed)
    return [rng.gauss(60, 3) for _ in range(10)]


# -- expected_window ---------------------------------------------------------------------------


def test_window_needs_min_history():
    assert expected_window([]) is None
    assert expected_window([60, 61]) is None
    assert expected_window([60, 61], min_history=2) == (60, 61)


def test_window_is_roughly_the_10th_and_90th_percentiles_of_unordered_history():
    history = list(range(0, 101, 10))  # 11 values
    random.Random(1).shuffle(history)
    assert expected_window(history) == (10, 90)
    assert expected_window([70, 50, 60]) == (50, 70)


# -- cold start --------------------------------------------------------------------------------


def test_cold_start_first_check_after_first_delay():
    assert STEADY.next_delay(0.0, first=True) == POLICY.first_delay
    # a generation picked up late (e.g. after a restart) is checked at first_delay, not later
    assert STEADY.next_delay(2.0, first=True) == pytest.approx(POLICY.first_delay - 2.0)
    assert STEADY.next_delay(30.0, first=True) == pytest.approx(0.05)
    spread = min(POLICY.first_delay * POLICY.jitter, POLICY.max_jitter)
    for seed in SEEDS:
        delay = POLICY.next_delay(0.0, first=True, rng=random.Random(seed))
        assert abs(delay - POLICY.first_delay) <= spread + 1e-9


def test_cold_intervals_stay_within_min_and_max_interval():
    for elapsed in [0, 1, 5, 10, 29.9, 30, 31, 100, 399, 400, 401, 1000, 1800]:
        delay = STEADY.next_delay(float(elapsed))
        assert POLICY.min_interval <= delay <= POLICY.max_interval
    assert STEADY.next_delay(10.0) == POLICY.min_interval
    assert STEADY.next_delay(100.0) == pytest.approx(15.0)  # 15 % of the elapsed time
    assert STEADY.next_delay(1000.0) == POLICY.max_interval


def test_jittered_intervals_stay_within_bounds_plus_max_jitter():
    for seed in SEEDS:
        times = checks_at(POLICY, 1800.0, seed=seed)
        for gap in gaps(times)[1:]:
            assert POLICY.min_interval - POLICY.max_jitter <= gap
            assert gap <= POLICY.max_interval + POLICY.max_jitter


def test_cold_lateness_grows_with_the_elapsed_time():
    times = checks_at(STEADY, 1800.0)
    spaced = gaps(times)
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(spaced[1:]))  # widening
    assert len(times) < 60  # 30 minutes in well under one check a 30 s


# -- with history ------------------------------------------------------------------------------


def test_history_sleeps_until_the_expected_window_then_checks_densely():
    history = [290, 295, 300, 300, 305, 310, 300, 298, 302, 301]
    low, high = expected_window(history)
    times = checks_at(STEADY, high + 30, history)
    dense_from = low - POLICY.dense_lead
    before = [t for t in times if t < dense_from - 1e-9]
    inside = [t for t in times if dense_from - 1e-9 <= t <= high + POLICY.dense_lead]
    # sparse: at most one check a max_interval until the window
    assert len(before) <= dense_from // POLICY.max_interval
    assert all(g >= POLICY.max_interval - 1e-9 for g in gaps(before)[:-1])
    # the first dense check lands exactly at the start of the window
    assert inside[0] == pytest.approx(dense_from)
    # dense: every dense_interval through the window
    assert all(g == pytest.approx(POLICY.dense_interval) for g in gaps(inside)[1:])
    assert len(inside) >= (high - low + 2 * POLICY.dense_lead) // POLICY.dense_interval
    # after the window: back to the cold spacing, 15 % of the elapsed time
    after = [t for t in times if t > high + POLICY.dense_lead]
    assert after[0] - inside[-1] == pytest.approx(POLICY.dense_interval)
    if len(after) > 1:
        assert after[1] - after[0] == pytest.approx(POLICY.growth * after[0])


def test_short_history_is_ignored():
    assert STEADY.next_delay(0.0, [60.0, 60.0], first=True) == POLICY.first_delay
    # with min_history durations it sleeps straight to the window (60 s - dense_lead)
    assert STEADY.next_delay(0.0, [60.0, 60.0, 60.0], first=True) == 56.0


def test_history_intervals_stay_within_dense_and_max_interval():
    for seed in SEEDS:
        history = around_60(seed) if seed % 2 else [d * 5 for d in around_60(seed)]
        for gap in gaps(checks_at(POLICY, 600.0, history, seed=seed)):
            assert POLICY.dense_interval - POLICY.max_jitter <= gap
            assert gap <= POLICY.max_interval + POLICY.max_jitter


# -- webhooks ----------------------------------------------------------------------------------


def test_webhook_mode_waits_the_grace_before_a_safety_net_check():
    assert STEADY.next_delay(0.0, first=True, webhook=True) == POLICY.webhook_grace
    assert STEADY.next_delay(50.0, webhook=True) == pytest.approx(POLICY.webhook_grace - 50.0)
    assert STEADY.next_delay(POLICY.webhook_grace, webhook=True) == POLICY.max_interval
    # a long expected generation stretches the grace to twice its late end
    history = [200.0] * 5
    assert STEADY.next_delay(0.0, history, first=True, webhook=True) == 400.0
    # a short one does not shrink it
    assert STEADY.next_delay(0.0, [10.0] * 5, first=True, webhook=True) == POLICY.webhook_grace


# -- jitter ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("elapsed", "history", "webhook", "nominal"),
    [
        (100.0, (), False, 15.0),  # 15 % of 15 s = 1.5 s > max_jitter
        (1000.0, (), False, 60.0),
        (10.0, (), False, 4.5),  # 10 % of 4.5 s = 0.45 s
        (58.0, (60.0,) * 5, False, 3.0),  # dense
        (0.0, (), True, 120.0),  # webhook grace
    ],
)
def test_jitter_is_bounded_by_max_jitter_and_present(elapsed, history, webhook, nominal):
    assert STEADY.next_delay(elapsed, history, webhook=webhook) == pytest.approx(nominal)
    spread = min(nominal * POLICY.jitter, POLICY.max_jitter)
    delays = [
        POLICY.next_delay(elapsed, history, webhook=webhook, rng=random.Random(seed))
        for seed in SEEDS
    ]
    assert all(abs(d - nominal) <= spread + 1e-9 for d in delays)
    assert max(delays) - min(delays) > spread  # it does spread checks out
    assert all(d > 0 for d in delays)


def test_simulate_is_deterministic_per_seed():
    assert simulate(POLICY, 60.0, seed=5) == simulate(POLICY, 60.0, seed=5)
    assert simulate(POLICY, 60.0, seed=5) != simulate(POLICY, 60.0, seed=6)


# -- the targets -----------------------------------------------------------------------


def test_target_polling_with_history_a_60_second_generation():
    results = [simulate(POLICY, 60.0, around_60(seed), seed=seed) for seed in SEEDS]
    assert max(checks for checks, _ in results) <= 10
    assert max(late for _, late in results) <= 5.0
    assert min(late for _, late in results) >= 0.0


def test_target_cold_polling_a_30_second_generation():
    results = [simulate(POLICY, 30.0, seed=seed) for seed in SEEDS]
    assert max(checks for checks, _ in results) <= 8
    assert max(late for _, late in results) <= 5.0


@pytest.mark.parametrize("history", [(), (60.0,) * 10])
def test_target_webhooks_one_check(history):
    for seed in SEEDS:
        checks, late = simulate(POLICY, 60.0, history, webhook_at=60.5, seed=seed)
        assert checks == 1
        assert late == pytest.approx(0.5)
