"""The key that signs what the bot hands out (studio links): configured, or made once and kept."""

from __future__ import annotations

import hashlib
import secrets

from storage import MetaRepository

SIGNING_KEY = "signing_key"


async def signing_key(configured: str | None, meta: MetaRepository) -> bytes:
    """EXTERIOR_SECRET_KEY when set; else a random key created once and kept in the database,
    so links stay valid across restarts (and across processes sharing the database)."""
    if configured:
        return hashlib.sha256(configured.encode()).digest()
    stored = await meta.setdefault(SIGNING_KEY, secrets.token_hex(32))
    return bytes.fromhex(stored)
