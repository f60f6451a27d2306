"""Fixtures for end-to-end tests against the Discord emulator (see ``emulator/__init__.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from bot.api.sandbox.server import RunningSandbox, running_sandbox
from bot.api.sandbox.state import SandboxConfig
from bot.runtime.app import discord_pointed_at
from bot.runtime.config import Settings
from bot.runtime.emulator import DiscordEmulator
from tests.support.canary import CANARY_API_KEY, CANARY_BOT_TOKEN, canary_guard  # noqa: F401

from .exterior_env import settings_for
from .runner import BotRunner


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    """A started emulator (one guild, channel, user) with discord.py pointed at it."""
    emu = DiscordEmulator(token=CANARY_BOT_TOKEN)
    await emu.start()
    try:
        with discord_pointed_at(emu.api_url, emu.ws_url):
            yield emu
    finally:
        await emu.stop()
    assert not emu.internal_errors, f"the emulator itself failed: {emu.internal_errors!r}"


@pytest_asyncio.fixture
async def bot_runner(emulator: DiscordEmulator) -> AsyncIterator[BotRunner]:
    """Start clients with ``await bot_runner.start(bot)``; all are closed at teardown."""
    async with BotRunner(emulator) as runner:
        yield runner


@pytest_asyncio.fixture
async def sandbox() -> AsyncIterator[RunningSandbox]:
    """A sandbox API with short timings that outlives bot restarts within a test."""
    config = SandboxConfig(api_key=CANARY_API_KEY, starting_seconds=0.05, processing_seconds=0.4)
    async with running_sandbox(config) as sb:
        yield sb


@pytest_asyncio.fixture
async def settings(emulator, sandbox, tmp_path) -> Settings:
    """exterior-bot's settings against the emulator and the sandbox, with webhooks."""
    return settings_for(emulator, sandbox, tmp_path / "bot.sqlite3")


@pytest_asyncio.fixture
async def polling_settings(emulator, sandbox, tmp_path) -> Settings:
    """The same without webhooks: a callback sent while the bot is down would be lost."""
    return settings_for(emulator, sandbox, tmp_path / "bot.sqlite3", webhooks=False)
