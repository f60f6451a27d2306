"""Saying in a few words why a host could not be reached (no traceback for a user)."""

from __future__ import annotations

import aiohttp


def unreachable_reason(exc: BaseException) -> str:
    """'connection refused', 'Name or service not known' (DNS), 'timed out', …"""
    if isinstance(exc, aiohttp.ClientConnectorError):
        if isinstance(exc.os_error, ConnectionRefusedError):
            return "connection refused"
        return exc.os_error.strerror or type(exc.os_error).__name__
    if isinstance(exc, TimeoutError):
        return "timed out"
    return type(exc).__name__
