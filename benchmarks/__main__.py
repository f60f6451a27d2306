"""`python -m benchmarks`: every benchmark, one table, and benchmarks/results.json.

    python -m benchmarks                  # the full run (~25 minutes on 2 cores)
    python -m benchmarks --smoke --out /tmp/r.json   # tiny sizes, seconds: proves it still runs
    python -m benchmarks --only images    # run one section again; other rows in the file stay

Each row is measured in the same run as the baselines beside it; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from . import emulated, images, load, shared, startup, tracking
from .report import Row, machine, table, write_json

RESULTS = Path(__file__).with_name("results.json")

Section = Callable[[], Awaitable[list[Row]]]


def sections(smoke: bool) -> dict[str, Section]:
    if smoke:
        return {
            "tracking": lambda: tracking.measure(tracking.SMOKE),
            "load": lambda: load.measure(count=20, duration=3.0, scale=10.0),
            "shared": lambda: shared.measure(count=6, duration=2.0, together=True),
            "discord": lambda: emulated.measure(commands=2),
            "images": lambda: images.measure(megapixels=0.5),
            "startup": lambda: startup.measure(count=2_000),
        }
    return {
        "tracking": lambda: tracking.measure(tracking.FULL),
        "load": lambda: load.measure(count=10_000, duration=180.0),
        "shared": lambda: shared.measure(count=1_000, duration=60.0),
        "discord": lambda: emulated.measure(commands=30),
        "images": lambda: images.measure(megapixels=12.0),
        "startup": lambda: startup.measure(count=1_000_000),
    }


async def run(chosen: dict[str, Section]) -> list[Row]:
    rows = []
    for name, section in chosen.items():
        started = time.monotonic()
        measured = await section()
        for row in measured:
            row.key = name
        rows += measured
        print(f"  {name}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: seconds, not minutes")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON")
    parser.add_argument("--only", nargs="*", metavar="SECTION", help="run only these sections")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # the bot's own INFO lines are not the report
    chosen = sections(args.smoke)
    if args.only:
        unknown = set(args.only) - set(chosen)
        if unknown:
            parser.error(f"unknown section(s) {sorted(unknown)}; choose from {sorted(chosen)}")
        chosen = {k: v for k, v in chosen.items() if k in args.only}
    started = time.monotonic()
    rows = asyncio.run(run(chosen))
    wall = time.monotonic() - started
    m = machine()
    print(table(rows))
    print(
        f"\nMachine: {m['cpu']}, {m['cores']} cores, {m['memory']}, Python {m['python']}, "
        f"{m['system']}. Wall time {wall:.0f} s{' (smoke sizes)' if args.smoke else ''}."
    )
    write_json(
        args.out,
        rows,
        {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "smoke": args.smoke,
            "wall_seconds": round(wall, 1),
        },
        replace=list(chosen) if args.only else (),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
