"""Signed client links: HMAC-SHA256 (teams.secrets.derive) over the link's id, its expiry and
its page's language, under a purpose of their own: a studio token never passes for one.

A token is `<claims>.<signature>`, both base64url. The link's row (storage/client_links.py)
decides the rest: revoked, expired, opened how often.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass

from bot.domain import Message, UserError
from bot.teams.secrets import Keyring

PURPOSE = "client"


class ClientLinkError(UserError):
    """A link whose page must be refused: `status` is the HTTP answer, the message says why."""

    def __init__(self, status: int, reason: Message):
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class ClientClaims:
    link_id: str
    expires: int  # unix seconds
    locale: str | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: Keyring, claims: ClientClaims) -> str:
    body = _b64(
        json.dumps([claims.link_id, claims.expires, claims.locale], separators=(",", ":")).encode()
    )
    return f"{body}.{key.derive(PURPOSE, body)}"


def verify(key: Keyring, token: str, *, now: float | None = None) -> ClientClaims:
    """The claims of a genuine, unexpired token; ClientLinkError otherwise."""
    altered = ClientLinkError(403, Message("client.link_altered"))
    body, _, signature = token.partition(".")
    if not body or not key.verifies(signature, PURPOSE, body):
        raise altered
    try:
        link_id, expires, locale = json.loads(_unb64(body))
        claims = ClientClaims(str(link_id), int(expires), str(locale) if locale else None)
    except (ValueError, TypeError):
        raise altered from None
    if claims.expires < (time.time() if now is None else now):
        raise ClientLinkError(410, Message("client.link_expired"))
    return claims


def peek_locale(token: str) -> str | None:
    """The language a link asks for, read without trusting it: a refused link's page is still
    written in its reader's language (nothing else is read from an unverified token)."""
    try:
        found = json.loads(_unb64(token.partition(".")[0]))
        return str(found[2]) if isinstance(found, list) and len(found) > 2 and found[2] else None
    except (ValueError, TypeError):
        return None
