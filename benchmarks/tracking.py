"""Following generations: `get` calls per generation and how late the end is noticed.

The real tracker, service, webhook server and SQLite database run against the sandbox API on
127.0.0.1 with every time (sandbox durations, polling policy, deadline) divided by the spec's
`scale`; figures are scaled back to real seconds (loopback and event-loop latency are
multiplied too, so notice delays are pessimistic). Every mode of one duration class runs in the
same process, one after the other, against the same sandbox: the rows are comparable.
"""

from __future__ import annotations

import asyncio
import dataclasses
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.api.sandbox.server import running_sandbox
from bot.api.sandbox.state import SandboxConfig
from bot.tracking.schedule import PollPolicy
from bot.tracking.tracker import TrackerEvent
from tests.support.files import file_server
from tests.support.harness import harness

from .report import Row, percentile

TIME_FIELDS = (
    "first_delay",
    "min_interval",
    "max_interval",
    "notice_delay",
    "max_jitter",
    "webhook_grace",
    "webhook_slack",
    "relearn_after",
)
NOTICE = PollPolicy().notice_delay
STAGGER = 0.05  # modes that learn start one generation every 5 % of the nominal duration


@dataclass(frozen=True)
class Spec:
    nominal: float  # seconds a generation takes, on average
    spread: float  # each one within +- this share (uniform)
    scale: float  # 1 real second = 1/scale benchmark seconds
    runs: int = 20  # measured generations per mode (all started at once)
    warmup: int = 10  # generations learnt from before "polling, history"
    baseline_runs: int = 4  # the fixed pollers are near-deterministic and costly

    @property
    def label(self) -> str:
        return f"{self.nominal:g} s ±{self.spread:.0%}"


FULL = [
    Spec(30, 0.15, scale=10),
    Spec(120, 0.15, scale=20),
    Spec(600, 0.15, scale=40),
    Spec(30, 0.02, scale=10),
]
SMOKE = [Spec(30, 0.15, scale=100, runs=2, warmup=3, baseline_runs=1)]


@dataclass(frozen=True)
class FixedPoller(PollPolicy):
    """What roomGPT (1 s) and replicate-python (0.5 s) do: ask every `every` seconds."""

    every: float = 1.0

    def next_delay(self, elapsed, model=None, *, first=False, webhook=False, rng=None) -> float:
        return self.every


def scaled(policy: PollPolicy, factor: float) -> PollPolicy:
    changes = {name: getattr(policy, name) / factor for name in TIME_FIELDS}
    if isinstance(policy, FixedPoller):
        changes["every"] = policy.every / factor
    return dataclasses.replace(policy, **changes)


@dataclass
class Outcome:
    gets: int
    notice: float  # real seconds between the API's end and the tracker's finished event
    duration: float  # real seconds the generation took


async def batch(h, sandbox, count: int, scale: float, gap: float = 0.0) -> list[Outcome]:
    """Start `count` generations `gap` s apart (0: at once); wait until the tracker announced
    each one's end."""
    arrived: dict[int, float] = {}

    async def on_event(event: TrackerEvent) -> None:
        if event.kind == "finished":
            arrived.setdefault(event.generation.id, time.time())

    h.tracker.subscribe(on_event)
    try:
        if gap:
            gens = []
            for _ in range(count):
                gens.append(await h.create())
                await asyncio.sleep(gap)
        else:
            gens = await asyncio.gather(*(h.create() for _ in range(count)))
        async with asyncio.timeout(max(g.duration for g in sandbox.state.generations.values()) * 4):
            while not all(g.id in arrived for g in gens):  # noqa: ASYNC110 - set by a subscriber
                await asyncio.sleep(0.005)
    finally:
        h.tracker.events.unsubscribe(on_event)
    outcomes = []
    for gen in gens:
        row = await h.repo.get(gen.id)
        api = sandbox.state.generations[gen.generation_id]
        outcomes.append(
            Outcome(
                gets=row.check_count,
                notice=(arrived[gen.id] - api.ended_at) * scale,
                duration=api.duration * scale,
            )
        )
    return outcomes


async def run_spec(spec: Spec, workdir: Path) -> dict[str, list[Outcome]]:
    config = SandboxConfig(
        starting_seconds=2.0 / spec.scale,
        processing_seconds=(spec.nominal - 2.0) / spec.scale,
        duration_spread=spec.spread,
        credits=10_000,
        seed=int(spec.nominal),
    )
    live = scaled(PollPolicy(), spec.scale)
    modes = {
        "webhook": (True, live, spec.runs),
        "polling, cold": (False, dataclasses.replace(live, min_history=10**9), spec.runs),
        "polling, history": (False, live, spec.runs),
        "fixed 1-s poller": (False, scaled(FixedPoller(every=1.0), spec.scale), spec.baseline_runs),
        "0.5-s poller": (False, scaled(FixedPoller(every=0.5), spec.scale), spec.baseline_runs),
    }
    results: dict[str, list[Outcome]] = {}
    async with running_sandbox(config) as sandbox, file_server() as files:
        for mode, (webhooks, policy, runs) in modes.items():
            db = workdir / f"{spec.nominal:g}-{spec.spread:g}-{mode.replace(' ', '_')}.sqlite3"
            async with harness(
                db,
                sandbox,
                files,
                webhooks=webhooks,
                policy=policy,
                deadline=1800.0 / spec.scale,
            ) as h:
                if policy is live:  # modes that learn: staggered, as people start them
                    gap = spec.nominal * STAGGER / spec.scale
                    await batch(h, sandbox, spec.warmup, spec.scale, gap)
                    results[mode] = await batch(h, sandbox, runs, spec.scale, gap)
                else:
                    results[mode] = await batch(h, sandbox, runs, spec.scale)
    return results


def best_schedule(spec: Spec, durations: list[float]) -> list[Outcome]:
    """Checks every NOTICE s from one NOTICE after the earliest possible end, none before."""
    low = spec.nominal * (1 - spec.spread)
    out = []
    for d in durations:
        checks = max(1, -int(-(d - low) // NOTICE))
        out.append(Outcome(gets=checks, notice=low + checks * NOTICE - d, duration=d))
    return out


def rows_for(spec: Spec, results: dict[str, list[Outcome]]) -> list[Row]:
    history = results["polling, history"]
    results = {**results, "best schedule": best_schedule(spec, [o.duration for o in history])}
    best_calls = statistics.mean(o.gets for o in results["best schedule"])
    one_second_calls = statistics.mean(o.gets for o in results["fixed 1-s poller"])
    rows = []
    for mode, outcomes in results.items():
        calls = statistics.mean(o.gets for o in outcomes)
        p50 = percentile([o.notice for o in outcomes], 50)
        p95 = percentile([o.notice for o in outcomes], 95)
        worst = max(o.notice for o in outcomes)
        figures = {
            "generations": len(outcomes),
            "gets_per_generation": round(calls, 2),
            "max_gets": max(o.gets for o in outcomes),
            "notice_p50_s": round(p50, 2),
            "notice_p95_s": round(p95, 2),
            "notice_max_s": round(worst, 2),
        }
        result = (
            f"{calls:.2f} get/gen (max {figures['max_gets']}), "
            f"noticed p50 {p50:.2f} s, p95 {p95:.2f} s"
        )
        target, ok = "–", None
        if mode == "webhook":
            result += f" (after {spec.warmup} learnt)"
            target = "≤ 1 get/gen, noticed ≤ 1 s"
            ok = figures["max_gets"] <= 1 and worst <= 1.0
        elif mode == "polling, history":
            ratio, fewer = calls / best_calls, one_second_calls / calls
            figures |= {"vs_best": round(ratio, 2), "fewer_than_1s_poller": round(fewer, 1)}
            result += f"; {ratio:.2f}× best, {fewer:.0f}× fewer than 1-s poller"
            result += f" (after {spec.warmup} learnt)"
            limit = 1.1 if spec.spread <= 0.02 else 1.2  # the stable class: 1.1× best
            target = f"p95 ≤ 5 s, ≤ {limit:g}× best, ≥ 10× fewer than 1-s poller"
            ok = p95 <= 5.0 and ratio <= limit and fewer >= 10
        elif mode == "polling, cold" and spec.nominal <= 30:
            target, ok = "≤ 8 gets within 5 s", figures["max_gets"] <= 8 and worst <= 5.0
        elif mode == "polling, cold":
            late = max(o.notice / o.duration for o in outcomes)
            figures["max_notice_share"] = round(late, 3)
            result += f"; latest {late:.1%} of its duration"
            target, ok = "never later than 10 % of the duration", late <= 0.10
        rows.append(Row(f"following {spec.label}", mode, result, target, ok, figures))
    return rows


async def measure(specs: list[Spec]) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-tracking-") as tmp:
        for spec in specs:
            rows += rows_for(spec, await run_spec(spec, Path(tmp)))
    return rows
