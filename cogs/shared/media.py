"""Moving pictures between Discord and the core: capped reads, fresh URLs, size limits."""

from __future__ import annotations

import asyncio
import io

import discord

from bot.images.decode import (
    MAX_BYTES,
    check_byte_count,
    jpeg_within,
    open_image,
    prepare_mask,
    shrink_within,
)
from bot.images.downloads import Downloader
from bot.images.errors import PhotoTooLargeToPost


async def read_attachment(
    downloads: Downloader, attachment: discord.Attachment, what: str
) -> bytes:
    """An attachment's bytes, through the core's downloader (Discord's hosts, capped)."""
    check_byte_count(attachment.size, what)  # before downloading it
    return await downloads.fetch(attachment.url, what, max_bytes=MAX_BYTES)


def file(data: bytes, name: str) -> discord.File:
    return discord.File(io.BytesIO(data), filename=name)


DEFAULT_LIMIT = 10 * 1024 * 1024  # Discord's upload limit without boosts


async def fit_same_size(data: bytes, name: str, limit: int) -> tuple[bytes, str]:
    """A photo the bot must re-post unchanged in size (the API is told its width and height):
    as it is, or as a JPEG of the same size; else a clear error."""
    if len(data) <= limit:
        return data, name
    smaller = await asyncio.to_thread(jpeg_within, data, limit)
    if smaller is None:
        raise PhotoTooLargeToPost(limit=limit // (1024 * 1024))
    return smaller, name.rsplit(".", 1)[0] + ".jpg"


def _check_picture(data: bytes) -> None:
    # any format and size the API chose, but a picture (not an error page served as one)
    open_image(data, "result", max_bytes=max(len(data), 1), min_side=1, formats=None).close()


async def fit(data: bytes, name: str, limit: int) -> tuple[bytes, str]:
    """The bytes and file name to upload: unchanged when under the limit, else a JPEG.
    Bytes that are not a picture are refused (ImageError) instead of posted."""
    await asyncio.to_thread(_check_picture, data)
    if len(data) <= limit:
        return data, name
    smaller = await asyncio.to_thread(shrink_within, data, limit)
    return smaller, name.rsplit(".", 1)[0] + ".jpg"


async def fresh_source_urls(
    client: discord.Client, channel_id: int, message_id: int
) -> tuple[str, str | None]:
    """Photo (and mask) URLs of the bot's own copy, freshly signed by re-fetching the message."""
    channel = client.get_channel(channel_id) or await client.fetch_channel(channel_id)
    message = await channel.fetch_message(message_id)  # type: ignore[union-attr]
    if not message.attachments:
        raise LookupError("the original photo is no longer attached")
    mask = message.attachments[1].url if len(message.attachments) > 1 else None
    return message.attachments[0].url, mask


async def mask_files_of(client: discord.Client, gen) -> list[discord.File]:
    """The new mask a variation's card carried, re-uploaded for a retry.

    Raises LookupError when the card (or its mask) is gone: retrying with another mask would
    spend a credit on something nobody asked for."""
    channel = client.get_channel(gen.origin.channel_id) or await client.fetch_channel(
        gen.origin.channel_id
    )
    try:
        card = await channel.fetch_message(gen.card_message_id)  # type: ignore[union-attr]
    except discord.NotFound:
        raise LookupError("the variation's card is gone") from None
    if not card.attachments:
        raise LookupError("the variation's card has no mask")
    downloads = client.core.downloads  # type: ignore[attr-defined]
    return [file(await downloads.fetch(card.attachments[0].url, "mask"), "mask.png")]


async def vary_mask(downloads: Downloader, attachment: discord.Attachment, parent) -> discord.File:
    """A new mask for a variation of `parent` (a command option or a modal's upload): read,
    checked like a create's mask, made binary at the photo's size, ready to re-host."""
    data = await read_attachment(downloads, attachment, "mask")
    size = (parent.width, parent.height) if parent.width and parent.height else None
    return file(await asyncio.to_thread(prepare_mask, data, size), "mask.png")
