"""Channel message routes: create (JSON or multipart), history (limit/before/after/around),
fetch, edit, delete. Posting checks the bot's channel permissions like Discord
(no VIEW_CHANNEL -> 403 50001, no SEND_MESSAGES / ATTACH_FILES -> 403 50013)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from . import permissions as perms
from .body import BODY
from .messages import apply_edit, build_message
from .responses import EDIT_OTHERS_MESSAGE, ApiError, invalid_form, json_response, no_content

if TYPE_CHECKING:
    from .models import Channel
    from .parts import Emulator


class ChannelMessages:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    def _channel(self, request: web.Request, needed: int = perms.VIEW_CHANNEL) -> Channel:
        channel = self.emu.state.channel(request.match_info["channel"])
        self.emu.state.require(channel, self.emu.bot_user.id, needed | perms.VIEW_CHANNEL)
        return channel

    async def create(self, request: web.Request) -> web.Response:
        body = request[BODY]
        needed = perms.SEND_MESSAGES | (perms.ATTACH_FILES if body.files else 0)
        channel = self._channel(request, needed)
        state = self.emu.state
        message = build_message(
            state,
            channel_id=channel.id,
            author=self.emu.bot_user,
            body=body,
            upload_limit=self.emu.upload_limit,
        )
        state.store_message(message)
        await self.emu.gateway.message_created(message)
        return json_response(self.emu.render(message))

    async def history(self, request: web.Request) -> web.Response:
        channel = self._channel(request, perms.READ_MESSAGE_HISTORY)
        query = request.query
        try:
            limit = int(query.get("limit", 50))
        except ValueError:
            raise invalid_form("limit", "Value is not int.", "NUMBER_TYPE_COERCE") from None
        if not 1 <= limit <= 100:
            raise invalid_form("limit", "Must be between 1 and 100.", "NUMBER_TYPE_MAX")
        messages = self.emu.state.channel_history(channel.id)  # oldest first
        if "before" in query:
            picked = [m for m in messages if m.id < int(query["before"])][-limit:]
        elif "after" in query:
            picked = [m for m in messages if m.id > int(query["after"])][:limit]
        elif "around" in query:
            around = int(query["around"])
            older = [m for m in messages if m.id < around][-(limit // 2) :] if limit > 1 else []
            newer = [m for m in messages if m.id >= around][: limit - len(older)]
            picked = older + newer
        else:
            picked = messages[-limit:]
        return json_response([self.emu.render(m) for m in reversed(picked)])  # newest first

    async def get(self, request: web.Request) -> web.Response:
        channel = self._channel(request, perms.READ_MESSAGE_HISTORY)
        message = self.emu.state.message(channel.id, request.match_info["message"])
        if message.ephemeral:
            raise ApiError(404, 10008, "Unknown Message")
        return json_response(self.emu.render(message))

    async def edit(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self.emu.state.message(channel.id, request.match_info["message"])
        body = request[BODY]
        if message.author.id != self.emu.bot_user.id and set(body.data) - {"flags"}:
            raise ApiError(*EDIT_OTHERS_MESSAGE)
        if body.files:
            self.emu.state.require(channel, self.emu.bot_user.id, perms.ATTACH_FILES)
        apply_edit(self.emu.state, message, body, self.emu.upload_limit)
        await self.emu.gateway.message_updated(message)
        return json_response(self.emu.render(message))

    async def delete(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self.emu.state.message(channel.id, request.match_info["message"])
        if message.author.id != self.emu.bot_user.id:
            self.emu.state.require(channel, self.emu.bot_user.id, perms.MANAGE_MESSAGES)
        self.emu.delete_message(message)
        await self.emu.gateway.message_deleted(message)
        return no_content()

    def routes(self) -> list[web.RouteDef]:
        base = "/api/v10/channels/{channel}/messages"
        return [
            web.post(base, self.create),
            web.get(base, self.history),
            web.get(base + "/{message}", self.get),
            web.patch(base + "/{message}", self.edit),
            web.delete(base + "/{message}", self.delete),
        ]
