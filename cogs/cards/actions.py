"""What a result card's buttons do besides varying: Before / after, New mask…, History.

Before / after answers privately (only the clicker sees it) with a "Post to channel" button;
New mask… opens a modal whose file is checked like an attached mask and re-hosted at once.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord.ext import commands

from bot.domain import RoomType
from bot.images.compare import side_by_side
from bot.images.decode import ImageError
from bot.images.errors import NoResultToCompare
from cogs.cards import card as cards
from cogs.cards import render
from cogs.cards.check_again import check_again
from cogs.i18n import t, tr
from cogs.i18n.errors import friendly, reply_error
from cogs.shared import media
from cogs.shared.buttons import CardButton
from cogs.shared.gates import button_gate
from cogs.shared.visibility import can_post, visible

log = logging.getLogger(__name__)
PHOTO_MAX_BYTES = 64 * 1024 * 1024


class NewMaskModal(discord.ui.Modal):
    def __init__(self, cog: CardsCog, generation: int, opened_by: int, locale=None) -> None:
        # one id per opening: two people's forms for the same result must not share one
        custom_id = f"exterior:newmask:{generation}:{opened_by}"
        super().__init__(title=t(locale, "cards.modal_title", id=generation), custom_id=custom_id)
        self.cog, self.generation = cog, generation
        self.upload = discord.ui.FileUpload(custom_id="mask", min_values=1, max_values=1)
        self.room = discord.ui.Select(
            custom_id="type",
            options=[
                discord.SelectOption(
                    label=t(locale, f"room.{kind.value}").capitalize(),
                    value=kind.value,
                    default=i == 0,
                )
                for i, kind in enumerate((RoomType.POOL, RoomType.TERRACE, RoomType.PETANQUE))
            ],
        )
        self.add_item(
            discord.ui.Label(
                text=t(locale, "cards.modal_mask"),
                description=t(locale, "cards.modal_mask_hint"),
                component=self.upload,
            )
        )
        self.add_item(discord.ui.Label(text=t(locale, "cards.modal_type"), component=self.room))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        room = RoomType(self.room.values[0]) if self.room.values else RoomType.POOL
        await self.cog.vary_with_new_mask(interaction, self.generation, room, self.upload.values)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        log.error("new-mask modal of generation %s failed", self.generation, exc_info=error)
        await reply_error(interaction, error)


class CardsCog(commands.Cog, name="Cards"):
    def __init__(self, bot) -> None:
        self.bot = bot
        self.service = bot.core.service
        self._opened: set[str] = set()  # custom_ids of the forms this process opened

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A form opened before a restart has nobody waiting for it: say so, not "failed"."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        custom_id = (interaction.data or {}).get("custom_id", "")
        if custom_id.startswith("exterior:newmask:") and custom_id not in self._opened:
            await interaction.response.send_message(
                tr(interaction, "cards.form_expired"), ephemeral=True
            )

    async def cog_load(self) -> None:
        self.bot.actions.offer(
            self, card_compare=self.before_after, card_share=self.share,
            card_newmask=self.open_new_mask, card_family=self.family, check=check_again,
        )  # fmt: skip

    async def cog_unload(self) -> None:
        self.bot.actions.withdraw(self)

    async def before_after(self, interaction: discord.Interaction, row_id: int) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        gen = await visible(self.bot.core, interaction, str(row_id))
        if gen is None:
            return
        try:
            photo_url, _ = await media.fresh_source_urls(
                self.bot, gen.source_channel_id, gen.source_message_id
            )
            photo = await self.bot.core.downloads.fetch(
                photo_url, "photo", max_bytes=PHOTO_MAX_BYTES
            )
            result = await self._result_bytes(interaction, gen)
        except (LookupError, discord.NotFound):
            await interaction.followup.send(tr(interaction, "jobs.gone"), ephemeral=True)
            return
        limit = interaction.filesize_limit
        picture = await asyncio.to_thread(side_by_side, photo, result, limit)
        view = discord.ui.View(timeout=None).add_item(
            CardButton("share", gen.id, locale=interaction.locale)
        )
        await interaction.followup.send(
            tr(interaction, "cards.before_after", id=gen.id),
            file=media.file(picture.data, f"before-after-{gen.id}.jpg"),
            view=view,
            ephemeral=True,
        )

    async def _result_bytes(self, interaction: discord.Interaction, gen) -> bytes:
        """The first result as the card shows it (its own upload, freshly signed)."""
        message = interaction.message
        ours = f"exterior-{gen.id}-"  # the card's own upload, first image (a re-post's too)
        images = [
            a for a in (message.attachments if message else []) if a.filename.startswith(ours)
        ]
        if images:
            return await media.read_attachment(self.bot.core.downloads, images[0], "result")
        if not gen.result_urls:
            raise NoResultToCompare()
        return await self.bot.core.downloads.fetch(
            gen.result_urls[0], "result", max_bytes=PHOTO_MAX_BYTES
        )

    async def share(self, interaction: discord.Interaction, row_id: int) -> None:
        """Post the private before / after (the clicked message's picture) to the channel."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        message = interaction.message
        if message is None or not message.attachments:
            await interaction.followup.send(tr(interaction, "cards.picture_gone"), ephemeral=True)
            return
        data = await media.read_attachment(
            self.bot.core.downloads, message.attachments[0], "picture"
        )
        posted = await interaction.channel.send(
            f"Before / after of {render.MARKER}{row_id}, shared by {interaction.user.mention}",
            file=media.file(data, message.attachments[0].filename),
        )
        await interaction.followup.send(
            tr(interaction, "cards.posted", link=posted.jump_url), ephemeral=True
        )

    async def family(self, interaction: discord.Interaction, row_id: int) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        gen = await visible(self.bot.core, interaction, str(row_id))
        if gen is None:
            return
        text = cards.family_text(await self.service.family(gen), gen.id, interaction.locale)
        await interaction.followup.send(text, ephemeral=True)

    async def open_new_mask(self, interaction: discord.Interaction, row_id: int) -> None:
        # The modal is the first answer (within 3 s, nothing slow before it); checks follow.
        modal = NewMaskModal(self, row_id, interaction.id, interaction.locale)
        self._opened.add(modal.custom_id)
        await interaction.response.send_modal(modal)

    async def vary_with_new_mask(
        self,
        interaction: discord.Interaction,
        row_id: int,
        room: RoomType,
        uploads: list[discord.Attachment],
    ) -> None:
        if not await can_post(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        # "New mask…" is an Edit button on someone's result: the buttons policy holds
        allowed = await button_gate(interaction, row_id)
        if allowed is None:
            return
        parent, policy = allowed
        if not uploads:
            await interaction.followup.send(tr(interaction, "cards.attach_mask"), ephemeral=True)
            return
        try:
            mask = await media.vary_mask(self.bot.core.downloads, uploads[0], parent)
        except ImageError as exc:
            await interaction.followup.send(friendly(exc, interaction.locale), ephemeral=True)
            return
        # the card re-hosts the mask at once: the upload's own URL expires
        await self.bot.actions.run(
            "start_variation", interaction, parent, room, files=[mask],
            reply_to=interaction.message, dedupe=False, policy=policy,
        )  # fmt: skip


async def setup(bot) -> None:
    await bot.add_cog(CardsCog(bot))
