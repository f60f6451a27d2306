"""`exterior-bot playground`: the emulator with the page beside it on one port, the real bot
connected to it through `run_bot` (the same function as `exterior-bot run`), the state kept
beside the playground's database, and a clean stop on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import secrets
import signal
import socket
import sys
import webbrowser
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.runtime.app import run_bot
from bot.runtime.config import Settings
from bot.runtime.emulator import DiscordEmulator
from bot.runtime.playground.actions import Actions
from bot.runtime.playground.feed import Feed
from bot.runtime.playground.memory import Memory, world_path
from bot.runtime.playground.page import Page
from bot.runtime.playground.world import NAMES, furnish

log = logging.getLogger(__name__)
DEFAULT_PORT = 8770
READY_TIMEOUT = 60.0


def playground_db(settings: Settings) -> Path:
    """Beside the normal database: ``exterior-bot.sqlite3`` -> ``….playground.sqlite3``."""
    path = settings.db_path
    return path.with_name(f"{path.stem}.playground{path.suffix or '.sqlite3'}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bot_settings(settings: Settings, emu: DiscordEmulator, db: Path, secret_key: str) -> Settings:
    """The bot's settings in the playground: the emulator for Discord, the built-in sandbox for
    the API (whatever key the environment holds: a playground never spends real credits), its
    own SQLite file, and the studio on a loopback port of its own."""
    studio = _free_port()
    return replace(
        settings,
        discord_token=emu.token,
        discord_guild_id=emu.guild.id,
        discord_api_base_url=emu.api_url,
        discord_gateway_url=emu.ws_url,
        api_key=None,
        user_id=None,
        database_url=None,
        db_path=db,
        shard_count=None,
        shard_ids=None,
        public_url=f"http://127.0.0.1:{studio}",
        webhook_host="127.0.0.1",
        webhook_port=studio,
        secret_key=settings.secret_key or secret_key,
    )


async def run_playground(
    settings: Settings,
    *,
    port: int = DEFAULT_PORT,
    db: Path | None = None,
    open_browser: bool = True,
    out: TextIO = sys.stdout,
) -> int:
    early = _EarlyStop()  # a signal before the bot has its own handlers
    db = db or playground_db(settings)
    emu = DiscordEmulator(token=secrets.token_urlsafe(32), names=NAMES)
    memory = Memory(emu, db)
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
        kept = memory.recall()
        secret_key = memory.secret_key()
    except OSError as exc:
        print(f"error: cannot use {db.parent} for the playground ({exc.strerror})", file=sys.stderr)
        return 2
    if not kept:
        await furnish(emu)
    feed, actions = Feed(emu), Actions(emu)
    page = Page()
    try:
        await emu.start(port, beside=[*page.routes(), *feed.routes(), *actions.routes()])
    except OSError as exc:
        await emu.stop()
        reason = "already in use" if exc.errno == errno.EADDRINUSE else exc.strerror or exc
        print(
            f"error: cannot listen on 127.0.0.1:{port} ({reason}); "
            "another playground may be running: pass --port N (or --port 0 for any free one)",
            file=sys.stderr,
        )
        return 2
    page.cdn_origin = emu.url  # the real port, when --port 0 picked one
    memory.start()
    announcing = asyncio.create_task(_announce(emu, db, open_browser, out))
    try:
        # run_bot replaces the early handlers with its own (which close the bot) once it runs
        return await early.run(run_bot(bot_settings(settings, emu, db, secret_key)))
    finally:
        announcing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await announcing
        await feed.close()
        await memory.stop()
        await emu.stop()


class _EarlyStop:
    """Ctrl-C or SIGTERM while the playground starts: stop cleanly (exit 0), not die."""

    def __init__(self) -> None:
        self.task: asyncio.Task | None = None
        self.asked = False
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._stop)

    def _stop(self) -> None:
        self.asked = True
        if self.task is not None:
            self.task.cancel()

    async def run(self, coro) -> int:
        self.task = asyncio.ensure_future(coro)
        if self.asked:
            self.task.cancel()
        try:
            return await self.task
        except asyncio.CancelledError:
            if not self.asked:
                raise
            return 0


async def _announce(emu: DiscordEmulator, db: Path, open_browser: bool, out: TextIO) -> None:
    """Say the URL once the bot is connected (commands synced, tracker resumed)."""
    try:
        await emu.state.notifier.wait_for(lambda: emu.gateway.live, READY_TIMEOUT)
    except TimeoutError:
        log.warning("the bot has not connected after %g s", READY_TIMEOUT)
    url = f"{emu.url}/"
    print(f"playground: {url}", file=out, flush=True)
    print(
        f"state kept in {db} and {world_path(db)}/; Ctrl-C stops it",
        file=out,
        flush=True,
    )
    if open_browser:
        await asyncio.to_thread(webbrowser.open, url)
