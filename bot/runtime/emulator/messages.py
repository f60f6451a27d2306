"""Building, editing and rendering messages from request bodies (shared by channel routes,
interaction callbacks and followup webhooks)."""

from __future__ import annotations

import copy
import re
import time
from typing import TYPE_CHECKING, Any

from . import components_v2 as v2
from .body import ParsedBody
from .cdn import probe_file
from .models import iso_from_snowflake, iso_now
from .responses import TOO_LARGE, ApiError, invalid_form
from .state import StoredAttachment, StoredMessage

if TYPE_CHECKING:
    from .cdn import Cdn
    from .models import User
    from .state import EmulatorState

MAX_FILES = 10
DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024
EDITABLE_FLAGS = (1 << 2) | (1 << 15)  # SUPPRESS_EMBEDS, IS_COMPONENTS_V2
_MENTION = re.compile(r"<@!?(\d+)>")


def _number_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give every component a numeric ``id`` like Discord does (keeping explicit ones); works
    on a copy so the recorded request keeps what the bot really sent."""
    components = copy.deepcopy(components)
    counter = 0

    def walk(items: list[dict[str, Any]]) -> None:
        nonlocal counter
        for item in items:
            counter += 1
            item.setdefault("id", counter)
            walk(item.get("components") or [])
            for key in ("component", "accessory"):
                if isinstance(item.get(key), dict):
                    walk([item[key]])

    walk(components)
    return components


def _new_attachments(
    state: EmulatorState, channel_id: int, body: ParsedBody, upload_limit: int, ephemeral: bool
) -> dict[int, StoredAttachment]:
    """Store the uploaded ``files[n]`` parts; keys are the indices ``n``."""
    if len(body.files) > MAX_FILES:
        raise invalid_form("files", "Must be 10 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
    entries = {}
    for entry in body.data.get("attachments") or []:
        if str(entry.get("id", "")).isdigit():
            entries[int(entry["id"])] = entry
    created = {}
    for index, part in sorted(body.files.items()):
        if len(part.data) > upload_limit:
            raise ApiError(*TOO_LARGE)
        entry = entries.get(index, {})
        filename = entry.get("filename") or part.filename
        content_type, width, height = probe_file(filename, part.data, part.content_type)
        created[index] = StoredAttachment(
            id=state.snowflake(),
            channel_id=channel_id,
            filename=filename,
            data=part.data,
            content_type=content_type,
            width=width or None,
            height=height or None,
            description=entry.get("description"),
            ephemeral=ephemeral,
        )
    return created


def _check_content(message: StoredMessage) -> None:
    if len(message.content) > 2000:
        raise invalid_form("content", "Must be 2000 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
    if len(message.embeds) > 10:
        raise invalid_form("embeds", "Must be 10 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
    if not (message.content or message.embeds or message.attachments or message.components):
        raise ApiError(400, 50006, "Cannot send an empty message")
    v2.check_message(
        {"content": message.content, "embeds": message.embeds},
        message.flags,
        message.components,
        [a.filename for a in message.attachments],
    )


def build_message(
    state: EmulatorState,
    *,
    channel_id: int,
    author: User,
    body: ParsedBody,
    upload_limit: int = DEFAULT_UPLOAD_LIMIT,
    allow_empty: bool = False,
    **extra: Any,
) -> StoredMessage:
    """A new (not yet stored) message from a create-message body."""
    data = body.data
    channel = state.channels.get(channel_id)
    flags = int(data.get("flags") or 0) | int(extra.pop("flags", 0))
    message = StoredMessage(
        id=state.snowflake(),
        channel_id=channel_id,
        guild_id=channel.guild_id if channel else None,
        author=author,
        content=str(data.get("content") or ""),
        embeds=list(data.get("embeds") or []),
        components=_number_components(list(data.get("components") or [])),
        flags=flags,
        tts=bool(data.get("tts")),
        nonce=data.get("nonce"),
        **extra,
    )
    ephemeral = bool(flags & StoredMessage.EPHEMERAL)
    message.attachments = list(
        _new_attachments(state, channel_id, body, upload_limit, ephemeral).values()
    )
    reference = data.get("message_reference")
    if reference and reference.get("type", 0) == 0:
        try:
            target = state.message(channel_id, reference["message_id"])
        except ApiError:
            if reference.get("fail_if_not_exists", True):
                raise invalid_form(
                    "message_reference", "Unknown message", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE"
                ) from None
        else:
            message.type = 19
            message.message_reference = {
                "type": 0,
                "message_id": str(target.id),
                "channel_id": str(channel_id),
                "guild_id": str(message.guild_id) if message.guild_id else None,
            }
    if not allow_empty:
        _check_content(message)
    return message


def apply_edit(
    state: EmulatorState,
    message: StoredMessage,
    body: ParsedBody,
    upload_limit: int = DEFAULT_UPLOAD_LIMIT,
) -> StoredMessage:
    """Apply a PATCH body: present fields replace; ``attachments`` lists the kept ones by id
    and the new ones by file index."""
    data = body.data
    before = copy.copy(message)
    try:
        return _apply_edit(state, message, data, body, upload_limit)
    except ApiError:  # Discord refuses the whole edit: the message stays as it was
        message.__dict__.update(before.__dict__)
        raise


def _apply_edit(
    state: EmulatorState, message: StoredMessage, data: dict, body: ParsedBody, upload_limit: int
) -> StoredMessage:
    filling = bool(message.flags & StoredMessage.LOADING)
    if "content" in data:
        message.content = str(data["content"] or "")
    if "embeds" in data:
        message.embeds = list(data["embeds"] or [])
    if "components" in data:
        message.components = _number_components(list(data["components"] or []))
    if data.get("flags") is not None:
        if message.flags & v2.IS_COMPONENTS_V2 and not int(data["flags"]) & v2.IS_COMPONENTS_V2:
            raise invalid_form(
                "flags", "The IS_COMPONENTS_V2 flag cannot be removed from a message.",
                "MESSAGE_CANNOT_REMOVE_COMPONENTS_V2_FLAG",
            )  # fmt: skip
        keep = message.flags & ~EDITABLE_FLAGS
        message.flags = keep | (int(data["flags"]) & EDITABLE_FLAGS)
    new = _new_attachments(state, message.channel_id, body, upload_limit, message.ephemeral)
    if "attachments" in data:
        current = {a.id: a for a in message.attachments}
        result = []
        for entry in data["attachments"] or []:
            key = int(entry["id"])
            if key in new:
                result.append(new.pop(key))
            elif key in current:
                result.append(current[key])
            else:
                raise invalid_form("attachments", "Unknown attachment", "ATTACHMENT_NOT_FOUND")
        message.attachments = result + list(new.values())
    else:
        message.attachments = message.attachments + list(new.values())
    for attachment in message.attachments:
        state.attachments[attachment.id] = attachment
    message.flags &= ~StoredMessage.LOADING
    message.changed_at = time.monotonic()
    if not filling:
        message.edited_timestamp = iso_now()
    _check_content(message)
    state.notifier.notify()
    return message


def render(
    state: EmulatorState, cdn: Cdn, message: StoredMessage, *, nested: bool = False
) -> dict[str, Any]:
    """The message object with freshly signed attachment URLs."""
    mentions = [
        state.users[int(uid)].payload()
        for uid in dict.fromkeys(_MENTION.findall(message.content))
        if int(uid) in state.users
    ]
    attachments = [cdn.attachment_payload(a) for a in message.attachments]
    components = message.components
    if message.flags & v2.IS_COMPONENTS_V2:
        components = copy.deepcopy(components)
        v2.resolve_media(components, {a["filename"]: a for a in attachments})
    data: dict[str, Any] = {
        "id": str(message.id),
        "channel_id": str(message.channel_id),
        "author": message.author.payload(),
        "content": message.content,
        "timestamp": iso_from_snowflake(message.id),
        "edited_timestamp": message.edited_timestamp,
        "tts": message.tts,
        "mention_everyone": False,
        "mentions": mentions,
        "mention_roles": [],
        "attachments": attachments,
        "embeds": message.embeds,
        "pinned": False,
        "type": message.type,
        "flags": message.flags,
        "components": components,
    }
    if message.nonce is not None:
        data["nonce"] = message.nonce
    if message.webhook_id is not None:
        data["webhook_id"] = str(message.webhook_id)
    if message.application_id is not None:
        data["application_id"] = str(message.application_id)
    if message.interaction_metadata is not None:
        data["interaction_metadata"] = message.interaction_metadata
    if message.message_reference is not None:
        data["message_reference"] = message.message_reference
        if not nested:
            target = state.messages.get(int(message.message_reference["message_id"]))
            alive = target is not None and not target.deleted
            data["referenced_message"] = render(state, cdn, target, nested=True) if alive else None
    return data


def find_component(components: list[dict[str, Any]], custom_id: str) -> dict | None:
    """The component (at any depth) with ``custom_id``."""
    for item in components:
        if item.get("custom_id") == custom_id:
            return item
        nested = list(item.get("components") or [])
        nested += [item[k] for k in ("component", "accessory") if isinstance(item.get(k), dict)]
        found = find_component(nested, custom_id)
        if found is not None:
            return found
    return None
