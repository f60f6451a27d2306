"""Share with client: a private answer with a signed link to the design's client page.

Only for those who may press the card's buttons (the server's buttons policy) and only when
the bot has a public address. Pressing again gives the same link back, with how often it was
opened; Revoke ends it, Refresh counts again. The page's pictures are the bot's own copies:
the photo is read here from the bot's own message (Discord's URLs expire), the results by the
core (bot/service/client/links.py).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import discord
from discord.ext import commands

from bot.domain import ClientLink, Generation, Status
from bot.images.decode import ImageError
from bot.teams.policy import may_press
from cogs.i18n import t, tr
from cogs.i18n.errors import friendly
from cogs.shared import media
from cogs.shared.buttons import client_link_view
from cogs.shared.gates import refusal_text, role_ids
from cogs.shared.visibility import visible

log = logging.getLogger(__name__)
PICTURE_MAX_BYTES = 64 * 1024 * 1024


def ago(when: datetime, now: datetime, locale) -> str:
    """ "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago"."""
    seconds = max(0.0, (now - when).total_seconds())
    if seconds < 60:
        return t(locale, "client.ago_now")
    if seconds < 3600:
        return t(locale, "client.ago_minutes", n=int(seconds // 60))
    if seconds < 86400:
        return t(locale, "client.ago_hours", n=int(seconds // 3600))
    if seconds < 2 * 86400:
        return t(locale, "client.ago_yesterday")
    return t(locale, "client.ago_days", n=int(seconds // 86400))


def opened_text(link: ClientLink, now: datetime, locale) -> str:
    """ "not opened yet", "opened once, just now", "opened 3 times, last yesterday"."""
    if not link.opened_count or link.last_opened_at is None:
        return t(locale, "client.not_opened")
    last = ago(link.last_opened_at, now, locale)
    if link.opened_count == 1:
        return t(locale, "client.opened_once", last=last)
    return t(locale, "client.opened", count=link.opened_count, last=last)


class ClientCog(commands.Cog, name="Client"):
    def __init__(self, bot) -> None:
        self.bot = bot
        self.links = bot.core.client_links

    async def cog_load(self) -> None:
        self.bot.actions.offer(
            self, client=self.share, client_refresh=self.refresh, client_revoke=self.revoke
        )

    async def cog_unload(self) -> None:
        self.bot.actions.withdraw(self)

    async def share(self, interaction: discord.Interaction, generation: int | str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        if not self.links.available:
            await interaction.followup.send(tr(interaction, "client.unavailable"), ephemeral=True)
            return
        gen = await visible(self.bot.core, interaction, str(generation))
        if gen is None:
            return
        policy = await self.bot.core.teams.policy(interaction.guild_id)
        refusal = may_press(policy, interaction.user.id, gen.origin.user_id, role_ids(interaction))
        if refusal is not None:
            await interaction.followup.send(refusal_text(interaction, refusal), ephemeral=True)
            return
        if gen.status is not Status.SUCCEEDED:
            await interaction.followup.send(tr(interaction, "client.unfinished"), ephemeral=True)
            return
        link = await self.links.live_for(gen, interaction.user.id)
        if link is None:
            try:
                link = await self.links.create(
                    gen, user_id=interaction.user.id, server_name=_guild_name(interaction),
                    locale=str(interaction.locale) if interaction.locale else None,
                    photo=await self._photo(gen), posted=self._posted,
                )  # fmt: skip
            except (LookupError, discord.NotFound):
                await interaction.followup.send(tr(interaction, "client.gone"), ephemeral=True)
                return
            except ImageError as exc:
                await interaction.followup.send(friendly(exc, interaction.locale), ephemeral=True)
                return
            log.info("client link %s… made for generation %s", link.id[:6], gen.id)
        await interaction.followup.send(
            self._text(link, gen, interaction.locale),
            view=client_link_view(link.id, self.links.url(link), interaction.locale),
            ephemeral=True,
        )

    async def refresh(self, interaction: discord.Interaction, link_id: str) -> None:
        link = await self._mine(interaction, link_id)
        if link is None:
            return
        gen = await self.bot.core.service.get(link.generation_id)
        if not link.live(datetime.now(UTC)) or gen is None:
            await interaction.response.edit_message(
                content=tr(interaction, "client.ended", opened=self._opened(link, interaction)),
                view=None,
            )
            return
        await interaction.response.edit_message(
            content=self._text(link, gen, interaction.locale),
            view=client_link_view(link.id, self.links.url(link), interaction.locale),
        )

    async def revoke(self, interaction: discord.Interaction, link_id: str) -> None:
        link = await self._mine(interaction, link_id)
        if link is None:
            return
        await self.links.revoke(link.id)
        link = await self.links.get(link.id) or link
        await interaction.response.edit_message(
            content=tr(interaction, "client.revoked", opened=self._opened(link, interaction)),
            view=None,
        )

    # -- helpers ---------------------------------------------------------------------------------

    async def _mine(self, interaction: discord.Interaction, link_id: str) -> ClientLink | None:
        """The link, if this member made it (or manages the server); else they are told."""
        link = await self.links.get(link_id)
        perms = interaction.permissions
        allowed = link is not None and link.guild_id == interaction.guild_id and (
            link.created_by == interaction.user.id or perms.manage_guild or perms.administrator
        )  # fmt: skip
        if not allowed:
            await interaction.response.send_message(
                tr(interaction, "client.not_yours"), ephemeral=True
            )
            return None
        return link

    def _opened(self, link: ClientLink, interaction: discord.Interaction) -> str:
        return opened_text(link, datetime.now(UTC), interaction.locale)

    def _text(self, link: ClientLink, gen: Generation, locale) -> str:
        room = t(locale, f"room.{gen.room_type.value}")
        return t(
            locale, "client.link", id=gen.id, type=room, url=self.links.url(link),
            until=f"<t:{int(link.expires_at.timestamp())}:D>",
            opened=opened_text(link, datetime.now(UTC), locale),
        )  # fmt: skip

    async def _photo(self, gen: Generation) -> bytes:
        """The original photo, from the bot's own copy (its message's fresh URL)."""
        photo_url, _ = await media.fresh_source_urls(
            self.bot, gen.source_channel_id or 0, gen.source_message_id or 0
        )
        return await self.bot.core.downloads.fetch(photo_url, "photo", max_bytes=PICTURE_MAX_BYTES)

    async def _posted(self, gen: Generation) -> list[bytes]:
        """A result's pictures as posted (when the API's URLs died): its result message's."""
        channel = self.bot.get_channel(gen.origin.channel_id or 0) or (
            await self.bot.fetch_channel(gen.origin.channel_id or 0)
        )
        message = await channel.fetch_message(gen.result_message_id or 0)
        ours = f"exterior-{gen.id}-"
        return [
            await media.read_attachment(self.bot.core.downloads, a, "result")
            for a in message.attachments
            if a.filename.startswith(ours)
        ]


def _guild_name(interaction: discord.Interaction) -> str | None:
    return interaction.guild.name if interaction.guild else None


async def setup(bot) -> None:
    await bot.add_cog(ClientCog(bot))
