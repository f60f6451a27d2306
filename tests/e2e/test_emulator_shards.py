"""The emulator's sharding: GET /gateway/bot advises a shard count, each IDENTIFY with
`shard: [id, count]` gets only its guilds, and guild events go to the shard that holds the guild
(`(guild_id >> 22) % count`). Also: exterior-bot's sharded client stops when closed early."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import discord
import pytest
import yarl

from bot.runtime.app import ExteriorBot
from bot.runtime.core import open_core
from bot.runtime.emulator import DiscordEmulator
from tests.support.wait import until

from .exterior_env import settings_for

pytestmark = pytest.mark.asyncio


class Sharded(discord.AutoShardedClient):
    def __init__(self, **options) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.1, **options)
        self.interactions: list[int] = []  # guild ids of the interactions this process saw

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        self.interactions.append(interaction.guild_id)


def shard_of(guild_id: int, count: int) -> int:
    return (guild_id >> 22) % count


async def test_advised_shard_count_and_guilds_split_between_processes(
    emulator: DiscordEmulator, bot_runner
):
    emulator.shards = 2
    channels = [emulator.channel]
    while len({shard_of(c.guild_id, 2) for c in channels}) < 2:
        channels.append(await emulator.add_guild(f"g{len(channels)}"))
        await asyncio.sleep(0.002)
    advised = await bot_runner.start(Sharded())
    assert advised.shard_count == 2 and sorted(advised.shards) == [0, 1]
    assert {g.id for g in advised.guilds} == set(emulator.state.guilds)
    await bot_runner.stop(advised)

    first = await bot_runner.start(Sharded(shard_count=2, shard_ids=[0]))
    second = await bot_runner.start(Sharded(shard_count=2, shard_ids=[1]))
    for client, shard in ((first, 0), (second, 1)):
        ids = {g.id for g in client.guilds}
        assert ids and all(shard_of(i, 2) == shard for i in ids)
    assert {g.id for g in first.guilds} | {g.id for g in second.guilds} == set(
        emulator.state.guilds
    )
    identified = [f["d"]["shard"] for f in emulator.gateway.frames(2) if f["d"].get("shard")]
    assert [0, 2] in identified and [1, 2] in identified

    for channel in channels:
        handle = await emulator.slash_command("ping", channel=channel)
        owner = first if shard_of(channel.guild_id, 2) == 0 else second
        await until(lambda h=handle, o=owner: int(h.payload["guild_id"]) in o.interactions, 5)
    assert all(shard_of(g, 2) == 0 for g in first.interactions)
    assert all(shard_of(g, 2) == 1 for g in second.interactions)


async def test_exterior_bot_stopped_while_shards_connect_stops_retrying(
    emulator: DiscordEmulator, sandbox, tmp_path
):
    settings = replace(settings_for(emulator, sandbox, tmp_path / "b.db"), shard_count=1)
    async with open_core(settings, resume=False) as core:
        bot = ExteriorBot(core)
        await bot.login(emulator.token)
        await bot.close()  # SIGTERM while the shard connects: its connection fails
        async with asyncio.timeout(8):  # discord.py alone retries every 5 s, forever
            await bot.launch_shard(yarl.URL(emulator.ws_url), 0, initial=True)
