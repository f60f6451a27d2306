"""How many `get` calls a generation costs, and how late its end is noticed.

Run from the repository root:  .venv/bin/python -m benchmarks.tracking

Part A simulates the default PollPolicy (bot.schedule.simulate) over many seeds.
Part B runs the real tracker, service, webhook server and SQLite database against the local
sandbox API on 127.0.0.1, with every time (policy and sandbox) divided by SCALE, and reports the
results scaled back to real seconds. Nothing leaves the machine. Not part of the test suite.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.domain import Kind, RoomType, Status
from bot.sandbox.server import running_sandbox
from bot.sandbox.state import SandboxConfig
from bot.schedule import PollPolicy, simulate
from bot.tracker import TrackerEvent
from tests.support.files import file_server
from tests.support.harness import harness

SEEDS = 500
SCALE = 20.0  # Part B: 1 real second = 1/SCALE benchmark seconds
RUNS = 5  # Part B: generations per mode
TIME_FIELDS = (
    "first_delay",
    "min_interval",
    "max_interval",
    "dense_interval",
    "dense_lead",
    "max_jitter",
    "webhook_grace",
)

# -- Part A: simulation ------------------------------------------------------------------------

Draw = Callable[[random.Random], float]


@dataclass(frozen=True)
class Scenario:
    name: str
    duration: Draw  # the generation's real length
    history: Callable[[random.Random], list[float]] = lambda _rng: []
    webhook_delay: float | None = None  # callback this long after the end
    max_checks: int | None = None  # the targets, where it states one
    max_late: float | None = None


def fixed(seconds: float) -> Draw:
    return lambda _rng: seconds


def normal_history(mean: float, sd: float, n: int = 10):
    return lambda rng: [rng.gauss(mean, sd) for _ in range(n)]


def uniform_history(low: float, high: float, n: int = 10):
    return lambda rng: [rng.uniform(low, high) for _ in range(n)]


SCENARIOS = [
    Scenario("cold, 30 s", fixed(30), max_checks=8, max_late=5.0),
    Scenario("cold, 60 s", fixed(60)),
    Scenario("cold, 5 min", fixed(300)),
    Scenario("cold, 20 min", fixed(1200)),
    Scenario(
        "history N(60, 3), 60 s", fixed(60), normal_history(60, 3), max_checks=10, max_late=5.0
    ),
    Scenario("history N(300, 15), 5 min", fixed(300), normal_history(300, 15)),
    Scenario(
        "history U(40, 80), duration U(40, 80)",
        lambda rng: rng.uniform(40, 80),
        uniform_history(40, 80),
    ),
    Scenario("webhook, 60 s", fixed(60), webhook_delay=0.5, max_checks=1),
    # not asked for, but where the targets stop holding:
    Scenario("(extra) history N(60, 3), duration N(60, 3)", lambda r: r.gauss(60, 3),
             normal_history(60, 3)),
    Scenario("(extra) webhook, 5 min, cold", fixed(300), webhook_delay=0.5),
]  # fmt: skip


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def run_scenario(policy: PollPolicy, sc: Scenario, seeds: int = SEEDS) -> dict:
    checks, late = [], []
    for seed in range(seeds):
        rng = random.Random(f"{sc.name}/{seed}")
        history = sc.history(rng)
        duration = sc.duration(rng)
        webhook_at = None if sc.webhook_delay is None else duration + sc.webhook_delay
        n, lateness = simulate(policy, duration, history, webhook_at=webhook_at, seed=seed)
        checks.append(n)
        late.append(lateness)
    verdict = ""
    if sc.max_checks is not None:
        goal = [f"≤ {sc.max_checks} get{'s' if sc.max_checks > 1 else ''}"]
        ok = max(checks) <= sc.max_checks
        if sc.max_late is not None:
            goal.append(f"≤ {sc.max_late:g} s")
            ok = ok and max(late) <= sc.max_late
        verdict = f"{', '.join(goal)}: {'PASS' if ok else 'FAIL'}"
    return {
        "scenario": sc.name,
        "mean checks": f"{statistics.mean(checks):.2f}",
        "max checks": str(max(checks)),
        "mean late s": f"{statistics.mean(late):.2f}",
        "p95 late s": f"{percentile(late, 95):.2f}",
        "max late s": f"{max(late):.2f}",
        "target": verdict or "–",
    }


# -- Part B: the real tracker on loopback, time-scaled -----------------------------------------


def scaled(policy: PollPolicy, factor: float) -> PollPolicy:
    return dataclasses.replace(
        policy, **{name: getattr(policy, name) / factor for name in TIME_FIELDS}
    )


@dataclass
class RealRun:
    mode: str
    index: int
    history: int  # successful durations the tracker could learn from
    gets: int
    late: float  # real seconds


async def _watch_end(state, api_id: str) -> float:
    """The moment the sandbox flips the generation to a terminal status (2 ms resolution)."""
    while True:
        gen = state.generations.get(api_id)
        if gen is not None and gen.status.is_terminal:
            return time.time()
        await asyncio.sleep(0.002)


async def run_mode(
    workdir: Path, *, webhooks: bool, starting: float, processing: float
) -> list[RealRun]:
    config = SandboxConfig(
        starting_seconds=starting / SCALE, processing_seconds=processing / SCALE, seed=1
    )
    policy = scaled(PollPolicy(), SCALE)
    mode = "webhooks" if webhooks else "polling"
    runs: list[RealRun] = []
    async with (
        running_sandbox(config) as sandbox,
        file_server() as files,
        harness(
            workdir / f"{mode}.sqlite3",
            sandbox,
            files,
            webhooks=webhooks,
            policy=policy,
            deadline=1800.0 / SCALE,
        ) as h,
    ):
        arrived: dict[int, float] = {}

        async def on_event(event: TrackerEvent) -> None:
            if event.kind == "finished":
                arrived.setdefault(event.generation.id, time.time())

        h.tracker.subscribe(on_event)
        for index in range(RUNS):
            history = len(await h.repo.recent_durations(RoomType.POOL, Kind.CREATE))
            gets_before = sandbox.state.calls["get"]
            gen = await h.create()
            watcher = asyncio.create_task(_watch_end(sandbox.state, gen.generation_id))
            async with asyncio.timeout(processing / SCALE * 4 + 10):
                ended = await watcher
                while gen.id not in arrived:  # noqa: ASYNC110 - set by a subscriber
                    await asyncio.sleep(0.002)
            await h.tracker.drain()
            done = await h.repo.get(gen.id)
            assert done.status is Status.SUCCEEDED, done.status
            runs.append(
                RealRun(
                    mode=mode,
                    index=index + 1,
                    history=history,
                    gets=sandbox.state.calls["get"] - gets_before,
                    late=(arrived[gen.id] - ended) * SCALE,
                )
            )
    return runs


# -- output ------------------------------------------------------------------------------------


def table(rows: list[dict]) -> str:
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(row[c]) for c in header) + " |" for row in rows]
    return "\n".join(lines)


async def part_b() -> list[RealRun]:
    with tempfile.TemporaryDirectory(prefix="tracking-bench-") as tmp:
        runs = await run_mode(Path(tmp), webhooks=True, starting=10, processing=50)
        runs += await run_mode(Path(tmp), webhooks=False, starting=10, processing=50)
    return runs


def main() -> int:
    started = time.monotonic()
    policy = PollPolicy()
    print(f"## A. Simulated default PollPolicy ({SEEDS} seeds per scenario)\n")
    print(table([run_scenario(policy, sc) for sc in SCENARIOS]))
    print(
        "\nHistory = 10 past durations drawn per seed; lateness = seconds between the end and "
        "the check that notices it; webhook = callback 0.5 s after the end.\n"
    )

    print(f"## B. Real tracker + sandbox + SQLite on loopback, times ÷ {SCALE:g}\n")
    runs = asyncio.run(part_b())
    print(
        table(
            [
                {
                    "mode": r.mode,
                    "generation": r.index,
                    "history known": r.history,
                    "`get` calls": r.gets,
                    "lateness (real s)": f"{r.late:.2f}",
                }
                for r in runs
            ]
        )
    )
    print()
    summary = []
    for mode in ("webhooks", "polling"):
        mine = [r for r in runs if r.mode == mode]
        summary.append(
            {
                "mode": mode,
                "mean gets": f"{statistics.mean(r.gets for r in mine):.1f}",
                "max gets": max(r.gets for r in mine),
                "mean lateness (real s)": f"{statistics.mean(r.late for r in mine):.2f}",
                "max lateness (real s)": f"{max(r.late for r in mine):.2f}",
            }
        )
    print(table(summary))
    print(
        f"\nEach generation: 60 real s (10 s STARTING + 50 s PROCESSING), run one after the "
        f"other on one database, so polling learns from history after 3 successes. Lateness = "
        f"tracker's `finished` event minus the sandbox's switch to SUCCEEDED, × {SCALE:g}; "
        f"loopback and event-loop latency are multiplied too.\n"
        f"\nWall time: {time.monotonic() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
