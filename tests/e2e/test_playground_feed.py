"""The playground's page server in this process, with a tiny discord.py bot instead of ours:
what each viewer's feed carries (ephemeral replies only to their user, refusals of the bot's
requests), what the page's client refuses to send, where requests may come from, the world
kept on disk, and the refusal drawn on the page in Chromium."""

from __future__ import annotations

import asyncio
import io
import json
from contextlib import asynccontextmanager

import aiohttp
import discord
import pytest
import pytest_asyncio

from bot.runtime.app import discord_pointed_at
from bot.runtime.emulator import DiscordEmulator
from bot.runtime.emulator.store import WorldStore
from bot.runtime.playground.actions import Actions
from bot.runtime.playground.feed import Feed
from bot.runtime.playground.page import Page
from bot.runtime.playground.world import NAMES, furnish

from .runner import BotRunner
from .studio_browser import browser, chromium_path, screenshot
from .tiny_bot import TinyBot, png

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def world():
    """The playground's emulator and page on one port, a tiny bot synced to its server."""
    emu = DiscordEmulator(names=NAMES)
    await furnish(emu)
    feed, actions, page = Feed(emu), Actions(emu), Page()
    await emu.start(beside=[*page.routes(), *feed.routes(), *actions.routes()])
    page.cdn_origin = emu.url
    try:
        with discord_pointed_at(emu.api_url, emu.ws_url):
            async with BotRunner(emu) as runner:
                bot = await runner.start(TinyBot())
                await bot.tree.sync()
                yield emu, bot
    finally:
        await feed.close()
        await emu.stop()
    assert not emu.internal_errors


@asynccontextmanager
async def tab(session, emu, user):
    async with session.ws_connect(f"{emu.url}/playground/feed?user={user.id}") as ws:
        hello = json.loads((await ws.receive(timeout=5)).data)
        assert hello["t"] == "HELLO"
        ws.hello = hello["d"]
        yield ws


async def next_frame(ws, kind: str, timeout: float = 5.0) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads((await ws.receive()).data)
            if frame["t"] == kind:
                return frame["d"]


async def test_each_viewer_sees_the_channel_and_only_their_own_ephemeral_replies(world):
    emu, bot = world
    you, sam = emu.owner, emu.user
    async with aiohttp.ClientSession() as session, tab(session, emu, you) as mine:
        async with tab(session, emu, sam) as sams:
            hello = sams.hello
            assert [c["name"] for c in hello["channels"]] == ["general", "garden-ideas"]
            manage = {m["name"]: m["manage_guild"] for m in hello["members"] if not m["bot"]}
            assert manage == {"you": True, "sam": False}
            assert [r["name"] for r in hello["roles"]] == ["gardeners"]
            assert {c["name"] for c in hello["commands"]} >= {"ping", "whisper"}
            form = aiohttp.FormData()
            payload = {"user_id": str(sam.id), "channel_id": str(emu.channel.id),
                       "name": "whisper", "options": {"text": "hi"}}  # fmt: skip
            form.add_field("payload", json.dumps(payload))
            async with session.post(f"{emu.url}/playground/api/command", data=form) as answer:
                assert answer.status == 200, await answer.text()
                interaction = (await answer.json())["interaction_id"]
            assert (await next_frame(sams, "ACKNOWLEDGED"))["interaction_id"] == interaction
            whisper = await next_frame(sams, "MESSAGE_UPDATE")  # the deferral, filled
            assert whisper["content"] == "psst hi" and whisper["flags"] & 64
            await bot.get_channel(emu.channel.id).send("for everyone")
            assert (await next_frame(mine, "MESSAGE_CREATE"))["content"] == "for everyone"
            assert (await next_frame(sams, "MESSAGE_CREATE"))["content"] == "for everyone"
        async with tab(session, emu, sam) as again:  # a reload: sam's reply is still sam's
            shown = again.hello["messages"][str(emu.channel.id)]
            assert [m["content"] for m in shown] == ["psst hi", "for everyone"]
        async with tab(session, emu, you) as again:
            shown = again.hello["messages"][str(emu.channel.id)]
            assert [m["content"] for m in shown] == ["for everyone"]


async def test_a_request_discord_would_refuse_reaches_the_page(world):
    emu, bot = world
    async with aiohttp.ClientSession() as session, tab(session, emu, emu.owner) as ws:
        route = discord.http.Route("POST", "/channels/{c}/messages", c=emu.channel.id)
        with pytest.raises(discord.HTTPException):  # Components V2 forbid content
            await bot.http.request(route, json={"content": "hi", "flags": 1 << 15})
        refused = await next_frame(ws, "REFUSED")
    assert refused["status"] == 400 and refused["error"]["code"] == 50035
    assert refused["path"] == f"/channels/{emu.channel.id}/messages"


async def test_what_the_client_would_not_send_and_other_sites(world):
    emu, _ = world
    url = f"{emu.url}/playground/api/command"
    base = {"user_id": str(emu.owner.id), "channel_id": str(emu.channel.id)}
    async with aiohttp.ClientSession() as session:
        for payload, words in (
            ({**base, "name": "whisper"}, "text is required"),
            ({**base, "name": "nope"}, "no command /nope"),
            ({**base, "name": "ping", "options": {"x": "1"}}, "no option x"),
            ({**base, "user_id": str(emu.bot_user.id), "name": "ping"}, "cannot see"),
        ):
            form = aiohttp.FormData()
            form.add_field("payload", json.dumps(payload))
            async with session.post(url, data=form) as answer:
                assert answer.status == 400 and words in (await answer.json())["error"]
        elsewhere = {"Origin": "http://evil.example"}
        form = aiohttp.FormData()
        form.add_field("payload", json.dumps({**base, "name": "ping"}))
        async with session.post(url, data=form, headers=elsewhere) as answer:
            assert answer.status == 403
        async with session.get(f"{emu.url}/playground/feed", headers=elsewhere) as answer:
            assert answer.status == 403
        async with session.get(f"{emu.url}/") as answer:
            csp = answer.headers["Content-Security-Policy"]
            assert "default-src 'none'" in csp and f"img-src 'self' data: blob: {emu.url}" in csp


async def test_the_world_kept_on_disk_comes_back_whole(world, tmp_path):
    emu, bot = world
    channel = bot.get_channel(emu.channel.id)
    sent = await channel.send("a picture", file=discord.File(io.BytesIO(png(3, 2, "red")), "r.png"))
    store = WorldStore(tmp_path / "world")
    doc, files = emu.save(store)
    store.write(doc, files)
    again = DiscordEmulator(names=NAMES)
    assert again.load(store)
    for name in ("owner", "user", "bot_user", "guild", "channel", "bot_role"):
        assert getattr(again, name).id == getattr(emu, name).id, name
    assert again.application_id == emu.bot_user.id
    assert [c.name for c in again.guild.channels.values()] == ["general", "garden-ideas"]
    kept = again.state.messages[sent.id]
    assert kept.content == "a picture" and kept.attachments[0].data == png(3, 2, "red")
    await again.start()
    try:
        url = again.render(kept)["attachments"][0]["url"]
        assert emu.cdn.url_is_valid(url)  # signed with the same key: old links keep working
    finally:
        await again.stop()
    assert again.commands.guild_commands == emu.commands.guild_commands
    assert again.commands.global_commands == emu.commands.global_commands


@pytest.mark.skipif(chromium_path() is None, reason="chromium is not installed")
async def test_the_page_shows_the_refusal_and_the_bot_s_messages(world):
    emu, bot = world
    async with browser() as chromium:
        page = await (await chromium.new_context()).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(f"{emu.url}/")
        await page.wait_for_function(
            "() => document.getElementById('status').textContent.startsWith('connected')"
        )
        await bot.get_channel(emu.channel.id).send("**hello** from the bot")
        await page.locator(".msg strong", has_text="hello").wait_for()
        route = discord.http.Route("POST", "/channels/{c}/messages", c=emu.channel.id)
        with pytest.raises(discord.HTTPException):
            await bot.http.request(route, json={"content": "hi", "flags": 1 << 15})
        notice = page.locator(".notice", has_text="Discord refused a request of the bot's")
        await notice.wait_for()
        assert "400" in await notice.inner_text()
        await screenshot(page, "playground-refused.png")
    assert not errors, errors
