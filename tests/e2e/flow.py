"""Helpers for exterior-bot's end-to-end tests: fixtures' world, commands, finding messages."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import aiohttp
from PIL import Image

from bot.domain import Generation, Kind, Status

EXAMPLES = Path(__file__).resolve().parents[2] / "bot" / "examples"
PHOTO = (EXAMPLES / "camera.png").read_bytes()
MASK = (EXAMPLES / "camera-mask.png").read_bytes()
# the studio and client pages are reachable in these tests (EXTERIOR_PUBLIC_URL is set): results
# offer them too
VARY_LABELS = ["Vary as POOL", "Vary as TERRACE", "Vary as PETANQUE", "Edit mask & vary"]
CARD_LABELS = ["Before / after", "New mask…", "History", "Share", "Share with client"]


def _walk(components: list[dict[str, Any]]):
    for item in components:
        yield item
        yield from _walk(item.get("components") or [])
        if isinstance(item.get("accessory"), dict):
            yield from _walk([item["accessory"]])


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button of a message, legacy rows and Components V2 layouts alike, in order."""
    return [c for c in _walk(message.get("components", [])) if c.get("type") == 2]


def card_text(message: dict[str, Any]) -> str:
    """The text displays of a Components V2 card."""
    found = [c.get("content", "") for c in _walk(message.get("components", []))]
    return "\n".join(t for t in found if t)


def gallery_urls(message: dict[str, Any]) -> list[str]:
    """The media a card's galleries show (resolved to attachment URLs by the emulator)."""
    items = [
        i for c in _walk(message.get("components", [])) if c.get("type") == 12
        for i in c.get("items", [])
    ]  # fmt: skip
    return [i["media"]["url"] for i in items]


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [b.get("custom_id", "") for b in buttons(message)]


def is_result_of(row_id: int):
    return lambda m: any(c.startswith(f"exterior:vary:{row_id}:") for c in custom_ids(m))


def embed_text(message: dict[str, Any]) -> str:
    parts = []
    for embed in message.get("embeds", []):
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
        parts.append(embed.get("footer", {}).get("text", ""))
    return "\n".join(p for p in parts if p)


def card_of(emulator, row_id: int) -> dict[str, Any]:
    marker = f"generation #{row_id}"
    return next(
        m for m in emulator.messages_in() if marker in embed_text(m) and not is_result_of(row_id)(m)
    )


async def create(
    emulator,
    room_type: str = "POOL",
    *,
    photo: bytes = PHOTO,
    mask: bytes | None = MASK,
    painted: bytes | None = None,
    user=None,
    channel=None,
):
    attachments = {"photo": ("garden.png", photo, "image/png")}
    if mask is not None:
        attachments["mask"] = ("mask.png", mask, "image/png")
    if painted is not None:
        attachments["painted"] = ("painted.png", painted, "image/png")
    return await emulator.slash_command(
        "exterior", {"type": room_type}, subcommand="create", user=user, channel=channel,
        attachments=attachments,
    )  # fmt: skip


def started_id(followup: dict[str, Any]) -> int:
    """The generation number from the ephemeral "Started generation #N" followup."""
    text = followup["content"]
    assert "Started generation #" in text, text
    return int(text.split("generation #", 1)[1].split()[0])


async def fetch_image(url: str) -> Image.Image:
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        assert resp.status == 200, url
        return Image.open(io.BytesIO(await resp.read()))


def link_of(message: dict[str, Any], label: str) -> str:
    """The URL of a link button (style 5: it sends no interaction)."""
    (button,) = [b for b in buttons(message) if b.get("label") == label]
    assert button["style"] == 5 and "custom_id" not in button, button
    return button["url"]


async def undelivered_copy(core, of: int, **changes) -> int:
    """A finished, never posted generation like `of` (what a crash or a failed post leaves)."""
    src = await core.generations.get(of)
    gen = await core.generations.create_intent(
        Generation(
            id=None, kind=changes.get("kind", Kind.CREATE), room_type=src.room_type,
            status=Status.PENDING, origin=src.origin, parent_id=changes.get("parent_id"),
            project_id=changes.get("project_id"),
        )
    )  # fmt: skip
    await core.generations.mark_submitted(
        gen.id, generation_id=f"copy-{gen.id}", project_id=changes.get("project_id"),
        remaining_photos=None, next_check_at=None,
    )  # fmt: skip
    await core.generations.record_check(
        gen.id,
        status=Status.SUCCEEDED,
        next_check_at=None,
        result_urls=changes.get("result_urls", src.result_urls),
    )
    return gen.id


async def private_result(emulator) -> tuple[int, Any]:
    """A result posted in a channel an outsider may not view: (its row, the outsider)."""
    from bot.runtime.emulator import permissions as perms

    private = await emulator.add_channel("private")
    outsider = await emulator.add_user("outsider")
    await emulator.set_member_permissions(private, outsider, deny=perms.VIEW_CHANNEL)
    handle = await create(emulator, "POOL", channel=private)
    row = started_id(await handle.wait_followup(timeout=10))
    await emulator.wait_for_message(predicate=is_result_of(row), channel=private, timeout=10)
    return row, outsider
