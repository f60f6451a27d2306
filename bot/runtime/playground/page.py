"""The page itself: plain HTML, CSS and JavaScript from the package (nothing from another site),
under a strict Content-Security-Policy, and the example photo and mask one click away.

The page may only talk to its own origin and show pictures from the emulator's CDN; requests
that change something must come from the page itself (their Origin is checked), so another
site open in the same browser cannot drive the playground.
"""

from __future__ import annotations

from importlib import resources

from aiohttp import web

ASSETS = {
    "playground.css": "text/css",
    "app.js": "text/javascript",
    "render.js": "text/javascript",
    "components.js": "text/javascript",
    "markdown.js": "text/javascript",
    "composer.js": "text/javascript",
    "modal.js": "text/javascript",
}
EXAMPLES = {"camera.png": "image/png", "camera-mask.png": "image/png"}


def _static(name: str) -> bytes:
    return resources.files("bot.runtime.playground").joinpath("static", name).read_bytes()


def headers(cdn_origin: str) -> dict[str, str]:
    csp = (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data: blob: {cdn_origin}; connect-src 'self'; font-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": csp,
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }


def from_elsewhere(request: web.Request) -> bool:
    """A request another site's page made (browsers send their Origin with POSTs and
    websockets); the playground's own page, or a script without an Origin, is welcome."""
    origin = request.headers.get("Origin")
    return origin is not None and origin != f"{request.scheme}://{request.host}"


class Page:
    def __init__(self) -> None:
        self.cdn_origin = ""  # the emulator's origin, once it listens (pictures come from there)

    @property
    def headers(self) -> dict[str, str]:
        return headers(self.cdn_origin)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/", self.index),
            web.get("/playground/static/{name}", self.asset),
            web.get("/playground/examples/{name}", self.example),
            web.get("/favicon.ico", self.no_icon),
        ]

    async def index(self, request: web.Request) -> web.Response:
        return web.Response(
            body=_static("index.html"), content_type="text/html", charset="utf-8",
            headers=self.headers,
        )  # fmt: skip

    async def asset(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in ASSETS:
            raise web.HTTPNotFound()
        return web.Response(body=_static(name), content_type=ASSETS[name], headers=self.headers)

    async def example(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in EXAMPLES:
            raise web.HTTPNotFound()
        data = resources.files("bot").joinpath("examples", name).read_bytes()
        return web.Response(body=data, content_type=EXAMPLES[name], headers=self.headers)

    async def no_icon(self, request: web.Request) -> web.Response:
        return web.Response(status=204)
