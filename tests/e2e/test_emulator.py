"""End-to-end tests of the Discord emulator with a tiny real discord.py bot (``tiny_bot.py``)."""

from __future__ import annotations

import asyncio
import io
import time

import aiohttp
import discord
import pytest
from PIL import Image

from bot.runtime.emulator import DiscordEmulator

from .tiny_bot import TinyBot, png

pytestmark = pytest.mark.asyncio


async def test_login_ready_guild_and_command_sync(emulator: DiscordEmulator, bot_runner):
    bot = await bot_runner.start(TinyBot())
    assert bot.user is not None and bot.user.id == emulator.bot_user.id
    assert bot.application_id == emulator.application_id
    guild = bot.get_guild(emulator.guild.id)
    assert guild is not None and not guild.unavailable
    assert guild.get_channel(emulator.channel.id) is not None
    assert guild.me is not None and guild.me.guild_permissions.send_messages
    assert guild.member_count == len(emulator.guild.members)

    bot.tree.copy_global_to(guild=guild)
    synced = await bot.tree.sync(guild=guild)
    await bot.tree.sync()
    names = {"compare", "counter", "feedback", "photo", "ping", "slow", "whisper"}
    assert {c.name for c in synced} == names and all(c.id for c in synced)
    (guild_sync, guild_body), (global_sync, global_body) = emulator.commands.syncs
    assert [c["name"] for c in guild_body] == [c["name"] for c in global_body]
    assert (guild_sync, global_sync) == (emulator.guild.id, None)
    compare = next(c for c in guild_body if c["name"] == "compare")
    assert [(o["name"], o["type"]) for o in compare["options"]] == [("before", 11), ("after", 11)]
    assert {c["name"] for c in emulator.commands.global_commands} == names
    identify = emulator.gateway.frames(2)[0]["d"]
    assert identify["token"] == emulator.token and identify["intents"] == bot.intents.value

    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{emulator.api_url}/users/@me") as resp,
    ):
        assert resp.status == 401 and resp.headers["Content-Type"] == "application/json"
    intruder = TinyBot()
    with pytest.raises(discord.LoginFailure):
        await intruder.login("not-the-token")
    await intruder.close()


async def test_slash_command_with_two_attachments_defers_and_follows_up(
    emulator: DiscordEmulator, bot_runner
):
    bot = await bot_runner.start(TinyBot())
    first, second = png(4, 3, "red"), png(8, 6, "blue")
    handle = await emulator.slash_command(
        "compare",
        attachments={"before": ("before.png", first), "after": ("after.png", second, "image/png")},
    )
    ack = await handle.wait_ack()
    assert ack.type == 5 and handle.responses == [ack]
    followup = await handle.wait_followup()

    before, got_first, after, got_second = bot.seen["compare"]
    assert (got_first, got_second) == (first, second)
    assert (before.filename, before.width, before.height) == ("before.png", 4, 3)
    assert (after.content_type, after.ephemeral) == ("image/png", True)

    assert followup["content"] == f"sizes {len(first)} {len(second)}"
    assert followup["id"] == handle.original["id"]  # the followup filled the "thinking" message
    assert followup["flags"] & (1 << 7) == 0 and followup["type"] == 20
    (attachment,) = followup["attachments"]
    assert attachment["filename"] == "result.png" and attachment["content_type"] == "image/png"
    assert (attachment["width"], attachment["height"]) == (5, 7)
    button = followup["components"][0]["components"][0]
    assert (button["type"], button["custom_id"]) == (2, "tiny:btn:0")

    (request,) = emulator.requests_matching("POST", r"/webhooks/\d+/")
    assert request.query["wait"] == "1" and request.files[0]["filename"] == "result.png"
    assert request.json["attachments"] == [{"id": 0, "filename": "result.png"}]
    sent_button = request.json["components"][0]["components"][0]
    assert sent_button["custom_id"] == "tiny:btn:0" and "id" not in sent_button
    assert button["id"] == 2  # Discord numbers components: row 1, button 2
    (stored,) = emulator.messages_in(emulator.channel)
    assert stored["id"] == followup["id"] and stored["attachments"][0]["size"] == attachment["size"]
    async with (
        aiohttp.ClientSession() as session,
        session.get(stored["attachments"][0]["url"]) as resp,
    ):
        assert resp.status == 200 and Image.open(io.BytesIO(await resp.read())).size == (5, 7)
    assert sorted(status for _, status in emulator.cdn.downloads) == [200, 200, 200]


async def test_persistent_dynamic_button_survives_a_bot_restart(
    emulator: DiscordEmulator, bot_runner
):
    first_bot = await bot_runner.start(TinyBot())
    handle = await emulator.slash_command("counter")
    await handle.wait_ack()
    message = handle.original
    assert message["content"] == "count 0"
    await bot_runner.stop(first_bot)

    await bot_runner.start(TinyBot())  # a new process would look exactly like this
    click = await emulator.click_button(message, "tiny:btn:0")
    ack = await click.wait_ack()
    assert ack.type == 7
    updated = emulator.messages_in()[-1]
    assert updated["id"] == message["id"] and updated["content"] == "count 1"
    assert updated["components"][0]["components"][0]["custom_id"] == "tiny:btn:1"
    again = await emulator.click_button(updated, "tiny:btn:1")
    await again.wait_ack()
    assert emulator.messages_in()[-1]["content"] == "count 2"
    assert len(emulator.gateway.frames(2)) == 2  # two IDENTIFYs: really two clients


async def test_rate_limited_message_create_is_retried_and_lands_once(
    emulator: DiscordEmulator, bot_runner
):
    bot = await bot_runner.start(TinyBot())
    emulator.fail_next("POST", r"/channels/\d+/messages$", status=429, retry_after=0.1)
    channel = bot.get_channel(emulator.channel.id)
    sent = await channel.send("hello")
    posts = emulator.requests_matching("POST", r"/channels/\d+/messages$")
    assert [r.status for r in posts] == [429, 200]
    assert posts[1].at - posts[0].at >= 0.1
    assert [m["content"] for m in emulator.messages_in()] == ["hello"]
    assert emulator.messages_in()[0]["id"] == str(sent.id)


async def test_late_acknowledgement_gets_unknown_interaction(emulator: DiscordEmulator, bot_runner):
    bot = await bot_runner.start(TinyBot())
    emulator.ack_deadline = 0.3
    bot.slow_delay = 0.5
    handle = await emulator.slash_command("slow")
    error = await asyncio.wait_for(bot.errors.get(), 5)
    assert isinstance(error, discord.NotFound) and error.code == 10062
    (response,) = handle.responses
    assert (response.status, response.code, response.type) == (404, 10062, 4)
    assert not handle.acknowledged and emulator.messages_in() == []


@pytest.mark.double_ack_expected
async def test_second_acknowledgement_is_rejected(emulator: DiscordEmulator, bot_runner):
    await bot_runner.start(TinyBot())
    handle = await emulator.slash_command("ping")
    await handle.wait_ack()
    url = f"{emulator.api_url}/interactions/{handle.id}/{handle.token}/callback?with_response=1"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json={"type": 4, "data": {"content": "again"}}) as resp,
    ):
        assert resp.status == 400 and resp.headers["Content-Type"] == "application/json"
        assert await resp.json() == {
            "message": "Interaction has already been acknowledged.",
            "code": 40060,
        }
    assert [(r.status, r.code) for r in handle.responses] == [(200, None), (400, 40060)]
    assert [m["content"] for m in emulator.messages_in()] == ["pong"]


async def test_attachment_urls_expire_and_refetching_signs_new_ones(
    emulator: DiscordEmulator, bot_runner
):
    bot = await bot_runner.start(TinyBot())
    emulator.attachment_url_lifetime = 0.5
    data = png(3, 2, "white")
    channel = bot.get_channel(emulator.channel.id)
    message = await channel.send(file=discord.File(io.BytesIO(data), "a.png"))
    old = message.attachments[0]
    assert await old.read() == data
    assert emulator.cdn.url_is_valid(old.url)
    await asyncio.sleep(emulator.cdn.expires_at(old.url) - time.time() + 0.05)
    assert not emulator.cdn.url_is_valid(old.url)
    with pytest.raises(discord.NotFound):
        await old.read()
    fresh = (await channel.fetch_message(message.id)).attachments[0]
    assert fresh.url != old.url and fresh.id == old.id
    assert await fresh.read() == data
    with pytest.raises(discord.NotFound):
        await discord.Attachment(data={**fresh.to_dict(), "url": fresh.url[:-4] + "0000"},
                                 state=bot._connection).read()  # fmt: skip


async def test_gateway_reconnect_resumes_and_commands_still_work(
    emulator: DiscordEmulator, bot_runner
):
    bot = await bot_runner.start(TinyBot())
    resumed = asyncio.Event()

    async def on_resumed() -> None:
        resumed.set()

    bot.add_listener(on_resumed)
    await emulator.reconnect_gateway()
    await asyncio.wait_for(resumed.wait(), 5)
    assert len(emulator.gateway.frames(2)) == 1  # no new IDENTIFY
    (resume,) = emulator.gateway.frames(6)
    (session_id,) = emulator.gateway.sessions
    assert resume["d"]["session_id"] == session_id and resume["d"]["seq"] >= 2
    handle = await emulator.slash_command("ping")
    assert (await handle.wait_ack()).type == 4
    assert emulator.messages_in()[-1]["content"] == "pong"
