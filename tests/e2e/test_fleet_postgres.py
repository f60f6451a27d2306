"""Three `exterior-bot run` processes, one PostgreSQL, the Discord emulator (3 shards) and one
sandbox API with a compressed clock: 300 generations while a process is SIGKILLed and restarted
every few seconds. Every result is posted exactly once, none is lost, no credit is spent twice,
and API callbacks are honoured whichever process they reach (the pollers' safety net waits
120 s, far beyond this test, so a callback not acted on would leave its result unposted)."""

from __future__ import annotations

import asyncio
import io
import random
import time
from collections import Counter

import asyncpg
import pytest
from PIL import Image, ImageDraw

from bot.sandbox.server import running_sandbox
from bot.sandbox.state import SandboxConfig
from tests.support.postgres import fresh_database

from .emulator import DiscordEmulator
from .fleet import CallbackBalancer, Fleet
from .flow import create, custom_ids

PROCESSES = 3
GENERATIONS = 300
IN_FLIGHT = 12  # commands injected and not yet answered
KILL_EVERY = (2.0, 4.0)  # seconds between SIGKILLs
VARY = "exterior:vary:"


def small_png(mask: bool) -> bytes:
    image = Image.new("L" if mask else "RGB", (96, 64), 0 if mask else (60, 140, 60))
    if mask:
        ImageDraw.Draw(image).rectangle((20, 16, 76, 48), fill=255)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def channels_on_every_shard(emu: DiscordEmulator, count: int) -> list:
    """Guilds until every shard holds two (guild ids are time-based: shards vary)."""
    per_shard: dict[int, list] = {}
    while min((len(per_shard.get(s, [])) for s in range(count)), default=0) < 2:
        channel = await emu.add_guild(f"garden club {len(emu.state.guilds)}")
        per_shard.setdefault((channel.guild_id >> 22) % count, []).append(channel)
        await asyncio.sleep(0.002)
    return [c for cs in per_shard.values() for c in cs]


def shard_is_up(emu: DiscordEmulator, guild_id: int) -> bool:
    return any(c.session.shard and c.session.has_guild(guild_id) for c in emu.gateway.live)


@pytest.mark.asyncio
async def test_three_processes_on_postgres_survive_sigkills(postgres_server, tmp_path) -> None:
    sandbox_config = SandboxConfig(
        starting_seconds=0.05, processing_seconds=0.8, credits=10_000, seed=3
    )
    async with (
        fresh_database(postgres_server) as url,
        DiscordEmulator(shards=PROCESSES) as emu,
        running_sandbox(sandbox_config) as sandbox,
    ):
        channels = await channels_on_every_shard(emu, PROCESSES)
        fleet = Fleet(tmp_path, {}, PROCESSES)
        async with CallbackBalancer(fleet) as balancer:
            fleet.env = {
                **emu.env(),
                "IACREA_API_KEY": sandbox_config.api_key,
                "IACREA_USER_ID": sandbox_config.user_id,
                "IACREA_BASE_URL": sandbox.url,
                "EXTERIOR_DATABASE_URL": url,
                "EXTERIOR_PUBLIC_URL": balancer.url,
                "EXTERIOR_WEBHOOK_HOST": "127.0.0.1",
                "EXTERIOR_LEASE_SECONDS": "3",
                "EXTERIOR_SWEEP_SECONDS": "1",
            }
            try:
                await fleet.start_all()
                started = await run_load(emu, fleet, sandbox, channels)
                await wait_all_posted(url, sandbox, timeout=60)
                elapsed = time.monotonic() - started
                print(
                    f"\n{GENERATIONS} generations followed by {PROCESSES} processes in "
                    f"{elapsed:.1f} s: {GENERATIONS / elapsed:.2f} per second, "
                    f"{fleet.kills} SIGKILLs; callbacks answered per process "
                    f"{dict(balancer.forwarded)}",
                    flush=True,
                )
                await check_invariants(url, emu, channels, sandbox, sandbox_config, balancer)
            except BaseException:
                print(fleet.logs())
                raise
            finally:
                await fleet.stop_all()


async def run_load(emu, fleet: Fleet, sandbox, channels) -> float:
    """Inject commands on live shards until the API accepted GENERATIONS, killing a random
    process every few seconds; returns when the load started."""
    photo, mask = small_png(False), small_png(True)
    await emu.state.notifier.wait_for(
        lambda: len([c for c in emu.gateway.live if c.session.shard]) == PROCESSES, 40
    )
    started = time.monotonic()
    next_kill = started + random.uniform(*KILL_EVERY)
    handles: list = []
    async with asyncio.timeout(80):
        while len(sandbox.state.generations) < GENERATIONS:
            now = time.monotonic()
            if now >= next_kill:
                await fleet.kill_and_restart(random.choice(fleet.members))
                next_kill = now + random.uniform(*KILL_EVERY)
            handles = [h for h in handles if not h.followups and now - h.created_at < 10]
            up = [c for c in channels if shard_is_up(emu, c.guild_id)]
            if len(handles) >= IN_FLIGHT or not up:
                await asyncio.sleep(0.02)
                continue
            room = random.choice(["POOL", "TERRACE", "PETANQUE"])
            handles.append(
                await create(emu, room, photo=photo, mask=mask, channel=random.choice(up))
            )
    return started


async def wait_all_posted(url: str, sandbox, timeout: float) -> None:
    """Until every generation the API accepted is finished and recorded as posted."""
    conn = await asyncpg.connect(url)
    try:
        async with asyncio.timeout(timeout):
            while True:
                ids = list(sandbox.state.generations)
                posted = await conn.fetchval(
                    "SELECT count(*) FROM generations WHERE generation_id = ANY($1::text[]) "
                    "AND result_message_id IS NOT NULL",
                    ids,
                )
                if posted == len(ids) and all(
                    g.status.is_terminal for g in sandbox.state.generations.values()
                ):
                    return
                await asyncio.sleep(0.2)
    except TimeoutError:
        stuck = await conn.fetch(
            "SELECT id, status, generation_id, lease_owner, lease_until, next_check_at, "
            "extract(epoch from now()) AS now FROM generations WHERE result_message_id IS NULL"
        )
        print("not posted:", *map(dict, stuck), sep="\n")
        named = {r["generation_id"] for r in stuck}
        print("their callbacks:", [d for d in sandbox.state.webhook_deliveries if d[0] in named])
        raise
    finally:
        await conn.close()


async def check_invariants(url, emu, channels, sandbox, config, balancer) -> None:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT * FROM generations ORDER BY id")
    finally:
        await conn.close()
    by_row = {r["id"]: r for r in rows}
    api = sandbox.state.generations
    # every paid generation belongs to one row (its callback path names it), and that row knows
    # it: nothing the API accepted was lost, nothing was submitted twice for one intent
    owners = Counter(int(g.webhook.split("/callbacks/")[1].split("/")[0]) for g in api.values())
    assert max(owners.values()) == 1, "an intent was sent to the API twice"
    for gen in api.values():
        row = by_row[int(gen.webhook.split("/callbacks/")[1].split("/")[0])]
        assert row["generation_id"] == gen.id
        assert row["status"] == "SUCCEEDED" and row["result_message_id"]
    # credits: exactly one per API generation, and rows without one spent nothing
    assert config.credits - sandbox.state.credits[config.user_id] == len(api)
    unknown = [r["id"] for r in rows if r["generation_id"] is None]
    assert all(by_row[i]["status"] in ("UNKNOWN", "REJECTED") for i in unknown)
    # every result posted exactly once, as the message the row recorded
    results: Counter[int] = Counter()
    posted_ids = {m["id"] for channel in channels for m in emu.messages_in(channel)}
    for message in (m for channel in channels for m in emu.messages_in(channel)):
        marked = {int(c.split(":")[2]) for c in custom_ids(message) if c.startswith(VARY)}
        results.update(marked)
    for gen in api.values():
        row = by_row[int(gen.webhook.split("/callbacks/")[1].split("/")[0])]
        assert results[row["id"]] == 1, f"generation {row['id']} posted {results[row['id']]}x"
        assert str(row["result_message_id"]) in posted_ids
    assert len(balancer.forwarded) == PROCESSES  # callbacks reached every process
