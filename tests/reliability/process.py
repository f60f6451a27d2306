"""The real `exterior-bot run` as a child process that a test can SIGKILL and start again.

Its stderr (the whole log) goes to a file per run, so a chatty bot never blocks on a full pipe
and the secrets test can read every line it wrote.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from pathlib import Path

from tests.support.proc import clean_env, free_port
from tests.support.wait import until


class BotProcess:
    def __init__(self, emulator, api, sandbox, tmp_path: Path):
        self.emulator = emulator
        self.tmp_path = tmp_path
        self.db_path = tmp_path / "run.sqlite3"
        port = free_port()
        cfg = sandbox.state.config
        self.env = clean_env(
            **emulator.env(),
            IACREA_API_KEY=cfg.api_key,
            IACREA_USER_ID=cfg.user_id,
            IACREA_BASE_URL=api.url,
            IACREA_READ_TIMEOUT="10",
            EXTERIOR_DB_PATH=str(self.db_path),
            EXTERIOR_PUBLIC_URL=f"http://127.0.0.1:{port}",
            EXTERIOR_WEBHOOK_HOST="127.0.0.1",
            EXTERIOR_WEBHOOK_PORT=str(port),
            EXTERIOR_POLL_FIRST_DELAY="0.2",
            EXTERIOR_POLL_MAX_INTERVAL="0.5",
        )
        self.logs: list[Path] = []
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        gateway = self.emulator.gateway
        before = len(gateway.sessions)
        log = self.tmp_path / f"run-{len(self.logs)}.log"
        self.logs.append(log)
        with log.open("wb") as sink:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=self.tmp_path, env=self.env,
                stdout=sink, stderr=sink,
            )  # fmt: skip
        await until(lambda: len(gateway.sessions) > before and gateway.live, 30)

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as after a power cut or an OOM kill."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        await until(lambda: not self.emulator.gateway.live, 10)

    async def stop(self) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        return self.proc.returncode

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.logs if p.exists())

    def query(self, sql: str, *args) -> list[tuple]:
        """Read the bot's database from outside (WAL lets a reader in while it runs)."""
        with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute(sql, args).fetchall()

    def pretend_minutes_passed(self) -> None:
        """Age the intents left PENDING, as if the restart came 10+ minutes later: recovery
        spares younger ones, which may belong to a live CLI process sharing the database."""
        with sqlite3.connect(self.db_path, timeout=5) as conn:
            conn.execute(
                "UPDATE generations SET created_at = created_at - 3600 WHERE status = 'PENDING'"
            )
