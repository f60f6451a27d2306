"""Reading an HTTP body without ever holding more than a cap in memory."""

from __future__ import annotations

import aiohttp


class TooLarge(Exception):
    pass


async def read_capped(resp: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    if resp.content_length is not None and resp.content_length > max_bytes:
        raise TooLarge()
    chunks, size = [], 0
    async for chunk in resp.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge()
        chunks.append(chunk)
    return b"".join(chunks)
