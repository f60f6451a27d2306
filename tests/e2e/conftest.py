"""Fixtures for end-to-end tests against the Discord emulator (see ``emulator/__init__.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .emulator import BotRunner, DiscordEmulator


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    """A started emulator (one guild, channel, user) with discord.py pointed at it."""
    emu = DiscordEmulator()
    await emu.start()
    try:
        with emu.patch_discord():
            yield emu
    finally:
        await emu.stop()
    assert not emu.internal_errors, f"the emulator itself failed: {emu.internal_errors!r}"


@pytest_asyncio.fixture
async def bot_runner(emulator: DiscordEmulator) -> AsyncIterator[BotRunner]:
    """Start clients with ``await bot_runner.start(bot)``; all are closed at teardown."""
    async with BotRunner(emulator) as runner:
        yield runner
