"""A PostgreSQL server for tests: EXTERIOR_TEST_DATABASE_URL, or a throwaway Debian cluster.

The server refuses to run as root, so the cluster is made with Debian's `pg_createcluster`,
which runs it as `postgres` on a loopback port; each test then gets a database of its own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg


def _version() -> str:
    """The newest PostgreSQL Debian installed (what pg_createcluster needs to be told)."""
    try:
        found = [p.name for p in Path("/usr/lib/postgresql").iterdir() if p.name.isdigit()]
    except OSError:
        return "15"
    return max(found, key=int, default="15")


VERSION = _version()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def can_start_cluster() -> bool:
    return shutil.which("pg_createcluster") is not None


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a cluster with durability off (tests only) and drop it afterwards; yields its URL."""
    name = f"exterior{os.getpid()}"
    port = _free_port()
    parent = tempfile.mkdtemp(prefix="exterior-pg-")
    os.chmod(parent, 0o755)  # the postgres user must reach its data directory
    subprocess.run(["pg_dropcluster", "--stop", VERSION, name], capture_output=True, check=False)
    try:
        subprocess.run(
            ["pg_createcluster", VERSION, name, "-p", str(port), "-d", f"{parent}/data",
             "--start", "-o", "fsync=off", "-o", "synchronous_commit=off",
             "-o", "full_page_writes=off",
             "-o", "max_connections=200", "--", "--auth-host=trust", "--auth-local=trust"],
            check=True, capture_output=True,
        )  # fmt: skip
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(["pg_dropcluster", "--stop", VERSION, name], capture_output=True)
        shutil.rmtree(parent, ignore_errors=True)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.asynccontextmanager
async def fresh_database(server_url: str) -> AsyncIterator[str]:
    """A new, empty database on the server for one test; dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield with_database(server_url, name)
    finally:
        admin = await asyncpg.connect(server_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
