"""Moving pictures between Discord and the core: capped reads, fresh URLs, size limits."""

from __future__ import annotations

import asyncio
import io

import discord
from PIL import Image

from bot.downloads import Downloader
from bot.images import MAX_BYTES, MAX_PIXELS, ImageError


async def read_attachment(
    downloads: Downloader, attachment: discord.Attachment, what: str
) -> bytes:
    """An attachment's bytes, through the core's downloader (Discord's hosts, capped)."""
    if attachment.size > MAX_BYTES:
        raise ImageError(f"The {what} is larger than {MAX_BYTES // (1024 * 1024)} MiB.")
    return await downloads.fetch(attachment.url, what, max_bytes=MAX_BYTES)


def file(data: bytes, name: str) -> discord.File:
    return discord.File(io.BytesIO(data), filename=name)


DEFAULT_LIMIT = 10 * 1024 * 1024  # Discord's upload limit without boosts


def _decoded(data: bytes, what: str) -> Image.Image:
    """Pixels are capped before anything is decoded or re-encoded (decompression bombs);
    any format Pillow reads is accepted, as the API's results are not ours to choose."""
    try:
        image = Image.open(io.BytesIO(data))
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ImageError(f"The {what} is not a picture the bot can read.") from None
    if image.width * image.height > MAX_PIXELS:
        raise ImageError(
            f"The {what} is {image.width}x{image.height}; the limit is "
            f"{MAX_PIXELS // 1_000_000} megapixels."
        )
    return image.convert("RGB")


def _as_jpeg(data: bytes, limit: int) -> bytes | None:
    image = _decoded(data, "photo")
    for quality in (92, 85, 75):
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=quality, optimize=True)
        if out.tell() <= limit:
            return out.getvalue()
    return None


async def fit_same_size(data: bytes, name: str, limit: int) -> tuple[bytes, str]:
    """A photo the bot must re-post unchanged in size (the API is told its width and height):
    as it is, or as a JPEG of the same size; else a clear error."""
    if len(data) <= limit:
        return data, name
    smaller = await asyncio.to_thread(_as_jpeg, data, limit)
    if smaller is None:
        raise ImageError(
            f"The photo is too large to post in this server (limit {limit // (1024 * 1024)} MiB);"
            " please upload a smaller one."
        )
    return smaller, name.rsplit(".", 1)[0] + ".jpg"


def _shrink(data: bytes, limit: int) -> bytes:
    """Re-encode as JPEG, lowering quality and then size, until it fits under `limit`."""
    image = _decoded(data, "result")
    for scale in (1.0, 0.75, 0.5, 0.35, 0.25):
        resized = (
            image
            if scale == 1.0
            else image.resize((max(1, int(image.width * scale)), max(1, int(image.height * scale))))
        )
        for quality in (90, 80, 65):
            out = io.BytesIO()
            resized.save(out, format="JPEG", quality=quality, optimize=True)
            if out.tell() <= limit:
                return out.getvalue()
    raise ImageError("The result is too large to post in this server.")


async def fit(data: bytes, name: str, limit: int) -> tuple[bytes, str]:
    """The bytes and file name to upload: unchanged when under the limit, else a JPEG."""
    if len(data) <= limit:
        return data, name
    smaller = await asyncio.to_thread(_shrink, data, limit)
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
