"""Three `exterior-bot run` processes, one PostgreSQL, the Discord emulator (3 shards) and one
sandbox API with a compressed clock: 120 generations while a process is SIGKILLed and restarted
every few seconds. Every result is posted exactly once, none is lost, no credit is spent twice,
and API callbacks are honoured whichever process they reach (the first poll waits 120 s, far
beyond this test, so a callback not acted on would leave its result unposted)."""

from __future__ import annotations

import time
from collections import Counter

import asyncpg
import pytest

from .fleet_load import SANDBOX, fleet_world, run_load, wait_all_posted
from .flow import custom_ids

PROCESSES = 3
GENERATIONS = 120  # at least: the load goes on until KILLS processes were SIGKILLed
KILLS = 3  # one at a time, each restarted (about 20 s on 2 cores)
VARY = "exterior:vary:"


@pytest.mark.asyncio
async def test_three_processes_on_postgres_survive_sigkills(postgres_server, tmp_path) -> None:
    async with fleet_world(postgres_server, tmp_path, PROCESSES) as world:
        try:
            started = time.monotonic()
            await run_load(world, GENERATIONS, kill=True, kills=KILLS)
            await wait_all_posted(world, timeout=60)
            elapsed = time.monotonic() - started
            done = len(world.sandbox.state.generations)
            print(
                f"\n{done} generations followed by {PROCESSES} processes in "
                f"{elapsed:.1f} s: {done / elapsed:.2f} per second, "
                f"{world.fleet.kills} SIGKILLs; callbacks answered per process "
                f"{dict(world.balancer.forwarded)}",
                flush=True,
            )
            await check_invariants(world)
            assert world.fleet.kills >= KILLS
        except BaseException:
            print(world.fleet.logs())
            raise


def row_of(api_generation) -> int:
    """Our row id, from the callback path the API was given: /callbacks/<row>/<secret>."""
    return int(api_generation.webhook.split("/callbacks/")[1].split("/")[0])


async def check_invariants(world) -> None:
    emu, channels, sandbox, config = world.emu, world.channels, world.sandbox, SANDBOX
    conn = await asyncpg.connect(world.url)
    try:
        rows = await conn.fetch("SELECT * FROM generations ORDER BY id")
    finally:
        await conn.close()
    by_row = {r["id"]: r for r in rows}
    api = sandbox.state.generations
    # every paid generation belongs to one row (its callback path names it), and that row knows
    # it: nothing the API accepted was lost, nothing was submitted twice for one intent
    owners = Counter(row_of(g) for g in api.values())
    assert max(owners.values()) == 1, "an intent was sent to the API twice"
    for gen in api.values():
        row = by_row[row_of(gen)]
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
        row = by_row[row_of(gen)]
        assert results[row["id"]] == 1, f"generation {row['id']} posted {results[row['id']]}x"
        assert str(row["result_message_id"]) in posted_ids
    assert len(world.balancer.forwarded) == PROCESSES  # callbacks reached every process
