"""The callback receiver (API webhooks -> tracker hints), a short-lived file host, /healthz.

A callback is only a hint: the tracker confirms with `get`. Each generation has its own
unguessable path; anything else gets a 404 that says nothing.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass

from aiohttp import web

from bot.domain import Status
from bot.tracker import GenerationTracker
from storage import GenerationRepository

log = logging.getLogger(__name__)


def new_secret() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class _HostedFile:
    data: bytes
    content_type: str
    expires: float


class WebhookServer:
    def __init__(
        self,
        tracker: GenerationTracker,
        repo: GenerationRepository,
        *,
        host: str = "0.0.0.0",
        port: int = 8080,
        public_url: str | None = None,
        file_lifetime: float = 3600.0,
    ):
        self.tracker = tracker
        self.repo = repo
        self.host, self.port = host, port
        self.public_url = public_url.rstrip("/") if public_url else None
        self.file_lifetime = file_lifetime
        self.callbacks_received = 0
        self._files: dict[str, _HostedFile] = {}
        self._runner: web.AppRunner | None = None

    def callback_url(self, row_id: int, secret: str) -> str:
        return f"{self.base_url}/callbacks/{row_id}/{secret}"

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
        app = web.Application(client_max_size=256 * 1024)
        app.router.add_post("/callbacks/{row:[0-9]+}/{secret}", self._callback)
        app.router.add_get("/files/{token}/{name}", self._file)
        app.router.add_get("/healthz", self._health)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
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
        gen = await self.repo.get(int(request.match_info["row"]))
        given = request.match_info["secret"]
        if (
            gen is None
            or not gen.webhook_secret
            or not secrets.compare_digest(given.encode(), gen.webhook_secret.encode())
        ):
            log.info("ignored callback on an unknown path")
            raise web.HTTPNotFound()
        # The body is not trusted; only the fact that this generation's callback came matters.
        if gen.status in (Status.PENDING, Status.UNKNOWN) and not gen.generation_id:
            # The API calls this row's secret path although our paid call has not (PENDING) or
            # never (UNKNOWN: ambiguous failure) told us its id: it did act. The id in the body
            # (then confirmed by `get`) saves the result.
            api_id = await _generation_id(request)
            if api_id and await self.repo.by_generation_id(api_id) is None:
                await self._adopt(gen, api_id)
        elif gen.status is Status.TIMED_OUT:
            self.tracker.recheck(gen)  # we gave up waiting, the API did not
        elif not gen.status.is_terminal:
            await self.tracker.hint_anywhere(gen.id)
        return web.json_response({"ok": True})

    async def _adopt(self, gen, api_id: str) -> None:
        if gen.status is Status.PENDING:
            self.tracker.early_ids[gen.id] = api_id  # used if the call then fails ambiguously
            await self.tracker.hint_anywhere(gen.id)  # its submitter may be another process
            return
        log.warning("callback names generation %s for UNKNOWN row %s", api_id, gen.id)
        try:
            await self.tracker.adopt(gen, api_id)
        except Exception:  # a callback is a hint: never a 500 for the API
            log.exception("could not adopt generation %s for row %s", api_id, gen.id)

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
