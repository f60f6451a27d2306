"""Time conversions: the database stores unix seconds (REAL, UTC); Python sees aware datetimes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_ts(value: datetime | float | None) -> float | None:
    """Aware datetime (or unix seconds) -> unix seconds. Naive datetimes are refused: their
    meaning depends on the host's time zone, which is exactly the bug we want to avoid."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}; pass a timezone-aware one")
        return value.timestamp()
    return float(value)


def from_ts(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def day_of(value: datetime | date | str) -> str:
    """'YYYY-MM-DD' of the UTC day; accepts aware datetimes, dates or the string itself."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}; pass a timezone-aware one")
        return value.astimezone(UTC).date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return date.fromisoformat(value).isoformat()
