"""Run discord.py clients against the emulator (bot.runtime.emulator) inside the test's own
event loop."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TypeVar

import discord

from bot.runtime.emulator import DiscordEmulator

ClientT = TypeVar("ClientT", bound=discord.Client)


class BotRunner:
    """Starts clients (login + gateway connect, waits for ``on_ready``) and closes them."""

    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu
        self._tasks: dict[discord.Client, asyncio.Task[None]] = {}

    async def start(
        self, client: ClientT, *, token: str | None = None, timeout: float = 10.0
    ) -> ClientT:
        await client.login(token or self.emu.token)
        task = asyncio.create_task(client.connect(reconnect=True), name=f"bot-{id(client)}")
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait(
            {task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            await client.close()
            if task in done:
                task.result()  # raise the connection error
                raise RuntimeError("the client stopped before becoming ready")
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            raise TimeoutError(f"the client was not ready after {timeout} s")
        self._tasks[client] = task
        return client

    async def stop(self, client: discord.Client, timeout: float = 5.0) -> None:
        task = self._tasks.pop(client, None)
        await client.close()
        if task is not None:
            try:
                await asyncio.wait_for(task, timeout)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def stop_all(self) -> None:
        for client in list(self._tasks):
            await self.stop(client)

    async def __aenter__(self) -> BotRunner:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop_all()
