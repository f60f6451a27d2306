"""Two processes on one PostgreSQL database pump the same queues at the same moment: exactly one
generation starts per free slot, never two, and only it is sent to the API (and spent)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter

import pytest
import pytest_asyncio

from bot.domain import Generation, Kind, Origin, RoomType, Status
from storage import GenerationRepository, GuildSettingsRepository, open_database
from tests.support.files import mask, photo, png_bytes
from tests.support.postgres import fresh_database
from tests.support.proc import clean_env

GUILDS = list(range(1, 21))  # a cap of 1 each, two waiting in each: 20 races at once
PROCESSES = 2


@pytest_asyncio.fixture
async def pg_url(postgres_server):
    async with fresh_database(postgres_server) as url:
        yield url


async def seed(url: str, files) -> None:
    photo_url = files.add("photo.png", png_bytes(photo((96, 64))))
    mask_url = files.add("mask.png", png_bytes(mask((96, 64))))
    async with await open_database(url) as db:
        repo, settings = GenerationRepository(db), GuildSettingsRepository(db)
        for guild in GUILDS:
            await settings.set(guild, "concurrent", 1)
            origin = Origin("discord", guild_id=guild, channel_id=guild * 10, user_id=7)
            made = Generation(
                None, Kind.CREATE, RoomType.POOL, Status.PENDING, origin,
                photo_url=photo_url, mask_url=mask_url, width=96, height=64,
            )  # fmt: skip
            rows = [await repo.create_intent(made, concurrent=1) for _ in range(3)]
            assert [r.status for r in rows] == [Status.PENDING, Status.QUEUED, Status.QUEUED]
            await repo.mark_rejected(rows[0].id, "ended: its slot is free")


async def racer(url: str, sandbox, tmp_path) -> asyncio.subprocess.Process:
    config = {
        "database_url": url, "api_url": sandbox.url, "api_key": sandbox.state.config.api_key,
        "user_id": sandbox.state.config.user_id, "guilds": GUILDS, "workdir": str(tmp_path),
    }  # fmt: skip
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.integration.queue_racer", json.dumps(config),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env=clean_env(),
    )  # fmt: skip


@pytest.mark.asyncio
async def test_two_processes_start_exactly_one_per_free_slot(pg_url, sandbox, files, tmp_path):
    sandbox.state.config.processing_seconds = 600  # what starts holds its slot to the end
    await seed(pg_url, files)
    procs = [await racer(pg_url, sandbox, tmp_path) for _ in range(PROCESSES)]
    for proc in procs:  # both up (their core open), waiting for the same word
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        assert line.strip() == b"ready", (line, await proc.stderr.read())
    for proc in procs:
        proc.stdin.write(b"go\n")
    await asyncio.gather(*(proc.stdin.drain() for proc in procs))
    outputs = [await asyncio.wait_for(proc.communicate(), 60) for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), [err[-2000:] for _, err in outputs]
    started = [json.loads(out.splitlines()[-1])["started"] for out, _ in outputs]
    everything = [row for rows in started for row in rows]
    print(f"\nstarted per process: {[len(rows) for rows in started]}")
    async with await open_database(pg_url) as db:
        rows = await db.fetchall("SELECT id, guild_id, status, generation_id FROM generations")
    by_guild = Counter(r["guild_id"] for r in rows if r["status"] in ("PENDING", "STARTING"))
    waiting = Counter(r["guild_id"] for r in rows if r["status"] == "QUEUED")
    assert sorted(everything) == sorted(set(everything)) and len(everything) == len(GUILDS)
    assert by_guild == dict.fromkeys(GUILDS, 1) and waiting == dict.fromkeys(GUILDS, 1)
    # only what started was sent, each once: one paid call per free slot
    assert sandbox.state.calls["generate"] == len(GUILDS)
    assert {r["id"] for r in rows if r["generation_id"]} == set(everything)
