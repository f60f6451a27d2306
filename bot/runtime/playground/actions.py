"""What a user does on the page, sent to the emulator as Discord's client would send it: a slash
command (with its files), a click on a button, a choice in a select menu, a submitted modal.

Each answer is only the interaction's id; what the bot does with it arrives through the feed.
What Discord's client checks before sending (a required option, an option the command does not
have, a disabled button) is refused here with a 400 and a sentence the page shows.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.runtime.emulator import DiscordEmulator
from bot.runtime.emulator.responses import ApiError
from bot.runtime.playground.feed import synced_commands
from bot.runtime.playground.page import from_elsewhere
from bot.runtime.playground.world import can_view, people

FILE_PREFIX = "file:"
# option types: 1 subcommand, 2 group, 3 string, 4 integer, 5 boolean, 6 user, 7 channel,
# 8 role, 10 number, 11 attachment
SUBCOMMAND, GROUP, ATTACHMENT = 1, 2, 11


class Refused(Exception):
    """The client would not send this; the sentence says why."""


async def read_form(request: web.Request) -> tuple[dict[str, Any], dict[str, list[tuple]]]:
    """The ``payload`` JSON part and the files, by field name without ``file:``."""
    files: dict[str, list[tuple]] = {}
    text = "{}"
    if not request.content_type.startswith("multipart/"):
        text = str((await request.post()).get("payload", text))
    else:
        async for part in await request.multipart():
            if part.name == "payload":
                text = await part.text()
            elif part.name and part.name.startswith(FILE_PREFIX) and part.filename:
                data = await part.read()
                spec = (part.filename, bytes(data), part.headers.get("Content-Type"))
                files.setdefault(part.name.removeprefix(FILE_PREFIX), []).append(spec)
    try:
        payload = json.loads(text)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise web.HTTPBadRequest(text="payload is not a JSON object")
    return payload, files


def _options_of(command: dict[str, Any], subcommand: str | None) -> list[dict[str, Any]]:
    options = command.get("options") or []
    for name in (subcommand or "").split():
        found = next((o for o in options if o["name"] == name), None)
        if found is None or found.get("type") not in (SUBCOMMAND, GROUP):
            raise Refused(f"/{command['name']} has no subcommand {subcommand}")
        options = found.get("options") or []
    return options


class Actions:
    def __init__(self, emu: DiscordEmulator):
        self.emu = emu

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/playground/api/command", self.command),
            web.post("/playground/api/component", self.component),
            web.post("/playground/api/modal", self.modal),
        ]

    def _who(self, payload: dict[str, Any]) -> tuple[Any, Any]:
        """(user, channel) of an action; the user must be a person of the server who sees it."""
        try:
            user_id, channel_id = int(payload["user_id"]), int(payload["channel_id"])
        except (KeyError, TypeError, ValueError):
            raise Refused("who and where are missing") from None
        if user_id not in people(self.emu) or not can_view(self.emu, channel_id, user_id):
            raise Refused("that member cannot see that channel")
        return self.emu.state.users[user_id], self.emu.state.channels[channel_id]

    async def _answer(self, request: web.Request, action) -> web.Response:
        if from_elsewhere(request):
            return web.json_response({"error": "not from the playground's page"}, status=403)
        try:
            handle = await action()
        except Refused as exc:
            return web.json_response({"error": str(exc)}, status=400)
        except ValueError as exc:  # the emulator: no such component, disabled, a link
            return web.json_response({"error": str(exc)}, status=400)
        except RuntimeError as exc:  # no bot connected to the gateway
            return web.json_response({"error": str(exc)}, status=503)
        return web.json_response({"interaction_id": str(handle.id)})

    # -- a slash command ---------------------------------------------------------------------
    async def command(self, request: web.Request) -> web.Response:
        payload, files = await read_form(request)
        return await self._answer(request, lambda: self._command(payload, files))

    async def _command(self, payload: dict[str, Any], files: dict[str, list[tuple]]):
        user, channel = self._who(payload)
        name, subcommand = str(payload.get("name", "")), payload.get("subcommand") or None
        command = next((c for c in synced_commands(self.emu) if c["name"] == name), None)
        if command is None:
            raise Refused(f"the bot has no command /{name}")
        schema = {o["name"]: o for o in _options_of(command, subcommand)}
        given = {k: v for k, v in (payload.get("options") or {}).items() if v not in ("", None)}
        options: dict[str, Any] = {}
        attachments: dict[str, tuple] = {}
        for key, option in schema.items():
            if option.get("type") == ATTACHMENT:
                if files.get(key):
                    attachments[key] = files[key][0]
            elif key in given:
                options[key] = self._value(option, given[key])
            if option.get("required") and key not in options and key not in attachments:
                raise Refused(f"{key} is required")
        unknown = (set(given) | set(files)) - set(schema)
        if unknown:
            raise Refused(f"/{name} {subcommand or ''} has no option {sorted(unknown)[0]}")
        return await self.emu.slash_command(
            name, options, subcommand=subcommand, channel=channel, user=user,
            attachments=attachments,
        )  # fmt: skip

    def _value(self, option: dict[str, Any], raw: Any) -> Any:
        kind, state = option.get("type"), self.emu.state
        try:
            if kind == 4:
                value: Any = int(raw)
            elif kind == 10:
                value = float(raw)
            elif kind == 5:
                value = raw in (True, "true", "True", "1", 1)
            elif kind == 6:
                value = state.users[int(raw)]
            elif kind == 7:
                value = state.channels[int(raw)]
            elif kind == 8:
                value = self.emu.guild.roles[int(raw)]
            else:
                value = str(raw)
        except (KeyError, ValueError):
            raise Refused(f"{option['name']}: {raw!r} is not one") from None
        choices = [c["value"] for c in option.get("choices") or []]
        if choices and value not in choices:
            raise Refused(f"{option['name']} is one of {', '.join(map(str, choices))}")
        return value

    # -- a button, a select menu -------------------------------------------------------------
    async def component(self, request: web.Request) -> web.Response:
        payload = await request.json()
        return await self._answer(request, lambda: self._component(payload))

    async def _component(self, payload: dict[str, Any]):
        user, channel = self._who(payload)
        try:
            stored = self.emu.state.message(channel.id, payload["message_id"])
        except ApiError:
            raise Refused("that message is gone") from None
        custom_id = str(payload.get("custom_id", ""))
        if "values" in payload:
            values = [str(v) for v in payload["values"]]
            return await self.emu.select_option(stored.id, custom_id, values, user=user)
        return await self.emu.click_button(stored.id, custom_id, user=user)

    # -- a modal -----------------------------------------------------------------------------
    async def modal(self, request: web.Request) -> web.Response:
        payload, files = await read_form(request)
        return await self._answer(request, lambda: self._modal(payload, files))

    async def _modal(self, payload: dict[str, Any], files: dict[str, list[tuple]]):
        user, _ = self._who(payload)
        try:
            handle = self.emu.interactions.handles[int(payload["interaction_id"])]
        except (KeyError, TypeError, ValueError):
            raise Refused("that form has expired") from None
        if handle.user.id != user.id or handle.modal is None:
            raise Refused("that form is not yours")
        values: dict[str, Any] = dict(payload.get("values") or {})
        values.update(files)
        return await self.emu.submit_modal(handle, values)
