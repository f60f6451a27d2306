"""Running `exterior-bot` as a real process, with an environment free of the developer's own."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

from tests.support.canary import found_in

OURS = ("IACREA_", "EXTERIOR_", "DISCORD_")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(OURS)}
    env.update(extra)
    return env


async def start(cwd: Path, *args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def run(cwd: Path, *args: str, env: dict[str, str], timeout: float = 60):
    """(exit code, stdout, stderr) of one command."""
    proc = await start(cwd, *args, env=env)
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    leaked = found_in(out + err)
    assert not leaked, f"a canary secret appeared in the output of `exterior-bot {args[0]}`"
    return proc.returncode, out.decode(), err.decode()
