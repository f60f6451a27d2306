"""The gateway websocket: HELLO, heartbeats, IDENTIFY -> READY + GUILD_CREATE, RESUME ->
RESUMED, RECONNECT (op 7) and dispatches with an incrementing ``s`` per session.

Sharding: an IDENTIFY with ``shard: [id, count]`` gets only the guilds of that shard
(``(guild_id >> 22) % count == id``), and every event of a guild goes to its shard's sessions.

Text frames only: the client asks for ``compress=zlib-stream`` but decompresses binary frames
only, so uncompressed text frames are fine.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .observers import MESSAGE_CREATE, MESSAGE_DELETE, MESSAGE_UPDATE, Event

if TYPE_CHECKING:
    from .parts import Emulator
    from .state import StoredMessage

_log = logging.getLogger(__name__)
DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, RESUME, RECONNECT, REQUEST_MEMBERS = 0, 1, 2, 3, 6, 7, 8
INVALID_SESSION, HELLO, HEARTBEAT_ACK = 9, 10, 11
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_MESSAGE_CONTENT = 1 << 15


@dataclass
class GatewaySession:
    session_id: str
    intents: int
    shard: list[int] | None
    seq: int = 0

    def has_guild(self, guild_id: int) -> bool:
        if not self.shard:
            return True
        shard_id, count = self.shard
        return (guild_id >> 22) % count == shard_id


@dataclass
class GatewayConnection:
    ws: web.WebSocketResponse
    session: GatewaySession | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, payload: dict[str, Any]) -> None:
        async with self.lock:
            if not self.ws.closed:
                with contextlib.suppress(ConnectionResetError):  # the client died meanwhile
                    await self.ws.send_str(json.dumps(payload))

    async def dispatch(self, event: str, data: Any) -> None:
        assert self.session is not None
        async with self.lock:
            if self.ws.closed:
                return
            self.session.seq += 1
            payload = {"op": DISPATCH, "t": event, "s": self.session.seq, "d": data}
            with contextlib.suppress(ConnectionResetError):  # a killed client, like Discord
                await self.ws.send_str(json.dumps(payload))


def _only_for(message: StoredMessage) -> int | None:
    """Whose client sees a message: an ephemeral one only its interaction's user's."""
    if not message.ephemeral:
        return None
    user = (message.interaction_metadata or {}).get("user") or {}
    return int(user.get("id", 0)) or None


class Gateway:
    def __init__(self, emu: Emulator, heartbeat_interval: int = 41250) -> None:
        self.emu = emu
        self.heartbeat_interval = heartbeat_interval
        self.connections: list[GatewayConnection] = []
        self.sessions: dict[str, GatewaySession] = {}
        self.received: list[dict[str, Any]] = []  # every frame the clients sent (op, d)
        self.dispatched: list[tuple[str, Any]] = []  # every dispatch sent (event, data)

    # -- queries -------------------------------------------------------------------------
    @property
    def live(self) -> list[GatewayConnection]:
        return [c for c in self.connections if c.session is not None and not c.ws.closed]

    def frames(self, op: int) -> list[dict[str, Any]]:
        return [f for f in self.received if f.get("op") == op]

    async def wait_connected(self, timeout: float = 5.0) -> None:
        try:
            await self.emu.state.notifier.wait_for(lambda: self.live, timeout)
        except TimeoutError:
            raise RuntimeError("no discord client is connected to the emulator gateway") from None

    # -- sending -------------------------------------------------------------------------
    async def dispatch(self, event: str, data: Any, intent: int | None = None) -> int:
        """Send a dispatch to every live session (subscribed to ``intent``) whose shard holds
        the event's guild; returns how many."""
        self.dispatched.append((event, data))
        guild = data.get("guild_id") if isinstance(data, dict) else None
        sent = 0
        for conn in self.live:
            assert conn.session is not None
            if intent is not None and not conn.session.intents & intent:
                continue
            if guild is not None and not conn.session.has_guild(int(guild)):
                continue
            await conn.dispatch(event, self._for_session(event, data, conn.session))
            sent += 1
        return sent

    def _for_session(self, event: str, data: Any, session: GatewaySession) -> Any:
        """Blank message content without the MESSAGE_CONTENT intent (own/mentioning kept)."""
        if event not in ("MESSAGE_CREATE", "MESSAGE_UPDATE") or session.intents & (
            INTENT_MESSAGE_CONTENT
        ):
            return data
        bot_id = str(self.emu.bot_user.id)
        mentioned = any(u["id"] == bot_id for u in data.get("mentions", []))
        if data["author"]["id"] == bot_id or mentioned:
            return data
        return {**data, "content": "", "embeds": [], "attachments": [], "components": []}

    def _message_data(self, message: StoredMessage) -> dict[str, Any]:
        data = self.emu.render(message)
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
            guild = self.emu.state.guilds.get(message.guild_id)
            member = guild.members.get(message.author.id) if guild else None
            if member is not None and message.webhook_id is None:
                data["member"] = member.payload(with_user=False)
        return data

    async def message_created(self, message: StoredMessage) -> None:
        self._observed(MESSAGE_CREATE, message)
        if not message.ephemeral:
            await self.dispatch(
                "MESSAGE_CREATE", self._message_data(message), INTENT_GUILD_MESSAGES
            )

    async def message_updated(self, message: StoredMessage) -> None:
        self._observed(MESSAGE_UPDATE, message)
        if not message.ephemeral:
            await self.dispatch(
                "MESSAGE_UPDATE", self._message_data(message), INTENT_GUILD_MESSAGES
            )

    async def message_deleted(self, message: StoredMessage) -> None:
        data = {"id": str(message.id), "channel_id": str(message.channel_id)}
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        self.emu.observers.publish(
            Event(MESSAGE_DELETE, data, message.channel_id, _only_for(message))
        )
        if not message.ephemeral:
            await self.dispatch("MESSAGE_DELETE", data, INTENT_GUILD_MESSAGES)

    def _observed(self, kind: str, message: StoredMessage) -> None:
        data = self.emu.render(message)
        self.emu.observers.publish(Event(kind, data, message.channel_id, _only_for(message)))

    async def reconnect(self, timeout: float = 5.0) -> None:
        """Send op 7 RECONNECT and wait until every client has resumed on a new socket."""
        targets = self.live
        if not targets:
            raise RuntimeError("no discord client is connected to the emulator gateway")
        session_ids = {c.session.session_id for c in targets if c.session}
        for conn in targets:
            await conn.send({"op": RECONNECT, "d": None, "s": None, "t": None})

        def resumed() -> bool:
            fresh = [c for c in self.live if c not in targets and c.session]
            return session_ids <= {c.session.session_id for c in fresh if c.session}

        await self.emu.state.notifier.wait_for(resumed, timeout)

    async def drop(self, code: int = 4000) -> None:
        """Close every socket from the server side (a client resumes after code 4000)."""
        for conn in list(self.connections):
            await conn.ws.close(code=code, message=b"emulator dropped the connection")

    async def close(self) -> None:
        for conn in list(self.connections):
            await conn.ws.close(code=1001, message=b"emulator stopping")

    # -- receiving -----------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = GatewayConnection(ws)
        self.connections.append(conn)
        hello = {"heartbeat_interval": self.heartbeat_interval, "_trace": ["emulator"]}
        await conn.send({"op": HELLO, "d": hello, "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    try:
                        await self._on_frame(conn, json.loads(msg.data))
                    except Exception as exc:
                        _log.exception("emulator gateway error")
                        self.emu.internal_errors.append(exc)
        finally:
            self.connections.remove(conn)
            self.emu.state.notifier.notify()
        return ws

    async def _on_frame(self, conn: GatewayConnection, frame: dict[str, Any]) -> None:
        self.received.append(frame)
        op, data = frame.get("op"), frame.get("d")
        if op == HEARTBEAT:
            await conn.send({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            await self._identify(conn, data)
        elif op == RESUME:
            await self._resume(conn, data)
        elif op == REQUEST_MEMBERS:
            await self._member_chunk(conn, data)
        self.emu.state.notifier.notify()

    async def _identify(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        if data.get("token") != self.emu.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        session = GatewaySession(
            secrets.token_hex(16), int(data.get("intents", 0)), data.get("shard")
        )
        self.sessions[session.session_id] = session
        conn.session = session
        user = {**self.emu.bot_user.payload(), "verified": True, "mfa_enabled": False}
        ready: dict[str, Any] = {
            "v": 10,
            "user": user,
            "user_settings": {},
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.emu.ws_url,
            "guilds": [{"id": str(g.id), "unavailable": True} for g in self._guilds_of(session)],
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "application": {"id": str(self.emu.application_id), "flags": 0},
            "geo_ordered_rtc_regions": [],
            "auth": {},
            "_trace": ["emulator"],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        await conn.dispatch("READY", ready)
        for guild in self._guilds_of(session):
            all_members = session.intents & INTENT_GUILD_MEMBERS
            member_ids = list(guild.members) if all_members else [self.emu.bot_user.id]
            await conn.dispatch("GUILD_CREATE", guild.create_payload(member_ids))

    def _guilds_of(self, session: GatewaySession) -> list[Any]:
        return [g for g in self.emu.state.guilds.values() if session.has_guild(g.id)]

    async def guild_added(self, guild: Any) -> None:
        """A guild the bot joined: GUILD_CREATE to the sessions of its shard."""
        for conn in self.live:
            if conn.session is not None and conn.session.has_guild(guild.id):
                await conn.dispatch("GUILD_CREATE", guild.create_payload([self.emu.bot_user.id]))

    async def _resume(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        session = self.sessions.get(data.get("session_id", ""))
        if session is None or data.get("token") != self.emu.token:
            await conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        conn.session = session
        await conn.dispatch("RESUMED", {"_trace": ["emulator"]})

    async def _member_chunk(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        guild = self.emu.state.guilds.get(int(data.get("guild_id", 0)))
        if guild is None or conn.session is None:
            return
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [m.payload() for m in guild.members.values()],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        await conn.dispatch("GUILD_MEMBERS_CHUNK", chunk)
