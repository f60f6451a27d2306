"""The emulated world kept beside the playground's database, so results (their cards, the
photos the bot re-posted, the channel's history) survive a restart as they would on Discord.

Saved a moment after something changed (in a thread: pictures can be large), and once more on
the way out; ``forget`` keeps a long session's records of requests from growing without end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from pathlib import Path

from bot.runtime.emulator import DiscordEmulator
from bot.runtime.emulator.observers import Event
from bot.runtime.emulator.store import WorldStore

log = logging.getLogger(__name__)
SETTLE_SECONDS = 1.0  # a card edited every second is written about once a second


def world_path(db_path: Path) -> Path:
    """``playground.sqlite3`` -> ``playground.sqlite3.discord/`` beside it."""
    return db_path.with_name(f"{db_path.name}.discord")


class Memory:
    def __init__(self, emu: DiscordEmulator, db_path: Path):
        self.emu = emu
        self.store = WorldStore(world_path(db_path))
        self._changed = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._unsubscribe = None

    def secret_key(self) -> str:
        """The bot's EXTERIOR_SECRET_KEY in the playground, made once and kept with the world
        (so /exterior-admin credentials can seal a server's key, and its links stay valid)."""
        path = self.store.path / "secret-key"
        try:
            return path.read_text("ascii").strip()
        except FileNotFoundError:
            self.store.path.mkdir(parents=True, exist_ok=True)
            key = secrets.token_urlsafe(32)
            path.touch(mode=0o600)
            path.write_text(key, "ascii")
            return key

    def recall(self) -> bool:
        """Load the kept world into the emulator (False: there was none)."""
        return self.emu.load(self.store)

    def start(self) -> None:
        self._unsubscribe = self.emu.observers.subscribe(self._on_event)
        self._task = asyncio.create_task(self._loop(), name="playground-memory")

    def _on_event(self, event: Event) -> None:
        self._changed.set()

    async def _loop(self) -> None:
        while True:
            await self._changed.wait()
            await asyncio.sleep(SETTLE_SECONDS)
            self._changed.clear()
            try:
                await self.save()
            except OSError:
                log.exception("could not keep the playground's world in %s", self.store.path)
            self.emu.forget()

    async def save(self) -> None:
        doc, files = self.emu.save(self.store)
        await asyncio.to_thread(self.store.write, doc, files)

    async def stop(self) -> None:
        """Stop watching and save once more (the last edits, the last messages)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.save()
