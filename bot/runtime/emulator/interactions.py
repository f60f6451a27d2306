"""Interactions: building INTERACTION_CREATE payloads, the handle a test awaits, and the
``POST /interactions/{id}/{token}/callback`` route.

Rules enforced like Discord: one acknowledgement (a second -> 400 40060), within
``ack_deadline`` seconds of the injection (later -> 404 10062), 6/7 only for components and
modal submits, 8 only for autocomplete, no 9 in answer to a modal submit.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .body import BODY, ParsedBody
from .components_v2 import check_modal
from .messages import apply_edit, build_message
from .observers import ACKNOWLEDGED, Event
from .observers import MODAL as MODAL_OPENED
from .responses import (
    ALREADY_ACKNOWLEDGED,
    UNKNOWN_INTERACTION,
    ApiError,
    invalid_form,
    json_response,
    no_content,
)
from .state import StoredMessage

if TYPE_CHECKING:
    from .models import Channel, User
    from .parts import Emulator

APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9


@dataclass
class CallbackRecord:
    """One callback attempt: its type, body and how the emulator answered."""

    type: int | None
    data: dict[str, Any] | None
    status: int
    error: dict[str, Any] | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status < 300

    @property
    def code(self) -> int | None:
        return self.error.get("code") if self.error else None


class InteractionHandle:
    """What a test gets back from an injection; await the bot's answers through it."""

    def __init__(self, emu: Emulator, payload: dict[str, Any], channel: Channel, user: User):
        self.emu = emu
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.channel = channel
        self.user = user
        self.created_at = time.monotonic()
        self.responses: list[CallbackRecord] = []  # every callback attempt, accepted or not
        self.followup_ids: list[int] = []
        self.edits: list[dict[str, Any]] = []  # rendered message after each webhook edit
        self.original_id: int | None = None  # message that @original designates
        self.component_message_id: int | None = None
        self.modal: dict[str, Any] | None = None
        self.choices: list[dict[str, Any]] | None = None

    @property
    def acknowledged(self) -> bool:
        return any(r.ok for r in self.responses)

    @property
    def ack_latency(self) -> float | None:
        """Seconds from the injection to the accepted acknowledgement (None: not acked)."""
        accepted = next((r for r in self.responses if r.ok), None)
        return None if accepted is None else accepted.at - self.created_at

    @property
    def expired(self) -> bool:
        return time.monotonic() - self.created_at > self.emu.token_lifetime

    @property
    def followups(self) -> list[dict[str, Any]]:
        """Messages sent through the followup webhook (a deferral's placeholder fill counts)."""
        return [self.emu.render(self.emu.state.messages[i]) for i in self.followup_ids]

    @property
    def original(self) -> dict[str, Any] | None:
        message = self.emu.state.messages.get(self.original_id or 0)
        return self.emu.render(message) if message and not message.deleted else None

    async def wait_response(self, timeout: float = 5.0) -> CallbackRecord:
        """The first callback attempt, whatever the emulator answered."""
        await self.emu.state.notifier.wait_for(lambda: self.responses, timeout)
        return self.responses[0]

    async def wait_ack(self, timeout: float = 5.0) -> CallbackRecord:
        """The accepted acknowledgement (raises TimeoutError if none comes)."""
        return await self.emu.state.notifier.wait_for(
            lambda: next((r for r in self.responses if r.ok), None), timeout
        )

    async def wait_followup(self, timeout: float = 5.0, count: int = 1) -> dict[str, Any]:
        """The ``count``-th followup message (rendered)."""
        await self.emu.state.notifier.wait_for(lambda: len(self.followup_ids) >= count, timeout)
        return self.followups[count - 1]

    async def wait_original(self, predicate: Any = None, timeout: float = 5.0) -> dict:
        """The @original message once it is no longer loading (and matches ``predicate``)."""

        def check() -> dict[str, Any] | None:
            message = self.original
            if message is None or message["flags"] & (1 << 7):
                return None
            return message if predicate is None or predicate(message) else None

        return await self.emu.state.notifier.wait_for(check, timeout)


def _full_name(data: dict[str, Any]) -> str:
    """``exterior create``: the command with its group and subcommand, as a client shows
    "used /exterior create" (Discord's message interaction names them so)."""
    names, options = [str(data.get("name", ""))], data.get("options") or []
    while len(options) == 1 and options[0].get("type") in (1, 2):
        names.append(options[0]["name"])
        options = options[0].get("options") or []
    return " ".join(names)


class Interactions:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.handles: dict[int, InteractionHandle] = {}
        self.by_token: dict[str, InteractionHandle] = {}

    def base_payload(self, type_: int, channel: Channel, user: User, data: dict) -> dict:
        state = self.emu.state
        guild = state.guild_of(channel)
        member = guild.members[user.id]
        return {
            "id": str(state.snowflake()),
            "application_id": str(self.emu.application_id),
            "type": type_,
            "data": data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": channel.payload(),
            "member": member.payload(permissions=state.permissions(channel, user.id)),
            "token": "emu." + secrets.token_urlsafe(48),
            "version": 1,
            "app_permissions": str(state.permissions(channel, self.emu.bot_user.id)),
            "locale": self.emu.locales.get(user.id, "en-US"),  # the user's client language
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": self.emu.upload_limit,
        }

    async def inject(self, payload: dict, channel: Channel, user: User) -> InteractionHandle:
        handle = InteractionHandle(self.emu, payload, channel, user)
        if payload.get("message"):
            handle.component_message_id = int(payload["message"]["id"])
        self.handles[handle.id] = handle
        self.by_token[handle.token] = handle
        await self.emu.gateway.wait_connected()
        handle.created_at = time.monotonic()
        await self.emu.gateway.dispatch("INTERACTION_CREATE", payload)
        return handle

    def interaction_metadata(self, handle: InteractionHandle) -> dict[str, Any]:
        data = handle.payload.get("data", {})
        meta: dict[str, Any] = {
            "id": str(handle.id),
            "type": handle.type,
            "user": handle.user.payload(),
            "authorizing_integration_owners": handle.payload["authorizing_integration_owners"],
        }
        if handle.type == APPLICATION_COMMAND:
            meta.update(name=_full_name(data), command_type=data.get("type", 1))
        if handle.component_message_id is not None:
            meta["interacted_message_id"] = str(handle.component_message_id)
        if handle.original_id is not None and handle.original_id != handle.component_message_id:
            meta["original_response_message_id"] = str(handle.original_id)
        return meta

    def new_message(
        self, handle: InteractionHandle, body: ParsedBody, **extra: Any
    ) -> StoredMessage:
        app_id = self.emu.application_id
        return build_message(
            self.emu.state,
            channel_id=handle.channel.id,
            author=self.emu.bot_user,
            body=body,
            upload_limit=self.emu.upload_limit,
            type=20 if handle.type == APPLICATION_COMMAND else 0,
            webhook_id=app_id,
            application_id=app_id,
            interaction_metadata=self.interaction_metadata(handle),
            **extra,
        )

    # -- the callback route ------------------------------------------------------------
    async def callback(self, request: web.Request) -> web.Response:
        body: ParsedBody = request[BODY]
        handle = self.handles.get(
            int(request.match_info["id"]) if request.match_info["id"].isdigit() else 0
        )
        if handle is None or handle.token != request.match_info["token"]:
            raise ApiError(*UNKNOWN_INTERACTION)
        kind = body.data.get("type")
        record = CallbackRecord(
            kind, body.data.get("data"), 200, files=[f.summary() for f in body.files.values()]
        )
        try:
            if handle.acknowledged:
                data = handle.payload.get("data") or {}
                what = data.get("custom_id") or data.get("name")
                type(self.emu).double_acknowledgements.append(f"{what} (interaction {handle.id})")
                raise ApiError(*ALREADY_ACKNOWLEDGED)
            if time.monotonic() - handle.created_at > self.emu.ack_deadline:
                raise ApiError(*UNKNOWN_INTERACTION)
            result = await self._respond(handle, kind, body)
        except ApiError as exc:
            record.status, record.error = exc.status, exc.body()
            handle.responses.append(record)
            raise
        handle.responses.append(record)
        self._observed(handle, kind)
        self.emu.state.notifier.notify()
        if request.query.get("with_response", "").lower() not in ("1", "true"):
            return no_content()
        return json_response(result)

    def _observed(self, handle: InteractionHandle, kind: int) -> None:
        """The user's client learns its interaction was answered (and sees a modal opened)."""
        observers, channel, user = self.emu.observers, handle.channel.id, handle.user.id
        if kind == MODAL and handle.modal is not None:
            data = {"interaction_id": str(handle.id), "modal": handle.modal}
            observers.publish(Event(MODAL_OPENED, data, channel, user))
        data = {"interaction_id": str(handle.id), "type": kind}
        observers.publish(Event(ACKNOWLEDGED, data, channel, user))

    async def _respond(self, handle: InteractionHandle, kind: Any, body: ParsedBody) -> dict:
        inner = ParsedBody(
            json=body.data.get("data") or {}, files=body.files, multipart=body.multipart
        )
        from_component = handle.component_message_id is not None
        allowed = {
            APPLICATION_COMMAND: {MESSAGE, DEFERRED_MESSAGE, MODAL},
            COMPONENT: {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL},
            AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
            # a 6 on a modal opened by a command is a plain acknowledgement
            MODAL_SUBMIT: {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE}
            | ({UPDATE_MESSAGE} if from_component else set()),
        }[handle.type]
        if kind not in allowed:
            raise invalid_form("type", f"Interaction callback type {kind} is not valid here.")
        message: StoredMessage | None = None
        gateway = self.emu.gateway
        if kind in (MESSAGE, DEFERRED_MESSAGE):
            flags = StoredMessage.LOADING if kind == DEFERRED_MESSAGE else 0
            if kind == DEFERRED_MESSAGE:
                inner = ParsedBody(json={"flags": inner.data.get("flags", 0)})
            message = self.new_message(
                handle, inner, flags=flags, allow_empty=kind == DEFERRED_MESSAGE
            )
            handle.original_id = message.id
            self.emu.state.store_message(message)
            await gateway.message_created(message)
        elif kind in (DEFERRED_UPDATE, UPDATE_MESSAGE) and from_component:
            message = self.emu.state.messages[handle.component_message_id or 0]
            handle.original_id = message.id
            if kind == UPDATE_MESSAGE:
                apply_edit(self.emu.state, message, inner, self.emu.upload_limit)
                await gateway.message_updated(message)
        elif kind == MODAL:
            check_modal(inner.data)
            handle.modal = inner.data
        elif kind == AUTOCOMPLETE_RESULT:
            handle.choices = inner.data.get("choices", [])
        result: dict[str, Any] = {
            "interaction": {
                "id": str(handle.id),
                "type": handle.type,
                "response_message_id": str(message.id) if message else None,
                "response_message_loading": kind == DEFERRED_MESSAGE,
                "response_message_ephemeral": bool(message and message.ephemeral),
            }
        }
        if message is not None and kind != DEFERRED_UPDATE:
            result["resource"] = {"type": kind, "message": self.emu.render(message)}
        return result

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/api/v10/interactions/{id}/{token}/callback", self.callback)]
