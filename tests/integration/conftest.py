"""Storage fixtures run once per backend: SQLite files and PostgreSQL databases.

Ids are `sqlite` and `postgres`, so `pytest -k postgres` selects the PostgreSQL cases.
"""

from __future__ import annotations

import pytest_asyncio

from storage import open_database
from tests.support.postgres import fresh_database

BACKENDS = ["sqlite", "postgres"]


@pytest_asyncio.fixture(params=BACKENDS)
async def database_target(request, tmp_path):
    """What EXTERIOR_DB_PATH or EXTERIOR_DATABASE_URL would hold: a path or a URL."""
    if request.param == "sqlite":
        yield str(tmp_path / "bot.db")
        return
    server = request.getfixturevalue("postgres_server")
    async with fresh_database(server) as url:
        yield url


@pytest_asyncio.fixture
async def db(database_target):
    async with await open_database(database_target) as database:
        yield database
