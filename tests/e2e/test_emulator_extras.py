"""More end-to-end checks of the emulator: permissions, ephemeral answers, token expiry, 5xx
retries, attachment edits, replies and history, raw protocol answers, modals."""

from __future__ import annotations

import asyncio
import io

import aiohttp
import discord
import pytest

from bot.runtime.emulator import DiscordEmulator
from bot.runtime.emulator import permissions as perms

from .tiny_bot import TinyBot, png

pytestmark = pytest.mark.asyncio


async def test_missing_permissions_and_app_permissions(emulator: DiscordEmulator, bot_runner):
    locked = await emulator.add_channel("locked", bot_deny=perms.SEND_MESSAGES)
    bot = await bot_runner.start(TinyBot())
    with pytest.raises(discord.Forbidden) as info:
        await bot.get_channel(locked.id).send("hi")
    assert info.value.code == 50013
    handle = await emulator.slash_command("ping", channel=locked)
    await handle.wait_ack()  # interaction answers do not need SEND_MESSAGES
    assert int(handle.payload["app_permissions"]) & perms.SEND_MESSAGES == 0
    assert not bot.seen["app_permissions"].send_messages
    await emulator.set_bot_permissions(emulator.channel, deny=perms.ATTACH_FILES)
    file = discord.File(io.BytesIO(b"x"), "x.txt")
    with pytest.raises(discord.Forbidden):
        await bot.get_channel(emulator.channel.id).send(file=file)
    await bot.get_channel(emulator.channel.id).send("text is fine")


async def test_ephemeral_deferral_and_expired_token(emulator: DiscordEmulator, bot_runner):
    bot = await bot_runner.start(TinyBot())
    handle = await emulator.slash_command("whisper", {"text": "hi"})
    followup = await handle.wait_followup()
    assert followup["content"] == "psst hi" and followup["flags"] & 64
    assert emulator.messages_in() == []  # ephemeral: not in the channel history

    emulator.token_lifetime = 0.2
    handle = await emulator.slash_command("ping")
    await handle.wait_ack()
    await asyncio.sleep(0.3)
    webhook = discord.Webhook.partial(emulator.application_id, handle.token, client=bot)
    with pytest.raises(discord.HTTPException) as info:
        await webhook.send("too late", wait=True)
    assert (info.value.status, info.value.code) == (401, 50027)


async def test_server_error_on_followup_is_retried(emulator: DiscordEmulator, bot_runner):
    await bot_runner.start(TinyBot())
    emulator.fail_next("POST", r"/webhooks/\d+/", status=502)
    handle = await emulator.slash_command("compare", attachments={
        "before": ("a.png", png(1, 1, "red")), "after": ("b.png", png(1, 1, "red"))
    })  # fmt: skip
    followup = await handle.wait_followup(timeout=5)
    posts = emulator.requests_matching("POST", r"/webhooks/\d+/")
    assert [r.status for r in posts] == [502, 200]
    assert [m["id"] for m in emulator.messages_in()] == [followup["id"]]


async def test_original_response_edit_keeps_and_adds_attachments(
    emulator: DiscordEmulator, bot_runner
):
    await bot_runner.start(TinyBot())
    handle = await emulator.slash_command("photo")
    final = await handle.wait_original(lambda m: m["content"] == "v2")
    first_version = handle.responses[0]
    assert first_version.type == 4 and first_version.files[0]["filename"] == "v1.png"
    kept, added = final["attachments"]
    assert kept["filename"] == "v1.png" and (added["width"], added["height"]) == (6, 4)
    assert final["edited_timestamp"] is not None and len(handle.edits) == 1
    (patch,) = emulator.requests_matching("PATCH", r"/messages/@original$")
    assert patch.json["attachments"][1] == {"id": 0, "filename": "v2.png"}
    assert str(patch.json["attachments"][0]["id"]) == kept["id"]  # an int, not a string


async def test_reply_to_a_user_message_and_history(emulator: DiscordEmulator, bot_runner):
    bot = await bot_runner.start(TinyBot())
    posted = await emulator.user_message("look", attachments=[("g.png", png(3, 3, "red"))])
    channel = bot.get_channel(emulator.channel.id)
    original = await channel.fetch_message(int(posted["id"]))
    assert original.content == "look" and original.attachments[0].width == 3
    reply = await original.reply("nice")
    stored = await emulator.wait_for_message(predicate=lambda m: m["content"] == "nice")
    assert stored["type"] == 19 and stored["message_reference"]["message_id"] == posted["id"]
    assert stored["referenced_message"]["id"] == posted["id"] and reply.reference is not None
    for n in range(3):
        await channel.send(f"n{n}")
    newest = [m.content async for m in channel.history(limit=2)]
    oldest = [m.content async for m in channel.history(limit=3, oldest_first=True)]
    after = [m.content async for m in channel.history(after=reply, oldest_first=True)]
    assert (newest, oldest, after) == (["n2", "n1"], ["look", "nice", "n0"], ["n0", "n1", "n2"])


async def test_raw_protocol_answers(emulator: DiscordEmulator, bot_runner):
    await bot_runner.start(TinyBot())
    assert emulator.env()["DISCORD_API_BASE_URL"] == emulator.api_url
    handle = await emulator.slash_command("no-such-command")  # the bot cannot answer it
    api = emulator.api_url
    followup = f"{api}/webhooks/{emulator.application_id}/{handle.token}?wait=1"
    headers = {"Authorization": f"Bot {emulator.token}"}
    async with aiohttp.ClientSession() as session:
        async with session.post(followup, json={"content": "early"}) as resp:
            assert (resp.status, (await resp.json())["code"]) == (404, 10015)  # not acknowledged
        async with session.post(f"{api}/interactions/1/x/callback", json={"type": 5}) as resp:
            assert (resp.status, (await resp.json())["code"]) == (404, 10062)
        async with session.get(f"{api}/users/@me", headers=headers) as resp:
            assert resp.headers["Content-Type"] == "application/json"
            assert (await resp.json())["id"] == str(emulator.bot_user.id)
        async with session.get(f"{api}/channels/{emulator.channel.id}/messages/1") as resp:
            assert resp.status == 401  # bot routes need the token
    assert handle.responses == [] and not handle.acknowledged


async def test_link_buttons_need_a_url_and_no_custom_id(emulator: DiscordEmulator, bot_runner):
    await bot_runner.start(TinyBot())
    url = f"{emulator.api_url}/channels/{emulator.channel.id}/messages"
    headers = {"Authorization": f"Bot {emulator.token}"}
    link = {"type": 2, "style": 5, "label": "Open", "url": "https://example.org/x"}
    cases = [
        ({**link, "custom_id": "x"}, 400),
        ({"type": 2, "style": 5, "label": "Open"}, 400),
        ({"type": 2, "style": 1, "label": "Go", "url": "https://example.org/x"}, 400),
        (link, 200),
    ]
    async with aiohttp.ClientSession() as session:
        for button, status in cases:
            body = {"content": "hi", "components": [{"type": 1, "components": [button]}]}
            async with session.post(url, json=body, headers=headers) as resp:
                assert resp.status == status, button
                sent = await resp.json()
    assert sent["components"][0]["components"][0]["url"] == "https://example.org/x"


async def test_modal_from_a_button_then_deferred_update(emulator: DiscordEmulator, bot_runner):
    await bot_runner.start(TinyBot())
    command = await emulator.slash_command("feedback")
    await command.wait_ack()
    click = await emulator.click_button(command.original, "tiny:feedback")
    assert (await click.wait_ack()).type == 9
    assert click.modal["title"] == "Feedback"
    submit = await emulator.submit_modal(click, {"feedback:name": "Ana"})
    assert (await submit.wait_ack()).type == 6
    final = await submit.wait_original(lambda m: m["content"] == "thanks Ana")
    assert final["id"] == command.original["id"] and final["components"] == []
