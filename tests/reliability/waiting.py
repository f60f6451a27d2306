"""Waiting for conditions (never for time) in the reliability tests."""

from __future__ import annotations

from tests.support.wait import until

__all__ = ["settle", "until"]


async def settle(results_cog, sweeps: int = 2, timeout: float = 10.0) -> None:
    """Let the delivery sweep run ``sweeps`` more times: whatever it would post twice, it has."""
    start = results_cog.sweep.current_loop
    await until(lambda: results_cog.sweep.current_loop >= start + sweeps, timeout)
