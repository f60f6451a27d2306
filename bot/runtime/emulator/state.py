"""The emulated world's store: users, guilds (see ``models.py``), stored messages, attachments
(with their bytes) and every recorded HTTP request."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import permissions as perms
from .models import Channel, Guild, Member, Role, User
from .responses import ApiError, unknown
from .snowflakes import SnowflakeGenerator


@dataclass
class StoredAttachment:
    id: int
    channel_id: int
    filename: str
    data: bytes
    content_type: str | None = None
    width: int | None = None
    height: int | None = None
    description: str | None = None
    ephemeral: bool = False

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class StoredMessage:
    id: int
    channel_id: int
    guild_id: int | None
    author: User
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[StoredAttachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    tts: bool = False
    nonce: str | int | None = None
    message_reference: dict[str, Any] | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    edited_timestamp: str | None = None
    deleted: bool = False
    changed_at: float = field(default_factory=time.monotonic)  # creation or last edit

    EPHEMERAL = 1 << 6
    LOADING = 1 << 7

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & self.EPHEMERAL)


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    files: list[dict[str, Any]] = field(default_factory=list)
    authorized: bool = False
    at: float = field(default_factory=time.monotonic)
    status: int | None = None
    response: Any = None

    @property
    def route(self) -> str:
        """The path relative to ``/api/v10``."""
        return self.path.removeprefix("/api/v10")


class Notifier:
    """Wakes waiters whenever the emulated world changes."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float) -> Any:
        async with asyncio.timeout(timeout):
            while not (result := predicate()):
                await self._event.wait()
            return result


class EmulatorState:
    def __init__(self) -> None:
        self.snowflake = SnowflakeGenerator()
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, StoredMessage] = {}
        self.attachments: dict[int, StoredAttachment] = {}
        self.requests: list[RecordedRequest] = []
        self.notifier = Notifier()

    def add_user(self, username: str, *, bot: bool = False) -> User:
        user = User(self.snowflake(), username, bot=bot, global_name=username)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, owner: User) -> Guild:
        guild = Guild(self.snowflake(), name, owner.id)
        guild.roles[guild.id] = Role(guild.id, "@everyone", perms.EVERYONE_DEFAULT)
        self.guilds[guild.id] = guild
        self.add_member(guild, owner)
        return guild

    def add_member(self, guild: Guild, user: User, role_ids: list[int] | None = None) -> Member:
        member = Member(user, list(role_ids or []))
        guild.members[user.id] = member
        return member

    def add_role(self, guild: Guild, name: str, permissions: int, managed: bool = False) -> Role:
        role = Role(self.snowflake(), name, permissions, len(guild.roles), managed)
        guild.roles[role.id] = role
        return role

    def add_channel(self, guild: Guild, name: str, *, type: int = 0) -> Channel:
        channel = Channel(self.snowflake(), guild.id, name, type, len(guild.channels))
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        return channel

    def channel(self, channel_id: int | str) -> Channel:
        try:
            return self.channels[int(channel_id)]
        except (KeyError, ValueError):
            raise unknown("Channel") from None

    def guild(self, guild_id: int | str) -> Guild:
        try:
            return self.guilds[int(guild_id)]
        except (KeyError, ValueError):
            raise unknown("Guild") from None

    def guild_of(self, channel: Channel) -> Guild:
        return self.guilds[channel.guild_id]

    def permissions(self, channel: Channel, user_id: int) -> int:
        return perms.channel_permissions(self.guild_of(channel), channel, user_id)

    def require(self, channel: Channel, user_id: int, needed: int) -> None:
        """Raise Discord's 403 unless ``user_id`` has all ``needed`` bits in ``channel``."""
        have = self.permissions(channel, user_id)
        if not have & perms.VIEW_CHANNEL:
            raise ApiError(403, 50001, "Missing Access")
        if have & needed != needed:
            raise ApiError(403, 50013, "Missing Permissions")

    def message(self, channel_id: int, message_id: int | str) -> StoredMessage:
        try:
            message = self.messages[int(message_id)]
        except (KeyError, ValueError):
            raise unknown("Message") from None
        if message.channel_id != channel_id or message.deleted:
            raise unknown("Message")
        return message

    def store_message(self, message: StoredMessage) -> StoredMessage:
        self.messages[message.id] = message
        for attachment in message.attachments:
            self.attachments[attachment.id] = attachment
        if not message.ephemeral:
            channel = self.channels.get(message.channel_id)
            if channel is not None:
                channel.last_message_id = message.id
        self.notifier.notify()
        return message

    def channel_history(self, channel_id: int) -> list[StoredMessage]:
        """Visible (non-ephemeral, non-deleted) messages of a channel, oldest first."""
        return sorted(
            (
                m
                for m in self.messages.values()
                if m.channel_id == channel_id and not m.deleted and not m.ephemeral
            ),
            key=lambda m: m.id,
        )
