"""Throughput of several `exterior-bot run` processes sharing one PostgreSQL.

Run from the repository root:  .venv/bin/python -m benchmarks.fleet [GENERATIONS]

For 1, 2 and 3 processes (one Discord shard each): the Discord emulator, the sandbox API with a
compressed clock (0.85 s a generation) and a callback balancer, all on 127.0.0.1; commands are
sent (12, then 48 unanswered at most) until the API accepted GENERATIONS (default 300), and the
run ends when every result is posted. Reports generations followed per second, end to end
(command -> posted result). Uses EXTERIOR_TEST_DATABASE_URL, or starts a throwaway cluster
(Debian's pg_createcluster). Nothing leaves the machine. Not part of the test suite.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.fleet_load import fleet_world, run_load, wait_all_posted
from tests.support.postgres import throwaway_cluster

LOADS = (12, 48)  # unanswered commands at most: a steady stream, then a burst


async def measure(server: str, processes: int, generations: int, in_flight: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        async with fleet_world(server, Path(tmp), processes) as world:
            started = time.monotonic()
            await run_load(world, generations, kill=False, timeout=600, in_flight=in_flight)
            await wait_all_posted(world, timeout=120)
            return generations / (time.monotonic() - started)


async def main(generations: int) -> None:
    with contextlib.ExitStack() as stack:
        server = os.environ.get("EXTERIOR_TEST_DATABASE_URL") or stack.enter_context(
            throwaway_cluster()
        )
        print(f"{generations} generations each, on {os.cpu_count()} cores")
        for in_flight in LOADS:
            for processes in (1, 2, 3):
                rate = await measure(server, processes, generations, in_flight)
                print(
                    f"{processes} process(es), {in_flight} commands in flight: "
                    f"{rate:.2f} generations followed per second"
                )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
