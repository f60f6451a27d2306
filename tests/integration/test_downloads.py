"""Downloads of URLs the API or Discord gave us: allowed hosts, public addresses, caps."""

from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio
from aiohttp import web
from PIL import Image

from bot.images.decode import ImageError
from bot.images.downloads import Downloader, DownloadRefused, HostPolicy
from bot.runtime.config import ConfigError, load_settings
from cogs.shared.media import fit
from tests.support.files import png_bytes

PNG = png_bytes(Image.new("RGB", (8, 8), (10, 200, 30)))


class Site:
    """A loopback server that counts every request it receives."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.port = 0

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.hits.append(request.path)
        if request.path == "/ok.png":
            return web.Response(body=PNG, content_type="image/png")
        if request.path == "/same-host":
            raise web.HTTPFound("/ok.png")
        if request.path == "/other-host":
            raise web.HTTPFound(self.url("/ok.png", host="localhost"))
        if request.path == "/endless":  # no Content-Length: only streaming can stop it
            resp = web.StreamResponse()
            await resp.prepare(request)
            for _ in range(64):
                await resp.write(b"\0" * 65536)
            return resp
        if request.path == "/slow":
            resp = web.StreamResponse()
            await resp.prepare(request)
            for _ in range(100):
                await resp.write(b"\0")
                await asyncio.sleep(0.05)
            return resp
        raise web.HTTPNotFound()


@pytest_asyncio.fixture
async def site():
    s = Site()
    app = web.Application()
    app.router.add_get("/{tail:.*}", s.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    s.port = runner.addresses[0][1]
    yield s
    await runner.cleanup()


def downloader(api: str, *, extra=(), time_cap: float = 5.0) -> Downloader:
    return Downloader(HostPolicy.of(api, extra=extra), time_cap=time_cap)


@pytest.mark.asyncio
async def test_the_api_host_may_be_on_loopback_and_same_host_redirects_are_followed(site):
    async with downloader(site.url("")) as d:  # the sandbox's case
        assert await d.fetch(site.url("/ok.png"), "result") == PNG
        assert await d.fetch(site.url("/same-host"), "result") == PNG


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:{port}/ok.png",  # a host nobody allowed
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "file:///etc/passwd",
        "ftp://127.0.0.1:{port}/ok.png",
        "http://user@/ok.png",
    ],
)
async def test_hosts_not_allowed_are_refused_before_connecting(site, url):
    async with downloader("https://api.example.com") as d:
        with pytest.raises(DownloadRefused):
            await d.fetch(url.format(port=site.port), "result")
    assert site.hits == []


@pytest.mark.asyncio
async def test_allowed_names_on_private_addresses_are_refused(site):
    # listed by an admin, but resolving to loopback (or an IP literal that is private)
    async with downloader("https://api.example.com", extra=["localhost", "127.0.0.1"]) as d:
        for host in ("localhost", "127.0.0.1"):
            with pytest.raises(DownloadRefused):
                await d.fetch(site.url("/ok.png", host=host), "result")
    assert site.hits == []


@pytest.mark.asyncio
async def test_redirects_to_another_host_are_refused(site):
    async with downloader(site.url(""), extra=["localhost"]) as d:
        with pytest.raises(DownloadRefused):
            await d.fetch(site.url("/other-host"), "result")
    assert site.hits == ["/other-host"]  # never followed


@pytest.mark.asyncio
async def test_bytes_and_time_are_capped(site):
    async with downloader(site.url(""), time_cap=0.5) as d:
        with pytest.raises(ImageError, match="larger than 1 MiB"):
            await d.fetch(site.url("/endless"), "result", max_bytes=1024 * 1024)
        with pytest.raises(ImageError, match="too long"):
            await d.fetch(site.url("/slow"), "result")


@pytest.mark.asyncio
async def test_pixels_are_capped_before_re_encoding():
    bomb = png_bytes(Image.new("RGB", (5100, 5000)))  # a few KiB, 25.5 megapixels
    with pytest.raises(ImageError, match="megapixels"):
        await fit(bomb, "exterior-1-0.png", len(bomb) - 1)


def test_allowed_hosts_setting():
    env = {"EXTERIOR_ALLOWED_HOSTS": " images.example.com, CDN.example.org ,"}
    assert load_settings(env, dotenv=None).allowed_hosts == (
        "images.example.com",
        "cdn.example.org",
    )
    with pytest.raises(ConfigError, match="EXTERIOR_ALLOWED_HOSTS"):
        load_settings({"EXTERIOR_ALLOWED_HOSTS": "https://x.example.com/"}, dotenv=None)
