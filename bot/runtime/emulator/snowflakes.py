"""Time-based Discord snowflake ids.

discord.py derives timestamps from ids (``utils.snowflake_time``): an interaction's expiry is
``created_at + 15 min`` computed from its id, so ids must carry the real current time.
Layout: 42 bits of milliseconds since the Discord epoch, 5 bits worker, 5 bits process,
12 bits increment.
"""

from __future__ import annotations

import time

DISCORD_EPOCH_MS = 1420070400000


def snowflake_time_ms(snowflake: int) -> int:
    """Unix time in milliseconds encoded in ``snowflake``."""
    return (int(snowflake) >> 22) + DISCORD_EPOCH_MS


class SnowflakeGenerator:
    """Produces strictly increasing snowflakes that encode the current time."""

    def __init__(self, worker: int = 1, process: int = 0) -> None:
        self._worker = worker & 0x1F
        self._process = process & 0x1F
        self._last_ms = 0
        self._increment = 0

    def next(self) -> int:
        now_ms = int(time.time() * 1000)
        if now_ms <= self._last_ms:
            # Same (or earlier) millisecond: keep the last timestamp and bump the increment,
            # borrowing the next millisecond when the 12-bit increment overflows.
            self._increment += 1
            if self._increment > 0xFFF:
                self._last_ms += 1
                self._increment = 0
            now_ms = self._last_ms
        else:
            self._last_ms = now_ms
            self._increment = 0
        return (
            ((now_ms - DISCORD_EPOCH_MS) << 22)
            | (self._worker << 17)
            | (self._process << 12)
            | self._increment
        )

    __call__ = next
