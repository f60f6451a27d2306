"""Starting a generation from Discord: the job card, the bot's own copy, the paid call.

The card is posted first; for a new photo its attachments are the bot's own copy, whose URLs are
handed to the API and re-fetched (freshly signed) whenever a variation or a retry needs them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

import discord

from bot.domain import Generation, Kind, Origin, RoomType, Status
from bot.service import NotStartedError, OutcomeUnknownError, RejectedError
from cogs import media, render
from cogs.check_again import check_view
from cogs.errors import friendly
from storage import DuplicateRequest

log = logging.getLogger(__name__)
DOUBLE_CLICK_WINDOW = 30.0  # seconds in which the same click by the same user spends one credit
NOT_STARTED = "Not started — nothing was charged"
FAILED_HERE = "Stopped by an error in the bot — check `/exterior history` before trying again"
GONE = "The original photo is gone (its message was deleted); start anew with `/exterior create`."

# Given the posted card, call the service and return the submitted generation.
Submit = Callable[[discord.Message], Awaitable[Generation]]


def origin_of(interaction: discord.Interaction) -> Origin:
    return Origin(
        source="discord",
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id,
        user_id=interaction.user.id,
        user_name=str(interaction.user),
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
    ) -> None:
        """A new generation: from uploaded `files`, or from `source_of`'s photo (a retry,
        guarded against double clicks)."""
        source = None
        if source_of is not None:
            source = (source_of.source_channel_id, source_of.source_message_id)
            urls = await self._fresh(interaction, source_of)
            if urls is None:
                return
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
                dedupe_within=dedupe,
            )  # fmt: skip

        await self._launch(interaction, template, dedupe, files, reply_to, submit)

    async def vary(
        self,
        interaction: discord.Interaction,
        parent: Generation,
        room_type: RoomType,
        *,
        files: Sequence[discord.File] = (),
        reply_to: discord.Message | None = None,
        dedupe: bool = True,
    ) -> None:
        """A variation of `parent`; `files` may hold a new mask."""
        if parent.status is not Status.SUCCEEDED or not parent.generation_id:
            await interaction.followup.send(
                f"Only a finished result can be varied; #{parent.id} is "
                f"{parent.status.value.lower()}.",
                ephemeral=True,
            )
            return
        urls = await self._fresh(interaction, parent)
        if urls is None:
            return
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
            )  # fmt: skip

        await self._launch(interaction, template, window, files, reply_to, submit)

    # -- steps ---------------------------------------------------------------------------------

    async def _fresh(self, interaction, gen: Generation) -> tuple[str, str | None] | None:
        try:
            return await media.fresh_source_urls(
                self.bot, gen.source_channel_id, gen.source_message_id
            )
        except (LookupError, discord.NotFound):
            await interaction.followup.send(GONE, ephemeral=True)
            return None

    async def _launch(
        self, interaction, template: Generation, dedupe: float, files: Sequence[discord.File],
        reply_to: discord.Message | None, submit: Submit,
    ) -> None:  # fmt: skip
        if dedupe:  # cheap early answer; the database enforces it atomically in `submit`
            earlier = await self.service.recent_duplicate(template, dedupe)
            if earlier is not None:
                await interaction.followup.send(self._already(interaction, earlier), ephemeral=True)
                return
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
            return
        except (RejectedError, OutcomeUnknownError) as exc:
            log.warning("request in channel %s not started: %s", interaction.channel_id, exc)
            await self._settle(interaction, card, exc.generation, friendly(exc))
            return
        except NotStartedError as exc:
            log.warning("request in channel %s not recorded: %s", interaction.channel_id, exc)
            template.status = Status.REJECTED
            await self._settle(interaction, card, template, friendly(exc), NOT_STARTED)
            return
        except Exception as exc:  # whatever happened, the card must not keep saying "Sending"
            log.exception("request in channel %s failed", interaction.channel_id)
            template.status = Status.UNKNOWN
            await self._settle(interaction, card, template, friendly(exc), FAILED_HERE)
            return
        results = self.bot.get_cog("Results")
        if results is not None:
            results.live.watch(gen.id)
        try:
            await card.edit(embed=render.job_card(gen, sandbox=self.sandbox))
            if results is not None:
                results.live.edited(gen.id)
        except Exception:  # started and paid for: never report it as a failure
            # (a lost or garbled answer from Discord surfaces as aiohttp or parsing errors)
            log.warning("could not update the card of generation %s", gen.id, exc_info=True)
        await interaction.followup.send(
            f"Started {render.MARKER}{gen.id} ({gen.room_type.label}); follow it here: "
            f"{card.jump_url}",
            ephemeral=True,
        )

    async def _settle(
        self, interaction, card, gen: Generation, note: str, status: str | None = None
    ) -> None:
        """End a card that will not follow a generation in a state that says what happened."""
        try:
            embed = render.job_card(gen, sandbox=self.sandbox, note=note, status=status)
            # unknown: a credit may be spent, so never re-send; the user may ask the API again
            unknown = gen.status is Status.UNKNOWN and gen.id is not None
            await card.edit(embed=embed, view=check_view(gen.id) if unknown else None)
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
        return f"You already started this a moment ago (#{gen.id}); one credit only{where}"
