"""One of the racing processes of test_queue_postgres: the real core on a shared PostgreSQL
database, told "go" on stdin, then pumps the queues of the guilds it was given at once and
prints the rows it started (JSON). Run as `python -m tests.integration.queue_racer CONFIG`."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from bot.runtime.config import Settings
from bot.runtime.core import open_core


async def race(config: dict) -> list[int]:
    settings = Settings(
        database_url=config["database_url"],
        base_url=config["api_url"],
        api_key=config["api_key"],
        user_id=config["user_id"],
        db_path=Path(config["workdir"]) / "unused.sqlite3",
    )
    async with open_core(settings, webhook_port=0, resume=False) as core:
        queue = core.queue

        async def stored_urls(gen, parent):  # no Discord here: the URLs the rows were given
            return gen.photo_url, gen.mask_url

        queue.urls_for = stored_urls
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        pumped = await asyncio.gather(*(queue.pump(g) for g in config["guilds"]))
        return [s.generation.id for started in pumped for s in started if s.problem is None]


if __name__ == "__main__":
    started = asyncio.run(race(json.loads(sys.argv[1])))
    print(json.dumps({"started": started}), flush=True)
