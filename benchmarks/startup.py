"""Start-up with 1,000,000 generations in the database: seconds until the bot is ready.

"Ready" is what `exterior-bot run` does before it serves anyone: open and migrate the database,
start the tracker, the webhook server and the Discord client (extensions, persistent buttons,
command-tree check, resume every live generation), up to discord.py's on_ready from the
emulator. The same run measures an empty database as the baseline.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from pathlib import Path

from bot.api.sandbox.server import running_sandbox
from bot.domain import Generation, Kind, Origin, RoomType, Status
from bot.runtime.app import ExteriorBot, discord_pointed_at
from bot.runtime.core import open_core
from bot.runtime.emulator import DiscordEmulator
from storage import Database
from storage.rows import intent_row
from tests.e2e.exterior_env import settings_for
from tests.e2e.runner import BotRunner

from .report import Row

LIVE_SHARE = 0.01  # generations still running when the bot restarts


async def seed(path: Path, count: int, guild_id: int, channel_id: int) -> None:
    """`count` generations of a busy past, written in one transaction (test data, not the app:
    the column values come from storage.rows like the repository's own)."""
    await (await Database.open(path)).close()  # the schema, by the real migrations
    now = time.time()
    rows = []
    for i in range(count):
        created = now - (count - i) * 30.0
        live = i >= count * (1 - LIVE_SHARE)
        values = intent_row(
            Generation(
                id=None,
                kind=Kind.CREATE if i % 3 else Kind.VARIATION,
                room_type=list(RoomType)[i % len(RoomType)],
                status=Status.PENDING,
                origin=Origin("discord", guild_id, channel_id, 1000 + i % 50, "someone"),
                photo_url="https://cdn.example/photo.png",
                mask_url="https://cdn.example/mask.png",
                width=1600,
                height=1200,
            ),
            None,
            created,
        )
        values |= {
            "generation_id": f"api-{i}",
            "status": Status.PROCESSING.value if live else Status.SUCCEEDED.value,
            "result_urls": "[]" if live else f'["https://api.example/{i}.png"]',
            "finished_at": None if live else created + 60.0,
            "next_check_at": now + 600.0 if live else None,  # not due while we measure
            "check_count": 1 if live else 3,
            "card_message_id": 10**12 + i,
            "result_message_id": None if live else 2 * 10**12 + i,
        }
        rows.append(values)
    columns = list(rows[0])
    with sqlite3.connect(path) as conn:
        conn.executemany(
            f"INSERT INTO generations ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})",
            [tuple(r[c] for c in columns) for r in rows],
        )
    with sqlite3.connect(path) as conn:
        conn.execute("VACUUM")


async def time_to_ready(emulator, sandbox, path: Path) -> tuple[float, int]:
    settings = settings_for(emulator, sandbox, path)
    started = time.perf_counter()
    async with open_core(settings, resume=False) as core, BotRunner(emulator) as runner:
        bot = ExteriorBot(core, guild_ready_timeout=0.1)
        await runner.start(bot)
        seconds = time.perf_counter() - started
        resumed = core.tracker.tracked
        await runner.stop(bot)
    return seconds, resumed


async def measure(count: int) -> list[Row]:
    rows = []
    emulator = DiscordEmulator()
    await emulator.start()
    try:
        with (
            discord_pointed_at(emulator.api_url, emulator.ws_url),
            tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp,
        ):
            async with running_sandbox() as sandbox:
                for n in (0, count):
                    path = Path(tmp) / f"start-{n}.sqlite3"
                    await seed(path, n, emulator.guild.id, emulator.channel.id) if n else None
                    # a first start syncs the command tree; measure the ordinary restart after it
                    await time_to_ready(emulator, sandbox, path)
                    seconds, resumed = await time_to_ready(emulator, sandbox, path)
                    rows.append(
                        Row(
                            "start-up",
                            f"{n:,} generations in the database",
                            f"ready in {seconds:.2f} s ({resumed} live ones resumed)",
                            "< 3 s with 1,000,000 rows" if n >= 1_000_000 else "–",
                            seconds < 3.0 if n >= 1_000_000 else None,
                            {"rows": n, "seconds": round(seconds, 3), "resumed": resumed},
                        )
                    )
    finally:
        await emulator.stop()
    await asyncio.sleep(0)
    return rows
