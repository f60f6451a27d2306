"""The signing keys, and the secrets derived from them (callback paths, studio links, sealed
server keys).

EXTERIOR_SECRET_KEY, when set, is one key or several separated by commas: the first signs and
seals, every one still verifies and opens (rotation: put the new key first, drop the old one
once what it signed has expired). Each key is at least 32 characters. Unset, a random key is
created once and kept in the database, so derived secrets survive restarts.

Keys are never used raw: HKDF-SHA256 derives one key per use (signing, sealing), so one kind of
secret can never stand for another. The raw forms earlier versions used still verify and open,
so an upgrade breaks no link, callback path or saved server key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

if TYPE_CHECKING:  # only its type: settings read this room before any database is opened
    from storage import MetaRepository

SIGNING_KEY = "signing_key"


def configured_keys(value: str | None) -> list[str]:
    """EXTERIOR_SECRET_KEY's keys, newest first (their strength is checked with the settings)."""
    return [key.strip() for key in (value or "").split(",") if key.strip()]


def _hkdf(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(key)


@dataclass(frozen=True)
class Keyring:
    """Signs with the newest key; verifies with every key, and with earlier versions' forms."""

    signing: tuple[bytes, ...]  # derived keys, newest first, then the raw legacy forms

    @classmethod
    def of(cls, *raw: bytes) -> Keyring:
        derived = tuple(_hkdf(key, b"exterior-bot signing") for key in raw)
        return cls(derived + tuple(raw))

    def derive(self, purpose: str, subject: str) -> str:
        """An unguessable, URL-safe secret for `subject` (e.g. a row id) under `purpose`."""
        return derive(self.signing[0], purpose, subject)

    def verifies(self, given: str, purpose: str, subject: str) -> bool:
        return any(matches(given, derive(key, purpose, subject)) for key in self.signing)


async def signing_keys(configured: str | None, meta: MetaRepository) -> Keyring:
    """EXTERIOR_SECRET_KEY's keys, or the database's own key (created at the first call ever)."""
    keys = configured_keys(configured)
    if keys:
        return Keyring.of(*(key.encode() for key in keys))
    stored = await meta.get_or_create(SIGNING_KEY, secrets.token_urlsafe(32))
    return Keyring.of(stored.encode())


def sealing(configured: str | None) -> MultiFernet | None:
    """What seals servers' API keys: None without EXTERIOR_SECRET_KEY (nothing is saved)."""
    keys = [key.encode() for key in configured_keys(configured)]
    if not keys:
        return None
    derived = [
        Fernet(base64.urlsafe_b64encode(_hkdf(key, b"exterior-bot sealing"))) for key in keys
    ]
    return MultiFernet(derived + [_legacy_fernet(key) for key in keys])


def _legacy_fernet(key: bytes) -> Fernet:
    # How versions before HKDF sealed: kept to open keys saved then (new seals never use it).
    digest = hashlib.sha256(b"exterior-bot credentials:" + key).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def derive(key: bytes, purpose: str, subject: str) -> str:
    digest = hmac.new(key, f"{purpose}:{subject}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
