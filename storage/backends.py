"""Choosing the backend: a postgresql:// URL opens PostgreSQL, anything else is a SQLite path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .db import Database
from .postgres import PostgresDatabase, is_postgres_url

AnyDatabase = Database | PostgresDatabase


async def open_database(target: str | Path, **options: Any) -> AnyDatabase:
    """Open and migrate the database named by `target` (EXTERIOR_DATABASE_URL or _DB_PATH)."""
    if is_postgres_url(target):
        return await PostgresDatabase.open(str(target), **options)
    return await Database.open(target, **options)
