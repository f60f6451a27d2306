"""The duration estimator (bot/tracking/durations.py) on interval-censored synthetic data."""

from __future__ import annotations

import random
import statistics

import pytest

from bot.tracking.durations import Observation, estimate


def censored(durations, gap: float, rng: random.Random) -> list[Observation]:
    """What checks every `gap` seconds (random phase) see of each duration, newest first."""
    out = []
    for d in durations:
        phase = rng.uniform(0, gap)
        checks_before = int((d - phase) // gap)
        low = phase + checks_before * gap if d > phase else 0.0
        out.append(Observation(low, low + gap if low else phase))
    return out


def test_nothing_to_learn_from():
    assert estimate([]) is None


def test_converges_where_noticed_times_stay_biased():
    rng = random.Random(7)
    true = [rng.gauss(60, 3) for _ in range(400)]
    obs = censored(true, 5.0, rng)
    model = estimate(obs, half_life=1e9)  # equal weights: the plain NPMLE
    for q in (0.1, 0.5, 0.9):
        truth = statistics.quantiles(true, n=20)[round(q * 20) - 1]
        assert model.quantile(q) == pytest.approx(truth, abs=1.0)
    # learning the moment the end was noticed (what the tracker used to do) is late by ~gap/2
    noticed = statistics.median(o.high for o in obs)
    assert noticed - statistics.median(true) > 2.0
    assert sum(mass for *_, mass in model.cells) == pytest.approx(1.0)


def test_exact_observations_give_their_own_values():
    model = estimate([Observation(30.0, 30.0)] * 3 + [Observation(40.0, 40.0)])
    assert model.quantile(0.25) == pytest.approx(30.0, abs=0.01)
    assert model.latest == pytest.approx(40.0)


def test_a_slow_day_takes_over_the_estimate_within_a_dozen_generations():
    rng = random.Random(3)
    old = censored([rng.gauss(30, 0.5) for _ in range(30)], 4.5, rng)
    new = censored([rng.gauss(45, 0.5) for _ in range(12)], 4.5, rng)
    model = estimate(new + old)  # newest first
    assert model.quantile(0.5) > 40.0
    flat = estimate(new + old, half_life=1e9)
    assert flat.quantile(0.5) < 35.0  # without recency weights it would still say 30 s


def test_one_fast_outlier_is_ignored_but_two_count():
    rng = random.Random(5)
    usual = censored([rng.gauss(30, 0.5) for _ in range(19)], 4.5, rng)
    one = estimate([Observation(0.0, 4.0), *usual])
    assert one.cell_at(0.01)[0] > 20.0
    two = estimate([Observation(0.0, 4.0), Observation(0.0, 4.5), *usual])
    assert two.cell_at(0.01)[0] < 5.0


def test_one_slow_outlier_is_ignored():
    rng = random.Random(6)
    usual = censored([rng.gauss(30, 0.5) for _ in range(19)], 4.5, rng)
    model = estimate([Observation(300.0, 304.0), *usual])
    assert model.latest < 40.0
    assert estimate([Observation(300.0, 304.0), *usual[:3]]).latest > 300  # too few to judge
