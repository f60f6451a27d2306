"""Waiting for conditions (never for time) in the reliability tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


async def until(check: Callable[[], object | Awaitable[object]], timeout: float = 10.0) -> object:
    """Poll ``check`` (sync or async) until it returns something truthy."""
    async with asyncio.timeout(timeout):
        while True:
            value = check()
            if asyncio.iscoroutine(value):
                value = await value
            if value:
                return value
            await asyncio.sleep(0.02)


async def settle(results_cog, sweeps: int = 2, timeout: float = 10.0) -> None:
    """Let the delivery sweep run ``sweeps`` more times: whatever it would post twice, it has."""
    start = results_cog.sweep.current_loop
    await until(lambda: results_cog.sweep.current_loop >= start + sweeps, timeout)
