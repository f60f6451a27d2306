"""The SQLite backend (the default): one aiosqlite connection per process, explicit
transactions and numbered migrations. Also the statement helpers every repository uses: they
take either backend's transaction handle, so repositories are written once."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import random
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import aiosqlite

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[\w-]+\.sql$")

# Set while the current task is inside db.write(): reads from that task must go through the
# open transaction (and must not wait for the lock it already holds).
_writing: contextvars.ContextVar[Database | None] = contextvars.ContextVar(
    "storage_writing", default=None
)


class Migration(NamedTuple):
    version: int
    sql: str
    name: str = ""  # file name, for error messages


class StorageError(Exception):
    """Base class of every error raised by storage/."""


class MigrationError(StorageError):
    """A migration failed; it was rolled back and the schema version is unchanged."""


class DatabaseUnavailableError(StorageError):
    """The file cannot be opened or written: a read-only or missing place, not a database."""

    def __init__(self, path: str, reason: str, *, busy: bool = False) -> None:
        super().__init__(f"cannot open or write the database {path} ({reason})")
        self.path, self.reason = path, reason
        self.busy = busy  # another connection held it longer than the busy timeout


class DatabaseTooNewError(StorageError):
    """The file was migrated by a newer exterior-bot; refusing beats corrupting it."""


def load_migrations() -> list[Migration]:
    """The packaged migrations, ordered by number (works from a wheel or a zip too)."""
    found = []
    for entry in resources.files("storage").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            sql = entry.read_text(encoding="utf-8")
            found.append(Migration(int(match.group(1)), sql, entry.name))
    return _checked(found)


def _checked(migrations: Iterable[tuple[Any, ...]]) -> list[Migration]:
    """Accept (version, sql[, name]) tuples; versions must be exactly 1..N."""
    ordered = sorted((Migration(*m) for m in migrations), key=lambda m: m.version)
    versions = [m.version for m in ordered]
    if versions != list(range(1, len(ordered) + 1)):
        raise MigrationError(f"migrations must be numbered 1..N without gaps, got {versions}")
    return [m if m.name else m._replace(name=f"{m.version:04d}") for m in ordered]


LATEST_VERSION = len(load_migrations())


def split_statements(script: str) -> list[str]:
    """Split a script into statements, cutting only at line ends (after ';', maybe a comment).

    executescript() would COMMIT behind our back, so statements run one by one inside our
    transaction. sqlite3.complete_statement keeps ';' inside strings or trigger bodies intact.
    """
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if _strip_comments(buffer):
        raise ValueError(f"unterminated statement (no ';' at a line end): {buffer.strip()[:80]!r}")
    return [s for s in statements if _strip_comments(s)]


def _strip_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))


async def fetchone(conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
    rows = await fetchall(conn, sql, params)
    return rows[0] if rows else None


async def fetchall(conn: Any, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    if not isinstance(conn, aiosqlite.Connection):  # another backend's transaction
        return await conn.fetchall(sql, params)
    # One trip to aiosqlite's thread (execute, fetch, close) instead of three: each trip costs a
    # GIL hand-over, which dominated the tracker's CPU. Fetching everything also finishes the
    # statement, so no unfinished SELECT pins a WAL snapshot open.
    return list(await conn.execute_fetchall(sql, params))


async def execute(conn: Any, sql: str, params: Sequence[Any] = ()) -> int:
    """Run one statement and return the number of rows it changed."""
    if not isinstance(conn, aiosqlite.Connection):
        return await conn.execute(sql, params)
    async with conn.execute(sql, params) as cursor:
        return cursor.rowcount


async def lock(conn: Any, key: str) -> None:
    """Serialise read-modify-write sections named `key` across processes until the transaction
    ends. SQLite's IMMEDIATE transaction already holds the one write lock: nothing to do."""
    if not isinstance(conn, aiosqlite.Connection):
        await conn.lock(key)


def for_update(conn: Any) -> str:
    """Suffix that locks the rows a SELECT reads until the transaction ends (PostgreSQL)."""
    return "" if isinstance(conn, aiosqlite.Connection) else " FOR UPDATE"


BUSY_TIMEOUT = 5.0  # seconds a connection waits for another one's lock


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


async def _enter_wal(conn: aiosqlite.Connection) -> None:
    """Switch to WAL, retrying while another connection sets up the same new file.

    Two connections that both read a fresh file and then both ask for the exclusive lock the
    switch needs would deadlock, so SQLite fails one at once without calling the busy handler.
    Trying again (with a jittered backoff, up to the busy timeout) lets the other finish first.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BUSY_TIMEOUT
    delay = 0.005
    while True:
        try:
            await execute(conn, "PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or loop.time() + delay > deadline:
                raise
        await asyncio.sleep(delay * random.uniform(0.5, 1.5))
        delay = min(delay * 2, 0.2)


def _can_open(target: str) -> None:
    """Create the directory and open the file once, so a bad path fails here with a reason.

    (aiosqlite leaves its worker thread to finish on its own after a failed connect, which
    prints a traceback when the event loop closes first.)
    """
    try:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise DatabaseUnavailableError(target, f"{exc.filename} is not a directory") from exc
    except OSError as exc:
        raise DatabaseUnavailableError(target, (exc.strerror or str(exc)).lower()) from exc
    try:
        sqlite3.connect(target).close()
    except sqlite3.Error as exc:
        raise DatabaseUnavailableError(target, str(exc)) from exc
    # SQLite opens a file it may not write read-only without a word: find out now, not at the
    # first paid generation.
    if not os.access(target, os.W_OK):
        raise DatabaseUnavailableError(target, "the file is read-only for this user")


class Database:
    """SQLite: one file, one connection per process; other processes (the CLI) share the file."""

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self.path = path
        # One connection cannot hold two transactions: writers in this process take turns.
        self._lock = asyncio.Lock()
        self._synchronous = "FULL"  # the level the connection is at (set before each BEGIN)

    @classmethod
    async def open(
        cls, path: str | Path, *, migrations: Iterable[tuple[Any, ...]] | None = None
    ) -> Database:
        """Open (creating if needed) and migrate the database at `path`."""
        target = str(path)
        if target != ":memory:":
            await asyncio.to_thread(_can_open, target)
        conn = await aiosqlite.connect(target, isolation_level=None)
        db = cls(conn, target)
        try:
            try:
                await execute(conn, f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
                await _enter_wal(conn)
                # FULL: a committed intent (the record of a paid call) survives power loss too;
                # NORMAL in WAL mode may drop the last commits. Each write picks its own level
                # (see write()); FULL is where every connection starts.
                await execute(conn, "PRAGMA synchronous = FULL")
                await execute(conn, "PRAGMA foreign_keys = ON")
            except sqlite3.OperationalError as exc:
                busy = _is_busy(exc)
                raise DatabaseUnavailableError(target, str(exc), busy=busy) from exc
            except sqlite3.Error as exc:
                raise DatabaseUnavailableError(target, str(exc)) from exc
            conn.row_factory = aiosqlite.Row
            await db._migrate(_checked(migrations) if migrations is not None else load_migrations())
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        await self._conn.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @contextlib.asynccontextmanager
    async def write(self, *, durable: bool = True) -> AsyncIterator[aiosqlite.Connection]:
        """A BEGIN IMMEDIATE transaction: committed on success, rolled back on any exception.

        IMMEDIATE takes the write lock up front, so another process makes us wait (busy_timeout)
        instead of failing later with SQLITE_BUSY when a read would be upgraded to a write.

        `durable=False` commits with synchronous=NORMAL: no fsync, so a power loss (never a
        crash of this process) may drop it, and only together with every later commit: the WAL
        is one sequence and the next durable commit's fsync makes the earlier ones durable too.
        For what can be asked again (a check's answer), never for the money path.
        """
        if _writing.get() is self:
            raise RuntimeError("db.write() is not re-entrant; use the connection it yielded")
        async with self._lock:
            conn = self._conn
            level = "FULL" if durable else "NORMAL"
            if self._synchronous != level:  # SQLite refuses to change it inside a transaction
                await fetchall(conn, f"PRAGMA synchronous = {level}")
                self._synchronous = level
            await fetchall(conn, "BEGIN IMMEDIATE")
            token = _writing.set(self)
            try:
                yield conn
                await fetchall(conn, "COMMIT")
            except BaseException:
                await self._rollback()
                raise
            finally:
                _writing.reset(token)

    async def _rollback(self) -> None:
        if not self._conn.in_transaction:
            return
        try:
            # Shielded: a cancelled caller must still leave the connection out of the txn.
            await asyncio.shield(execute(self._conn, "ROLLBACK"))
        except sqlite3.Error:
            log.exception("rollback failed")

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        if _writing.get() is self:
            return await fetchone(self._conn, sql, params)
        # Reads wait for our own writer, so they never see its uncommitted rows.
        async with self._lock:
            return await fetchone(self._conn, sql, params)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        if _writing.get() is self:
            return await fetchall(self._conn, sql, params)
        async with self._lock:
            return await fetchall(self._conn, sql, params)

    async def user_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0])

    async def schema_version(self) -> int:
        return await self.user_version()

    def describe(self) -> str:
        return f"SQLite {self.path}"

    async def _migrate(self, migrations: list[Migration]) -> None:
        latest = migrations[-1].version if migrations else 0
        current = await self.user_version()
        if current > latest:
            raise DatabaseTooNewError(
                f"database schema version {current} is newer than this exterior-bot "
                f"understands ({latest}); upgrade exterior-bot"
            )
        for number, script, name in migrations:
            if number <= current:
                continue
            try:
                statements = split_statements(script)
                async with self.write() as conn:
                    # Re-read under the write lock: another process may have migrated meanwhile.
                    row = await fetchone(conn, "PRAGMA user_version")
                    if row[0] >= number:
                        continue
                    for statement in statements:
                        await execute(conn, statement)
                    # user_version lives in the file header, so it commits atomically with DDL.
                    await execute(conn, f"PRAGMA user_version = {int(number)}")
            except (sqlite3.Error, ValueError) as exc:
                raise MigrationError(f"migration {name} failed: {exc}") from exc
            log.info("database migrated to schema version %d", number)
