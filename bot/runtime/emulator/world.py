"""The emulated world's setup (servers, channels, members, permissions) and its memory on
disk (``store.py``): the part of the facade (``emulator.py``) that shapes the world rather than
acting in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import permissions as perms
from .gateway import INTENT_GUILD_MEMBERS
from .models import Channel, User
from .store import WorldStore

if TYPE_CHECKING:
    from .gateway import Gateway
    from .models import Guild, Role
    from .state import EmulatorState

ChannelRef = Channel | int | None
FACADE = ("owner", "bot_user", "user")  # users the facade names; and guild, channel, bot_role


@dataclass(frozen=True)
class WorldNames:
    """Who and what the emulated world starts with (tests: the defaults)."""

    owner: str = "owner"
    bot: str = "tinybot"
    user: str = "alice"
    guild: str = "Emulated Guild"
    channel: str = "general"


DEFAULT_NAMES = WorldNames()


class World:
    """Mixed into ``DiscordEmulator``, which sets these attributes."""

    state: EmulatorState
    gateway: Gateway
    names: WorldNames
    owner: User
    bot_user: User
    user: User
    guild: Guild
    channel: Channel
    bot_role: Role
    application_id: int

    def _channel(self, channel: ChannelRef) -> Channel:
        if channel is None:
            return self.channel
        return channel if isinstance(channel, Channel) else self.state.channel(channel)

    async def add_guild(self, name: str) -> Channel:
        """Another server the bot (and alice) are in; returns its first channel. Its
        GUILD_CREATE goes to the shard that holds it."""
        guild = self.state.add_guild(name, self.owner)
        role = self.state.add_role(guild, self.names.bot, perms.BOT_ROLE_DEFAULT, managed=True)
        self.state.add_member(guild, self.bot_user, [role.id])
        self.state.add_member(guild, self.user)
        channel = self.state.add_channel(guild, "general")
        await self.gateway.guild_added(guild)
        return channel

    async def add_channel(self, name: str, *, bot_allow: int = 0, bot_deny: int = 0) -> Channel:
        channel = self.state.add_channel(self.guild, name)
        if bot_allow or bot_deny:
            channel.overwrites.append(perms.member_overwrite(self.bot_user.id, bot_allow, bot_deny))
        await self.gateway.dispatch("CHANNEL_CREATE", channel.payload())
        return channel

    async def set_bot_permissions(self, channel: ChannelRef, *, allow: int = 0, deny: int = 0):
        """Replace the bot's member overwrite in ``channel`` (e.g. ``deny=perms.ATTACH_FILES``)."""
        await self.set_member_permissions(channel, self.bot_user, allow=allow, deny=deny)

    async def set_member_permissions(
        self, channel: ChannelRef, user: User, *, allow: int = 0, deny: int = 0
    ) -> None:
        """Replace ``user``'s member overwrite in ``channel`` (``deny=perms.VIEW_CHANNEL`` hides
        it from them); the bot learns it through CHANNEL_UPDATE, as from Discord."""
        target = self._channel(channel)
        target.overwrites[:] = [o for o in target.overwrites if o["id"] != str(user.id)]
        if allow or deny:
            target.overwrites.append(perms.member_overwrite(user.id, allow, deny))
        await self.gateway.dispatch("CHANNEL_UPDATE", target.payload())

    async def add_user(self, username: str) -> User:
        user = self.state.add_user(username)
        member = self.state.add_member(self.guild, user)
        data = {**member.payload(), "guild_id": str(self.guild.id)}
        await self.gateway.dispatch("GUILD_MEMBER_ADD", data, INTENT_GUILD_MEMBERS)
        return user

    def bot_permissions(self, channel: ChannelRef = None) -> int:
        return self.state.permissions(self._channel(channel), self.bot_user.id)

    # -- memory ------------------------------------------------------------------------------
    def save(self, store: WorldStore) -> tuple[dict, dict[int, bytes]]:
        """What ``store.write`` (in a thread) puts on disk, taken now."""
        ids = {name: getattr(self, name).id for name in FACADE}
        ids.update(guild=self.guild.id, channel=self.channel.id, bot_role=self.bot_role.id)
        return store.snapshot(self, ids)  # type: ignore[arg-type]

    def load(self, store: WorldStore) -> bool:
        """Replace this world with the stored one (False: nothing usable stored)."""
        ids = store.load(self)  # type: ignore[arg-type]
        if ids is None:
            return False
        state = self.state
        for name in FACADE:
            setattr(self, name, state.users[ids[name]])
        self.application_id = self.bot_user.id
        self.guild = state.guilds[ids["guild"]]
        self.channel = state.channels[ids["channel"]]
        self.bot_role = self.guild.roles[ids["bot_role"]]
        return True
