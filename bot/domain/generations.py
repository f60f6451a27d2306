"""Generations and previews: what was asked, of which kind, and where it stands."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class RoomType(enum.StrEnum):
    TERRACE = "TERRACE"
    POOL = "POOL"
    PETANQUE = "PETANQUE"

    @classmethod
    def parse(cls, value: str) -> RoomType:
        try:
            return cls(str(value).strip().upper())
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise ValueError(f"unknown room type {value!r} (expected one of {allowed})") from None

    @property
    def label(self) -> str:
        return {"TERRACE": "terrace", "POOL": "pool", "PETANQUE": "pétanque court"}[self.value]


class Status(enum.StrEnum):
    """API statuses, plus the bot's own states around them.

    PENDING: intent written, API not called yet. UNKNOWN: we crashed (or the call was ambiguous)
    between writing the intent and learning the API's ids; the credit may or may not be spent.
    TIMED_OUT: our overall deadline passed; the API may still finish it.
    REJECTED: the API refused the request before acting on it; no credit was spent.
    QUEUED: accepted past the server's cap on work running at once; nothing sent, nothing
    spent; it becomes PENDING (the intent) when its turn comes (bot/service/queue.py).
    CANCELLED: a queued generation its requester took out of the queue; nothing was spent.
    """

    PENDING = "PENDING"
    STARTING = "STARTING"
    PROCESSING = "PROCESSING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    UNKNOWN = "UNKNOWN"
    REJECTED = "REJECTED"
    QUEUED = "QUEUED"
    CANCELLED = "CANCELLED"

    @classmethod
    def parse_api(cls, value: object) -> Status:
        """Parse a status as the API sends it; case-insensitive; only the four API states."""
        text = str(value).strip().upper() if isinstance(value, str) else None
        if text not in API_STATUSES:
            raise ValueError(f"unknown generation status {value!r}")
        return cls(text)

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL

    @property
    def rank(self) -> int:
        """Order used to keep persisted transitions monotonic."""
        return _RANK[self]


API_STATUSES = frozenset({"STARTING", "PROCESSING", "SUCCEEDED", "FAILED"})
# The API's own terminal states. TIMED_OUT is ours and may still move to one of these.
TERMINAL = frozenset({Status.SUCCEEDED, Status.FAILED})
_RANK = {
    Status.QUEUED: 0,
    Status.PENDING: 0,
    Status.UNKNOWN: 0,
    Status.STARTING: 1,
    Status.PROCESSING: 2,
    Status.TIMED_OUT: 3,
    Status.SUCCEEDED: 4,
    Status.FAILED: 4,
    Status.REJECTED: 4,
    Status.CANCELLED: 4,
}


class Kind(enum.StrEnum):
    CREATE = "create"
    VARIATION = "variation"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a generation was asked for: a Discord channel or the CLI."""

    source: str = "cli"  # "discord" or "cli"
    guild_id: int | None = None
    channel_id: int | None = None
    user_id: int | None = None
    user_name: str | None = None
    locale: str | None = None  # the requester's language (a Discord locale such as `fr`)


@dataclass(slots=True)
class Generation:
    id: int | None
    kind: Kind
    room_type: RoomType
    status: Status
    origin: Origin = field(default_factory=Origin)
    generation_id: str | None = None
    project_id: str | None = None
    parent_id: int | None = None
    photo_url: str | None = None
    mask_url: str | None = None
    width: int | None = None
    height: int | None = None
    # The bot's own copy of photo and mask: a message it posted (URLs there expire; refetch it).
    source_channel_id: int | None = None
    source_message_id: int | None = None
    result_urls: list[str] = field(default_factory=list)
    variation_number: int | None = None
    remaining_photos: int | None = None
    error: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    finished_at: datetime | None = None
    next_check_at: datetime | None = None
    check_count: int = 0
    card_message_id: int | None = None
    result_message_id: int | None = None
    webhook_secret: str | None = None
    # the credential set it was started with (None = the global ones): it is followed with them
    credential_set: int | None = None
    # when it was queued behind the server's cap (None: it started at once); `created_at` is
    # when its intent was written, at the start
    queued_at: datetime | None = None
    # the paid call gave the API a callback URL (a hint the tracker trusts while they arrive)
    callback_sent: bool = False


class DraftState(enum.StrEnum):
    OPEN = "OPEN"  # waiting for "Generate"; nothing spent
    USED = "USED"  # claimed once by a button or a studio submission
    CANCELLED = "CANCELLED"


@dataclass(slots=True)
class Draft:
    """A photo and a mask shown to a user before any credit is spent (preview or studio).

    kind "create" makes a new generation of the photo; "vary" a variation of `parent_id`."""

    id: str
    kind: Kind
    channel_id: int
    user_id: int
    room_type: RoomType
    source: str  # where the mask came from: "mask", "painted", "suggested", "result"
    photo: bytes
    photo_name: str
    photo_sha256: str
    mask: bytes  # PNG, mode L, 0/255, same size as the photo
    width: int
    height: int
    created_at: datetime
    expires_at: datetime
    guild_id: int | None = None
    user_name: str | None = None
    parent_id: int | None = None
    state: DraftState = DraftState.OPEN
    claimed_by: str | None = None
