"""The Share button: post a result, with its Vary buttons, to another channel.

Offered channels are those both the user and the bot can see and post in; the choice and its
answer are private (ephemeral). Sharing spends nothing, so the spending policies do not apply.
"""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.domain import Status
from bot.images.decode import ImageError
from cogs.cards import posting
from cogs.i18n import tr
from cogs.i18n.errors import friendly
from cogs.shared.buttons import ShareToSelect
from cogs.shared.visibility import visible

log = logging.getLogger(__name__)
MAX_CHOICES = 25  # Discord's limit for a select menu


def shareable(interaction: discord.Interaction) -> list[discord.TextChannel]:
    """Text channels (other than this one) where the user and the bot may both post."""
    guild, user = interaction.guild, interaction.user
    if guild is None or guild.me is None or not isinstance(user, discord.Member):
        return []
    found = []
    for channel in guild.text_channels:
        if channel.id == interaction.channel_id:
            continue
        mine, bots = channel.permissions_for(user), channel.permissions_for(guild.me)
        user_can = mine.view_channel and mine.send_messages
        bot_can = bots.view_channel and bots.send_messages and bots.attach_files
        if user_can and bot_can and bots.embed_links:
            found.append(channel)
    return found[:MAX_CHOICES]


class ShareCog(commands.Cog, name="Share"):
    def __init__(self, bot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.actions.offer(self, share=self.choose, share_to=self.chosen)

    async def cog_unload(self) -> None:
        self.bot.actions.withdraw(self)

    async def choose(self, interaction: discord.Interaction, row_id: int) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        gen = await visible(self.bot.core, interaction, str(row_id))
        if gen is None:
            return
        channels = shareable(interaction)
        if not channels:
            await interaction.followup.send(tr(interaction, "share.nowhere"), ephemeral=True)
            return
        options = [
            discord.SelectOption(label=f"#{c.name}"[:100], value=str(c.id)) for c in channels
        ]
        menu = ShareToSelect(row_id, options, interaction.locale)
        await interaction.followup.send(
            tr(interaction, "share.choose", id=row_id),
            view=discord.ui.View(timeout=None).add_item(menu),
            ephemeral=True,
        )

    async def chosen(self, interaction: discord.Interaction, row_id: int, channel_id: int) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            await self.post(interaction, row_id, channel_id)
        except Exception:
            log.exception("sharing generation %s failed", row_id)
            await interaction.followup.send(tr(interaction, "share.failed"), ephemeral=True)

    async def post(self, interaction: discord.Interaction, row_id: int, channel_id: int) -> None:
        # checked again: permissions may have changed since the menu was offered
        target = next((c for c in shareable(interaction) if c.id == channel_id), None)
        gen = await self.bot.core.service.get(row_id)
        if target is None or gen is None or gen.origin.guild_id != interaction.guild_id:
            await interaction.followup.send(tr(interaction, "share.nowhere"), ephemeral=True)
            return
        if gen.status is not Status.SUCCEEDED:
            await interaction.followup.send(tr(interaction, "share.unfinished"), ephemeral=True)
            return
        try:
            files = await posting.result_files(self.bot.core, gen, target)
        except ImageError as exc:
            await interaction.followup.send(friendly(exc, interaction.locale), ephemeral=True)
            return
        view = await posting.result_view(self.bot.core, gen, files)
        # a card (Components V2) has no content: who shared it goes under it
        shared_by = tr(interaction, "share.shared_by", user=interaction.user.mention)
        view.add_item(discord.ui.TextDisplay(f"-# {shared_by}"))
        message = await target.send(view=view, files=files)
        await interaction.followup.send(
            tr(interaction, "share.done", link=message.jump_url), ephemeral=True
        )


async def setup(bot) -> None:
    await bot.add_cog(ShareCog(bot))
