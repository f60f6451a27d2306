"""Fetching the images the API is given by URL, as a real API would: capped, jpg/png only
(decoded by the bot's own image rules, with the API's formats)."""

from __future__ import annotations

import asyncio
import ipaddress

import aiohttp
import yarl
from PIL import Image

from bot.images import decode as images
from bot.images.capped import TooLarge, read_capped

MAX_PIXELS = 40_000_000


class FetchError(Exception):
    pass


def on_this_machine(url: str) -> bool:
    """A literal loopback address or `localhost` (no DNS: a name could lead anywhere)."""
    host = yarl.URL(url).host or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_reachable(url: str, *, remote_urls: bool) -> None:
    if not url.startswith(("http://", "https://")):
        raise FetchError("must be an http(s) URL")
    if not remote_urls and not on_this_machine(url):
        raise FetchError(
            "this sandbox only reaches URLs on this machine (127.0.0.1, localhost); "
            "start it with --allow-remote-urls to allow other hosts"
        )


async def fetch_image(
    session: aiohttp.ClientSession, url: str, *, max_bytes: int, remote_urls: bool = True
) -> tuple[Image.Image, bytes]:
    """The decoded image and its bytes. Without `remote_urls`, loopback only, no redirects."""
    check_reachable(url, remote_urls=remote_urls)
    try:
        async with session.get(
            url, timeout=aiohttp.ClientTimeout(total=30), allow_redirects=remote_urls
        ) as resp:
            if resp.status != 200:
                raise FetchError(f"could not fetch the image (HTTP {resp.status})")
            data = await read_capped(resp, max_bytes)
    except TooLarge:
        raise FetchError(f"image is larger than {max_bytes // (1024 * 1024)} MiB") from None
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise FetchError(f"could not fetch the image ({type(exc).__name__})") from None
    # Decoding a large image takes a while: keep it off the event loop.
    return await asyncio.to_thread(decode_image, data), data


def decode_image(data: bytes) -> Image.Image:
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
