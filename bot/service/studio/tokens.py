"""Signed studio links: HMAC-SHA256 (teams.secrets.derive) over who, where, which photo, until when.

A token is `<claims>.<signature>`, both base64url. It names a draft; the draft's state makes it
good for one submission (the page may be opened and reloaded until then).
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass

from bot.domain.messages import Message, UserError
from bot.teams.secrets import Keyring

LIFETIME = 30 * 60.0  # seconds a studio link stays valid
PURPOSE = "studio"  # HMAC-SHA256 under its own purpose: no other signed thing can pass for it


class TokenError(UserError):
    """A link that must be refused; `status` is the HTTP answer, the message says why."""

    def __init__(self, status: int, reason: Message):
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class Claims:
    draft_id: str
    user_id: int
    channel_id: int
    photo_sha256: str  # a prefix is enough to bind the link to one photo
    expires: int  # unix seconds
    locale: str | None = None  # the reader's language (a Discord locale): the page speaks it


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: Keyring, claims: Claims) -> str:
    body = _b64(
        json.dumps(
            [claims.draft_id, claims.user_id, claims.channel_id, claims.photo_sha256[:32],
             claims.expires, claims.locale],
            separators=(",", ":"),
        ).encode()
    )  # fmt: skip
    return f"{body}.{key.derive(PURPOSE, body)}"


def verify(key: Keyring, token: str, *, now: float | None = None) -> Claims:
    """The claims of a genuine, unexpired token; TokenError otherwise."""
    tampered = TokenError(403, Message("studio.link_tampered"))
    body, _, signature = token.partition(".")
    if not body or not key.verifies(signature, PURPOSE, body):
        raise tampered
    try:
        draft_id, user_id, channel_id, photo, expires, *rest = json.loads(_unb64(body))
        locale = str(rest[0]) if rest and rest[0] else None  # links signed before: none
        claims = Claims(
            str(draft_id), int(user_id), int(channel_id), str(photo), int(expires), locale
        )
    except (ValueError, TypeError):
        raise tampered from None
    if claims.expires < (time.time() if now is None else now):
        raise TokenError(410, Message("studio.link_expired"))
    return claims


def peek_locale(token: str) -> str | None:
    """The language a link asks for, read without trusting it: a refused link's page is still
    written in its reader's language (nothing else is read from an unverified token)."""
    try:
        found = json.loads(_unb64(token.partition(".")[0]))
        return str(found[5]) if len(found) > 5 and found[5] else None
    except (ValueError, TypeError, IndexError, KeyError):
        return None
