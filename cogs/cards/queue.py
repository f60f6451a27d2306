"""The queue on Discord: queued jobs start in turn, their cards follow, Cancel, `/exterior queue`.

The core's queue (bot/service/queue.py) decides what starts and pays for it on the one money
path; this cog gives it fresh URLs of the pictures the bot posted (Discord signs them for a
while only), pumps a server's queue whenever one of its generations ends (and every few seconds,
for what ended elsewhere: another process, before a restart), and edits the cards.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

import discord
from discord.ext import commands, tasks

from bot.domain import Generation
from bot.service.queue import Started
from bot.tracking.tracker import TrackerEvent
from cogs.cards import queue_view
from cogs.i18n import t, tr
from cogs.i18n.errors import friendly
from cogs.shared import media
from cogs.shared.visibility import can_view, visible

log = logging.getLogger(__name__)
QUEUE_SECONDS = 5.0  # the safety net; a generation's end starts the next one at once


class QueueCog(commands.Cog, name="Queue"):
    def __init__(self, bot) -> None:
        self.bot = bot
        self.queue = bot.core.queue
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def cog_load(self) -> None:
        self.queue.urls_for = self.urls_for
        self.bot.core.tracker.subscribe(self.on_tracker_event)
        self.bot.actions.offer(self, cancel=self.cancel, queue_pump=self.pump, queue_show=self.show)

    async def cog_unload(self) -> None:
        self.queue.urls_for = None
        self.bot.actions.withdraw(self)
        self.loop.cancel()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if not self.loop.is_running():
            self.loop.start()

    @tasks.loop(seconds=QUEUE_SECONDS)
    async def loop(self) -> None:
        try:  # the loop must outlive any one failure
            for guild_id in await self.queue.queued_guilds():
                await self.pump(guild_id)
                for gen in await self.queue.generations.queued_in(guild_id):
                    await self.bot.actions.run("card_watch", gen.id)  # after a restart too
        except Exception:
            log.exception("queue pass failed; trying again in %s s", self.loop.seconds)

    async def on_tracker_event(self, event: TrackerEvent) -> None:
        guild_id = event.generation.origin.guild_id
        if event.kind in ("finished", "timed_out") and guild_id:  # a slot may be free
            await self.bot.wait_until_ready()
            await self.pump(guild_id)

    async def pump(self, guild_id: int) -> None:
        """Start the server's next queued generations while its cap leaves room."""
        async with self._locks[guild_id]:  # in this process; the database decides across them
            for started in await self.queue.pump(guild_id):
                await self._announce(started)

    async def _announce(self, started: Started) -> None:
        gen, problem = started.generation, started.problem
        note = None
        if problem is not None:
            gone = isinstance(problem, LookupError)
            note = (
                t(gen.origin.locale, "jobs.gone") if gone else friendly(problem, gen.origin.locale)
            )
        if gen.generation_id:
            await self.bot.actions.run("card_watch", gen.id)
        await self.bot.actions.run("card_refresh", gen, note=note)

    async def urls_for(self, gen: Generation, parent: Generation | None) -> tuple[str, str | None]:
        """Fresh URLs of the bot's own copy: the photo (and a create's mask) from its source
        message, a variation's new mask from its own card."""
        try:
            photo, mask = await media.fresh_source_urls(
                self.bot, gen.source_channel_id or 0, gen.source_message_id or 0
            )
            if parent is None:
                if mask is None:
                    raise LookupError("the mask is no longer attached")
                return photo, mask
            if gen.mask_url == parent.mask_url:  # the parent's own area
                return photo, None
            channel = self.bot.get_channel(gen.origin.channel_id or 0) or (
                await self.bot.fetch_channel(gen.origin.channel_id or 0)
            )
            card = await channel.fetch_message(gen.card_message_id or 0)
        except (discord.NotFound, discord.Forbidden) as exc:
            raise LookupError(f"a picture of generation {gen.id} is gone: {exc}") from exc
        if not card.attachments:
            raise LookupError("the new mask is no longer attached")
        return photo, card.attachments[0].url

    # -- what people do --------------------------------------------------------------------------

    async def cancel(self, interaction: discord.Interaction, row_id: int) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        gen = await visible(self.bot.core, interaction, str(row_id))
        if gen is None:
            return
        if gen.origin.user_id != interaction.user.id:
            text = tr(interaction, "queue.cancel_not_yours", user=f"<@{gen.origin.user_id}>")
            await interaction.followup.send(text, ephemeral=True)
            return
        cancelled = await self.queue.cancel(row_id)
        if cancelled is None:  # it started (and spent) meanwhile, or was cancelled already
            now = await self.bot.core.service.get(row_id) or gen
            status = tr(interaction, f"status.{now.status.value}")
            await interaction.followup.send(
                tr(interaction, "queue.cancel_too_late", id=row_id, status=status), ephemeral=True
            )
            return
        await self.bot.actions.run("card_refresh", cancelled)
        await interaction.followup.send(
            tr(interaction, "queue.cancelled", id=row_id), ephemeral=True
        )

    async def show(self, interaction: discord.Interaction) -> None:
        """/exterior queue: what runs and what waits in this server, as far as one may see."""
        await interaction.response.defer(ephemeral=True)
        found = await self.queue.snapshot(interaction.guild_id)
        embed = queue_view.queue_embed(
            found, lambda g: can_view(interaction, g.origin.channel_id), interaction.locale
        )
        await interaction.followup.send(embed=embed, ephemeral=True)


async def setup(bot) -> None:
    await bot.add_cog(QueueCog(bot))
