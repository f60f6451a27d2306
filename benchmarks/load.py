"""10,000 generations tracked at once: peak RSS, CPU seconds per minute, database writes per second.

Each scenario runs in a fresh process (so peak RSS is the tracker's own) in real time; the
sandbox API runs in another process so its CPU is not counted. All generations start within a
few seconds and last `--duration` s +-15 %; the window runs from the last start until every one
was announced finished, so it holds each generation's whole life: checks, the end, the event.

    python -m benchmarks.load --count 10000 --duration 120 --history   # one scenario, prints JSON
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from bot.api.sandbox.server import running_sandbox
from bot.api.sandbox.state import SandboxConfig
from bot.domain import Generation, Kind, Origin, RoomType, Status
from bot.tracking.schedule import PollPolicy
from storage import GenerationRepository
from tests.support.files import file_server
from tests.support.harness import harness

from .report import Row, cpu_seconds, peak_rss_mb
from .tracking import scaled

SPREAD = 0.15


def sandbox_config(duration: float) -> SandboxConfig:
    return SandboxConfig(
        credits=100_000,
        starting_seconds=duration * 0.05,
        processing_seconds=duration * 0.95,
        duration_spread=SPREAD,
        seed=7,
    )


async def serve_sandbox(duration: float) -> None:
    """Child process: the sandbox API until stdin closes."""
    async with running_sandbox(sandbox_config(duration)) as sandbox:
        print(sandbox.url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def learnt_history(repo: GenerationRepository, start: datetime, duration: float) -> None:
    """Ten past POOL creations of about `duration` s, as the tracker would have seen them."""
    now = start - timedelta(hours=5)
    repo._clock = lambda: now  # a repository clock is injectable for exactly this
    for i in range(10):
        gen = await repo.create_intent(
            Generation(
                id=None,
                kind=Kind.CREATE,
                room_type=RoomType.POOL,
                status=Status.PENDING,
                origin=Origin(source="cli"),
            )
        )
        await repo.mark_submitted(
            gen.id, generation_id=f"past-{i}", project_id="p", remaining_photos=None,
            next_check_at=None,
        )  # fmt: skip
        took = duration * (1 - SPREAD + 2 * SPREAD * i / 9)
        seen = now + timedelta(seconds=took - 4)
        await repo.record_check(
            gen.id, status=Status.PROCESSING, next_check_at=None, ended_after=seen
        )
        now += timedelta(seconds=took)
        await repo.record_check(gen.id, status=Status.SUCCEEDED, next_check_at=None)
        now += timedelta(minutes=5)
    repo._clock = lambda: datetime.now(UTC)


async def scenario(count: int, duration: float, history: bool, scale: float) -> dict:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.load", "--serve-sandbox", "--duration", str(duration),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        url = (await proc.stdout.readline()).decode().strip()
        with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
            return await _track(url, Path(tmp) / "load.sqlite3", count, duration, history, scale)
    finally:
        proc.stdin.close()
        await proc.wait()


async def _track(
    url: str, path: Path, count: int, duration: float, history: bool, scale: float
) -> dict:
    # The harness wires the real core by hand (tracker, service, callbacks, SQLite); it only
    # needs the sandbox's address and account, which here lives in another process.
    remote = SimpleNamespace(url=url, state=SimpleNamespace(config=sandbox_config(duration)))
    policy = scaled(PollPolicy(), scale)
    async with (
        file_server() as files,
        harness(path, remote, files, webhooks=False, policy=policy, deadline=3600.0 / scale) as h,
    ):
        if history:
            await learnt_history(h.repo, datetime.now(UTC), duration)
        gens = []
        for first in range(0, count, 50):  # as a busy bot would: a few at a time
            gens += await asyncio.gather(*(h.create() for _ in range(min(50, count - first))))
        tracked = h.tracker.tracked
        checked0 = sum(g.check_count for g in await h.repo.pending())
        conn = h.db._conn  # total_changes: rows written, whoever wrote them
        writes0, cpu0, t0 = conn.total_changes, cpu_seconds(), time.monotonic()
        async with asyncio.timeout(duration * 3 + 30):
            while h.tracker.tracked:  # noqa: ASYNC110 - the tracker has no "idle" event
                await asyncio.sleep(0.1)
            await h.tracker.drain()
        elapsed = time.monotonic() - t0
        writes, cpu = conn.total_changes - writes0, cpu_seconds() - cpu0
        checked = -checked0
        for gen in gens:
            checked += (await h.repo.get(gen.id)).check_count
    return {
        "tracked": tracked,
        "seconds": round(elapsed, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),  # the whole process, starts included
        "cpu_s_per_min": round(cpu / elapsed * 60, 2),
        "db_rows_written_per_s": round(writes / elapsed, 1),
        "gets_per_s": round(checked / elapsed, 1),
        "history": history,
    }


async def measure(count: int, duration: float, scale: float = 1.0) -> list[Row]:
    """`scale` > 1 compresses the policy's times too (smoke runs only: CPU per minute then
    means nothing)."""
    rows = []
    for history, what, cpu_limit in ((True, "learnt durations", 3), (False, "cold start", 6)):
        args = ["--count", str(count), "--duration", str(duration), "--scale", str(scale)]
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.load", *args, *(["--history"] if history else []),
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, _ = await proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"load scenario failed with exit code {proc.returncode}")
        f = json.loads(out.decode().strip().splitlines()[-1])
        rows.append(
            Row(
                f"{count:,} tracked at once",
                f"{what}, {duration:g} s ±{SPREAD:.0%}, start to finish",
                f"peak RSS {f['peak_rss_mb']:.0f} MB, {f['cpu_s_per_min']:.2f} CPU-s/min, "
                f"{f['db_rows_written_per_s']:.1f} DB rows written/s, "
                f"{f['gets_per_s']:.1f} gets/s (over {f['seconds']:g} s"
                + (
                    f"; only {f['tracked']} still running at its start)"
                    if f["tracked"] < count
                    else ")"
                ),
                f"< 300 MB RSS, < {cpu_limit} CPU-s per minute",
                f["tracked"] == count and f["peak_rss_mb"] < 300 and f["cpu_s_per_min"] < cpu_limit,
                f,
            )
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--history", action="store_true")
    parser.add_argument("--scale", type=float, default=1.0, help="divide the policy's times")
    parser.add_argument("--serve-sandbox", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_sandbox:
        asyncio.run(serve_sandbox(args.duration))
        return 0
    result = asyncio.run(scenario(args.count, args.duration, args.history, args.scale))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
