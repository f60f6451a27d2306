"""exterior-bot wired to the Discord emulator and a sandbox API, all on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from bot.api.sandbox.server import RunningSandbox
from bot.runtime.app import ExteriorBot
from bot.runtime.config import Settings
from bot.runtime.core import Core, open_core
from bot.runtime.emulator import DiscordEmulator
from tests.support.proc import free_port

from .runner import BotRunner


def settings_for(
    emulator: DiscordEmulator, sandbox: RunningSandbox, db_path: Path, *, webhooks: bool = True
) -> Settings:
    port = free_port()
    cfg = sandbox.state.config
    return Settings(
        discord_token=emulator.token,
        discord_guild_id=emulator.guild.id,
        api_key=cfg.api_key,
        user_id=cfg.user_id,
        base_url=sandbox.url,
        db_path=db_path,
        public_url=f"http://127.0.0.1:{port}" if webhooks else None,
        webhook_host="127.0.0.1",
        webhook_port=port,
        poll_first_delay=0.2,
        poll_max_interval=0.5,
    )


@asynccontextmanager
async def exterior_bot(
    runner: BotRunner, settings: Settings, **changes
) -> AsyncIterator[tuple[ExteriorBot, Core]]:
    """Start the real bot (core + cogs) in this event loop; stop it on exit."""
    settings = replace(settings, **changes)
    async with open_core(settings, resume=False) as core:
        bot = ExteriorBot(core, guild_ready_timeout=0.1)
        await runner.start(bot)
        try:
            yield bot, core
        finally:
            await runner.stop(bot)
