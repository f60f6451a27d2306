"""The tiny discord.py bot the emulator's own end-to-end tests drive."""

from __future__ import annotations

import asyncio
import io

import discord
from discord import app_commands
from discord.ext import commands
from PIL import Image


def png(width: int, height: int, color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


class CounterButton(discord.ui.DynamicItem[discord.ui.Button], template=r"tiny:btn:(?P<n>[0-9]+)"):
    def __init__(self, n: int) -> None:
        super().__init__(discord.ui.Button(label=f"+1 ({n})", custom_id=f"tiny:btn:{n}"))
        self.n = n

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match
    ) -> CounterButton:
        return cls(int(match["n"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None).add_item(CounterButton(self.n + 1))
        await interaction.response.edit_message(content=f"count {self.n + 1}", view=view)


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    name = discord.ui.TextInput(label="Name", custom_id="feedback:name")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()  # type 6 on a modal opened from a button
        await interaction.edit_original_response(content=f"thanks {self.name.value}", view=None)


class FeedbackView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Give feedback", custom_id="tiny:feedback")
    async def give(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_modal(FeedbackModal())


class TinyBot(commands.Bot):
    def __init__(self) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            guild_ready_timeout=0.1,
        )
        self.seen: dict[str, object] = {}
        self.errors: asyncio.Queue[Exception] = asyncio.Queue()
        self.slow_delay = 0.0
        self._add_commands()

    async def setup_hook(self) -> None:
        self.add_dynamic_items(CounterButton)

    def _add_commands(self) -> None:
        tree = self.tree

        @tree.command(description="Answer pong")
        async def ping(interaction: discord.Interaction) -> None:
            self.seen["app_permissions"] = interaction.app_permissions
            await interaction.response.send_message("pong")

        @tree.command(description="Compare two photos")
        async def compare(
            interaction: discord.Interaction, before: discord.Attachment, after: discord.Attachment
        ) -> None:
            await interaction.response.defer(thinking=True)
            first, second = await before.read(), await after.read()
            self.seen["compare"] = (before, first, after, second)
            view = discord.ui.View(timeout=None).add_item(CounterButton(0))
            result = discord.File(io.BytesIO(png(5, 7, "green")), "result.png")
            await interaction.followup.send(
                f"sizes {len(first)} {len(second)}", file=result, view=view
            )

        @tree.command(description="Show a counter")
        async def counter(interaction: discord.Interaction) -> None:
            view = discord.ui.View(timeout=None).add_item(CounterButton(0))
            await interaction.response.send_message("count 0", view=view)

        @tree.command(description="Answer too late")
        async def slow(interaction: discord.Interaction) -> None:
            await asyncio.sleep(self.slow_delay)
            try:
                await interaction.response.send_message("late")
            except discord.HTTPException as exc:
                self.errors.put_nowait(exc)

        @tree.command(description="Send a photo, then edit it")
        async def photo(interaction: discord.Interaction) -> None:
            first = discord.File(io.BytesIO(png(2, 2, "red")), "v1.png")
            await interaction.response.send_message("v1", file=first)
            sent = await interaction.original_response()
            second = discord.File(io.BytesIO(png(6, 4, "blue")), "v2.png")
            await interaction.edit_original_response(
                content="v2", attachments=[sent.attachments[0], second]
            )

        @tree.command(description="Ask for feedback")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("tell us", view=FeedbackView())

        @tree.command(description="Private answer")
        @app_commands.describe(text="what to say")
        async def whisper(interaction: discord.Interaction, text: str) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.followup.send(f"psst {text}", ephemeral=True)
