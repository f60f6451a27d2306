"""Reading the photo and mask a user names: a local path or an http(s) URL, capped."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from bot.images.decode import MAX_BYTES, check_byte_count
from bot.images.downloads import fetch_capped
from bot.images.errors import MissingFile


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
        raise MissingFile(what=what, path=value)
    check_byte_count(path.stat().st_size, what, max_bytes)
    return path.read_bytes()


async def download(
    session: aiohttp.ClientSession, url: str, what: str, *, max_bytes: int = MAX_BYTES
) -> bytes:
    """A URL the operator typed (CLI inputs): any host, with the usual byte and time caps.
    URLs from the API or Discord go through `Core.downloads` instead."""
    return await fetch_capped(session, url, what, max_bytes=max_bytes)
