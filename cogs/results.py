"""Turns the tracker's events into Discord messages: card edits and results, each posted once.

A result message carries its generation's buttons (`exterior:vary:<id>:...`), so after a crash
between posting and recording, the next start finds it in the channel instead of posting twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict

import discord
from discord.ext import commands, tasks

from bot.domain import Generation, Status
from bot.images import ImageError
from bot.tracker import TrackerEvent
from cogs import media, render
from cogs.check_again import check_view
from cogs.views import retry_view, vary_view

log = logging.getLogger(__name__)
RESULT_MAX_BYTES = 64 * 1024 * 1024
SWEEP_SECONDS = 60.0
MAX_ATTEMPTS = 10  # per generation and process: a result URL that died stays dead


class ResultsCog(commands.Cog, name="Results"):
    def __init__(self, bot) -> None:
        self.bot = bot
        self.service = bot.core.service
        self.sandbox = bot.core.sandbox is not None
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._attempts: defaultdict[int, int] = defaultdict(int)
        self.max_attempts = MAX_ATTEMPTS

    async def cog_load(self) -> None:
        self.bot.core.tracker.subscribe(self.on_tracker_event)

    async def cog_unload(self) -> None:
        self.sweep.cancel()

    @tasks.loop(seconds=SWEEP_SECONDS)
    async def sweep(self) -> None:
        """Whatever fell through the cracks gets another go: undelivered results (a download
        or Discord failed, another process finished it) and intents a crash left behind."""
        try:  # the loop must outlive any one failure (tasks.loop stops on most exceptions)
            for gen in await self.service.recover():
                with contextlib.suppress(discord.HTTPException):
                    await self._edit_card(gen, view=check_view(gen.id))
            await self.catch_up()
        except Exception:
            log.exception("sweep failed; trying again in %s s", self.sweep.seconds)

    @sweep.before_loop
    async def _before_sweep(self) -> None:
        await self.bot.wait_until_ready()

    async def on_tracker_event(self, event: TrackerEvent) -> None:
        gen = event.generation
        if gen.origin.source != "discord" or not gen.origin.channel_id:
            return
        await self.bot.wait_until_ready()
        if event.kind == "finished":
            await self.deliver(gen)
        else:
            await self._edit_card(gen)

    async def catch_up(self) -> int:
        """Post every finished outcome that was never recorded as posted; returns how many
        were tried."""
        pending = await self.service.undelivered()
        for gen in pending:
            self._attempts[gen.id] += 1
            try:
                await self.deliver(gen, recovering=True)
            except Exception as exc:  # any failure: one result must not hold up the others
                log.exception(
                    "could not deliver generation %s (attempt %d of %d)",
                    gen.id,
                    self._attempts[gen.id],
                    self.max_attempts,
                )
                if self._attempts[gen.id] >= self.max_attempts:
                    with contextlib.suppress(Exception):  # logged above; the next sweep retries
                        await self._give_up(gen, exc)
        return len(pending)

    async def _give_up(self, gen: Generation, exc: Exception) -> None:
        """Stop retrying (so the sweep never clogs); the card says what to do instead."""
        await self.service.mark_delivered(gen.id, 0)
        note = f"The result could not be posted ({exc}); try `/exterior show generation:{gen.id}`."
        with contextlib.suppress(discord.HTTPException):
            await self._edit_card(gen, note=note[:1000])

    async def deliver(self, gen: Generation, *, recovering: bool = False) -> None:
        async with self._locks[gen.id]:
            fresh = await self.service.get(gen.id)
            if fresh is None or fresh.result_message_id:
                return
            gen = fresh
            channel = await self._channel(gen.origin.channel_id)
            if channel is None:  # deleted, or the bot was removed: nowhere to post, ever
                await self.service.mark_delivered(gen.id, 0)
                return
            if gen.status is Status.FAILED:
                card = await self._edit_card(gen, view=retry_view(gen.id))
                await self.service.mark_delivered(gen.id, card or 0)
                return
            await self._edit_card(gen)
            if recovering:
                found = await self._already_posted(channel, gen)
                if found is not None:
                    await self.service.mark_delivered(gen.id, found)
                    return
            files = await self.result_files(gen, channel)  # failures: the sweep tries again
            reference = None
            if gen.card_message_id:  # a deleted card must not block the result
                reference = channel.get_partial_message(gen.card_message_id).to_reference(
                    fail_if_not_exists=False
                )
            message = await channel.send(
                embed=render.result_embed(gen, files[0].filename, sandbox=self.sandbox),
                files=files,
                view=vary_view(gen.id, studio=self.bot.core.drafts.studio_reachable),
                reference=reference,
                mention_author=False,
            )
            await self.service.mark_delivered(gen.id, message.id)
            log.info("posted result of generation %s as message %s", gen.id, message.id)

    async def result_files(self, gen: Generation, channel) -> list[discord.File]:
        limit = getattr(getattr(channel, "guild", None), "filesize_limit", 10 * 1024 * 1024)
        files = []
        for index, url in enumerate(gen.result_urls[:10]):
            data = await self.bot.core.downloads.fetch(url, "result", max_bytes=RESULT_MAX_BYTES)
            suffix = "jpg" if data[:3] == b"\xff\xd8\xff" else "png"
            data, name = await media.fit(data, f"exterior-{gen.id}-{index}.{suffix}", limit)
            files.append(media.file(data, name))
        if not files:
            raise ImageError("The API returned no result images.")
        return files

    async def _already_posted(self, channel, gen: Generation) -> int | None:
        marker = f"exterior:vary:{gen.id}:"
        after = discord.Object(gen.card_message_id) if gen.card_message_id else None
        async for message in channel.history(limit=100, after=after):
            if message.author.id != self.bot.user.id:
                continue
            for row in message.components:
                for child in getattr(row, "children", []):
                    if (getattr(child, "custom_id", None) or "").startswith(marker):
                        return message.id
        return None

    async def _edit_card(self, gen: Generation, *, view=None, note=None) -> int | None:
        if not gen.card_message_id:
            return None
        channel = await self._channel(gen.origin.channel_id)
        if channel is None:
            return None
        try:
            await channel.get_partial_message(gen.card_message_id).edit(
                embed=render.job_card(gen, sandbox=self.sandbox, note=note), view=view
            )
        except discord.NotFound:
            log.info("card of generation %s was deleted", gen.id)
        return gen.card_message_id

    async def _channel(self, channel_id: int):
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except (discord.NotFound, discord.Forbidden):
                log.warning("channel %s is gone or hidden; cannot post there", channel_id)
                return None
        return channel


async def setup(bot) -> None:
    await bot.add_cog(ResultsCog(bot))
