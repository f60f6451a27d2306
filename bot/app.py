"""The Discord bot (`exterior-bot run`)."""

from __future__ import annotations

import sys

from bot.config import Settings


async def run_bot(settings: Settings) -> int:
    print("error: the Discord bot is not built yet", file=sys.stderr)
    return 1
