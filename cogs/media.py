"""Moving pictures between Discord and the core: capped reads, fresh URLs, size limits."""

from __future__ import annotations

import asyncio
import io

import discord
from PIL import Image

from bot.images import MAX_BYTES, ImageError


async def read_attachment(attachment: discord.Attachment, what: str) -> bytes:
    if attachment.size > MAX_BYTES:
        raise ImageError(f"The {what} is larger than {MAX_BYTES // (1024 * 1024)} MiB.")
    try:
        return await attachment.read()
    except (discord.HTTPException, discord.NotFound):
        raise ImageError(f"Could not download the {what} from Discord; try again.") from None


def file(data: bytes, name: str) -> discord.File:
    return discord.File(io.BytesIO(data), filename=name)


def _shrink(data: bytes, limit: int) -> bytes:
    """Re-encode as JPEG, lowering quality and then size, until it fits under `limit`."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
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
