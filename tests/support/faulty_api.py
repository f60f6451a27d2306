"""A fault-injecting stand-in for the API: scripted answers per endpoint, every request counted."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Answer:
    status: int = 200
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    raw: str | None = None  # sent as-is instead of JSON
    drop: bool = False  # close the connection without answering


class FaultyApi:
    def __init__(self) -> None:
        self.script: dict[str, deque[Answer]] = defaultdict(deque)
        self.requests: list[tuple[str, dict, dict]] = []  # (endpoint, headers, body)
        self.url = ""

    def then(self, endpoint: str, *answers: Answer) -> None:
        self.script[endpoint].extend(answers)

    def count(self, endpoint: str) -> int:
        return sum(1 for e, _, _ in self.requests if e == endpoint)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        endpoint = request.match_info["endpoint"]
        self.requests.append((endpoint, dict(request.headers), await request.json()))
        answer = self.script[endpoint].popleft() if self.script[endpoint] else Answer(500)
        if answer.delay:
            await asyncio.sleep(answer.delay)
        if answer.drop:
            request.transport.close()
            return web.Response()
        text = answer.raw if answer.raw is not None else json.dumps(answer.body)
        return web.Response(
            status=answer.status, text=text, content_type="application/json", headers=answer.headers
        )


@asynccontextmanager
async def faulty_api() -> AsyncIterator[FaultyApi]:
    api = FaultyApi()
    app = web.Application()
    app.router.add_post("/api/create_exterior/{endpoint}", api.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    api.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield api
    finally:
        await runner.cleanup()
