"""Interaction followup webhooks: ``POST /webhooks/{app}/{token}`` and
``GET/PATCH/DELETE /webhooks/{app}/{token}/messages/{@original|id}``.

The token must belong to an acknowledged interaction (else 404 10015 Unknown Webhook) and be
younger than ``token_lifetime`` (else 401 50027 Invalid Webhook Token). After a "thinking"
deferral (type 5) the first followup fills the loading placeholder instead of creating a new
message, keeping the deferral's ephemeral flag, as Discord does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from .body import BODY
from .messages import apply_edit
from .responses import INVALID_WEBHOOK_TOKEN, ApiError, json_response, no_content, unknown
from .state import StoredMessage

if TYPE_CHECKING:
    from .interactions import InteractionHandle
    from .parts import Emulator


class Webhooks:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    def _handle(self, request: web.Request) -> InteractionHandle:
        info = request.match_info
        handle = self.emu.interactions.by_token.get(info["token"])
        if handle is None or info["app"] != str(self.emu.application_id):
            raise unknown("Webhook")
        if handle.expired:
            raise ApiError(*INVALID_WEBHOOK_TOKEN)
        if not handle.acknowledged:
            raise unknown("Webhook")
        return handle

    def _message(self, handle: InteractionHandle, ref: str) -> StoredMessage:
        state = self.emu.state
        if ref == "@original":
            message_id = handle.original_id
        else:
            message_id = int(ref) if ref.isdigit() else None
            owned = {handle.original_id, *handle.followup_ids}
            if message_id not in owned:
                raise unknown("Message")
        message = state.messages.get(message_id or 0)
        if message is None or message.deleted:
            raise unknown("Message")
        return message

    async def execute(self, request: web.Request) -> web.Response:
        handle = self._handle(request)
        body = request[BODY]
        gateway = self.emu.gateway
        placeholder = self.emu.state.messages.get(handle.original_id or 0)
        if placeholder is not None and placeholder.flags & StoredMessage.LOADING:
            message = apply_edit(self.emu.state, placeholder, body, self.emu.upload_limit)
            await gateway.message_updated(message)
        else:
            message = self.emu.interactions.new_message(handle, body)
            self.emu.state.store_message(message)
            await gateway.message_created(message)
        handle.followup_ids.append(message.id)
        self.emu.state.notifier.notify()
        if request.query.get("wait", "").lower() not in ("1", "true"):
            return no_content()
        return json_response(self.emu.render(message))

    async def get(self, request: web.Request) -> web.Response:
        message = self._message(self._handle(request), request.match_info["message"])
        return json_response(self.emu.render(message))

    async def edit(self, request: web.Request) -> web.Response:
        handle = self._handle(request)
        message = self._message(handle, request.match_info["message"])
        apply_edit(self.emu.state, message, request[BODY], self.emu.upload_limit)
        rendered = self.emu.render(message)
        handle.edits.append(rendered)
        await self.emu.gateway.message_updated(message)
        self.emu.state.notifier.notify()
        return json_response(rendered)

    async def delete(self, request: web.Request) -> web.Response:
        handle = self._handle(request)
        message = self._message(handle, request.match_info["message"])
        self.emu.delete_message(message)
        await self.emu.gateway.message_deleted(message)
        return no_content()

    def routes(self) -> list[web.RouteDef]:
        base = "/api/v10/webhooks/{app}/{token}"
        return [
            web.post(base, self.execute),
            web.get(base + "/messages/{message}", self.get),
            web.patch(base + "/messages/{message}", self.edit),
            web.delete(base + "/messages/{message}", self.delete),
        ]
