"""Helpers for the teams tests: members with roles, admin commands, followup text."""

from __future__ import annotations

from bot.runtime.emulator import permissions as perms

MANAGE_GUILD = 1 << 5


def add_member_with_role(emulator, name: str, role_name: str, permissions: int = 0):
    """A role and a member holding it, created before the bot starts (so GUILD_CREATE
    carries both)."""
    state = emulator.state
    role = state.add_role(emulator.guild, role_name, permissions or perms.EVERYONE_DEFAULT)
    user = state.add_user(name)
    state.add_member(emulator.guild, user, [role.id])
    return user, role


async def admin(emulator, sub: str, options=None, *, user=None):
    """/exterior-admin <sub> as the server owner (or `user`); returns the first answer."""
    handle = await emulator.slash_command(
        "exterior-admin", options or {}, subcommand=sub, user=user or emulator.owner
    )
    return handle, await answer_text(handle)


async def answer_text(handle, timeout: float = 10.0) -> str:
    """What the user read: the direct reply, or the first followup after a deferral."""
    first = await handle.wait_response(timeout=timeout)
    if first.type == 4:  # a message straight away
        return (first.data or {}).get("content", "")
    followup = await handle.wait_followup(timeout=timeout)
    parts = [followup.get("content") or ""]
    for embed in followup.get("embeds", []):
        parts += [embed.get("title", "")]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)
