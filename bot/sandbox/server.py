"""Run the sandbox API on a local port (in-process for the CLI and tests, or standalone)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from bot.sandbox.app import STATE_KEY, create_app
from bot.sandbox.state import SandboxConfig, SandboxState


@dataclass
class RunningSandbox:
    url: str
    state: SandboxState
    runner: web.AppRunner


@asynccontextmanager
async def running_sandbox(
    config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[RunningSandbox]:
    app = create_app(config)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    try:
        yield RunningSandbox(url=f"http://{host}:{bound}", state=app[STATE_KEY], runner=runner)
    finally:
        await runner.cleanup()
