"""The world of a multi-process run, shared by the fleet test and benchmarks/fleet.py: one
PostgreSQL database, the Discord emulator with a shard per process and guilds on every shard,
one sandbox API with a compressed clock, the processes and their callback balancer; and the
load: slash commands on live shards until the API accepted N generations."""

from __future__ import annotations

import asyncio
import io
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from PIL import Image, ImageDraw

from bot.api.sandbox.server import RunningSandbox, running_sandbox
from bot.api.sandbox.state import SandboxConfig
from bot.runtime.emulator import DiscordEmulator
from bot.runtime.emulator.models import Channel
from tests.support.postgres import fresh_database

from .fleet import CallbackBalancer, Fleet
from .flow import create

IN_FLIGHT = 12  # commands injected and not yet answered
KILL_EVERY = (2.0, 4.0)  # seconds between SIGKILLs
SANDBOX = SandboxConfig(starting_seconds=0.05, processing_seconds=0.8, credits=10_000, seed=3)


@dataclass
class World:
    url: str
    emu: DiscordEmulator
    sandbox: RunningSandbox
    fleet: Fleet
    balancer: CallbackBalancer
    channels: list[Channel]


def small_png(mask: bool) -> bytes:
    image = Image.new("L" if mask else "RGB", (96, 64), 0 if mask else (60, 140, 60))
    if mask:
        ImageDraw.Draw(image).rectangle((20, 16, 76, 48), fill=255)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def channels_on_every_shard(emu: DiscordEmulator, count: int) -> list[Channel]:
    """Guilds until every shard holds two (guild ids are time-based: shards vary)."""
    per_shard: dict[int, list[Channel]] = {}
    while min((len(per_shard.get(s, [])) for s in range(count)), default=0) < 2:
        channel = await emu.add_guild(f"garden club {len(emu.state.guilds)}")
        per_shard.setdefault((channel.guild_id >> 22) % count, []).append(channel)
        await asyncio.sleep(0.002)
    return [c for cs in per_shard.values() for c in cs]


@asynccontextmanager
async def fleet_world(server_url: str, cwd: Path, processes: int) -> AsyncIterator[World]:
    """Everything started; the processes are stopped (SIGTERM) on the way out."""
    async with (
        fresh_database(server_url) as url,
        DiscordEmulator(shards=processes) as emu,
        running_sandbox(SANDBOX) as sandbox,
    ):
        channels = await channels_on_every_shard(emu, processes)
        fleet = Fleet(cwd, {}, processes)
        async with CallbackBalancer(fleet) as balancer:
            fleet.env = {
                **emu.env(),
                "IACREA_API_KEY": SANDBOX.api_key,
                "IACREA_USER_ID": SANDBOX.user_id,
                "IACREA_BASE_URL": sandbox.url,
                "EXTERIOR_DATABASE_URL": url,
                "EXTERIOR_PUBLIC_URL": balancer.url,
                "EXTERIOR_WEBHOOK_HOST": "127.0.0.1",
                "EXTERIOR_LEASE_SECONDS": "3",
                "EXTERIOR_SWEEP_SECONDS": "1",
                # callbacks are not trusted before one was seen arriving (tracking/health.py):
                # a first poll this late keeps the callbacks the only way to see an end
                "EXTERIOR_POLL_FIRST_DELAY": "120",
            }
            try:
                await fleet.start_all()
                await emu.state.notifier.wait_for(
                    lambda: len([c for c in emu.gateway.live if c.session.shard]) == processes,
                    40,
                )
                yield World(url, emu, sandbox, fleet, balancer, channels)
            finally:
                await fleet.stop_all()


def shard_is_up(emu: DiscordEmulator, guild_id: int) -> bool:
    return any(c.session.shard and c.session.has_guild(guild_id) for c in emu.gateway.live)


async def run_load(
    world: World,
    generations: int,
    *,
    kill: bool,
    kills: int = 0,
    timeout: float = 80,
    in_flight: int = IN_FLIGHT,
) -> None:
    """Commands on live shards until the API accepted `generations`, at most `in_flight` of
    them unanswered; with `kill`, a random process is SIGKILLed and restarted every few seconds
    meanwhile, and the load goes on until there were at least `kills` of them."""
    emu, photo, mask = world.emu, small_png(False), small_png(True)
    next_kill = time.monotonic() + random.uniform(*KILL_EVERY)
    handles: list = []
    async with asyncio.timeout(timeout):
        while len(world.sandbox.state.generations) < generations or (
            kill and world.fleet.kills < kills
        ):
            now = time.monotonic()
            # one process down at a time: with every process down at once, an API callback
            # has nowhere to go (the API retries for half a minute, then gives up)
            if (
                kill
                and now >= next_kill
                and await world.fleet.serving() == len(world.fleet.members)
            ):
                await world.fleet.kill_and_restart(random.choice(world.fleet.members))
                next_kill = now + random.uniform(*KILL_EVERY)
            handles = [h for h in handles if not h.followups and now - h.created_at < 10]
            up = [c for c in world.channels if shard_is_up(emu, c.guild_id)]
            if len(handles) >= in_flight or not up:
                await asyncio.sleep(0.02)
                continue
            room = random.choice(["POOL", "TERRACE", "PETANQUE"])
            channel = random.choice(up)
            handles.append(await create(emu, room, photo=photo, mask=mask, channel=channel))


async def wait_all_posted(world: World, timeout: float) -> None:
    """Until every generation the API accepted is finished and recorded as posted."""
    conn = await asyncpg.connect(world.url)
    api = world.sandbox.state.generations
    try:
        async with asyncio.timeout(timeout):
            while True:
                posted = await conn.fetchval(
                    "SELECT count(*) FROM generations WHERE generation_id = ANY($1::text[]) "
                    "AND result_message_id IS NOT NULL",
                    list(api),
                )
                if posted == len(api) and all(g.status.is_terminal for g in api.values()):
                    return
                await asyncio.sleep(0.2)
    except TimeoutError:
        stuck = await conn.fetch(
            "SELECT id, status, generation_id, lease_owner, lease_until, next_check_at "
            "FROM generations WHERE result_message_id IS NULL"
        )
        print("not posted:", *map(dict, stuck), sep="\n")
        print("callbacks no process answered:", world.balancer.lost)
        raise
    finally:
        await conn.close()
