"""Fetching the images the API is given by URL, as a real API would: capped, jpg/png only."""

from __future__ import annotations

import asyncio
import io

import aiohttp
from PIL import Image, UnidentifiedImageError

from bot.capped import TooLarge, read_capped

ALLOWED_FORMATS = {"JPEG", "MPO", "PNG"}  # MPO: a phone JPEG with extra pictures
MAX_PIXELS = 40_000_000


class FetchError(Exception):
    pass


async def fetch_image(session: aiohttp.ClientSession, url: str, *, max_bytes: int) -> Image.Image:
    if not url.startswith(("http://", "https://")):
        raise FetchError("must be an http(s) URL")
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=30)) as resp:
            if resp.status != 200:
                raise FetchError(f"could not fetch the image (HTTP {resp.status})")
            data = await read_capped(resp, max_bytes)
    except TooLarge:
        raise FetchError(f"image is larger than {max_bytes // (1024 * 1024)} MiB") from None
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise FetchError(f"could not fetch the image ({type(exc).__name__})") from None
    # Decoding a large image takes a while: keep it off the event loop.
    return await asyncio.to_thread(_decode, data)


def _decode(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        if image.format not in ALLOWED_FORMATS:
            raise FetchError(f"image format {image.format} is not supported (jpg or png)")
        if image.width * image.height > MAX_PIXELS:
            raise FetchError("image has too many pixels")
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise FetchError("not a readable jpg or png image") from None
    return image
