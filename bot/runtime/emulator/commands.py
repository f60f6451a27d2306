"""Application commands: the sync routes (``PUT``/``GET`` global and guild commands, recorded)
and the ``data`` object of an injected chat-input command.

discord.py dispatches a chat-input interaction by name in its *local* tree
(``app_commands/tree.py: _get_app_command_options``); syncing is not required. ``data.guild_id``
is set when the command was synced as a guild command (the tree falls back to global ones).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .body import BODY
from .models import Channel, Role, User
from .observers import COMMANDS, Event
from .responses import invalid_form, json_response, no_content, unknown

if TYPE_CHECKING:
    from .models import Guild
    from .parts import Emulator
    from .state import StoredAttachment

_NAME = re.compile(r"^[-_'\w]{1,32}$")


class Commands:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.syncs: list[tuple[int | None, list[dict[str, Any]]]] = []  # (guild or None, body)
        self._fallback_ids: dict[str, int] = {}

    # -- lookup ----------------------------------------------------------------------------
    def find(self, name: str, guild_id: int) -> tuple[dict[str, Any] | None, bool]:
        """(synced command, is_guild_command) for a chat-input ``name``."""
        for cmd in self.guild_commands.get(guild_id, []):
            if cmd["name"] == name and cmd.get("type", 1) == 1:
                return cmd, True
        for cmd in self.global_commands:
            if cmd["name"] == name and cmd.get("type", 1) == 1:
                return cmd, False
        return None, False

    def command_data(
        self,
        guild: Guild,
        user_id: int,
        name: str,
        options: dict[str, Any] | list[dict[str, Any]] | None,
        subcommand: str | None,
        attachments: dict[str, StoredAttachment],
        guild_command: bool | None,
    ) -> dict[str, Any]:
        resolved: dict[str, dict[str, Any]] = {}
        if isinstance(options, list):
            built = list(options)
        else:
            built = [
                self._option(guild, user_id, k, v, resolved) for k, v in (options or {}).items()
            ]
        for key, attachment in attachments.items():
            built.append({"name": key, "type": 11, "value": str(attachment.id)})
            payload = self.emu.cdn.attachment_payload(attachment)
            resolved.setdefault("attachments", {})[str(attachment.id)] = payload
        if subcommand:
            *groups, sub = subcommand.split()
            built = [{"name": sub, "type": 1, "options": built}]
            for group in reversed(groups):
                built = [{"name": group, "type": 2, "options": built}]
        synced, is_guild = self.find(name, guild.id)
        if synced is None:
            command_id = self._fallback_ids.setdefault(name, self.emu.state.snowflake())
        else:
            command_id = int(synced["id"])
        data: dict[str, Any] = {"id": str(command_id), "name": name, "type": 1, "options": built}
        if resolved:
            data["resolved"] = resolved
        if guild_command if guild_command is not None else is_guild:
            data["guild_id"] = str(guild.id)
        return data

    def _option(
        self, guild: Guild, user_id: int, name: str, value: Any, resolved: dict
    ) -> dict[str, Any]:
        state = self.emu.state
        if isinstance(value, dict):
            return {"name": name, **value}
        if isinstance(value, bool):
            return {"name": name, "type": 5, "value": value}
        if isinstance(value, int):
            return {"name": name, "type": 4, "value": value}
        if isinstance(value, float):
            return {"name": name, "type": 10, "value": value}
        if isinstance(value, str):
            return {"name": name, "type": 3, "value": value}
        key = str(value.id)
        if isinstance(value, User):
            resolved.setdefault("users", {})[key] = value.payload()
            member = guild.members.get(value.id)
            if member is not None:
                resolved.setdefault("members", {})[key] = member.payload(with_user=False)
            return {"name": name, "type": 6, "value": key}
        if isinstance(value, Channel):
            channel = {**value.payload(), "permissions": str(state.permissions(value, user_id))}
            resolved.setdefault("channels", {})[key] = channel
            return {"name": name, "type": 7, "value": key}
        if isinstance(value, Role):
            resolved.setdefault("roles", {})[key] = value.payload()
            return {"name": name, "type": 8, "value": key}
        raise TypeError(f"cannot turn {value!r} into a command option")

    # -- routes ----------------------------------------------------------------------------
    def _scope(self, request: web.Request) -> tuple[list[dict[str, Any]], int | None]:
        if request.match_info["app"] != str(self.emu.application_id):
            raise unknown("Application")
        guild_id = request.match_info.get("guild")
        if guild_id is None:
            return self.global_commands, None
        guild = self.emu.state.guild(guild_id)
        return self.guild_commands.setdefault(guild.id, []), guild.id

    def _normalize(self, cmd: dict, existing: list[dict], guild_id: int | None, at: str) -> dict:
        state = self.emu.state
        kind = cmd.get("type", 1)
        name = cmd.get("name", "")
        if kind == 1 and (not _NAME.match(name) or name != name.lower()):
            raise invalid_form(
                f"{at}.name", "Command name is invalid", "APPLICATION_COMMAND_INVALID_NAME"
            )
        if kind == 1 and not 1 <= len(cmd.get("description", "")) <= 100:
            raise invalid_form(f"{at}.description", "Must be between 1 and 100 in length.")
        old = next((c for c in existing if c["name"] == name and c.get("type", 1) == kind), None)
        out = {
            "type": 1,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            "integration_types": [0],
            "contexts": None,
            **cmd,
        }
        out["id"] = old["id"] if old else str(state.snowflake())
        out["application_id"] = str(self.emu.application_id)
        out["version"] = str(state.snowflake())
        if guild_id is not None:
            out["guild_id"] = str(guild_id)
        return out

    async def bulk_overwrite(self, request: web.Request) -> web.Response:
        commands, guild_id = self._scope(request)
        body = request[BODY].json
        if not isinstance(body, list):
            raise invalid_form("_", "Must be an array.", "LIST_TYPE_CONVERT")
        self.syncs.append((guild_id, body))
        keys = [(c.get("name"), c.get("type", 1)) for c in body]
        if len(keys) != len(set(keys)):
            raise invalid_form(
                "_",
                "Application command names must be unique",
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
            )
        new = [self._normalize(c, commands, guild_id, str(i)) for i, c in enumerate(body)]
        commands[:] = new
        self.emu.observers.publish(Event(COMMANDS, {"guild_id": guild_id}))
        return json_response(new)

    async def upsert(self, request: web.Request) -> web.Response:
        commands, guild_id = self._scope(request)
        cmd = self._normalize(request[BODY].data, commands, guild_id, "0")
        existed = any(c["id"] == cmd["id"] for c in commands)
        commands[:] = [c for c in commands if c["id"] != cmd["id"]] + [cmd]
        self.emu.observers.publish(Event(COMMANDS, {"guild_id": guild_id}))
        return json_response(cmd, status=200 if existed else 201)

    async def list(self, request: web.Request) -> web.Response:
        commands, _ = self._scope(request)
        return json_response(commands)

    async def get_one(self, request: web.Request) -> web.Response:
        commands, _ = self._scope(request)
        for cmd in commands:
            if cmd["id"] == request.match_info["command"]:
                return json_response(cmd)
        raise unknown("application command")

    async def delete(self, request: web.Request) -> web.Response:
        commands, _ = self._scope(request)
        before = len(commands)
        commands[:] = [c for c in commands if c["id"] != request.match_info["command"]]
        if len(commands) == before:
            raise unknown("application command")
        return no_content()

    def routes(self) -> list[web.RouteDef]:
        routes = []
        for base in (
            "/api/v10/applications/{app}/commands",
            "/api/v10/applications/{app}/guilds/{guild}/commands",
        ):
            routes += [
                web.get(base, self.list),
                web.put(base, self.bulk_overwrite),
                web.post(base, self.upsert),
                web.get(base + "/{command}", self.get_one),
                web.delete(base + "/{command}", self.delete),
            ]
        return routes
