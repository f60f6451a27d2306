"""Starting a generation from Discord: the job card, the bot's own copy, the paid call.

The card is posted first; for a new photo its attachments are the bot's own copy, whose URLs are
handed to the API and re-fetched (freshly signed) whenever a variation or a retry needs them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

import discord

from bot.domain import Generation, Kind, Origin, RoomType, Status
from bot.service.errors import NotStartedError, OutcomeUnknownError, RejectedError
from bot.teams.credentials import CredentialsError
from bot.teams.policy import LimitReachedError, Policy
from cogs.cards import render
from cogs.cards.queue_view import queued_text
from cogs.i18n import t
from cogs.i18n.errors import friendly
from cogs.shared import media
from cogs.shared.buttons import check_view
from cogs.shared.gates import limit_text
from storage import DuplicateRequest

log = logging.getLogger(__name__)
DOUBLE_CLICK_WINDOW = 30.0  # seconds in which the same click by the same user spends one credit

# Given the posted card, call the service and return the submitted generation.
Submit = Callable[[discord.Message], Awaitable[Generation]]


def origin_of(interaction: discord.Interaction) -> Origin:
    return Origin(
        source="discord",
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id,
        user_id=interaction.user.id,
        user_name=str(interaction.user),
        locale=str(interaction.locale) if interaction.locale else None,
    )


class Jobs:
    def __init__(self, bot) -> None:
        self.bot = bot
        self.service = bot.core.service
        self.sandbox = bot.core.sandbox is not None

    async def create(
        self,
        interaction: discord.Interaction,
        room_type: RoomType,
        width: int,
        height: int,
        *,
        request_key: str | None = None,
        files: Sequence[discord.File] = (),
        source_of: Generation | None = None,
        reply_to: discord.Message | None = None,
        policy: Policy | None = None,
    ) -> bool:
        """A new generation: from uploaded `files`, or from `source_of`'s photo (a retry,
        guarded against double clicks). Whether it went ahead (`_launch` says what counts)."""
        source = None
        if source_of is not None:
            source = (source_of.source_channel_id, source_of.source_message_id)
            urls = await self._fresh(interaction, source_of)
            if urls is None:
                return False
        template = Generation(
            id=None, kind=Kind.CREATE, room_type=room_type, status=Status.PENDING,
            origin=origin_of(interaction), source_message_id=source[1] if source else None,
        )  # fmt: skip
        dedupe = DOUBLE_CLICK_WINDOW if source_of is not None else 0

        async def submit(card: discord.Message) -> Generation:
            photo_url, mask_url = urls if source else (a.url for a in card.attachments[:2])
            return await self.service.create(
                photo_url=photo_url, mask_url=mask_url, width=width, height=height,
                room_type=room_type, origin=template.origin, request_key=request_key,
                source=source or (card.channel.id, card.id), card_message_id=card.id,
                dedupe_within=dedupe, policy=policy,
            )  # fmt: skip

        return await self._launch(interaction, template, dedupe, files, reply_to, submit, policy)

    async def vary(
        self,
        interaction: discord.Interaction,
        parent: Generation,
        room_type: RoomType,
        *,
        files: Sequence[discord.File] = (),
        reply_to: discord.Message | None = None,
        dedupe: bool = True,
        policy: Policy | None = None,
        request_key: str | None = None,
    ) -> bool:
        """A variation of `parent`; `files` may hold a new mask. Whether it went ahead."""
        if parent.status is not Status.SUCCEEDED or not parent.generation_id:
            status = t(interaction.locale, f"status.{parent.status.value}")
            await interaction.followup.send(
                t(interaction.locale, "jobs.only_finished", id=parent.id, status=status),
                ephemeral=True,
            )
            return False
        urls = await self._fresh(interaction, parent)
        if urls is None:
            return False
        template = Generation(
            id=None, kind=Kind.VARIATION, room_type=room_type, status=Status.PENDING,
            origin=origin_of(interaction), parent_id=parent.id, project_id=parent.project_id,
            source_message_id=parent.source_message_id,
        )  # fmt: skip
        window = DOUBLE_CLICK_WINDOW if dedupe else 0

        async def submit(card: discord.Message) -> Generation:
            return await self.service.vary(
                parent, room_type=room_type, original_url=urls[0],
                mask_url=card.attachments[0].url if files else None,
                origin=template.origin, card_message_id=card.id, dedupe_within=window,
                policy=policy, request_key=request_key,
            )  # fmt: skip

        return await self._launch(interaction, template, window, files, reply_to, submit, policy)

    # -- steps ---------------------------------------------------------------------------------

    async def _fresh(self, interaction, gen: Generation) -> tuple[str, str | None] | None:
        try:
            return await media.fresh_source_urls(
                self.bot, gen.source_channel_id, gen.source_message_id
            )
        except (LookupError, discord.NotFound):
            await interaction.followup.send(t(interaction.locale, "jobs.gone"), ephemeral=True)
            return None

    async def _launch(
        self, interaction, template: Generation, dedupe: float, files: Sequence[discord.File],
        reply_to: discord.Message | None, submit: Submit, policy: Policy | None = None,
    ) -> bool:  # fmt: skip
        """True when the request went ahead: paid, possibly paid (unknown), or answered by an
        earlier identical one. False when it was refused before anything could be spent (the
        user was told why): a studio submission then keeps its draft."""
        if dedupe:  # cheap early answer; the database enforces it atomically in `submit`
            earlier = await self.service.recent_duplicate(template, dedupe)
            if earlier is not None:
                await interaction.followup.send(self._already(interaction, earlier), ephemeral=True)
                return True
        card = await interaction.channel.send(
            embed=render.job_card(template, sandbox=self.sandbox),
            files=list(files),
            # a deleted parent message must not stop the card
            reference=reply_to.to_reference(fail_if_not_exists=False) if reply_to else None,
            mention_author=False,
        )
        try:
            gen = await submit(card)
        except DuplicateRequest as exc:
            await card.delete()
            await interaction.followup.send(
                self._already(interaction, exc.existing), ephemeral=True
            )
            return True
        except LimitReachedError as exc:  # the last unit went to someone else meanwhile
            await card.delete()
            await interaction.followup.send(limit_text(interaction, exc), ephemeral=True)
            return False
        except CredentialsError as exc:
            log.warning("server %s credentials unusable: %s", interaction.guild_id, exc)
            template.status = Status.REJECTED
            note = exc.render(interaction.locale)
            await self._settle(interaction, card, template, note, "jobs.not_started")
            return False
        except (RejectedError, OutcomeUnknownError) as exc:
            log.warning("request in channel %s not started: %s", interaction.channel_id, exc)
            note = friendly(exc, interaction.locale)
            await self._settle(interaction, card, exc.generation, note)
            return isinstance(exc, OutcomeUnknownError)  # the API may have acted
        except NotStartedError as exc:
            log.warning("request in channel %s not recorded: %s", interaction.channel_id, exc)
            template.status = Status.REJECTED
            note = friendly(exc, interaction.locale)
            await self._settle(interaction, card, template, note, "jobs.not_started")
            return False
        except Exception as exc:  # whatever happened, the card must not keep saying "Sending"
            log.exception("request in channel %s failed", interaction.channel_id)
            template.status = Status.UNKNOWN
            note = friendly(exc, interaction.locale)
            await self._settle(interaction, card, template, note, "jobs.failed_here")
            return True  # unknown: as if it may have been paid
        if gen.status is Status.QUEUED:
            return await self._queued(interaction, gen, card)
        await self.bot.actions.run("card_watch", gen.id)
        try:
            await card.edit(embed=render.job_card(gen, sandbox=self.sandbox))
            await self.bot.actions.run("card_edited", gen.id)
        except Exception:  # started and paid for: never report it as a failure
            # (a lost or garbled answer from Discord surfaces as aiohttp or parsing errors)
            log.warning("could not update the card of generation %s", gen.id, exc_info=True)
        room = t(interaction.locale, f"room.{gen.room_type.value}")
        await interaction.followup.send(
            t(interaction.locale, "jobs.started", id=gen.id, type=room, link=card.jump_url),
            ephemeral=True,
        )
        if policy is not None:
            await self._warn_if_low(interaction, gen, policy)
        return True

    async def _queued(self, interaction, gen: Generation, card: discord.Message) -> bool:
        """Accepted behind the server's cap: nothing spent yet; its card shows its place in
        line and Cancel, and moves on by itself (cogs/cards/queue.py starts it in turn)."""
        await self.bot.actions.run("card_watch", gen.id)
        await self.bot.actions.run("card_refresh", gen)
        place = await self.bot.core.queue.place(gen)
        where = queued_text(place.ahead, place.wait, interaction.locale) if place else ""
        room = t(interaction.locale, f"room.{gen.room_type.value}")
        await interaction.followup.send(
            t(interaction.locale, "jobs.queued", id=gen.id, type=room, place=where,
              link=card.jump_url),
            ephemeral=True,
        )  # fmt: skip
        return True

    async def _warn_if_low(self, interaction, gen: Generation, policy: Policy) -> None:
        """One warning in the channel when the credits dip below the server's threshold."""
        left = await self.bot.core.teams.low_credit(gen, policy)
        if left is not None:
            text = t(interaction.guild_locale, "credits.low", left=left, below=policy.warn_below)
            try:
                await interaction.channel.send(text)
            except discord.HTTPException:
                log.warning("could not post the low-credit warning", exc_info=True)

    async def _settle(
        self, interaction, card, gen: Generation, note: str, status_key: str | None = None
    ) -> None:
        """End a card that will not follow a generation in a state that says what happened."""
        try:
            status = t(interaction.locale, status_key) if status_key else None
            embed = render.job_card(gen, sandbox=self.sandbox, note=note, status=status)
            # unknown: a credit may be spent, so never re-send; the user may ask the API again
            unknown = gen.status is Status.UNKNOWN and gen.id is not None
            await card.edit(
                embed=embed, view=check_view(gen.id, interaction.locale) if unknown else None
            )
        except Exception:  # a lost or garbled answer from Discord too: the user must hear `note`
            log.warning("could not update the card %s", card.id, exc_info=True)
        await interaction.followup.send(note, ephemeral=True)

    @staticmethod
    def _already(interaction: discord.Interaction, gen: Generation) -> str:
        where = ""
        if gen.card_message_id and interaction.guild_id:
            where = (
                f": https://discord.com/channels/{interaction.guild_id}/"
                f"{gen.origin.channel_id}/{gen.card_message_id}"
            )
        return t(interaction.locale, "jobs.already", id=gen.id, where=where)
