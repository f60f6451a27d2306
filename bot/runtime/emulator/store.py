"""The emulated world kept on disk, so a Discord that restarts still remembers (the playground).

Discord never forgets a server, its channels or their messages; the bot's database points at
them (channel ids, posted message ids, the photo it re-posted). So the playground keeps the whole
world in a directory beside its database: ``world.json`` (users, guilds with their roles, members
and channels, messages, attachments' descriptions, synced commands, the CDN's signing key) and
``files/<attachment id>`` (each file's bytes, written once: attachments never change).
``world.json`` is replaced atomically; files nobody refers to any more are removed.
Interactions are not kept: their tokens die with the process, as a client's would.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .models import Channel, Guild, Member, Role, User
from .parts import Emulator
from .state import StoredAttachment, StoredMessage

log = logging.getLogger(__name__)
FORMAT = 1


class WorldStore:
    def __init__(self, path: Path):
        self.path = path
        self.files = path / "files"

    @property
    def exists(self) -> bool:
        return (self.path / "world.json").is_file()

    # -- saving ------------------------------------------------------------------------------
    def snapshot(self, emu: Emulator, facade: dict[str, int]) -> tuple[dict, dict[int, bytes]]:
        """The world as a document and the files it names (cheap: taken in the loop, written
        by ``write`` in a thread). ``facade`` names the emulator's own objects by id."""
        state = emu.state
        doc = {
            "format": FORMAT,
            "facade": facade,
            "cdn_secret": emu.cdn.secret.hex(),
            "locales": {str(k): v for k, v in emu.locales.items()},
            "users": [asdict(u) for u in state.users.values()],
            "guilds": [_guild(g) for g in state.guilds.values()],
            "attachments": [_attachment(a) for a in state.attachments.values()],
            "messages": [_message(m) for m in state.messages.values() if not m.deleted],
            "commands": _commands(emu),
        }
        files = {a.id: a.data for a in state.attachments.values()}
        return doc, files

    def write(self, doc: dict, files: dict[int, bytes]) -> None:
        self.files.mkdir(parents=True, exist_ok=True)
        present = {int(p.name) for p in self.files.iterdir() if p.name.isdigit()}
        for attachment_id, data in files.items():
            if attachment_id not in present:
                tmp = self.files / f"{attachment_id}.tmp"
                tmp.write_bytes(data)
                os.replace(tmp, self.files / str(attachment_id))
        tmp = self.path / "world.json.tmp"
        tmp.write_text(json.dumps(doc), "utf-8")
        os.replace(tmp, self.path / "world.json")
        for gone in present - set(files):
            (self.files / str(gone)).unlink(missing_ok=True)

    # -- loading -----------------------------------------------------------------------------
    def load(self, emu: Emulator) -> dict[str, int] | None:
        """Replace ``emu``'s world with the stored one; returns the facade's ids (None: no
        usable store, the world is left as it was)."""
        try:
            doc = json.loads((self.path / "world.json").read_text("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("emulated world %s unreadable (%s); starting afresh", self.path, exc)
            return None
        if doc.get("format") != FORMAT:
            return None
        state = emu.state
        state.users = {u["id"]: User(**u) for u in doc["users"]}
        state.guilds, state.channels = {}, {}
        for raw in doc["guilds"]:
            guild = _load_guild(raw, state.users)
            state.guilds[guild.id] = guild
            state.channels.update(guild.channels)
        state.attachments = {}
        for raw in doc["attachments"]:
            try:
                data = (self.files / str(raw["id"])).read_bytes()
            except OSError:
                continue  # a file lost: its message shows without it
            state.attachments[raw["id"]] = StoredAttachment(data=data, **raw)
        state.messages = {}
        for raw in doc["messages"]:
            message = _load_message(raw, state.users, state.attachments)
            if message is not None:
                state.messages[message.id] = message
        emu.cdn.secret = bytes.fromhex(doc["cdn_secret"])
        emu.locales.clear()
        emu.locales.update({int(k): v for k, v in doc["locales"].items()})
        commands = doc["commands"]
        emu.commands.global_commands[:] = commands["global"]
        emu.commands.guild_commands.clear()
        emu.commands.guild_commands.update({int(k): v for k, v in commands["guilds"].items()})
        return {k: int(v) for k, v in doc["facade"].items()}


def _guild(guild: Guild) -> dict[str, Any]:
    return {
        "id": guild.id,
        "name": guild.name,
        "owner_id": guild.owner_id,
        "roles": [asdict(r) for r in guild.roles.values()],
        "channels": [asdict(c) for c in guild.channels.values()],
        "members": [
            {"user": m.user.id, "role_ids": m.role_ids, "joined_at": m.joined_at, "nick": m.nick}
            for m in guild.members.values()
        ],
    }


def _load_guild(raw: dict[str, Any], users: dict[int, User]) -> Guild:
    guild = Guild(raw["id"], raw["name"], raw["owner_id"])
    guild.roles = {r["id"]: Role(**r) for r in raw["roles"]}
    guild.channels = {c["id"]: Channel(**c) for c in raw["channels"]}
    for m in raw["members"]:
        if m["user"] in users:
            guild.members[m["user"]] = Member(
                users[m["user"]], m["role_ids"], m["joined_at"], m["nick"]
            )
    return guild


def _attachment(attachment: StoredAttachment) -> dict[str, Any]:
    raw = asdict(attachment)
    del raw["data"]
    return raw


_MESSAGE_FIELDS = (
    "id", "channel_id", "guild_id", "content", "embeds", "components", "flags", "type", "tts",
    "nonce", "message_reference", "webhook_id", "application_id", "interaction_metadata",
    "edited_timestamp",
)  # fmt: skip


def _message(message: StoredMessage) -> dict[str, Any]:
    raw = {name: getattr(message, name) for name in _MESSAGE_FIELDS}
    raw["author"] = message.author.id
    raw["attachments"] = [a.id for a in message.attachments]
    return raw


def _load_message(
    raw: dict[str, Any], users: dict[int, User], attachments: dict[int, StoredAttachment]
) -> StoredMessage | None:
    author = users.get(raw["author"])
    if author is None:
        return None
    message = StoredMessage(author=author, **{k: raw[k] for k in _MESSAGE_FIELDS})
    message.attachments = [attachments[a] for a in raw["attachments"] if a in attachments]
    return message


def _commands(emu: Emulator) -> dict[str, Any]:
    commands = emu.commands
    return {
        "global": commands.global_commands,
        "guilds": {str(k): v for k, v in commands.guild_commands.items()},
    }
