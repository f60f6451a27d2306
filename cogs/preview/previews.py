"""Private previews before any credit is spent, and the Discord side of the mask studio.

A preview is an ephemeral message: the photo with the area overlaid, what will be built, and
"Generate (1 credit)" / "Edit in studio" / "Cancel". Its state is a draft in the database, so
the buttons work after a restart; "Generate" claims the draft once, then the flow is exactly a
create with an attached mask (commands/jobs.py). Studio submissions arrive through the launcher this
cog registers with the draft service.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import discord
from discord.ext import commands

from bot.domain import Draft, Kind, Message, RoomType, Status
from bot.images.decode import ImageError
from bot.service.studio.drafts import CANCELLED, DraftGone, LaunchFailed
from bot.teams.policy import Policy
from cogs.commands.jobs import Jobs
from cogs.i18n import t, tr
from cogs.i18n.errors import friendly
from cogs.shared import media
from cogs.shared.buttons import preview_view, studio_link_view
from cogs.shared.gates import button_gate, spend_gate

log = logging.getLogger(__name__)


@dataclass
class _Person:
    id: int
    name: str | None

    def __str__(self) -> str:
        return self.name or str(self.id)


@dataclass
class StudioVisit:
    """Stands in for the interaction when a studio submission starts the work: same channel,
    same user; what the user would have read privately is kept for the studio page."""

    channel: discord.abc.Messageable
    channel_id: int
    guild_id: int | None
    user: _Person
    notes: list[str] = field(default_factory=list)
    locale: str | None = None  # the studio link's (the user's language when it was made)
    guild_locale: str | None = None

    @property
    def followup(self) -> StudioVisit:
        return self

    async def send(self, content: str = "", **_: object) -> None:
        self.notes.append(content)


class PreviewCog(commands.Cog, name="Preview"):
    def __init__(self, bot) -> None:
        self.bot = bot
        self.drafts = bot.core.drafts
        self.service = bot.core.service
        self.jobs = Jobs(bot)

    async def cog_load(self) -> None:
        self.drafts.launcher = self.launch
        self.bot.actions.offer(
            self, preview_show=self.show, preview_go=self.generate, preview_cancel=self.cancel,
            studio=self.studio_for,
        )  # fmt: skip

    async def cog_unload(self) -> None:
        self.drafts.launcher = None
        self.bot.actions.withdraw(self)

    async def show(
        self,
        interaction: discord.Interaction,
        photo: bytes,
        room_type: RoomType,
        *,
        mask: bytes | None = None,
        painted: bytes | None = None,
    ) -> None:
        """Answer the (deferred, ephemeral) create with a preview; nothing is spent."""
        try:
            draft, overlay, found = await self.drafts.preview(
                photo=photo, room_type=room_type, guild_id=interaction.guild_id,
                channel_id=interaction.channel_id, user_id=interaction.user.id,
                user_name=str(interaction.user), mask=mask, painted=painted,
            )  # fmt: skip
        except ImageError as exc:
            await interaction.followup.send(friendly(exc, interaction.locale), ephemeral=True)
            return
        link = self.drafts.studio_link(draft, interaction.locale)
        expires = int(draft.expires_at.timestamp())
        room = tr(interaction, f"room.{room_type.value}")
        if draft.source == "none":  # nothing to suggest: the studio is the way on
            await interaction.followup.send(
                tr(interaction, "preview.nothing_found", type=room),
                file=media.file(overlay, "photo.jpg"),
                view=preview_view(draft.id, link, generate=False, locale=interaction.locale),
                ephemeral=True,
            )
            return
        if found is None:
            source = tr(interaction, f"preview.source.{draft.source}")
        else:  # what was found, in round figures: the outline on the picture says the rest
            share = Message(f"preview.found.{found.kind}", {"share": round(found.share * 20) / 20})
            source = tr(interaction, "preview.source.suggested_found", found=share)
        text = tr(
            interaction,
            "preview.text_studio" if link else "preview.text",
            source=source,
            type=room,
            expires=f"<t:{expires}:R>",
        )
        unsure = found is not None and not found.sure
        if unsure:  # say so first, and put the studio before Generate
            text = tr(interaction, "preview.unsure" if link else "preview.unsure_no_studio") + (
                "\n" + text
            )
        await interaction.followup.send(
            text,
            file=media.file(overlay, "preview.jpg"),
            view=preview_view(draft.id, link, studio_first=unsure, locale=interaction.locale),
            ephemeral=True,
        )

    # -- buttons -------------------------------------------------------------------------------

    async def generate(self, interaction: discord.Interaction, draft_id: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        policy = await spend_gate(interaction)  # before the claim: a refusal keeps the draft
        if policy is None:
            return
        try:
            draft = await self.drafts.claim(draft_id, interaction.user.id)
        except DraftGone as exc:
            await interaction.followup.send(exc.render(interaction.locale), ephemeral=True)
            return
        try:
            started = await self._start(interaction, draft, policy)
        except BaseException:
            await self.drafts.release(draft_id)  # it failed before spending: usable again
            raise
        if not started:  # refused before anything was spent (told why): Generate works again
            await self.drafts.release(draft_id)

    async def cancel(self, interaction: discord.Interaction, draft_id: str) -> None:
        outcome = await self.drafts.cancel(draft_id, interaction.user.id)
        text = outcome.render(interaction.locale)
        if outcome == CANCELLED:  # the preview itself says so; its buttons go away
            await interaction.response.edit_message(content=text, attachments=[], view=None)
        else:
            await interaction.response.send_message(text, ephemeral=True)

    async def studio_for(self, interaction: discord.Interaction, generation: int) -> None:
        """ "Edit mask & vary": a fresh private studio link for this result."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        # the same door as every other paid button: a channel they see, the buttons policy
        allowed = await button_gate(interaction, generation)
        if allowed is None:
            return
        parent, _ = allowed
        if parent.status is not Status.SUCCEEDED or not self.drafts.studio_reachable:
            await interaction.followup.send(tr(interaction, "preview.not_editable"), ephemeral=True)
            return
        try:
            photo_url, mask_url = await media.fresh_source_urls(
                self.bot, parent.source_channel_id, parent.source_message_id
            )
            downloads = self.bot.core.downloads  # Discord's hosts only, capped
            photo = await downloads.fetch(photo_url, "photo")
            mask = await downloads.fetch(mask_url, "mask") if mask_url else None
            draft = await self.drafts.for_variation(
                parent, photo, mask, user_id=interaction.user.id,
                user_name=str(interaction.user), channel_id=interaction.channel_id,
            )  # fmt: skip
        except (LookupError, discord.NotFound):
            await interaction.followup.send(tr(interaction, "jobs.gone"), ephemeral=True)
            return
        except ImageError as exc:
            await interaction.followup.send(friendly(exc, interaction.locale), ephemeral=True)
            return
        await interaction.followup.send(
            tr(interaction, "preview.studio_link", id=parent.id),
            view=studio_link_view(
                self.drafts.studio_link(draft, interaction.locale) or "", interaction.locale
            ),
            ephemeral=True,
        )

    # -- starting the work ---------------------------------------------------------------------

    async def launch(self, draft: Draft, locale: str | None = None) -> str:
        """A studio submission: continue in the channel as if the mask had been attached; what
        the user reads (on the page) is in `locale`'s language."""
        channel = self.bot.get_channel(draft.channel_id) or await self.bot.fetch_channel(
            draft.channel_id
        )
        visit = StudioVisit(
            channel,
            draft.channel_id,
            draft.guild_id,
            _Person(draft.user_id, draft.user_name),
            locale=locale,
        )
        try:
            # the page's submit: the server's limits still hold (checked with the intent)
            policy = await self.bot.core.teams.policy(draft.guild_id)
            started = await self._start(visit, draft, policy)
        except discord.HTTPException as exc:  # before the paid call: the card could not be posted
            log.warning("studio draft %s not started in %s: %s", draft.id, draft.channel_id, exc)
            raise LaunchFailed(friendly(exc, locale)) from exc
        said = _for_a_web_page("\n".join(visit.notes))
        if not started:  # refused (a limit, the API): nothing spent, the draft stays usable
            raise LaunchFailed(said, status=409)
        return said or t(locale, "preview.started")

    async def _start(self, asker, draft: Draft, policy: Policy) -> bool:
        """Whether the work went ahead (see Jobs._launch); the draft's id keys the request, so
        a second submission of one draft never pays twice, whatever happened to the first."""
        mask = media.file(draft.mask, "mask.png")
        key = f"draft:{draft.id}"
        if draft.kind is Kind.VARIATION:
            parent = await self.service.get(draft.parent_id or 0)
            if parent is None:
                await asker.followup.send(tr(asker, "exterior.parent_gone"), ephemeral=True)
                return False
            return await self.jobs.vary(
                asker, parent, draft.room_type, files=[mask], dedupe=False, policy=policy,
                request_key=key,
            )  # fmt: skip
        guild = self.bot.get_guild(draft.guild_id or 0)
        limit = guild.filesize_limit if guild else media.DEFAULT_LIMIT
        try:
            photo, name = await media.fit_same_size(draft.photo, draft.photo_name, limit)
        except ImageError as exc:
            await asker.followup.send(friendly(exc, getattr(asker, "locale", None)), ephemeral=True)
            return False
        return await self.jobs.create(
            asker, draft.room_type, draft.width, draft.height,
            files=[media.file(photo, name), mask], request_key=key, policy=policy,
        )  # fmt: skip


def _for_a_web_page(text: str) -> str:
    """Discord's timestamps (`<t:…:f>`) mean nothing on the studio page: a UTC date instead."""
    text = re.sub(r"\s*\(<t:\d+:R>\)", "", text)
    return re.sub(
        r"<t:(\d+):\w>",
        lambda m: datetime.fromtimestamp(int(m[1]), UTC).strftime("%Y-%m-%d %H:%M UTC"),
        text,
    )


async def setup(bot) -> None:
    await bot.add_cog(PreviewCog(bot))
