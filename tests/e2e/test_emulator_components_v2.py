"""The emulator refuses Components V2 messages and modals that Discord would refuse, with
Discord's 400 50035 shape, so the bot's cards passing through it are proven valid."""

from __future__ import annotations

import io

import discord
import pytest
from discord.ext import commands

from bot.runtime.emulator import DiscordEmulator

V2 = 1 << 15


def text(n: int) -> dict:
    return {"type": 10, "content": f"line {n}"}


def gallery(url: str) -> dict:
    return {"type": 12, "items": [{"media": {"url": url}}]}


async def started(bot_runner) -> commands.Bot:
    bot = commands.Bot(
        command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.1
    )
    await bot_runner.start(bot)
    return bot


async def post(bot: commands.Bot, emulator: DiscordEmulator, payload: dict):
    """Through discord.py's own HTTP client (its request and error parsing)."""
    route = discord.http.Route(
        "POST", "/channels/{channel_id}/messages", channel_id=emulator.channel.id
    )
    return await bot.http.request(route, json=payload)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"flags": V2, "content": "hi", "components": [text(1)]}, "content"),
        ({"flags": V2, "embeds": [{"title": "x"}], "components": [text(1)]}, "embeds"),
        ({"flags": V2, "components": [{"type": 17, "components": [text(i) for i in range(40)]}]},
         "40 or fewer"),
        ({"components": [text(1)]}, "Component type 10"),  # V2 components need the flag
        ({"flags": V2, "components": [{"type": 17, "components": [{"type": 17}]}]},
         "Component type 17"),
        ({"flags": V2, "components": [gallery("attachment://missing.png")]}, "Unknown attachment"),
        ({"flags": V2, "components": [{"type": 1, "components": [
            {"type": 2, "style": 1, "label": "a", "custom_id": "same"},
            {"type": 2, "style": 1, "label": "b", "custom_id": "same"}]}]}, "duplicated"),
    ],
)  # fmt: skip
async def test_invalid_v2_messages_are_refused(emulator, bot_runner, payload, words):
    bot = await started(bot_runner)
    with pytest.raises(discord.HTTPException) as caught:
        await post(bot, emulator, payload)
    assert caught.value.status == 400 and caught.value.code == 50035
    assert words in caught.value.text
    assert emulator.messages_in() == []


@pytest.mark.asyncio
async def test_a_valid_card_shows_its_files_only_through_components(emulator, bot_runner):
    from .tiny_bot import png

    bot = await started(bot_runner)
    view = discord.ui.LayoutView()
    box = discord.ui.Container(discord.ui.TextDisplay("## Card"))
    box.add_item(discord.ui.MediaGallery().add_item(media="attachment://a.png"))
    view.add_item(box)
    channel = bot.get_channel(emulator.channel.id)
    picture = discord.File(io.BytesIO(png(8, 8, "red")), "a.png")
    message = await channel.send(view=view, file=picture)
    stored = emulator.messages_in()[-1]
    assert stored["flags"] & V2
    (item,) = stored["components"][0]["components"][1]["items"]
    assert item["media"]["url"] == stored["attachments"][0]["url"]  # resolved like Discord
    # the flag can never be removed again
    with pytest.raises(discord.HTTPException) as caught:
        await message.edit(content="back to text", view=None)
    assert caught.value.status == 400
    assert emulator.messages_in()[-1]["components"] == stored["components"]


@pytest.mark.asyncio
async def test_modal_rules(emulator, bot_runner):
    bot = await started(bot_runner)
    answers: list[str] = []

    @bot.tree.command()
    async def ask(interaction: discord.Interaction, broken: bool) -> None:
        modal = discord.ui.Modal(title="Upload")
        upload = discord.ui.FileUpload(custom_id="file")
        if broken:  # a file upload outside a label is not allowed
            modal.add_item(discord.ui.TextDisplay("no label"))
            modal._children.append(upload)
        else:
            modal.add_item(discord.ui.Label(text="File", component=upload))

        async def on_submit(inner: discord.Interaction) -> None:
            answers.append(",".join(a.filename for a in upload.values))
            await inner.response.send_message("thanks", ephemeral=True)

        modal.on_submit = on_submit
        try:
            await interaction.response.send_modal(modal)
        except discord.HTTPException as exc:
            answers.append(f"refused {exc.code}")

    bad = await emulator.slash_command("ask", {"broken": True})
    record = await bad.wait_response()
    assert (record.status, record.code) == (400, 50035) and not bad.acknowledged
    good = await emulator.slash_command("ask", {"broken": False})
    await good.wait_ack()
    submit = await emulator.submit_modal(good, {"file": [("plan.png", b"\x89PNG...", "image/png")]})
    assert (await submit.wait_ack()).type == 4
    assert answers[-1] == "plan.png"
