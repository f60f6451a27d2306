"""How long generations take, learnt from what the tracker actually saw.

A `get` only says "not done yet" or "done", so a generation's end is known to lie between the
last check that saw it unfinished and the first one that saw it finished (a webhook narrows
that to about when the callback came): the durations are *interval-censored*. Learning the
moment we noticed the end instead (what the tracker used to do) biases every estimate late by
a polling gap, and the schedule built on it never gets cheaper.

`estimate` computes Turnbull's nonparametric maximum-likelihood estimate (EM over the
"innermost" intervals) with weights that halve every `half_life` observations, so a slow day
moves the estimate within a few generations. Within a cell the NPMLE says nothing about where
the mass lies, so the lower quantiles that decide when to start checking use a cell's start:
the cautious reading.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

EXACT = 1e-3  # width given to an observation whose two bounds coincide


@dataclass(frozen=True, slots=True)
class Observation:
    """The end happened in (low, high], in seconds after the generation was created."""

    low: float
    high: float

    @property
    def informative(self) -> bool:
        """Seen unfinished at least once (else only an upper bound is known)."""
        return self.low > 0


@dataclass(frozen=True)
class DurationModel:
    """A distribution over disjoint cells (start, end] with their probabilities."""

    cells: tuple[tuple[float, float, float], ...]  # sorted, probabilities sum to 1
    effective_n: float  # Kish's effective sample size of the weights
    informative: int  # observations that saw the generation unfinished

    def cell_at(self, q: float) -> tuple[float, float]:
        """The cell (start, end] holding quantile q."""
        total = 0.0
        for start, end, mass in self.cells:
            total += mass
            if total >= q - 1e-12:
                return start, end
        return self.cells[-1][:2]

    def quantile(self, q: float) -> float:
        """Quantile q, spreading each cell's mass evenly across it."""
        total = 0.0
        for start, end, mass in self.cells:
            if mass > 0 and total + mass >= q - 1e-12:
                return start + (end - start) * max(0.0, min(1.0, (q - total) / mass))
            total += mass
        return self.cells[-1][1]

    @property
    def latest(self) -> float:
        """The end of the last cell with any mass: no observed generation ended later."""
        return max(end for _start, end, mass in self.cells if mass > 1e-9)


def estimate(
    observations: Sequence[Observation],
    *,
    half_life: float = 10.0,
    trim_from: int = 5,
    outlier_ratio: float = 0.75,
    iterations: int = 300,
    tolerance: float = 1e-4,  # in probability mass: far finer than any quantile we use
) -> DurationModel | None:
    """Turnbull NPMLE of interval-censored durations; `observations` newest first.

    From `trim_from` observations on, the one known to have ended earliest is left out when it
    ended before `outlier_ratio` of the others' median, and the latest when it was still running
    past the median / `outlier_ratio`: one outlier must not make every later generation pay
    for early checks (a p95 target tolerates one), while two do move the estimate.
    """
    obs = [Observation(min(o.low, o.high - EXACT), o.high) for o in observations if o.high > 0]
    if not obs:
        return None
    if len(obs) >= trim_from:
        earliest = min(range(len(obs)), key=lambda i: (obs[i].high, -i))
        others = sorted(o.high for i, o in enumerate(obs) if i != earliest)
        if obs[earliest].high < outlier_ratio * others[len(others) // 2]:
            del obs[earliest]
        latest = max(range(len(obs)), key=lambda i: (obs[i].low, -i))
        others = sorted(o.high for i, o in enumerate(obs) if i != latest)
        if obs[latest].low * outlier_ratio > others[len(others) // 2]:
            del obs[latest]
    weights = [0.5 ** (i / half_life) for i in range(len(obs))]
    total = sum(weights)
    weights = [w / total for w in weights]
    cells = _innermost(obs)
    starts = [c[0] for c in cells]
    ends = [c[1] for c in cells]
    # Each observation covers a contiguous run of cells [first, last).
    spans = [
        (bisect.bisect_left(starts, o.low), bisect.bisect_right(ends, o.high + 1e-9)) for o in obs
    ]
    p = [1.0 / len(cells)] * len(cells)
    for _ in range(iterations):
        prefix = [0.0]
        for mass in p:
            prefix.append(prefix[-1] + mass)
        # Difference array: each observation spreads weight/likelihood over its own cells.
        share = [0.0] * (len(cells) + 1)
        for w, (first, last) in zip(weights, spans, strict=True):
            likelihood = prefix[last] - prefix[first]
            if likelihood > 0:
                share[first] += w / likelihood
                share[last] -= w / likelihood
        running, new = 0.0, []
        for j, mass in enumerate(p):
            running += share[j]
            new.append(mass * running)
        norm = sum(new) or 1.0
        new = [m / norm for m in new]
        done = max(abs(a - b) for a, b in zip(new, p, strict=True)) < tolerance
        p = new
        if done:
            break
    return DurationModel(
        cells=tuple((s, e, m) for (s, e), m in zip(cells, p, strict=True)),
        effective_n=1.0 / sum(w * w for w in weights),
        informative=sum(o.informative for o in obs),
    )


def _innermost(obs: Sequence[Observation]) -> list[tuple[float, float]]:
    """Turnbull's innermost intervals: a left end directly followed by a right end.

    Intervals are half-open (low, high], so at equal values a right end sorts first.
    """
    points = sorted([(o.low, 1) for o in obs] + [(o.high, 0) for o in obs])
    return [
        (a, b) for (a, kind_a), (b, kind_b) in itertools.pairwise(points) if kind_a and not kind_b
    ]
