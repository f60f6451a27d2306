"""What counts as spent: which generations cost a credit, when one is refunded, and from which
day a refund is taken back. Caps, double-click windows, reports and usage all ask here."""

from __future__ import annotations

from datetime import datetime

from bot.domain import Status

# Refused before the API acted, or failed and refunded by the API: no credit was spent. Every
# other status may have cost one (UNKNOWN and TIMED_OUT included: we cannot tell). A queued
# generation has spent nothing yet; a cancelled one never will.
UNSPENT = (Status.REJECTED, Status.FAILED, Status.QUEUED, Status.CANCELLED)
# What holds a unit of a cap and makes a double click: spent, or queued to be (its turn may
# come after the cap's reset, but its place was taken when it was asked for).
UNCOUNTED = (Status.REJECTED, Status.FAILED, Status.CANCELLED)


def _not_in(statuses: tuple[Status, ...]) -> str:
    return f"status NOT IN ({', '.join(repr(s.value) for s in statuses)})"


# The same rules for WHERE clauses; spelt as literals, like the queries they join.
SPENDING_SQL = _not_in(UNSPENT)
COUNTED_SQL = _not_in(UNCOUNTED)


def spent(status: Status) -> bool:
    return Status(status) not in UNSPENT


def counted(status: Status) -> bool:
    """Whether it holds a unit of a cap (COUNTED_SQL): spent, or queued to be."""
    return Status(status) not in UNCOUNTED


def refunded(before: Status, after: Status) -> bool:
    """True in the one transition that gives a counted credit back: the API's FAILED, seen for
    the first time (a row first seen finished is only refunded once)."""
    return after is Status.FAILED and not before.is_terminal


def counted_on(submitted_at: datetime | None, created_at: datetime | None) -> datetime | None:
    """The day usage counted the generation, so a refund is taken from that day's count:
    submissions are counted when the API accepted them (rows from before 0003 at the intent)."""
    return submitted_at if submitted_at is not None else created_at
