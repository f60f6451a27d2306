"""The playground's server: two channels, two members (you, with Manage Server, and a teammate
to switch to) and the bot, made once and then kept (``memory.py``)."""

from __future__ import annotations

from bot.runtime.emulator import DiscordEmulator, WorldNames
from bot.runtime.emulator import permissions as perms

NAMES = WorldNames(owner="you", bot="Exterior", user="sam", guild="Garden club", channel="general")
SECOND_CHANNEL = "garden-ideas"
ROLE = "gardeners"  # yours, not sam's: try `/exterior-admin buttons who:role role:gardeners`
MANAGE_GUILD = 1 << 5


async def furnish(emu: DiscordEmulator) -> None:
    """A new world: the emulator made the server, #general, you (its owner) and sam; add the
    second channel and a role of yours."""
    await emu.add_channel(SECOND_CHANNEL)
    role = emu.state.add_role(emu.guild, ROLE, 0)
    emu.guild.members[emu.owner.id].role_ids.append(role.id)


def members(emu: DiscordEmulator) -> list[dict]:
    """The members as the page lists them; `manage_guild` decides who sees /exterior-admin."""
    guild = emu.guild
    listed = []
    for member in guild.members.values():
        user = member.user
        base = perms.base_permissions(guild, user.id)
        listed.append(
            {
                "id": str(user.id),
                "name": user.global_name or user.username,
                "bot": user.bot,
                "owner": user.id == guild.owner_id,
                "manage_guild": bool(base & MANAGE_GUILD),
            }
        )
    return listed


def roles(emu: DiscordEmulator) -> list[dict]:
    """The roles a command option or a select may name (not @everyone, not the bot's own)."""
    guild = emu.guild
    return [
        {"id": str(r.id), "name": r.name}
        for r in guild.roles.values()
        if r.id != guild.id and not r.managed
    ]


def people(emu: DiscordEmulator) -> list[int]:
    """Who can be you on the page: every member but the bot, the owner first."""
    guild = emu.guild
    humans = [m.user.id for m in guild.members.values() if not m.user.bot]
    return sorted(humans, key=lambda uid: uid != guild.owner_id)


def can_view(emu: DiscordEmulator, channel_id: int, user_id: int) -> bool:
    channel = emu.state.channels.get(channel_id)
    if channel is None:
        return False
    return bool(emu.state.permissions(channel, user_id) & perms.VIEW_CHANNEL)
