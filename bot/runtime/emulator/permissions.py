"""Discord permission bits and the channel-permission computation Discord documents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Channel, Guild

CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
SEND_TTS_MESSAGES = 1 << 12
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
CHANGE_NICKNAME = 1 << 26
USE_APPLICATION_COMMANDS = 1 << 31
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL = (1 << 53) - 1

EVERYONE_DEFAULT = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)
BOT_ROLE_DEFAULT = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_APPLICATION_COMMANDS
)
# Without SEND_MESSAGES these are implicitly denied too.
_SEND_DEPENDENT = MENTION_EVERYONE | SEND_TTS_MESSAGES | ATTACH_FILES | EMBED_LINKS

OVERWRITE_ROLE = 0
OVERWRITE_MEMBER = 1


def base_permissions(guild: Guild, user_id: int) -> int:
    """Guild-level permissions of a member (owner and administrators get everything)."""
    if user_id == guild.owner_id:
        return ALL
    member = guild.members[user_id]
    perms = guild.roles[guild.id].permissions
    for role_id in member.role_ids:
        perms |= guild.roles[role_id].permissions
    return ALL if perms & ADMINISTRATOR else perms


def channel_permissions(guild: Guild, channel: Channel, user_id: int) -> int:
    """Permissions of ``user_id`` in ``channel`` after applying the channel's overwrites."""
    perms = base_permissions(guild, user_id)
    if perms & ADMINISTRATOR:
        return ALL
    member = guild.members[user_id]
    by_target = {(o["type"], int(o["id"])): o for o in channel.overwrites}

    def apply(overwrite: dict | None, current: int) -> int:
        if overwrite is None:
            return current
        return (current & ~int(overwrite["deny"])) | int(overwrite["allow"])

    perms = apply(by_target.get((OVERWRITE_ROLE, guild.id)), perms)
    allow = deny = 0
    for role_id in member.role_ids:
        overwrite = by_target.get((OVERWRITE_ROLE, role_id))
        if overwrite is not None:
            allow |= int(overwrite["allow"])
            deny |= int(overwrite["deny"])
    perms = (perms & ~deny) | allow
    perms = apply(by_target.get((OVERWRITE_MEMBER, user_id)), perms)
    if not perms & VIEW_CHANNEL:
        return 0
    if not perms & SEND_MESSAGES:
        perms &= ~_SEND_DEPENDENT
    return perms


def member_overwrite(user_id: int, allow: int, deny: int) -> dict[str, Any]:
    return {"id": str(user_id), "type": 1, "allow": str(allow), "deny": str(deny)}
