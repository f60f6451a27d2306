"""Starting a generation from Discord: the job card, the bot's own copy, the paid call.

The card is posted first; for a new photo its attachments are the bot's own copy, whose URLs are
handed to the API and re-fetched (freshly signed) whenever a variation or a retry needs them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence

import discord

from bot.domain import Generation, Kind, Origin, RoomType, Status
from bot.service import OutcomeUnknownError, RejectedError
from cogs import media, render
from cogs.errors import friendly
from storage import DuplicateRequest

log = logging.getLogger(__name__)
DOUBLE_CLICK_WINDOW = 30  # seconds in which the same click by the same user spends one credit
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
        request_key: str,
        files: Sequence[discord.File] = (),
        source_of: Generation | None = None,
        reply_to: discord.Message | None = None,
    ) -> None:
        """A new generation: from uploaded `files`, or from `source_of`'s photo (a retry)."""
        source = None
        if source_of is not None:
            source = (source_of.source_channel_id, source_of.source_message_id)
            urls = await self._fresh(interaction, source_of)
            if urls is None:
                return

        async def submit(card: discord.Message) -> Generation:
            photo_url, mask_url = urls if source else (a.url for a in card.attachments[:2])
            return await self.service.create(
                photo_url=photo_url, mask_url=mask_url, width=width, height=height,
                room_type=room_type, origin=origin_of(interaction), request_key=request_key,
                source=source or (card.channel.id, card.id), card_message_id=card.id,
            )  # fmt: skip

        await self._launch(interaction, Kind.CREATE, room_type, None, files, reply_to, submit)

    async def vary(
        self,
        interaction: discord.Interaction,
        parent: Generation,
        room_type: RoomType,
        *,
        request_key: str,
        files: Sequence[discord.File] = (),
        reply_to: discord.Message | None = None,
    ) -> None:
        """A variation of `parent`; `files` may hold a new mask."""
        urls = await self._fresh(interaction, parent)
        if urls is None:
            return

        async def submit(card: discord.Message) -> Generation:
            return await self.service.vary(
                parent, room_type=room_type, original_url=urls[0],
                mask_url=card.attachments[0].url if files else None,
                origin=origin_of(interaction), request_key=request_key, card_message_id=card.id,
            )  # fmt: skip

        await self._launch(
            interaction, Kind.VARIATION, room_type, parent.project_id, files, reply_to, submit
        )

    async def click_key(
        self, interaction: discord.Interaction, action: str, generation: int, extra: str
    ) -> str | None:
        """An idempotency key per user and click window; None (and an answer) for a repeat."""
        bucket = int(time.time() // DOUBLE_CLICK_WINDOW)
        keys = [
            f"{action}:{generation}:{extra}:{interaction.user.id}:{b}" for b in (bucket, bucket - 1)
        ]
        for key in keys:
            earlier = await self.service.by_request_key(key)
            if earlier is not None:
                await interaction.followup.send(self._already(interaction, earlier), ephemeral=True)
                return None
        # Two clicks racing past this check still meet at the database's unique key.
        return keys[0]

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
        self, interaction, kind: Kind, room_type: RoomType, project_id: str | None,
        files: Sequence[discord.File], reply_to, submit: Submit,
    ) -> None:  # fmt: skip
        placeholder = Generation(
            id=None, kind=kind, room_type=room_type, status=Status.PENDING,
            origin=origin_of(interaction), project_id=project_id,
        )  # fmt: skip
        card = await interaction.channel.send(
            embed=render.job_card(placeholder, sandbox=self.sandbox),
            files=list(files),
            reference=reply_to,
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
            note = friendly(exc)
            await card.edit(embed=render.job_card(exc.generation, sandbox=self.sandbox, note=note))
            await interaction.followup.send(note, ephemeral=True)
            return
        await card.edit(embed=render.job_card(gen, sandbox=self.sandbox))
        await interaction.followup.send(
            f"Started {render.MARKER}{gen.id} ({gen.room_type.label}); follow it here: "
            f"{card.jump_url}",
            ephemeral=True,
        )

    @staticmethod
    def _already(interaction: discord.Interaction, gen: Generation) -> str:
        where = ""
        if gen.card_message_id and interaction.guild_id:
            where = (
                f": https://discord.com/channels/{interaction.guild_id}/"
                f"{gen.origin.channel_id}/{gen.card_message_id}"
            )
        return (
            f"You already started this a moment ago (#{gen.id}); only one credit was spent{where}"
        )
