"""Who may see which generation, and whether the bot may post where it is asked to.

Both answer the user themselves (privately) when the answer is no, so a caller just stops.
"""

from __future__ import annotations

import discord

from bot.domain import Generation
from cogs.i18n import tr

NEEDED = ("view_channel", "send_messages", "attach_files", "embed_links", "read_message_history")


def missing_permissions(interaction: discord.Interaction) -> list[str]:
    perms = interaction.app_permissions
    needed = list(NEEDED)
    if isinstance(interaction.channel, discord.Thread):  # threads have their own send right
        needed[needed.index("send_messages")] = "send_messages_in_threads"
    return [name.replace("_", " ").title() for name in needed if not getattr(perms, name)]


def can_view(interaction: discord.Interaction, channel_id: int | None) -> bool:
    """Whether the user behind `interaction` may view `channel_id` (same guild assumed)."""
    if channel_id is None:
        return False
    if channel_id == interaction.channel_id:
        return True  # they are acting in it
    guild, member = interaction.guild, interaction.user
    channel = guild.get_channel_or_thread(channel_id) if guild else None
    if channel is None or not isinstance(member, discord.Member):
        return False  # unknown to the bot: better refuse than leak
    if isinstance(channel, discord.Thread) and channel.is_private():
        return False  # membership of private threads is not in the cache
    return channel.permissions_for(member).view_channel


async def can_post(interaction: discord.Interaction) -> bool:
    """Whether the bot may post its cards here; if not, the user is told (the first answer)."""
    missing = missing_permissions(interaction)
    if missing:
        key = "exterior.missing_permissions" if len(missing) > 1 else "exterior.missing_permission"
        await interaction.response.send_message(
            tr(interaction, key, names=", ".join(missing)), ephemeral=True
        )
    return not missing


async def visible(core, interaction: discord.Interaction, ident: str) -> Generation | None:
    """The generation `ident` (#12, 12) if this user may see it; else None, once they are told
    it is unknown (the interaction is deferred)."""
    gen = await core.service.find(ident)
    # Only this server's generations (CLI ones have none), and only from channels the user
    # can view: numbers are sequential, so anyone could guess a private channel's.
    if (
        gen is None
        or gen.origin.guild_id != interaction.guild_id
        or not can_view(interaction, gen.origin.channel_id)
    ):
        await interaction.followup.send(
            tr(interaction, "exterior.unknown_generation", ident=ident), ephemeral=True
        )
        return None
    return gen
