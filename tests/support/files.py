"""A loopback static server for test images, and helpers to make images."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from PIL import Image, ImageDraw


def png_bytes(image: Image.Image, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def photo(size=(64, 48), colour=(90, 140, 60)) -> Image.Image:
    return Image.new("RGB", size, colour)


def mask(size=(64, 48), box=None) -> Image.Image:
    image = Image.new("L", size, 0)
    w, h = size
    ImageDraw.Draw(image).rectangle(box or (w // 4, h // 2, 3 * w // 4, h - 4), fill=255)
    return image


class FileServer:
    """Serves bytes registered under names; counts fetches."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.fetches: dict[str, int] = {}
        self.url = ""

    def add(self, name: str, data: bytes, content_type: str = "image/png") -> str:
        self.files[name] = (data, content_type)
        return f"{self.url}/{name}"

    async def _serve(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.fetches[name] = self.fetches.get(name, 0) + 1
        if name not in self.files:
            raise web.HTTPNotFound()
        data, content_type = self.files[name]
        return web.Response(body=data, content_type=content_type)


@asynccontextmanager
async def file_server() -> AsyncIterator[FileServer]:
    server = FileServer()
    app = web.Application()
    app.router.add_get("/{name}", server._serve)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield server
    finally:
        await runner.cleanup()
