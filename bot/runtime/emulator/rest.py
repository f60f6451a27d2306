"""Bot-authenticated REST routes: identity (``/users/@me``, ``/oauth2/applications/@me``),
guilds, channels and members. Channel messages live in ``channel_messages.py``, application
commands in ``commands.py``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import permissions as perms
from .responses import ApiError, json_response, unknown

if TYPE_CHECKING:
    from .parts import Emulator


class RestApi:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    async def me(self, request: web.Request) -> web.Response:
        user = self.emu.bot_user.payload()
        user.update(verified=True, mfa_enabled=False, email=None, locale="en-US", bio="")
        return json_response(user)

    async def application(self, request: web.Request) -> web.Response:
        emu = self.emu
        data: dict[str, Any] = {
            "id": str(emu.application_id),
            "name": emu.bot_user.username,
            "icon": None,
            "description": "Emulated application",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": emu.owner.payload(),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "hook": True,
            "is_monetized": False,
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "redirect_uris": [],
            "tags": [],
            "approximate_guild_count": len(emu.state.guilds),
            "integration_types_config": {"0": {}},
            "bot": emu.bot_user.payload(),
        }
        return json_response(data)

    async def gateway_bot(self, request: web.Request) -> web.Response:
        """Where to connect and how many shards Discord advises (AutoShardedClient asks)."""
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        data = {"url": self.emu.ws_url, "shards": self.emu.shards, "session_start_limit": limit}
        return json_response(data)

    async def user(self, request: web.Request) -> web.Response:
        try:
            return json_response(self.emu.state.users[int(request.match_info["user"])].payload())
        except (KeyError, ValueError):
            raise unknown("User") from None

    async def guild(self, request: web.Request) -> web.Response:
        guild = self.emu.state.guild(request.match_info["guild"])
        data = guild.payload()
        if request.query.get("with_counts", "").lower() in ("1", "true"):
            data.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
        return json_response(data)

    async def guild_channels(self, request: web.Request) -> web.Response:
        guild = self.emu.state.guild(request.match_info["guild"])
        return json_response([c.payload() for c in guild.channels.values()])

    async def member(self, request: web.Request) -> web.Response:
        guild = self.emu.state.guild(request.match_info["guild"])
        try:
            member = guild.members[int(request.match_info["user"])]
        except (KeyError, ValueError):
            raise unknown("Member") from None
        return json_response(member.payload())

    async def members(self, request: web.Request) -> web.Response:
        guild = self.emu.state.guild(request.match_info["guild"])
        after = int(request.query.get("after", 0))
        limit = min(int(request.query.get("limit", 1)), 1000)
        found = sorted(
            (m for uid, m in guild.members.items() if uid > after), key=lambda m: m.user.id
        )
        return json_response([m.payload() for m in found[:limit]])

    async def roles(self, request: web.Request) -> web.Response:
        guild = self.emu.state.guild(request.match_info["guild"])
        return json_response([r.payload() for r in guild.roles.values()])

    async def channel(self, request: web.Request) -> web.Response:
        channel = self.emu.state.channel(request.match_info["channel"])
        if not self.emu.state.permissions(channel, self.emu.bot_user.id) & perms.VIEW_CHANNEL:
            raise ApiError(403, 50001, "Missing Access")
        return json_response(channel.payload())

    async def typing(self, request: web.Request) -> web.Response:
        channel = self.emu.state.channel(request.match_info["channel"])
        self.emu.state.require(channel, self.emu.bot_user.id, perms.SEND_MESSAGES)
        return web.Response(status=204)

    def routes(self) -> list[web.RouteDef]:
        api = "/api/v10"
        return [
            web.get(f"{api}/users/@me", self.me),
            web.get(f"{api}/gateway/bot", self.gateway_bot),
            web.get(f"{api}/oauth2/applications/@me", self.application),
            web.get(f"{api}/applications/@me", self.application),
            web.get(f"{api}/users/{{user}}", self.user),
            web.get(f"{api}/guilds/{{guild}}", self.guild),
            web.get(f"{api}/guilds/{{guild}}/channels", self.guild_channels),
            web.get(f"{api}/guilds/{{guild}}/roles", self.roles),
            web.get(f"{api}/guilds/{{guild}}/members", self.members),
            web.get(f"{api}/guilds/{{guild}}/members/{{user}}", self.member),
            web.get(f"{api}/channels/{{channel}}", self.channel),
            web.post(f"{api}/channels/{{channel}}/typing", self.typing),
        ]
