"""``DiscordEmulator``: the facade tests use (world setup, injection, inspection, lifecycle)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from aiohttp import web

from . import permissions as perms
from .cdn import DEFAULT_LIFETIME, Cdn, probe_file
from .channel_messages import ChannelMessages
from .commands import Commands
from .faults import Fault, FaultInjector
from .gateway import Gateway
from .interactions import (
    APPLICATION_COMMAND,
    COMPONENT,
    MODAL_SUBMIT,
    InteractionHandle,
    Interactions,
)
from .messages import DEFAULT_UPLOAD_LIMIT, find_component, render
from .modals import modal_submit_data
from .models import Channel, User
from .observers import Observers
from .rest import RestApi
from .server import build_app
from .state import EmulatorState, RecordedRequest, StoredAttachment, StoredMessage
from .webhooks import Webhooks
from .world import DEFAULT_NAMES, ChannelRef, World, WorldNames

FileSpec = tuple[str, bytes] | tuple[str, bytes, str | None]
MessageRef = dict[str, Any] | int | Any  # a message dict, its id, or anything with an .id


class DiscordEmulator(World):
    # Every second acknowledgement any emulator in this process refused (custom_id or command),
    # read by the suite-wide guard in tests/conftest.py.
    double_acknowledgements: ClassVar[list[str]] = []

    def __init__(
        self,
        *,
        token: str = "emulator-bot-token",
        ack_deadline: float = 3.0,
        token_lifetime: float = 15 * 60.0,
        attachment_url_lifetime: float = DEFAULT_LIFETIME,
        heartbeat_interval: int = 41250,
        upload_limit: int = DEFAULT_UPLOAD_LIMIT,
        reaction_time: float = 0.1,
        shards: int = 1,
        names: WorldNames = DEFAULT_NAMES,
    ) -> None:
        self.state = state = EmulatorState()
        self.shards = shards  # what GET /gateway/bot advises
        self.token = token
        self.ack_deadline = ack_deadline  # seconds from injection to the first callback
        self.token_lifetime = token_lifetime  # seconds an interaction token stays usable
        self.upload_limit = upload_limit
        # A user needs time to see a message before using it; clicks wait this long after the
        # message's last change, so the bot has processed the answer that created it (e.g.
        # registered a non-persistent view under the new message id).
        self.reaction_time = reaction_time
        self.names = names
        self.owner = state.add_user(names.owner)
        self.bot_user = state.add_user(names.bot, bot=True)
        self.application_id = self.bot_user.id  # as for every modern application
        self.user = state.add_user(names.user)
        self.guild = state.add_guild(names.guild, self.owner)
        self.bot_role = state.add_role(self.guild, names.bot, perms.BOT_ROLE_DEFAULT, managed=True)
        state.add_member(self.guild, self.bot_user, [self.bot_role.id])
        state.add_member(self.guild, self.user)
        self.channel = state.add_channel(self.guild, names.channel)
        self.cdn = Cdn(state, lambda: self.url, attachment_url_lifetime)
        self.faults = FaultInjector()
        self.observers = Observers()
        self.gateway = Gateway(self, heartbeat_interval)
        self.interactions = Interactions(self)
        self.commands = Commands(self)
        self.rest = RestApi(self)
        self.channel_messages = ChannelMessages(self)
        self.webhooks = Webhooks(self)
        self.locales: dict[int, str] = {}  # user id -> client language (default en-US)
        self.internal_errors: list[Exception] = []  # emulator bugs (answered with a 400)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self, port: int = 0, *, beside: Sequence[web.RouteDef] = ()) -> DiscordEmulator:
        """Listen on 127.0.0.1:``port`` (0: a free one); ``beside``: other routes served on the
        same port, outside the emulated API (the playground's page)."""
        app = build_app(self, [*self.routes(), *beside])
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    def routes(self) -> list[web.RouteDef]:
        """Every route of the emulated Discord (the playground serves them beside its page)."""
        routes = [web.get("/gateway", self.gateway.handle)]
        for part in (self.rest, self.channel_messages, self.commands, self.interactions):
            routes += part.routes()
        return routes + self.webhooks.routes() + self.cdn.routes()

    async def stop(self) -> None:
        self.faults.release_all()
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("the emulator is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v10"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/gateway"

    def env(self) -> dict[str, str]:
        """Variables for a bot in another process (``bot.runtime.app.point_discord_at``)."""
        return {
            "DISCORD_API_BASE_URL": self.api_url,
            "DISCORD_GATEWAY_URL": self.ws_url,
            "DISCORD_TOKEN": self.token,
            "DISCORD_GUILD_ID": str(self.guild.id),
        }

    # -- settings ----------------------------------------------------------------------------
    @property
    def attachment_url_lifetime(self) -> float:
        return self.cdn.lifetime

    @attachment_url_lifetime.setter
    def attachment_url_lifetime(self, value: float) -> None:
        self.cdn.lifetime = value

    # -- injection ---------------------------------------------------------------------------
    def _ephemeral_attachment(self, channel: Channel, spec: FileSpec) -> StoredAttachment:
        filename, data = spec[0], spec[1]
        declared = spec[2] if len(spec) > 2 else None  # type: ignore[misc]
        content_type, width, height = probe_file(filename, data, declared)
        attachment = StoredAttachment(
            self.state.snowflake(), channel.id, filename, data, content_type,
            width or None, height or None, ephemeral=True,
        )  # fmt: skip
        self.state.attachments[attachment.id] = attachment
        return attachment

    async def slash_command(
        self,
        name: str,
        options: dict[str, Any] | list[dict[str, Any]] | None = None,
        *,
        subcommand: str | None = None,
        channel: ChannelRef = None,
        user: User | None = None,
        attachments: dict[str, FileSpec] | None = None,
        guild_command: bool | None = None,
    ) -> InteractionHandle:
        """Dispatch a chat-input command. ``subcommand`` is ``"sub"`` or ``"group sub"``;
        ``attachments`` maps option names to ``(filename, bytes[, content_type])``."""
        target, user = self._channel(channel), user or self.user
        files = {k: self._ephemeral_attachment(target, v) for k, v in (attachments or {}).items()}
        data = self.commands.command_data(
            self.state.guild_of(target), user.id, name, options, subcommand, files, guild_command
        )
        payload = self.interactions.base_payload(APPLICATION_COMMAND, target, user, data)
        return await self.interactions.inject(payload, target, user)

    async def click_button(
        self, message: MessageRef, custom_id: str, *, user: User | None = None
    ) -> InteractionHandle:
        return await self._component(message, custom_id, user, None)

    async def select_option(
        self, message: MessageRef, custom_id: str, values: list[str], *, user: User | None = None
    ) -> InteractionHandle:
        return await self._component(message, custom_id, user, values)

    async def _component(
        self, message: MessageRef, custom_id: str, user: User | None, values: list[str] | None
    ) -> InteractionHandle:
        stored = self.stored_message(message)
        await _sleep_until(stored.changed_at + self.reaction_time)
        component = find_component(stored.components, custom_id)
        if component is None:
            raise ValueError(f"message {stored.id} has no component {custom_id!r}")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        if component.get("url"):
            raise ValueError(f"component {custom_id!r} is a link: it sends no interaction")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if values is not None:
            data["values"] = values
        channel, user = self.state.channel(stored.channel_id), user or self.user
        payload = self.interactions.base_payload(COMPONENT, channel, user, data)
        payload["message"] = self.render(stored)
        return await self.interactions.inject(payload, channel, user)

    async def submit_modal(
        self, handle: InteractionHandle, values: dict[str, Any]
    ) -> InteractionHandle:
        """Submit the modal the bot opened in answer to ``handle``. ``values`` maps custom_ids
        to a text input's string, a select's list of values, or a file upload's list of
        ``(filename, bytes[, content_type])`` (sent as resolved ephemeral attachments)."""
        if handle.modal is None:
            raise ValueError("the bot did not answer this interaction with a modal")
        await _sleep_until(handle.responses[-1].at + self.reaction_time)
        data = modal_submit_data(
            handle.modal,
            values,
            lambda spec: self._ephemeral_attachment(handle.channel, spec),
            self.cdn.attachment_payload,
        )
        payload = self.interactions.base_payload(MODAL_SUBMIT, handle.channel, handle.user, data)
        if handle.component_message_id is not None:
            payload["message"] = self.render(self.state.messages[handle.component_message_id])
        return await self.interactions.inject(payload, handle.channel, handle.user)

    async def user_message(
        self,
        content: str = "",
        *,
        channel: ChannelRef = None,
        user: User | None = None,
        attachments: list[FileSpec] | None = None,
    ) -> dict[str, Any]:
        """A guild member posts a message (dispatched as MESSAGE_CREATE)."""
        target = self._channel(channel)
        message = StoredMessage(
            self.state.snowflake(), target.id, target.guild_id, user or self.user, content
        )
        message.attachments = [self._ephemeral_attachment(target, s) for s in attachments or []]
        for attachment in message.attachments:
            attachment.ephemeral = False
        self.state.store_message(message)
        await self.gateway.message_created(message)
        return self.render(message)

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int = 429,
        retry_after: float = 0.05,
        *,
        times: int = 1,
        is_global: bool = False,
        kind: str = "status",
        delay: float = 2.0,
        after: int = 0,
    ) -> Fault:
        """Fail the next ``times`` requests matching (``*`` = any method) once ``after`` of
        them went through; ``kind`` (``faults.py``): a status, reset, malformed, timeout, hold."""
        return self.faults.add(
            method, path_regex, status, retry_after, times, is_global, kind, delay, after
        )

    async def reconnect_gateway(self, timeout: float = 5.0) -> None:
        """Send op 7 RECONNECT; returns once the client has RESUMEd on a new socket."""
        await self.gateway.reconnect(timeout)

    def forget(self, keep: int = 200) -> None:
        """A long-running emulator (the playground) keeps only the last ``keep`` recorded
        requests, gateway frames and dispatches, and no expired interaction."""
        for records in (self.state.requests, self.gateway.received, self.gateway.dispatched):
            del records[:-keep]
        del self.cdn.downloads[:-keep]
        interactions = self.interactions
        for key, handle in list(interactions.handles.items()):
            if handle.expired:
                del interactions.handles[key]
                interactions.by_token.pop(handle.token, None)

    # -- inspection --------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        return self.state.requests

    def requests_matching(self, method: str, path_regex: str) -> list[RecordedRequest]:
        pattern = re.compile(path_regex)
        return [
            r for r in self.state.requests
            if method in ("*", r.method) and pattern.search(r.path)
        ]  # fmt: skip

    def ack_latencies(self) -> dict[int, float | None]:
        """Seconds from each injected interaction to its accepted callback (None: never)."""
        return {i: h.ack_latency for i, h in self.interactions.handles.items()}

    def render(self, message: StoredMessage) -> dict[str, Any]:
        """The message object as Discord returns it (freshly signed attachment URLs)."""
        return render(self.state, self.cdn, message)

    def stored_message(self, message: MessageRef) -> StoredMessage:
        key = message["id"] if isinstance(message, dict) else getattr(message, "id", message)
        return self.state.messages[int(key)]

    def messages_in(self, channel: ChannelRef = None) -> list[dict[str, Any]]:
        """Visible messages of a channel, oldest first."""
        return [self.render(m) for m in self.state.channel_history(self._channel(channel).id)]

    async def wait_for_message(
        self,
        channel: ChannelRef = None,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """The first visible message of ``channel`` matching ``predicate`` (existing or new)."""

        def find() -> dict[str, Any] | None:
            return next(
                (m for m in self.messages_in(channel) if not predicate or predicate(m)), None
            )

        return await self.state.notifier.wait_for(find, timeout)

    def delete_message(self, message: StoredMessage) -> None:
        message.deleted = True
        for attachment in message.attachments:
            self.state.attachments.pop(attachment.id, None)
        self.state.notifier.notify()


async def _sleep_until(deadline: float) -> None:
    delay = deadline - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)
