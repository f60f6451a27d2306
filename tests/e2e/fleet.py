"""Several `exterior-bot run` processes on one database, and the load balancer in front of
their webhook servers: what a deployment of N processes looks like, on 127.0.0.1."""

from __future__ import annotations

import asyncio
import random
import signal
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web

from tests.support.proc import clean_env, free_port


def _log_file(path: Path):
    return path.open("wb")


@dataclass
class Member:
    index: int
    port: int
    proc: asyncio.subprocess.Process | None = None
    starts: int = 0


@dataclass
class Fleet:
    """`count` processes, process i running shard i of `count`; each can be killed and
    restarted with the same shard and webhook port."""

    cwd: Path
    env: dict[str, str]
    count: int
    members: list[Member] = field(default_factory=list)
    kills: int = 0

    def __post_init__(self) -> None:
        self.members = [Member(i, free_port()) for i in range(self.count)]

    def alive(self) -> list[Member]:
        return [m for m in self.members if m.proc is not None and m.proc.returncode is None]

    async def serving(self) -> int:
        """How many members' webhook servers accept a connection now (a restarted process
        takes seconds on a loaded machine before it listens again)."""
        up = 0
        for member in self.alive():
            try:
                _, writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", member.port), 1
                )
            except (OSError, TimeoutError):
                continue
            writer.close()
            up += 1
        return up

    async def start(self, member: Member) -> None:
        env = clean_env(
            **self.env,
            DISCORD_SHARD_COUNT=str(self.count),
            DISCORD_SHARD_IDS=str(member.index),
            EXTERIOR_WEBHOOK_PORT=str(member.port),
        )
        member.starts += 1
        log = _log_file(self.cwd / f"bot-{member.index}-{member.starts}.log")
        try:
            member.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=self.cwd, env=env,
                stdout=log, stderr=log,
            )  # fmt: skip
        finally:
            log.close()  # the child has its own copy

    async def start_all(self) -> None:
        for member in self.members:
            await self.start(member)

    async def kill_and_restart(self, member: Member) -> None:
        assert member.proc is not None
        member.proc.send_signal(signal.SIGKILL)
        await member.proc.wait()
        self.kills += 1
        await self.start(member)

    async def stop_all(self) -> list[int | None]:
        """SIGTERM everyone (a clean stop); returns the exit codes."""
        for member in self.alive():
            member.proc.send_signal(signal.SIGTERM)
        codes = []
        for member in self.members:
            if member.proc is None:
                continue
            try:
                codes.append(await asyncio.wait_for(member.proc.wait(), 20))
            except TimeoutError:
                member.proc.kill()
                codes.append(await member.proc.wait())
        return codes

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.cwd.glob("bot-*.log"))
        )


class CallbackBalancer:
    """EXTERIOR_PUBLIC_URL of the whole fleet: each API callback goes to a process picked at
    random (whatever process followed the generation), the next one if it is down."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self.forwarded: Counter[int] = Counter()  # process index -> callbacks it answered
        self.lost: list[str] = []  # callbacks no process answered (the API gives up after 3 tries)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    async def __aenter__(self) -> CallbackBalancer:
        self._session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_post("/callbacks/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._runner.cleanup()
        await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        members = list(self.fleet.members)
        random.shuffle(members)
        for member in members:
            url = f"http://127.0.0.1:{member.port}{request.path}"
            try:
                async with self._session.post(
                    url, data=body, headers={"Content-Type": "application/json"},
                    # as a real balancer's: a process slow on a loaded machine is still waited for
                    timeout=aiohttp.ClientTimeout(total=30),
                ) as resp:  # fmt: skip
                    if resp.status < 500:
                        self.forwarded[member.index] += 1
                        return web.Response(status=resp.status, body=await resp.read())
            except (aiohttp.ClientError, TimeoutError):
                continue  # down or restarting: the balancer tries the next one
        self.lost.append(request.path)
        return web.Response(status=502)
