"""`/exterior create | vary | history | show | queue | client-link | credits` and the button
callbacks.

Every command acknowledges at once (defer) and does the rest through the channel with the bot
token, because interaction tokens die after 15 minutes and generations can take longer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain import Kind, RoomType, Status
from bot.images.decode import ImageError, prepare_pair
from bot.teams.policy import Policy
from bot.teams.usecases import decode_filters, encode_filters
from cogs.cards import card as cards
from cogs.cards import posting, render
from cogs.commands.jobs import Jobs
from cogs.i18n import tr
from cogs.i18n.errors import friendly
from cogs.shared import media
from cogs.shared.buttons import history_view, is_ours
from cogs.shared.gates import button_gate, spend_gate
from cogs.shared.visibility import can_post, visible

log = logging.getLogger(__name__)


class ExteriorCog(commands.Cog, name="Exterior"):
    exterior = app_commands.Group(
        name="exterior", description="Visualise a terrace, pool or pétanque court", guild_only=True
    )

    def __init__(self, bot) -> None:
        self.bot = bot
        self.service = bot.core.service
        self.sandbox = bot.core.sandbox is not None
        self.jobs = Jobs(bot)
        self.downloads = bot.core.downloads

    async def cog_load(self) -> None:
        self.bot.actions.offer(
            self, vary=self.vary_from_button, retry=self.retry_from_button,
            history=self.history_page, start_variation=self.jobs.vary,
        )  # fmt: skip

    async def cog_unload(self) -> None:
        self.bot.actions.withdraw(self)

    # -- slash commands ----------------------------------------------------------------------

    @exterior.command(name="create", description="Turn a garden photo into a new exterior")
    @app_commands.describe(
        photo="The garden photo (jpg or png)",
        type="What to build",
        mask="Same size as the photo: white where the new exterior goes, black elsewhere",
        painted="The photo with the area to change scribbled over in a bright colour",
    )
    async def create(
        self,
        interaction: discord.Interaction,
        photo: discord.Attachment,
        type: RoomType,
        mask: discord.Attachment | None = None,
        painted: discord.Attachment | None = None,
    ) -> None:
        """With a mask: a job card at once. With a painted photo or neither: a private preview
        first (and always when the server asks for previews)."""
        if mask is not None and painted is not None:
            await interaction.response.send_message(
                tr(interaction, "exterior.mask_or_painted"), ephemeral=True
            )
            return
        if not await can_post(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        policy = await spend_gate(interaction)
        if policy is None:
            return
        try:
            read = media.read_attachment
            photo_data = await read(self.downloads, photo, "photo")
            mask_data = await read(self.downloads, mask, "mask") if mask else None
            painted_data = await read(self.downloads, painted, "painted photo") if painted else None
        except ImageError as exc:
            await interaction.followup.send(friendly(exc, interaction.locale), ephemeral=True)
            return
        if mask_data is None or await self.bot.core.drafts.always_preview(interaction.guild_id):
            await self.bot.actions.run(
                "preview_show", interaction, photo_data, type, mask=mask_data, painted=painted_data
            )
            return
        await self._create_now(interaction, photo_data, mask_data, type, policy)

    async def _create_now(
        self,
        interaction: discord.Interaction,
        photo_data: bytes,
        mask_data: bytes,
        type: RoomType,
        policy: Policy,
    ) -> None:
        try:
            pair = await asyncio.to_thread(prepare_pair, photo_data, mask_data)
            # the bot re-posts the photo as its own copy: it must fit this server's limit
            limit = interaction.guild.filesize_limit if interaction.guild else media.DEFAULT_LIMIT
            photo_bytes, photo_name = await media.fit_same_size(
                pair.photo, f"photo.{pair.photo_format}", limit
            )
        except ImageError as exc:
            await interaction.followup.send(friendly(exc, interaction.locale), ephemeral=True)
            return
        await self.jobs.create(
            interaction,
            type,
            pair.width,
            pair.height,
            files=[
                media.file(photo_bytes, photo_name),
                media.file(pair.mask, "mask.png"),
            ],
            request_key=f"create:{interaction.id}",
            policy=policy,
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
        if not await can_post(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        parent = await visible(self.bot.core, interaction, generation)
        if parent is None:
            return
        policy = await spend_gate(interaction)
        if policy is None:
            return
        files = []
        if mask is not None:
            try:
                files = [await media.vary_mask(self.downloads, mask, parent)]
            except ImageError as exc:
                await interaction.followup.send(friendly(exc, interaction.locale), ephemeral=True)
                return
        await self.jobs.vary(interaction, parent, type, files=files, dedupe=False, policy=policy)

    @exterior.command(name="history", description="This channel's generations, newest first")
    @app_commands.describe(
        page="Page number (1 is the newest)",
        mine="Only the ones I asked for",
        type="Only this type",
        status="Only in this state",
    )
    async def history(
        self,
        interaction: discord.Interaction,
        page: int = 1,
        mine: bool = False,
        type: RoomType | None = None,
        status: Literal["done", "failed", "running", "unknown"] | None = None,
    ) -> None:
        await interaction.response.defer()  # a busy database must not cost the 3 seconds
        filters = encode_filters(interaction.user.id if mine else None, type, status)
        await self._history(interaction, page - 1, filters, edit=False)

    async def _history(self, interaction, page: int, filters: str, *, edit: bool) -> None:
        user_id, room_type, status = decode_filters(filters)
        found = await self.bot.core.teams.history(
            interaction.channel_id, page, user_id=user_id, room_type=room_type, status=status
        )
        embed = render.history_embed(
            found.generations, found.page, found.pages, interaction.guild_id, interaction.locale
        )
        view = history_view(found.page, found.pages, filters)
        if edit:
            await interaction.edit_original_response(embed=embed, view=view)
        else:
            await interaction.followup.send(embed=embed, view=view)

    @exterior.command(name="show", description="Post a result again, with its buttons")
    @app_commands.describe(generation="Its number (#12) from the card or history")
    async def show(self, interaction: discord.Interaction, generation: str) -> None:
        await interaction.response.defer(thinking=True)
        gen = await visible(self.bot.core, interaction, generation)
        if gen is None:
            return
        if not gen.status.is_terminal and gen.generation_id and gen.status is not Status.UNKNOWN:
            gen = await self.service.refresh(gen)
        if gen.status is not Status.SUCCEEDED:
            await interaction.followup.send(embed=render.job_card(gen, sandbox=self.sandbox))
            return
        try:
            files = await posting.result_files(self.bot.core, gen, interaction.channel)
        except ImageError as exc:
            await interaction.followup.send(friendly(exc, interaction.locale))
            return
        family = cards.family_text(await self.service.family(gen), gen.id, gen.origin.locale)
        await interaction.followup.send(
            view=await posting.result_view(self.bot.core, gen, files, family=family), files=files
        )

    @exterior.command(name="queue", description="This server's running and queued generations")
    async def queue(self, interaction: discord.Interaction) -> None:
        await self.bot.actions.run("queue_show", interaction)

    @exterior.command(name="client-link", description="A private link to show a result to a client")
    @app_commands.describe(generation="Its number (#12) from the card or history")
    async def client_link(self, interaction: discord.Interaction, generation: str) -> None:
        await self.bot.actions.run("client", interaction, generation)

    @exterior.command(name="credits", description="Photo credits left and this server's spend")
    async def credits(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        _, report, hint = await self.bot.core.teams.credits(interaction.guild_id)
        embed = render.credits_embed(interaction.locale, report, hint, sandbox=self.sandbox)
        await interaction.followup.send(embed=embed, ephemeral=True)

    # -- buttons -----------------------------------------------------------------------------

    async def vary_from_button(
        self, interaction: discord.Interaction, parent_id: int, room_type: RoomType
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        allowed = await button_gate(interaction, parent_id)
        if allowed is not None:
            parent, policy = allowed
            await self.jobs.vary(
                interaction, parent, room_type, reply_to=interaction.message, policy=policy
            )

    async def retry_from_button(self, interaction: discord.Interaction, failed_id: int) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        allowed = await button_gate(interaction, failed_id)
        if allowed is None:
            return
        failed, policy = allowed
        if failed.kind is Kind.VARIATION and failed.parent_id:
            # the same variation again: same parent, same type, and its own new mask if it had one
            parent = await self.service.get(failed.parent_id)
            if parent is None:
                await interaction.followup.send(
                    tr(interaction, "exterior.parent_gone"), ephemeral=True
                )
                return
            files = []
            if failed.mask_url != parent.mask_url:  # it had a mask of its own
                try:
                    files = await media.mask_files_of(self.bot, failed)
                except LookupError:
                    await interaction.followup.send(
                        tr(interaction, "exterior.mask_gone"), ephemeral=True
                    )
                    return
            await self.jobs.vary(
                interaction, parent, failed.room_type, files=files,
                reply_to=interaction.message, policy=policy,
            )  # fmt: skip
            return
        await self.jobs.create(
            interaction,
            failed.room_type,
            failed.width,
            failed.height,
            source_of=failed,
            reply_to=interaction.message,
            policy=policy,
        )

    async def history_page(self, interaction: discord.Interaction, page: int, filters="") -> None:
        await interaction.response.defer()  # the page is edited in place once read
        await self._history(interaction, page, filters, edit=True)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Old or foreign buttons get an answer too, never "This interaction failed"."""
        if interaction.type is not discord.InteractionType.component:
            return
        custom_id = (interaction.data or {}).get("custom_id", "")
        if not is_ours(custom_id) and not interaction.response.is_done():
            await interaction.response.send_message(
                tr(interaction, "exterior.old_button"), ephemeral=True
            )


async def setup(bot) -> None:
    await bot.add_cog(ExteriorCog(bot))
