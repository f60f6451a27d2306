"""One-shot failures injected into the next matching request (429 rate limits, 5xx, and the
ambiguous ones: a malformed answer, a connection reset, an answer that never comes, a held request).

A 429 carries ``Via: 1.1 google``: discord.py treats a 429 without ``Via`` as a Cloudflare
ban and raises instead of retrying. It sends no ``X-RateLimit-Remaining`` (the client would
then also require ``X-RateLimit-Reset-After``). After a 500/502/504 the client sleeps
``1 + 2 * try`` seconds before re-sending, so prefer a 429 with a small ``retry_after``.

``kind`` (default ``"status"``) says how the request fails:
- ``"reset"``: the connection is closed before the request is handled (nothing happened);
- ``"malformed"``: the request is handled (a message is created), the answer is not JSON;
- ``"timeout"``: the request is handled, then the answer is held ``delay`` seconds and the
  connection closed (what a client sees when its read times out);
- ``"hold"``: the request waits until ``release`` is set, then is handled normally (crash
  tests kill the bot while it waits).
"""

from __future__ import annotations

import asyncio
import math
import re
from dataclasses import dataclass, field

from aiohttp import web

from .responses import json_response


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    retry_after: float
    times: int
    is_global: bool = False
    kind: str = "status"
    delay: float = 2.0
    after: int = 0  # matching requests to let through first
    release: asyncio.Event = field(default_factory=asyncio.Event)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and self.pattern.search(path) is not None

    def response(self) -> web.Response:
        if self.status == 429:
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(max(1, math.ceil(self.retry_after))),
                "X-RateLimit-Scope": "shared" if not self.is_global else "global",
            }
            if self.is_global:
                headers["X-RateLimit-Global"] = "true"
            body = {
                "message": "You are being rate limited.",
                "retry_after": self.retry_after,
                "global": self.is_global,
            }
            return json_response(body, status=429, headers=headers)
        if self.status in (502, 504):
            text = f"<html><body><h1>{self.status} Gateway error</h1></body></html>"
            return web.Response(status=self.status, text=text, content_type="text/html")
        return json_response({"message": f"{self.status}: Server Error", "code": 0}, self.status)


class FaultInjector:
    def __init__(self) -> None:
        self.pending: list[Fault] = []
        self.added: list[Fault] = []  # every fault ever added (released at shutdown)
        self.triggered: list[tuple[str, str, int]] = []  # (method, path, status)

    def add(
        self,
        method: str,
        path_regex: str,
        status: int = 429,
        retry_after: float = 0.05,
        times: int = 1,
        is_global: bool = False,
        kind: str = "status",
        delay: float = 2.0,
        after: int = 0,
    ) -> Fault:
        if kind not in ("status", "reset", "malformed", "timeout", "hold"):
            raise ValueError(f"unknown fault kind {kind!r}")
        fault = Fault(
            method.upper(), re.compile(path_regex), status, retry_after, times, is_global,
            kind, delay, after,
        )  # fmt: skip
        self.pending.append(fault)
        self.added.append(fault)
        return fault

    def release_all(self) -> None:
        """Let every held request go (the emulator is stopping)."""
        for fault in self.added:
            fault.release.set()

    def take(self, method: str, path: str) -> Fault | None:
        for fault in self.pending:
            if fault.matches(method, path):
                if fault.after > 0:
                    fault.after -= 1
                    return None
                fault.times -= 1
                if fault.times <= 0:
                    self.pending.remove(fault)
                self.triggered.append((method, path, fault.status))
                fault.arrived.set()
                return fault
        return None
