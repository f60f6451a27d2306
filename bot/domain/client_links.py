"""Client links: a signed page that shows one design's family to someone outside Discord, and
the bot's own copies of the pictures it shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ClientLink:
    id: str  # random; the signed token names it
    guild_id: int
    generation_id: int  # the design the link was made for (shown first)
    root_id: int  # the family's original: the link shows this family and nothing else
    created_by: int
    created_at: datetime
    expires_at: datetime
    server_name: str | None = None  # as the server was called when the link was made
    locale: str | None = None  # the page's language (its maker's)
    revoked_at: datetime | None = None
    opened_count: int = 0
    last_opened_at: datetime | None = None

    def live(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


@dataclass(frozen=True, slots=True)
class ClientCopy:
    """One picture as the bot keeps it: the family's photo (`kind` "photo") or a result."""

    key: str  # opaque: what the page asks for
    root_id: int
    generation_id: int
    kind: str  # "photo" | "result"
    position: int  # the result's index among its generation's images (0 for the photo)
    content_type: str
    data: bytes = b""  # empty when only listed
