"""A fault-injecting stand-in for the API: scripted answers per endpoint, every request counted.

Alone it answers only what a test scripts. With an ``upstream`` (a running sandbox) it is a proxy
in front of a real API: unscripted requests pass through, a scripted fault is injected either
before the upstream sees the request or after it has acted (``Answer.forward``: the API spent the
credit, then its answer was lost), result downloads pass through it too (their URLs are rewritten
to point here), and webhook URLs are swapped for its own so a test decides which callbacks arrive,
twice, late or never.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

API = "/api/create_exterior/"


@dataclass
class Answer:
    status: int = 200
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    raw: str | None = None  # sent as-is instead of JSON
    drop: bool = False  # close the connection without answering
    forward: bool = False  # let the upstream act first, then answer with this fault
    hold: asyncio.Event | None = None  # wait for this before answering (crash tests)
    relay: bool = False  # with `forward`: answer what the upstream said (after hold/delay)


# One ambiguous or refused answer per fault kind; `acted` = the API did the work first.
FAULT_KINDS = ("429", "5xx", "timeout", "malformed", "reset")


def fault(kind: str, *, acted: bool = True, timeout: float = 2.5) -> Answer:
    """The answer for one fault kind (``timeout`` must exceed the client's read timeout)."""
    if kind == "429":  # a rate limit is a refusal: the API did not act
        return Answer(429, {"message": "Too many requests"}, headers={"Retry-After": "0"})
    answers = {
        "5xx": Answer(502, raw="<html>502 Bad Gateway</html>"),
        "timeout": Answer(200, {"late": True}, delay=timeout),
        "malformed": Answer(200, raw="<html>not json</html>"),
        "reset": Answer(drop=True),
    }
    answer = answers[kind]
    answer.forward = acted
    return answer


@dataclass
class Callback:
    """A webhook the upstream sent, held back for the test to deliver (or not)."""

    url: str
    body: bytes
    headers: dict[str, str]


class FaultyApi:
    def __init__(self, upstream: str | None = None) -> None:
        self.script: dict[str, deque[Answer]] = defaultdict(deque)
        self.requests: list[tuple[str, dict, dict]] = []  # (endpoint, headers, body)
        self.url = ""
        self.upstream = upstream.rstrip("/") if upstream else None
        self.arrived: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        # webhooks: where each swapped hook really points, and those the upstream sent
        self.hooks: dict[str, str] = {}
        self.callbacks: list[Callback] = []
        self.forward_callbacks = True  # False: the test delivers them by hand
        self.undelivered: list[Callback] = []  # forwarding failed (the bot was down)
        self._session: aiohttp.ClientSession | None = None

    def then(self, endpoint: str, *answers: Answer) -> None:
        self.script[endpoint].extend(answers)

    def count(self, endpoint: str) -> int:
        return sum(1 for e, _, _ in self.requests if e == endpoint)

    @property
    def paid_calls(self) -> int:
        return self.count("generate") + self.count("generate-variation")

    async def handle(self, request: web.Request) -> web.StreamResponse:
        endpoint = request.match_info["endpoint"]
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        self.requests.append((endpoint, dict(request.headers), body))
        self.arrived[endpoint].set()
        return await self._answer(request, endpoint, raw, body)

    async def result(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(("result", dict(request.headers), {}))
        self.arrived["result"].set()
        return await self._answer(request, "result", b"", None)

    async def _answer(self, request, endpoint, raw: bytes, body) -> web.StreamResponse:
        scripted = self.script[endpoint].popleft() if self.script[endpoint] else None
        if scripted is None and self.upstream is None:
            scripted = Answer(500)
        if scripted is None or scripted.forward:
            upstream = await self._forward(request, raw, body)
            if scripted is None:
                return upstream
        answer = scripted
        if answer.hold is not None:
            await answer.hold.wait()
        if answer.delay:
            await asyncio.sleep(answer.delay)
        if answer.relay:
            return upstream
        if answer.drop:
            request.transport.close()
            return web.Response()
        text = answer.raw if answer.raw is not None else json.dumps(answer.body)
        return web.Response(
            status=answer.status, text=text, content_type="application/json", headers=answer.headers
        )

    async def _forward(self, request: web.Request, raw: bytes, body) -> web.Response:
        assert self._session is not None and self.upstream is not None
        if isinstance(body, dict) and isinstance(body.get("webhook"), str):
            token = f"{len(self.hooks)}"
            self.hooks[token] = body["webhook"]
            body = {**body, "webhook": f"{self.url}/hooks/{token}"}
            raw = json.dumps(body).encode()
        path = request.path_qs
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("x-api-key",)}
        headers["Content-Type"] = request.headers.get("Content-Type", "application/json")
        async with self._session.request(
            request.method, self.upstream + path, data=raw or None, headers=headers
        ) as resp:
            data = await resp.read()
            ctype = resp.headers.get("Content-Type", "application/json").split(";")[0]
            extra = {k: v for k, v in resp.headers.items() if k == "Retry-After"}
            status = resp.status
        if ctype == "application/json":
            data = data.replace(self.upstream.encode(), self.url.encode())
        return web.Response(status=status, body=data, content_type=ctype, headers=extra)

    async def hook(self, request: web.Request) -> web.Response:
        target = self.hooks.get(request.match_info["token"])
        if target is None:
            raise web.HTTPNotFound()
        callback = Callback(target, await request.read(), {"Content-Type": "application/json"})
        self.callbacks.append(callback)
        if self.forward_callbacks:
            try:
                await self.deliver(callback)
            except aiohttp.ClientError:
                self.undelivered.append(callback)  # like an API that retries later
        return web.json_response({"ok": True})

    async def deliver(self, callback: Callback, *, url: str | None = None) -> int:
        """Send a held callback to the bot (or ``url``); returns the bot's status."""
        assert self._session is not None
        async with self._session.post(
            url or callback.url, data=callback.body, headers=callback.headers
        ) as resp:
            return resp.status

    async def wait_for(self, endpoint: str, count: int = 1, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while self.count(endpoint) < count:
                self.arrived[endpoint].clear()
                await self.arrived[endpoint].wait()


@asynccontextmanager
async def faulty_api(upstream: str | None = None) -> AsyncIterator[FaultyApi]:
    api = FaultyApi(upstream)
    app = web.Application(client_max_size=32 * 1024 * 1024)
    app.router.add_post(API + "{endpoint}", api.handle)
    app.router.add_post("/hooks/{token}", api.hook)
    app.router.add_get("/{tail:.*}", api.result)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    api.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    async with aiohttp.ClientSession() as session:
        api._session = session
        try:
            yield api
        finally:
            await runner.cleanup()
