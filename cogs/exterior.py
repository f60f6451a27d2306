"""`/exterior create | vary | history | show | credits` and the button callbacks.

Every command acknowledges at once (defer) and does the rest through the channel with the bot
token, because interaction tokens die after 15 minutes and generations can take longer.
"""

from __future__ import annotations

import asyncio
import logging
import time

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain import Generation, Kind, Origin, RoomType, Status
from bot.images import ImageError, encode_png, normalise_mask, open_image, prepare_pair
from bot.service import OutcomeUnknownError, RejectedError
from cogs import media, render
from cogs.errors import friendly
from cogs.views import history_view, is_ours, vary_view
from storage import DuplicateRequest

log = logging.getLogger(__name__)
NEEDED = ("view_channel", "send_messages", "attach_files", "embed_links", "read_message_history")
DOUBLE_CLICK_WINDOW = 30  # seconds in which the same click by the same user spends one credit


def missing_permissions(interaction: discord.Interaction) -> list[str]:
    perms = interaction.app_permissions
    return [name.replace("_", " ").title() for name in NEEDED if not getattr(perms, name)]


def origin_of(interaction: discord.Interaction) -> Origin:
    return Origin(
        source="discord",
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id,
        user_id=interaction.user.id,
        user_name=str(interaction.user),
    )


def click_key(action: str, generation: int, extra: str, user: int, bucket: int) -> str:
    return f"{action}:{generation}:{extra}:{user}:{bucket}"


class ExteriorCog(commands.Cog, name="Exterior"):
    exterior = app_commands.Group(
        name="exterior", description="Visualise a terrace, pool or pétanque court", guild_only=True
    )

    def __init__(self, bot) -> None:
        self.bot = bot
        self.service = bot.core.service
        self.sandbox = bot.core.sandbox is not None

    # -- slash commands ----------------------------------------------------------------------

    @exterior.command(name="create", description="Turn a garden photo into a new exterior")
    @app_commands.describe(
        photo="The garden photo (jpg or png)",
        mask="Same size as the photo: white where the new exterior goes, black elsewhere",
        type="What to build",
    )
    async def create(
        self,
        interaction: discord.Interaction,
        photo: discord.Attachment,
        mask: discord.Attachment,
        type: RoomType,
    ) -> None:
        if not await self._can_post(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            photo_data = await media.read_attachment(photo, "photo")
            mask_data = await media.read_attachment(mask, "mask")
            pair = await asyncio.to_thread(prepare_pair, photo_data, mask_data)
        except ImageError as exc:
            await interaction.followup.send(str(exc), ephemeral=True)
            return
        await self._start(
            interaction,
            type,
            pair.width,
            pair.height,
            files=[
                media.file(pair.photo, f"photo.{pair.photo_format}"),
                media.file(pair.mask, "mask.png"),
            ],
            request_key=f"create:{interaction.id}",
        )

    @exterior.command(
        name="vary", description="A variation of an earlier result, optionally with a new mask"
    )
    @app_commands.describe(
        generation="Its number (#12) from the card or history",
        type="What to build",
        mask="A new mask, same size as the original photo",
    )
    async def vary(
        self,
        interaction: discord.Interaction,
        generation: str,
        type: RoomType,
        mask: discord.Attachment | None = None,
    ) -> None:
        if not await self._can_post(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        parent = await self._visible(interaction, generation)
        if parent is None:
            return
        files = []
        if mask is not None:
            try:
                data = await media.read_attachment(mask, "mask")
                image = await asyncio.to_thread(open_image, data, "mask")
                binary = await asyncio.to_thread(
                    _normalise, image, (parent.width or image.width, parent.height or image.height)
                )
            except ImageError as exc:
                await interaction.followup.send(str(exc), ephemeral=True)
                return
            files = [media.file(binary, "mask.png")]
        await self._vary(
            interaction, parent, type, files=files, request_key=f"vary-cmd:{interaction.id}"
        )

    @exterior.command(name="history", description="This channel's generations, newest first")
    @app_commands.describe(page="Page number (1 is the newest)")
    async def history(self, interaction: discord.Interaction, page: int = 1) -> None:
        gens, pages = await self.service.channel_page(interaction.channel_id, page - 1)
        page = min(max(page - 1, 0), pages - 1)
        await interaction.response.send_message(
            embed=render.history_embed(gens, page, pages, interaction.guild_id),
            view=history_view(page, pages),
        )

    @exterior.command(name="show", description="Post a result again, with its buttons")
    @app_commands.describe(generation="Its number (#12) from the card or history")
    async def show(self, interaction: discord.Interaction, generation: str) -> None:
        await interaction.response.defer(thinking=True)
        gen = await self._visible(interaction, generation)
        if gen is None:
            return
        if not gen.status.is_terminal and gen.generation_id and gen.status is not Status.UNKNOWN:
            gen = await self.service.refresh(gen)
        results = self.bot.get_cog("Results")
        if gen.status is not Status.SUCCEEDED:
            await interaction.followup.send(embed=render.job_card(gen, sandbox=self.sandbox))
            return
        try:
            files = await results.result_files(gen, interaction.channel)
        except ImageError as exc:
            await interaction.followup.send(str(exc))
            return
        await interaction.followup.send(
            embed=render.result_embed(gen, files[0].filename, sandbox=self.sandbox),
            files=files,
            view=vary_view(gen.id),
        )

    @exterior.command(name="credits", description="Photo credits left and this server's spend")
    async def credits(self, interaction: discord.Interaction) -> None:
        spend = await self.service.spend(interaction.guild_id)
        await interaction.response.send_message(
            embed=render.credits_embed(spend, sandbox=self.sandbox), ephemeral=True
        )

    # -- buttons -----------------------------------------------------------------------------

    async def vary_from_button(
        self, interaction: discord.Interaction, parent_id: int, room_type: RoomType
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        parent = await self._visible(interaction, str(parent_id))
        if parent is None:
            return
        key = await self._click_key(interaction, "vary", parent_id, room_type.value)
        if key is not None:
            await self._vary(
                interaction, parent, room_type, request_key=key, reply_to=interaction.message
            )

    async def retry_from_button(self, interaction: discord.Interaction, failed_id: int) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        failed = await self._visible(interaction, str(failed_id))
        if failed is None:
            return
        key = await self._click_key(interaction, "retry", failed_id, "")
        if key is None:
            return
        await self._start(
            interaction,
            failed.room_type,
            failed.width,
            failed.height,
            source_of=failed,
            request_key=key,
            reply_to=interaction.message,
        )

    async def history_page(self, interaction: discord.Interaction, page: int) -> None:
        gens, pages = await self.service.channel_page(interaction.channel_id, page)
        page = min(max(page, 0), pages - 1)
        await interaction.response.edit_message(
            embed=render.history_embed(gens, page, pages, interaction.guild_id),
            view=history_view(page, pages),
        )

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Old or foreign buttons get an answer too, never "This interaction failed"."""
        if interaction.type is not discord.InteractionType.component:
            return
        custom_id = (interaction.data or {}).get("custom_id", "")
        if not is_ours(custom_id) and not interaction.response.is_done():
            await interaction.response.send_message(
                "This button no longer works; use `/exterior history` to find the result.",
                ephemeral=True,
            )

    # -- the shared steps --------------------------------------------------------------------

    async def _can_post(self, interaction: discord.Interaction) -> bool:
        missing = missing_permissions(interaction)
        if missing:
            await interaction.response.send_message(
                f"I can't work in this channel: I need the {', '.join(missing)} permission"
                f"{'s' if len(missing) > 1 else ''} here.",
                ephemeral=True,
            )
        return not missing

    async def _visible(self, interaction: discord.Interaction, ident: str) -> Generation | None:
        gen = await self.service.find(ident)
        if gen is None or (gen.origin.guild_id and gen.origin.guild_id != interaction.guild_id):
            await interaction.followup.send(
                f"I don't know a generation {ident} in this server.", ephemeral=True
            )
            return None
        return gen

    async def _click_key(
        self, interaction: discord.Interaction, action: str, generation: int, extra: str
    ) -> str | None:
        """An idempotency key per user and click window; None (and an answer) if a repeat."""
        bucket = int(time.time() // DOUBLE_CLICK_WINDOW)
        user = interaction.user.id
        earlier = await self.service.by_request_key(
            click_key(action, generation, extra, user, bucket - 1)
        )
        if earlier is not None:
            await self._already(interaction, earlier)
            return None
        return click_key(action, generation, extra, user, bucket)

    async def _already(self, interaction: discord.Interaction, gen: Generation) -> None:
        where = ""
        if gen.card_message_id and interaction.guild_id:
            where = (
                f": https://discord.com/channels/{interaction.guild_id}/"
                f"{gen.origin.channel_id}/{gen.card_message_id}"
            )
        await interaction.followup.send(
            f"You already started this a moment ago (#{gen.id}); only one credit was spent{where}",
            ephemeral=True,
        )

    async def _start(
        self,
        interaction,
        room_type: RoomType,
        width,
        height,
        *,
        request_key: str,
        files=(),
        source_of: Generation | None = None,
        reply_to=None,
    ) -> None:
        """Post the job card, then call `generate` with URLs of the card's own attachments."""
        channel = interaction.channel
        card = None
        placeholder = Generation(
            id=None,
            kind=Kind.CREATE,
            room_type=room_type,
            status=Status.PENDING,
            origin=origin_of(interaction),
        )
        try:
            if source_of is not None:
                photo_url, mask_url = await media.fresh_source_urls(
                    self.bot, source_of.source_channel_id, source_of.source_message_id
                )
                source = (source_of.source_channel_id, source_of.source_message_id)
            card = await channel.send(
                embed=render.job_card(placeholder, sandbox=self.sandbox),
                files=list(files),
                reference=reply_to,
                mention_author=False,
            )
            if source_of is None:
                photo_url, mask_url = card.attachments[0].url, card.attachments[1].url
                source = (card.channel.id, card.id)
            gen = await self.service.create(
                photo_url=photo_url,
                mask_url=mask_url,
                width=width,
                height=height,
                room_type=room_type,
                origin=origin_of(interaction),
                request_key=request_key,
                source=source,
                card_message_id=card.id,
            )
        except (LookupError, discord.NotFound):
            await interaction.followup.send(
                "The original photo is gone (its message was deleted); start a new one with "
                "`/exterior create`.",
                ephemeral=True,
            )
            return
        except (RejectedError, OutcomeUnknownError, DuplicateRequest) as exc:
            await self._refused(interaction, card, exc)
            return
        await self._started(interaction, card, gen)

    async def _vary(
        self,
        interaction,
        parent: Generation,
        room_type: RoomType,
        *,
        request_key: str,
        files=(),
        reply_to=None,
    ) -> None:
        placeholder = Generation(
            id=None,
            kind=Kind.VARIATION,
            room_type=room_type,
            status=Status.PENDING,
            origin=origin_of(interaction),
            project_id=parent.project_id,
        )
        card = None
        try:
            photo_url, _ = await media.fresh_source_urls(
                self.bot, parent.source_channel_id, parent.source_message_id
            )
            card = await interaction.channel.send(
                embed=render.job_card(placeholder, sandbox=self.sandbox),
                files=list(files),
                reference=reply_to,
                mention_author=False,
            )
            gen = await self.service.vary(
                parent,
                room_type=room_type,
                original_url=photo_url,
                mask_url=card.attachments[0].url if files else None,
                origin=origin_of(interaction),
                request_key=request_key,
                card_message_id=card.id,
            )
        except (LookupError, discord.NotFound):
            await interaction.followup.send(
                "The original photo is gone (its message was deleted); start a new one with "
                "`/exterior create`.",
                ephemeral=True,
            )
            return
        except (RejectedError, OutcomeUnknownError, DuplicateRequest) as exc:
            await self._refused(interaction, card, exc)
            return
        await self._started(interaction, card, gen)

    async def _refused(self, interaction, card: discord.Message | None, exc: Exception) -> None:
        log.warning("request in channel %s not started: %s", interaction.channel_id, exc)
        if card is not None:
            gen = getattr(exc, "generation", None)
            if isinstance(exc, DuplicateRequest):
                await card.delete()
            elif gen is not None:
                await card.edit(
                    embed=render.job_card(gen, sandbox=self.sandbox, note=friendly(exc))
                )
        await interaction.followup.send(friendly(exc), ephemeral=True)

    async def _started(self, interaction, card: discord.Message, gen: Generation) -> None:
        await card.edit(embed=render.job_card(gen, sandbox=self.sandbox))
        await interaction.followup.send(
            f"Started {render.MARKER}{gen.id} ({gen.room_type.label}); follow it here: "
            f"{card.jump_url}",
            ephemeral=True,
        )


def _normalise(image, size) -> bytes:
    binary, _ = normalise_mask(image, size)
    return encode_png(binary)


async def setup(bot) -> None:
    await bot.add_cog(ExteriorCog(bot))
