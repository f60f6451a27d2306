"""The callback receiver (API webhooks -> tracker hints), a short-lived file host, /healthz, and
the pages served to browsers (the mask studio, client pages).

Callbacks are handed to `bot.tracking.callbacks` (verify -> record -> hint); anything that is not a
genuine callback path gets a 404 that says nothing.
"""

from __future__ import annotations

import errno
import logging
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from bot.runtime.config import ConfigError
from bot.tracking.callbacks import Callbacks
from bot.tracking.tracker import GenerationTracker

if TYPE_CHECKING:
    from bot.service.client.routes import ClientRoutes
    from bot.service.studio.routes import StudioRoutes

log = logging.getLogger(__name__)
CALLBACK_KIB = 256  # the largest request body we read (callbacks, studio uploads have their own)


def cannot_listen(host: str, port: int, exc: OSError, fix: str) -> str:
    """One sentence for a port we cannot listen on, ending with what moves it (`fix`)."""
    if exc.errno == errno.EADDRINUSE:
        why = "is already in use (another exterior-bot, or another program)"
    else:
        why = f"cannot be used ({exc.strerror or exc})"
    return f"port {port} on {host} {why}; {fix}"


@dataclass
class _HostedFile:
    data: bytes
    content_type: str
    expires: float


class WebhookServer:
    def __init__(
        self,
        tracker: GenerationTracker,
        callbacks: Callbacks,
        *,
        host: str = "0.0.0.0",
        port: int = 8080,
        public_url: str | None = None,
        file_lifetime: float = 3600.0,
        studio: StudioRoutes | None = None,
        client: ClientRoutes | None = None,
    ):
        self.tracker = tracker
        self.callbacks = callbacks
        self.host, self.port = host, port
        self.public_url = public_url.rstrip("/") if public_url else None
        self.file_lifetime = file_lifetime
        self.studio = studio
        self.client = client
        self.callbacks_received = 0
        self._files: dict[str, _HostedFile] = {}
        self._runner: web.AppRunner | None = None

    def callback_url(self, row_id: int) -> str:
        return f"{self.base_url}/callbacks/{row_id}/{self.callbacks.secret_for(row_id)}"

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url
        if self._runner is None:
            raise RuntimeError("webhook server not started")
        return f"http://127.0.0.1:{self.port}"

    def host_file(self, data: bytes, filename: str, content_type: str) -> str:
        """Serve `data` at an unguessable URL for a while (local files handed to the API)."""
        now = time.time()
        for key in [k for k, f in self._files.items() if f.expires < now]:
            del self._files[key]
        key = f"{secrets.token_urlsafe(18)}/{filename}"
        self._files[key] = _HostedFile(data, content_type, now + self.file_lifetime)
        return f"{self.base_url}/files/{key}"

    def app(self) -> web.Application:
        app = web.Application(client_max_size=CALLBACK_KIB * 1024)
        app.router.add_post("/callbacks/{row:[0-9]+}/{secret}", self._callback)
        app.router.add_get("/files/{token}/{name}", self._file)
        app.router.add_get("/healthz", self._health)
        if self.studio is not None:
            self.studio.add_to(app.router)
        if self.client is not None:
            self.client.add_to(app.router)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.host, self.port).start()
        except OSError as exc:
            await self._runner.cleanup()
            self._runner = None
            fix = "set EXTERIOR_WEBHOOK_PORT to a free port"
            raise ConfigError(cannot_listen(self.host, self.port, exc, fix)) from None
        self.port = self._runner.addresses[0][1]
        log.info(
            "webhook server listening on %s:%s (public URL %s)",
            self.host,
            self.port,
            self.public_url or "none: local only",
        )

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    async def _callback(self, request: web.Request) -> web.Response:
        self.callbacks_received += 1
        row, secret = request.match_info["row"], request.match_info["secret"]
        if self.callbacks.verify(row, secret) is None:  # before reading anything
            log.info("ignored callback on an unknown path")
            raise web.HTTPNotFound()
        try:
            named_id = await _generation_id(request)
        except web.HTTPRequestEntityTooLarge:
            # The path is genuine, so the API did call: still a hint; the status tells the
            # sender its body was refused (no callback body of ours is anywhere near this).
            log.warning("callback for row %s refused: body over %d KiB", row, CALLBACK_KIB)
            await self.callbacks.receive(row, secret, None)
            raise
        try:
            genuine = await self.callbacks.receive(row, secret, named_id)
        except Exception:  # a callback is a hint: never a 500 for the API
            log.exception("callback for row %s could not be handled", row)
            genuine = True
        if not genuine:
            log.info("ignored callback on an unknown path")
            raise web.HTTPNotFound()
        return web.json_response({"ok": True})

    async def _file(self, request: web.Request) -> web.Response:
        key = f"{request.match_info['token']}/{request.match_info['name']}"
        hosted = self._files.get(key)
        if hosted is None or hosted.expires < time.time():
            raise web.HTTPNotFound()
        return web.Response(body=hosted.data, content_type=hosted.content_type)

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "tracked": self.tracker.tracked})


async def _generation_id(request: web.Request) -> str | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    value = body.get("generation_id") if isinstance(body, dict) else None
    return value if isinstance(value, str) and 0 < len(value) <= 100 else None
