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
from bot.images.downloads import host_of
from bot.images.errors import DownloadRefused
from bot.tracking.tracker import TrackerEvent
from cogs.cards import card as cards
from cogs.cards import posting, queue_view, render
from cogs.cards.live import LiveCards
from cogs.i18n import t
from cogs.shared.buttons import cancel_view, check_view, retry_view

log = logging.getLogger(__name__)
SWEEP_SECONDS = 60.0
MAX_ATTEMPTS = 10  # per generation and process: a result URL that died stays dead


class ResultsCog(commands.Cog, name="Results"):
    def __init__(self, bot) -> None:
        self.bot = bot
        self.service = bot.core.service
        self.sandbox = bot.core.sandbox is not None
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._attempts: defaultdict[int, int] = defaultdict(int)
        self.live = LiveCards(self.service.get, self._edit_card)
        self.max_attempts = MAX_ATTEMPTS

    async def cog_load(self) -> None:
        self.bot.core.tracker.subscribe(self.on_tracker_event)
        self.bot.actions.offer(
            self, card_watch=self.live.watch, card_edited=self.live.edited,
            card_refresh=self.refresh_card,
        )  # fmt: skip

    async def cog_unload(self) -> None:
        self.bot.actions.withdraw(self)
        self.sweep.cancel()
        self.live.stop()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if not self.sweep.is_running():  # first pass now: what finished while we were down
            self.sweep.change_interval(seconds=self.bot.core.settings.sweep_seconds)
            self.sweep.start()

    @tasks.loop(seconds=SWEEP_SECONDS)
    async def sweep(self) -> None:
        """Whatever fell through the cracks gets another go: undelivered results (a download
        or Discord failed, another process finished it) and intents a crash left behind."""
        try:  # the loop must outlive any one failure (tasks.loop stops on most exceptions)
            for gen in await self.service.recover():
                with contextlib.suppress(discord.HTTPException):
                    await self._edit_card(gen, view=check_view(gen.id, gen.origin.locale))
            await self.catch_up()
            for gen in await self.service.running():  # after a restart: their cards tick again
                if gen.origin.source == "discord":
                    self.live.watch(gen.id)
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
            self.live.watch(gen.id)

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
        note = t(gen.origin.locale, "results.gave_up", reason=exc, id=gen.id)
        with contextlib.suppress(discord.HTTPException):
            await self._edit_card(gen, note=note[:1000])

    async def _refused(self, gen: Generation, exc: DownloadRefused) -> None:
        """Delivered with an error at once: the card says the credit was spent and why the
        picture was not fetched; one log line, no traceback."""
        await self.service.mark_delivered(gen.id, 0)
        log.warning(
            "result of generation %s not fetched: %s (%s)",
            gen.id, exc, ", ".join(sorted({host_of(u) for u in gen.result_urls})),
        )  # fmt: skip
        note = t(gen.origin.locale, "results.refused_download", id=gen.id)
        with contextlib.suppress(discord.HTTPException):
            await self._edit_card(gen, note=note)

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
                card = await self._edit_card(gen, view=retry_view(gen.id, gen.origin.locale))
                await self.service.mark_delivered(gen.id, card or 0)
                return
            # One card edit per outcome (rate limits): "Done" with the link to the result.
            try:
                posted = await self._post_result(channel, gen, recovering)
            except DownloadRefused as exc:  # a refusal is final: no sweep would change it
                await self._refused(gen, exc)
                return
            except Exception:  # the sweep tries again; the card still says it is done
                with contextlib.suppress(discord.HTTPException):
                    await self._edit_card(gen)
                raise
            await self.service.mark_delivered(gen.id, posted.id)
            log.info("posted result of generation %s as message %s", gen.id, posted.id)
            with contextlib.suppress(discord.HTTPException):
                await self._edit_card(gen, result_url=posted.jump_url)

    async def _post_result(self, channel, gen: Generation, recovering: bool):
        if recovering:
            found = await self._already_posted(channel, gen)
            if found is not None:
                log.info("result of generation %s was already in the channel", gen.id)
                return channel.get_partial_message(found)
        files = await self.result_files(gen, channel)  # failures: the sweep tries again
        reference = None
        if gen.card_message_id:  # a deleted card must not block the result
            reference = channel.get_partial_message(gen.card_message_id).to_reference(
                fail_if_not_exists=False
            )
        return await channel.send(
            view=await posting.result_view(self.bot.core, gen, files),
            files=files,
            reference=reference,
            mention_author=False,
        )

    async def result_files(self, gen: Generation, channel) -> list[discord.File]:
        return await posting.result_files(self.bot.core, gen, channel)

    async def _already_posted(self, channel, gen: Generation) -> int | None:
        marker = f"exterior:vary:{gen.id}:"
        after = discord.Object(gen.card_message_id) if gen.card_message_id else None
        async for message in channel.history(limit=100, after=after):
            if message.author.id != self.bot.user.id:
                continue
            if any(c.startswith(marker) for c in _custom_ids(message.components)):
                return message.id
        return None

    async def _edit_card(
        self, gen: Generation, *, view=None, note=None, result_url=None
    ) -> int | None:
        if not gen.card_message_id:
            return None
        channel = await self._channel(gen.origin.channel_id)
        if channel is None:
            return None
        estimate = status = None
        if gen.status is Status.QUEUED:  # its place in line, and its requester's Cancel
            place = await self.bot.core.queue.place(gen)
            if place is not None:
                status = queue_view.queued_text(place.ahead, place.wait, gen.origin.locale)
            view = view or cancel_view(gen.id, gen.origin.locale)
        elif not gen.status.is_terminal and gen.created_at:
            typical = await self.service.typical_duration(gen.room_type, gen.kind)
            elapsed = (discord.utils.utcnow() - gen.created_at).total_seconds()
            estimate = cards.estimate_text(elapsed, typical, gen.origin.locale)
        embed = render.job_card(
            gen, sandbox=self.sandbox, note=note, estimate=estimate, result_url=result_url,
            status=status,
        )  # fmt: skip
        self.live.edited(gen.id)
        try:
            await channel.get_partial_message(gen.card_message_id).edit(embed=embed, view=view)
        except discord.NotFound:
            log.info("card of generation %s was deleted", gen.id)
        return gen.card_message_id

    async def refresh_card(self, gen: Generation, note: str | None = None) -> None:
        """Edit a job card now, as its generation's state says (a queued one's place and
        Cancel; an unknown outcome's Check again)."""
        unknown = gen.status is Status.UNKNOWN and not gen.generation_id
        view = check_view(gen.id, gen.origin.locale) if unknown else None
        with contextlib.suppress(discord.HTTPException):
            await self._edit_card(gen, view=view, note=note)

    async def _channel(self, channel_id: int):
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except (discord.NotFound, discord.Forbidden):
                log.warning("channel %s is gone or hidden; cannot post there", channel_id)
                return None
        return channel


def _custom_ids(components) -> list[str]:
    """Every custom_id in a message's components, legacy rows and V2 layouts alike."""
    found = []
    for component in components:
        if getattr(component, "custom_id", None):
            found.append(component.custom_id)
        nested = list(getattr(component, "children", []) or [])
        accessory = getattr(component, "accessory", None)
        found += _custom_ids([*nested, *([accessory] if accessory else [])])
    return found


async def setup(bot) -> None:
    await bot.add_cog(ResultsCog(bot))
