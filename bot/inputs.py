"""Reading the photo and mask a user names: a local path or an http(s) URL, capped."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from bot.capped import TooLarge, read_capped
from bot.images import MAX_BYTES, ImageError, check_byte_count, too_many_bytes


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


async def read_input(
    session: aiohttp.ClientSession, value: str, what: str, *, max_bytes: int = MAX_BYTES
) -> bytes:
    if is_url(value):
        return await download(session, value, what, max_bytes=max_bytes)
    return await asyncio.to_thread(_read_file, value, what, max_bytes)


def _read_file(value: str, what: str, max_bytes: int) -> bytes:
    path = Path(value).expanduser()
    if not path.is_file():
        raise ImageError(f"The {what} file {value} does not exist.")
    check_byte_count(path.stat().st_size, what, max_bytes)
    return path.read_bytes()


async def download(
    session: aiohttp.ClientSession, url: str, what: str, *, max_bytes: int = MAX_BYTES
) -> bytes:
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=60)) as resp:
            if resp.status != 200:
                raise ImageError(f"Could not download the {what} (HTTP {resp.status}).")
            return await read_capped(resp, max_bytes)
    except TooLarge:
        raise too_many_bytes(what, max_bytes) from None
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise ImageError(f"Could not download the {what} ({type(exc).__name__}).") from None
