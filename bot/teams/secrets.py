"""The one signing key, and the secrets derived from it (callback paths, later studio tokens).

The key is EXTERIOR_SECRET_KEY when set (several processes or hosts share it that way), else a
random key created once and kept in the database, so derived secrets survive restarts.
Each use derives its secrets under its own purpose, so one kind can never stand for another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from storage import MetaRepository

SIGNING_KEY = "signing_key"


async def signing_key(configured: str | None, meta: MetaRepository) -> bytes:
    """EXTERIOR_SECRET_KEY, or the database's own key (created at the first call ever)."""
    if configured:
        return configured.encode()
    stored = await meta.get_or_create(SIGNING_KEY, secrets.token_urlsafe(32))
    return stored.encode()


def derive(key: bytes, purpose: str, subject: str) -> str:
    """An unguessable, URL-safe secret for `subject` (e.g. a row id) under `purpose`."""
    digest = hmac.new(key, f"{purpose}:{subject}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
