"""The page's live view of the world: one websocket per open tab, as a Discord client's gateway.

On connecting, a tab gets everything it shows (HELLO: the server, its channels and members, the
bot's synced commands, each channel's recent messages and the viewer's own ephemeral ones), then
every change the emulator's observers report that this viewer may see: messages created,
edited, deleted (ephemeral ones only to their user), modals opened for them, acknowledgements of
their interactions, and requests of the bot's that the emulator refused, as Discord would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from aiohttp import WSMsgType, web

from bot.runtime.emulator import DiscordEmulator
from bot.runtime.emulator.observers import COMMANDS, Event
from bot.runtime.playground.page import from_elsewhere
from bot.runtime.playground.world import can_view, members, people, roles

log = logging.getLogger(__name__)
HISTORY = 100  # messages per channel a tab gets on connecting


def synced_commands(emu: DiscordEmulator) -> list[dict[str, Any]]:
    """The commands the bot registered for this server (then its global ones)."""
    guild = emu.commands.guild_commands.get(emu.guild.id, [])
    return [*guild, *emu.commands.global_commands]


def visible_messages(emu: DiscordEmulator, channel_id: int, user_id: int) -> list[dict]:
    """The channel's last messages and this user's own ephemeral ones, oldest first."""
    history = emu.state.channel_history(channel_id)
    shown = history[-HISTORY:]
    oldest = shown[0].id if len(history) > HISTORY else 0  # none older than what is shown
    for message in emu.state.messages.values():
        meta = message.interaction_metadata or {}
        mine = str((meta.get("user") or {}).get("id")) == str(user_id)
        here = message.channel_id == channel_id and not message.deleted
        if here and message.ephemeral and mine and message.id > oldest:
            shown.append(message)
    return [emu.render(m) for m in sorted(shown, key=lambda m: m.id)]


def hello(emu: DiscordEmulator, user_id: int) -> dict[str, Any]:
    channels = [
        {"id": str(c.id), "name": c.name}
        for c in sorted(emu.guild.channels.values(), key=lambda c: c.position)
        if can_view(emu, c.id, user_id)
    ]
    return {
        "me": str(user_id),
        "guild": {"id": str(emu.guild.id), "name": emu.guild.name},
        "bot": emu.bot_user.payload(),
        "members": members(emu),
        "roles": roles(emu),
        "people": [str(p) for p in people(emu)],
        "channels": channels,
        "commands": synced_commands(emu),
        "messages": {c["id"]: visible_messages(emu, int(c["id"]), user_id) for c in channels},
        "ack_deadline": emu.ack_deadline,
    }


class Tab:
    def __init__(self, ws: web.WebSocketResponse, user_id: int):
        self.ws = ws
        self.user_id = user_id
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def write(self) -> None:
        # one writer per socket keeps the events in the order they happened
        while True:
            frame = await self.queue.get()
            if self.ws.closed:
                return
            with contextlib.suppress(ConnectionResetError):
                await self.ws.send_str(json.dumps(frame))


class Feed:
    def __init__(self, emu: DiscordEmulator):
        self.emu = emu
        self.tabs: set[Tab] = set()
        self._unsubscribe = emu.observers.subscribe(self._on_event)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if from_elsewhere(request):
            raise web.HTTPForbidden(text="not from the playground's page")
        try:
            user_id = int(request.query.get("user", ""))
        except ValueError:
            user_id = 0
        if user_id not in people(self.emu):
            user_id = people(self.emu)[0]  # a stale tab (a new world): be the owner
        ws = web.WebSocketResponse(heartbeat=20)
        await ws.prepare(request)
        tab = Tab(ws, user_id)
        tab.queue.put_nowait({"t": "HELLO", "d": hello(self.emu, user_id)})
        self.tabs.add(tab)
        writer = asyncio.create_task(tab.write(), name="playground-tab")
        try:
            async for msg in ws:  # the page acts through POSTs; nothing to read here
                if msg.type == WSMsgType.ERROR:
                    break
        finally:
            self.tabs.discard(tab)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
        return ws

    def _on_event(self, event: Event) -> None:
        if event.kind == COMMANDS:
            frame = {"t": COMMANDS, "d": synced_commands(self.emu)}
        else:
            frame = {"t": event.kind, "d": event.data}
        for tab in self.tabs:
            if event.user_id is not None and event.user_id != tab.user_id:
                continue
            if event.channel_id is not None and not can_view(
                self.emu, event.channel_id, tab.user_id
            ):
                continue
            tab.queue.put_nowait(frame)

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/playground/feed", self.handle)]

    async def close(self) -> None:
        self._unsubscribe()
        for tab in list(self.tabs):
            await tab.ws.close(code=1001, message=b"the playground is stopping")
