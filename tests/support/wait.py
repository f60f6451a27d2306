"""Waiting for a condition instead of a fixed time."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any


async def until(condition: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02):
    """Wait until `condition()` (plain or awaitable, e.g. a database read) is truthy; return it.
    Raises TimeoutError after `timeout` seconds, so a condition that never holds fails."""
    async with asyncio.timeout(timeout):
        while True:
            value = condition()
            if inspect.isawaitable(value):
                value = await value
            if value:
                return value
            await asyncio.sleep(interval)
