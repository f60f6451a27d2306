"""The PostgreSQL backend (asyncpg): several processes share one database.

Repositories write their SQL once, SQLite-style (`?` placeholders, `IS ?` for NULL-safe
equality); `Transaction` translates it. Read-modify-write sections take row locks
(`for_update`) or transaction-scoped advisory locks (`lock`) where SQLite's single write lock
made them atomic for free. Migrations live in `storage/migrations/postgres/`, numbered like the
SQLite ones, and the version is kept in `schema_version`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from .db import (
    _MIGRATION_NAME,
    DatabaseTooNewError,
    Migration,
    MigrationError,
    StorageError,
    _checked,
)

log = logging.getLogger(__name__)
URL_SCHEMES = ("postgresql://", "postgres://")
# Taken around migrations so processes starting together migrate one after another.
_MIGRATION_LOCK = 7_283_001


class PostgresUnavailableError(StorageError):
    """PostgreSQL could not be reached or refused us; the message names no password."""


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path or ''}"


def is_postgres_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(URL_SCHEMES)


def load_postgres_migrations() -> list[Migration]:
    found = []
    for entry in resources.files("storage").joinpath("migrations", "postgres").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.read_text("utf-8"), entry.name))
    return _checked(found)


@functools.lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """SQLite-style SQL -> PostgreSQL: `IS ?` -> `IS NOT DISTINCT FROM $n`, `?` -> `$n`.
    Our statements never hold a literal '?' in a string."""
    sql = re.sub(r"\bIS\s+\?", "IS NOT DISTINCT FROM ?", sql, flags=re.IGNORECASE)
    counter = iter(range(1, 10_000))
    return re.sub(r"\?", lambda _m: f"${next(counter)}", sql)


def _rowcount(status: str) -> int:
    # asyncpg answers a status tag: "UPDATE 3", "INSERT 0 1", "DELETE 0".
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class Transaction:
    """One connection inside a transaction; what `Database.write()` yields for PostgreSQL."""

    dialect = "postgres"

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> asyncpg.Record | None:
        return await self.conn.fetchrow(translate(sql), *params)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[asyncpg.Record]:
        return list(await self.conn.fetch(translate(sql), *params))

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return _rowcount(await self.conn.execute(translate(sql), *params))

    async def lock(self, key: str) -> None:
        await self.conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", key)


class PostgresDatabase:
    """A small asyncpg pool; every write is one transaction on one pooled connection."""

    dialect = "postgres"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self.url = url
        self._listeners: list[asyncpg.Connection] = []
        # The transaction the current task has open, if any (one per database object).
        self._writing: contextvars.ContextVar[Transaction | None] = contextvars.ContextVar(
            f"postgres_writing_{id(self)}", default=None
        )

    @classmethod
    async def open(
        cls, url: str, *, migrations: Sequence[tuple[Any, ...]] | None = None, size: int = 4
    ) -> PostgresDatabase:
        try:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=size)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise PostgresUnavailableError(
                f"cannot open the PostgreSQL database {_where(url)} "
                f"(EXTERIOR_DATABASE_URL): {reason}"
            ) from exc
        db = cls(pool, url)
        try:
            chosen = _checked(migrations) if migrations is not None else None
            await db._migrate(chosen or load_postgres_migrations())
        except BaseException:
            await pool.close()
            raise
        return db

    async def close(self) -> None:
        await self._pool.close()

    async def __aenter__(self) -> PostgresDatabase:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def describe(self) -> str:
        # never the URL itself: it may carry a password
        return "PostgreSQL"

    @contextlib.asynccontextmanager
    async def write(self, *, durable: bool = True) -> AsyncIterator[Transaction]:
        """A READ COMMITTED transaction, committed on success and rolled back on any error.
        As with SQLite, reads by the same task inside it go through it (and see its rows).
        `durable=False`: this commit does not wait for the WAL flush (synchronous_commit off):
        a server crash may drop it, never half of it (storage/db.py says where that is fine)."""
        if self._writing.get() is not None:
            raise RuntimeError("db.write() is not re-entrant; use the connection it yielded")
        async with self._pool.acquire() as conn, conn.transaction():
            if not durable:
                await conn.execute("SET LOCAL synchronous_commit = off")
            tx = Transaction(conn)
            token = self._writing.set(tx)
            try:
                yield tx
            finally:
                self._writing.reset(token)

    async def listen(
        self, channel: str, on_payload: Callable[[str], None]
    ) -> Callable[[], Awaitable[None]]:
        """LISTEN on `channel` over a connection of its own (a pooled one would be handed to
        other work); returns the coroutine function that stops it."""
        conn = await asyncpg.connect(self.url)

        def handler(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
            on_payload(payload)

        await conn.add_listener(channel, handler)

        async def stop() -> None:
            with contextlib.suppress(Exception):  # closing a broken connection may fail
                await conn.close(timeout=2)

        self._listeners.append(conn)
        return stop

    def listening(self) -> bool:
        """Every LISTEN connection is still open (else hints are missed until re-listened)."""
        self._listeners = [c for c in self._listeners if not c.is_closed()]
        return bool(self._listeners)

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> asyncpg.Record | None:
        tx = self._writing.get()
        if tx is not None:
            return await tx.fetchone(sql, params)
        return await self._pool.fetchrow(translate(sql), *params)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[asyncpg.Record]:
        tx = self._writing.get()
        if tx is not None:
            return await tx.fetchall(sql, params)
        return list(await self._pool.fetch(translate(sql), *params))

    async def schema_version(self) -> int:
        async with self._pool.acquire() as conn:
            return await _version(conn)

    async def _migrate(self, migrations: list[Migration]) -> None:
        latest = migrations[-1].version if migrations else 0
        async with self._pool.acquire() as conn:
            current = await _version(conn)
            if current > latest:
                raise DatabaseTooNewError(
                    f"database schema version {current} is newer than this exterior-bot "
                    f"understands ({latest}); upgrade exterior-bot"
                )
            for number, script, name in migrations:
                if number <= current:
                    continue
                try:
                    async with conn.transaction():
                        await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
                        if await _version(conn) >= number:  # another process got there first
                            continue
                        await conn.execute(script)
                        await conn.execute("UPDATE schema_version SET version = $1", number)
                except asyncpg.PostgresError as exc:
                    raise MigrationError(f"migration {name} failed: {exc}") from exc
                log.info("database migrated to schema version %d", number)


async def _version(conn: asyncpg.Connection) -> int:
    # Creating the version table is itself idempotent and safe for concurrent starters.
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
            "INSERT INTO schema_version SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version)"
        )
    return int(await conn.fetchval("SELECT version FROM schema_version"))
