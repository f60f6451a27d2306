"""1,000 generations followed by 3 processes sharing one PostgreSQL, against 1 process.

Each worker is a process of its own with the real core wired by hand (tracker, service,
callbacks, webhook server; tests/support/harness.py) on one PostgreSQL database, as shards
of one bot would be; the sandbox API runs in another process. Every worker starts its share of
the generations at once and follows what it started (its leases).

- *calls per generation*: polling with learnt durations, 1 process and then 3: leases must not
  make anyone ask twice.
- *callback → acted on*: the API's callbacks go to a balancer that hands each one to a random
  process (two in three reach one that does not follow the generation); from the balancer's
  receipt to the follower's "finished" event, through LISTEN/NOTIFY.

    python -m benchmarks.shared [--count 1000] [--duration 60]    # prints JSON
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import aiohttp
import asyncpg
from aiohttp import web

from bot.teams.secrets import signing_keys
from bot.tracking.schedule import PollPolicy
from storage import GenerationRepository, Lease, MetaRepository, open_database
from tests.support.files import file_server
from tests.support.harness import harness
from tests.support.postgres import can_start_cluster, fresh_database, throwaway_cluster

from .load import learnt_history, sandbox_config
from .report import Row, pending, percentile


async def worker(name: str, url: str, sandbox_url: str, duration: float, webhooks: bool) -> None:
    """Child process: start the generations it is told to, follow them, report."""
    remote = SimpleNamespace(
        url=sandbox_url, state=SimpleNamespace(config=sandbox_config(duration))
    )
    finished: dict[int, float] = {}
    async with (
        file_server() as files,
        harness(url, remote, files, webhooks=webhooks, policy=PollPolicy(),
                deadline=duration * 4 + 60, lease=Lease(name, 30.0)) as h,
    ):  # fmt: skip

        async def on_event(event) -> None:
            if event.kind == "finished":
                finished.setdefault(event.generation.id, time.time())

        h.tracker.subscribe(on_event)
        print(h.webhooks.base_url, flush=True)
        line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        count, balancer = line.split()
        if webhooks:  # the API calls the balancer, which picks a process
            secret = h.webhooks.callbacks.secret_for
            h.service.callback_url = lambda row: f"{balancer}/callbacks/{row}/{secret(row)}"
        for first in range(0, int(count), 50):
            await asyncio.gather(*(h.create() for _ in range(min(50, int(count) - first))))
        async with asyncio.timeout(duration * 4 + 60):
            while h.tracker.tracked:  # noqa: ASYNC110 - the tracker has no "idle" event
                await asyncio.sleep(0.1)
            await h.tracker.drain()
    print(json.dumps({"finished": finished}), flush=True)


class Balancer:
    """Hands each callback to a random worker; remembers when each row's first one came."""

    def __init__(self, targets: list[str]) -> None:
        self.targets = targets
        self.received: dict[int, tuple[float, int]] = {}  # row -> (when, worker index)
        self._rng = random.Random(21)

    async def handle(self, request: web.Request) -> web.Response:
        row = int(request.match_info["row"])
        pick = self._rng.randrange(len(self.targets))
        self.received.setdefault(row, (time.time(), pick))
        try:
            async with self.session.post(
                f"{self.targets[pick]}{request.path}", data=await request.read(),
                headers={"Content-Type": "application/json"},
            ) as resp:  # fmt: skip
                return web.Response(status=resp.status)
        except aiohttp.ClientError:  # a late repeat, after that worker finished and left
            return web.Response(status=502)

    @contextlib.asynccontextmanager
    async def running(self):
        app = web.Application()
        app.router.add_post("/callbacks/{row:\\d+}/{secret}", self.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        async with aiohttp.ClientSession() as self.session:
            try:
                yield f"http://127.0.0.1:{runner.addresses[0][1]}"
            finally:
                await runner.cleanup()


async def scenario(server: str, processes: int, count: int, duration: float, webhooks: bool):
    """(gets per generation, seconds from each callback's receipt to the follower's event)."""
    sandbox = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.load", "--serve-sandbox", "--duration", str(duration),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        sandbox_url = (await sandbox.stdout.readline()).decode().strip()
        async with fresh_database(server) as url:
            await _prepare(url, duration)
            args = [url, sandbox_url, str(duration), "1" if webhooks else "0"]
            workers = [await _start_worker(f"w{i}", args) for i in range(processes)]
            targets = [(await w.stdout.readline()).decode().strip() for w in workers]
            balancer = Balancer(targets)
            async with balancer.running() as balancer_url:
                for i, w in enumerate(workers):
                    share = count // processes + (i < count % processes)
                    w.stdin.write(f"{share} {balancer_url}\n".encode())
                    await w.stdin.drain()
                finished: dict[int, float] = {}
                for w in workers:
                    out = (await w.stdout.readline()).decode()
                    finished |= {int(k): v for k, v in json.loads(out)["finished"].items()}
                    await w.wait()
            conn = await asyncpg.connect(url)
            try:
                counts = await conn.fetch(
                    "SELECT check_count FROM generations WHERE generation_id NOT LIKE 'past-%'"
                )
            finally:
                await conn.close()
    finally:
        sandbox.stdin.close()
        await sandbox.wait()
    gets = statistics.mean(r["check_count"] for r in counts)
    # a row whose callback came but whose end no process announced counts as never acted on
    acted = [
        max(0.0, finished[row] - when) if row in finished else float("inf")
        for row, (when, _) in balancer.received.items()
    ]
    return gets, acted, len(counts)


async def _start_worker(name: str, args: list[str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.shared", "--worker", name, *args,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def _prepare(url: str, duration: float) -> None:
    """Migrate once, make the signing key once, and a learnt past whose callbacks came."""
    db = await open_database(url)
    try:
        await signing_keys(None, MetaRepository(db))
        await learnt_history(GenerationRepository(db), datetime.now(UTC), duration)
        async with db.write() as conn:  # test data: the past generations' callbacks came
            await conn.execute(
                "UPDATE generations SET callback_sent = 1, callback_at = finished_at", ()
            )
    finally:
        await db.close()


async def measure(
    count: int = 1000, duration: float = 60.0, *, together: bool = False
) -> list[Row]:
    label = f"{count:,} tracked, PostgreSQL"
    if not os.environ.get("EXTERIOR_TEST_DATABASE_URL") and not can_start_cluster():
        why = "no PostgreSQL (set EXTERIOR_TEST_DATABASE_URL or install postgresql)"
        return [pending(label, "3 processes", why)]
    with contextlib.ExitStack() as stack:
        server = os.environ.get("EXTERIOR_TEST_DATABASE_URL") or stack.enter_context(
            throwaway_cluster()
        )
        runs = (
            scenario(server, 1, count, duration, webhooks=False),
            scenario(server, 3, count, duration, webhooks=False),
            scenario(server, 3, count, duration, webhooks=True),
        )
        if together:  # smoke sizes: proves it runs; the figures mean nothing then
            (one, _, n1), (three, _, n3), (_, acted, _) = await asyncio.gather(*runs)
        else:  # one after the other, so none measures the others' load
            (one, _, n1), (three, _, n3), (_, acted, _) = [await run for run in runs]
    what = f"learnt durations, {duration:g} s ±15%"
    p50, p95 = percentile(acted, 50), percentile(acted, 95)
    return [
        Row(label, f"1 process, polling, {what}", f"{one:.2f} get/gen ({n1} generations)",
            "–", None, {"gets_per_generation": round(one, 2), "generations": n1}),
        Row(label, f"3 processes, polling, {what}",
            f"{three:.2f} get/gen ({n3} generations); {three / one:.2f}× one process",
            "calls per generation as with one process",
            abs(three / one - 1) <= 0.05 and n3 == count,
            {"gets_per_generation": round(three, 2), "vs_one": round(three / one, 3),
             "generations": n3}),
        Row(label, "3 processes, callback → acted on (any process, LISTEN/NOTIFY)",
            f"p50 {_ms(p50)}, p95 {_ms(p95)} ({len(acted)} callbacks, 2 in 3 "
            "to a process that does not follow the generation"
            + (f"; {lost} never acted on)" if (lost := acted.count(float("inf"))) else ")"),
            "≤ 1 s p95", p95 <= 1.0 and len(acted) == count,
            {"callbacks": len(acted), "never_acted_on": lost,
             "p50_ms": round(p50 * 1000) if math.isfinite(p50) else None,
             "p95_ms": round(p95 * 1000) if math.isfinite(p95) else None}),
    ]  # fmt: skip


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if math.isfinite(seconds) else "never"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.shared")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        name, url, sandbox_url, duration, webhooks = args.worker
        asyncio.run(worker(name, url, sandbox_url, float(duration), webhooks == "1"))
        return 0
    rows = asyncio.run(measure(args.count, args.duration))
    print(json.dumps([r.figures | {"what": r.what, "verdict": r.verdict} for r in rows]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
