"""Run the sandbox API on a local port (in-process for the CLI and tests, or standalone)."""

from __future__ import annotations

import errno
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from bot.api.sandbox.app import create_app
from bot.api.sandbox.state import SandboxConfig, SandboxState
from bot.api.sandbox.store import SandboxStore


@dataclass
class RunningSandbox:
    url: str
    state: SandboxState
    runner: web.AppRunner

    def host_file(self, data: bytes, content_type: str) -> str:
        """Serve `data` from the sandbox itself: with a store, later commands find it too."""
        ext = "jpg" if content_type.lower() in ("image/jpeg", "image/jpg", "image/mpo") else "png"
        return f"{self.url}/sandbox/files/{self.state.keep(data)}.{ext}"


@asynccontextmanager
async def running_sandbox(
    config: SandboxConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    store: SandboxStore | None = None,
) -> AsyncIterator[RunningSandbox]:
    """With a `store`, the state is loaded from and saved to its file, and the sandbox listens
    on the port it had last time when that is free, so URLs it gave out stay valid."""
    state = SandboxState(config or SandboxConfig())
    if store is not None:
        store.sync(state)
    app = create_app(state=state, store=store)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        try:
            await _bind(runner, host, port or (store.port if store else 0) or 0)
        except OSError as exc:
            if port or exc.errno != errno.EADDRINUSE:
                raise
            await _bind(runner, host, 0)  # the old port is taken (another command): any will do
    except BaseException:
        await runner.cleanup()  # its fetch session too: nothing left unclosed
        raise
    bound = runner.addresses[0][1]
    if store is not None and store.port != bound:
        store.sync(state, port=bound)
    try:
        yield RunningSandbox(url=f"http://{host}:{bound}", state=state, runner=runner)
    finally:
        await runner.cleanup()


async def _bind(runner: web.AppRunner, host: str, port: int) -> None:
    await web.TCPSite(runner, host, port).start()
