"""A generation's rules without SQL: what makes a double click, what a submission and a status
observation change, and which late writes are ignored. The parts call these inside their
transactions; what counts as spent is storage/spend.py's."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.domain import Generation, Kind, RoomType, Status

from .._time import to_ts
from ..db import StorageError
from ..spend import refunded

SUBMITTED_STATUSES = (Status.STARTING, Status.PROCESSING)


def request_identity(gen: Generation) -> dict[str, Any]:
    """The columns two intents share when they are the same request: same kind, type, user,
    parent and source photo. None is a value here (a create has no parent, the CLI no user)."""
    return {
        "kind": Kind(gen.kind).value,
        "room_type": RoomType(gen.room_type).value,
        "user_id": gen.origin.user_id,
        "parent_id": gen.parent_id,
        "source_message_id": gen.source_message_id,
    }


def double_click_since(now: float, within: float) -> float | None:
    """An earlier intent created after this moment makes a new one its double click: a sliding
    window, so no fixed boundary splits one click in two. None: no window was asked for."""
    return now - within if within > 0 else None


def answered(status: Status) -> bool:
    """The API's word (or our deadline) is in: an ambiguous or refused call must not undo it."""
    return status.rank > Status.UNKNOWN.rank


def may_time_out(status: Status) -> bool:
    """Our deadline only matters to a row still waiting; a finished (or already timed-out) one
    keeps its status."""
    return status.rank < Status.TIMED_OUT.rank


def check_submitted_status(status: Status) -> None:
    if status not in SUBMITTED_STATUSES:
        raise ValueError(f"mark_submitted takes STARTING or PROCESSING, not {status}")


def submission(
    cur: Generation,
    *,
    generation_id: str,
    project_id: str | None,
    remaining_photos: int | None,
    next_check_at: float | None,
    status: Status,
    webhook_secret: str | None,
    now: float,
) -> dict[str, Any] | None:
    """The columns the API's acceptance changes; None when this very id was recorded already
    (a repeated call: nothing to write or count again)."""
    if cur.generation_id is not None:
        if cur.generation_id == generation_id:
            return None
        raise StorageError(f"generation {cur.id} already submitted as {cur.generation_id}")
    first_check = next_check_at
    if cur.next_check_at is not None:  # a callback came first (Leases.hint): check now
        early = to_ts(cur.next_check_at)
        first_check = early if first_check is None else min(first_check, early)
    fields: dict[str, Any] = {
        "generation_id": generation_id,
        "project_id": project_id,
        "remaining_photos": remaining_photos,
        "next_check_at": first_check,
    }
    if webhook_secret is not None:
        fields["webhook_secret"] = webhook_secret
    if status.rank > cur.status.rank:  # PENDING/UNKNOWN -> live; clear stale error
        fields.update(status=status.value, error=None)
    fields["submitted_at"] = now
    return fields


def keep_hint(cur: Generation, planned: float | None, asked_at: float | None) -> float | None:
    """The next check: `planned`, unless a callback came while the API was being asked."""
    if planned is None or asked_at is None or cur.next_check_at is None:
        return planned
    hinted = cur.next_check_at.timestamp()
    return hinted if asked_at < hinted < planned else planned


@dataclass(frozen=True)
class Observation:
    """What one poll or webhook saw of a generation."""

    status: Status
    next_check_at: float | None = None
    result_urls: Iterable[str] | None = None
    variation_number: int | None = None
    error: str | None = None
    asked_at: float | None = None  # only where callbacks are written down (shared databases)
    ended_after: float | None = None


@dataclass(frozen=True)
class CheckChange:
    fields: dict[str, Any] = field(default_factory=dict)
    became_terminal: bool = False  # the caller's one "finished" event
    refund: bool = False  # give back the credit usage counted at submission


def observe(
    cur: Generation, seen: Observation, *, ended_after: float | None, now: float
) -> CheckChange:
    """What recording `seen` changes on `cur` (whose `ended_after` column is passed alongside:
    the domain object does not carry it). Statuses only move up in rank."""
    fields: dict[str, Any] = {
        "check_count": cur.check_count + 1,
        "next_check_at": keep_hint(cur, seen.next_check_at, seen.asked_at),
    }
    if seen.ended_after is not None and not cur.status.is_terminal:
        # the latest moment the end is known to lie after, while it is still live
        fields["ended_after"] = max(ended_after or 0.0, seen.ended_after)
    status = seen.status
    # Lower ranks are stale (late PROCESSING after SUCCEEDED); equal rank but another status
    # (FAILED after SUCCEEDED) is a contradiction: the first terminal wins.
    if not (status.rank > cur.status.rank or status == cur.status):
        return CheckChange(fields)
    if status != cur.status:
        fields.update(status=status.value, error=seen.error)
    elif seen.error is not None:
        fields["error"] = seen.error
    if seen.result_urls is not None:
        fields["result_urls"] = list(seen.result_urls)
    if seen.variation_number is not None:
        fields["variation_number"] = seen.variation_number
    if not (status.is_terminal and not cur.status.is_terminal):
        return CheckChange(fields)
    fields["finished_at"] = now
    return CheckChange(fields, became_terminal=True, refund=refunded(cur.status, status))
