"""The real bot wired to the emulator and to the API through a fault-injecting proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from bot.runtime.app import ExteriorBot
from bot.runtime.core import Core
from tests.e2e.exterior_env import exterior_bot, settings_for
from tests.support.faulty_api import FaultyApi

READ_TIMEOUT = 1.5  # the bot's API read timeout here: a "timeout" fault holds longer


@asynccontextmanager
async def bot_through(
    runner, emulator, sandbox, api: FaultyApi, tmp_path, *, webhooks: bool = False, **changes
) -> AsyncIterator[tuple[ExteriorBot, Core]]:
    """The real bot talking to the API through ``api``, on a compressed clock."""
    settings = settings_for(emulator, sandbox, tmp_path / "bot.sqlite3", webhooks=webhooks)
    settings = replace(settings, **{"base_url": api.url, "read_timeout": READ_TIMEOUT, **changes})
    async with exterior_bot(runner, settings) as (bot, core):
        core.client.backoff_base = 0.01
        core.tracker.policy = replace(core.tracker.policy, webhook_grace=1.0)
        bot.get_cog("Results").sweep.change_interval(seconds=0.3)
        yield bot, core
