"""Fetching the images the API is given by URL, as a real API would: capped, jpg/png only
(decoded by the bot's own image rules, with the API's formats)."""

from __future__ import annotations

import asyncio

import aiohttp
from PIL import Image

from bot import images
from bot.capped import TooLarge, read_capped

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
    # The bot's own rules, with the API's formats (jpg, png) and its own pixel cap.
    try:
        return images.open_image(
            data,
            "image",
            max_bytes=len(data),
            max_pixels=MAX_PIXELS,
            min_side=1,
            formats=images.API_FORMATS,
        )
    except images.UnsupportedFormat as exc:
        raise FetchError(f"image format {exc.format} is not supported (jpg or png)") from None
    except images.TooManyPixels:
        raise FetchError("image has too many pixels") from None
    except images.ImageError:
        raise FetchError("not a readable jpg or png image") from None
