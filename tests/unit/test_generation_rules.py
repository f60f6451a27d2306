"""The generation rules and what counts as spent, as plain functions: no database at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import Generation, Kind, Origin, RoomType, Status
from storage import StorageError
from storage.generations import rules
from storage.generations.rules import Observation, observe
from storage.spend import SPENDING_SQL, UNSPENT, counted, counted_on, refunded, spent

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
NOW = T0.timestamp()


def row(status: Status = Status.STARTING, **fields) -> Generation:
    origin = Origin("discord", guild_id=1, channel_id=10, user_id=7, user_name="ana")
    fields.setdefault("created_at", T0)
    return Generation(5, Kind.CREATE, RoomType.POOL, status, origin, **fields)


def test_only_refused_refunded_queued_and_cancelled_generations_spent_nothing() -> None:
    unspent = {Status.REJECTED, Status.FAILED, Status.QUEUED, Status.CANCELLED}
    assert {s for s in Status if not spent(s)} == unspent
    # UNKNOWN and TIMED_OUT may have cost a credit: we cannot tell, so they count
    assert spent(Status.UNKNOWN) and spent(Status.TIMED_OUT) and spent(Status.PENDING)
    assert SPENDING_SQL == "status NOT IN ('REJECTED', 'FAILED', 'QUEUED', 'CANCELLED')"
    assert all(f"'{s.value}'" in SPENDING_SQL for s in UNSPENT)
    # a queued one holds its unit of a cap (and makes a double click) until it is cancelled
    assert {s for s in Status if not counted(s)} == unspent - {Status.QUEUED}


def test_a_refund_is_the_first_failure_only_and_taken_from_the_counted_day() -> None:
    assert refunded(Status.PROCESSING, Status.FAILED)
    assert refunded(Status.TIMED_OUT, Status.FAILED)
    assert not refunded(Status.FAILED, Status.FAILED)  # seen again: refunded already
    assert not refunded(Status.SUCCEEDED, Status.FAILED)
    assert not refunded(Status.PROCESSING, Status.SUCCEEDED)
    yesterday = T0 - timedelta(days=1)
    assert counted_on(yesterday, T0) == yesterday
    assert counted_on(None, T0) == T0  # rows from before submitted_at existed


def test_the_same_request_is_kind_type_user_parent_and_source_photo() -> None:
    identity = rules.request_identity(row(parent_id=3, source_message_id=99))
    assert identity == {
        "kind": "create",
        "room_type": "POOL",
        "user_id": 7,
        "parent_id": 3,
        "source_message_id": 99,
    }
    cli = Generation(None, Kind.CREATE, RoomType.POOL, Status.PENDING, Origin("cli"))
    assert rules.request_identity(cli)["user_id"] is None  # None matches None (IS)


def test_the_double_click_window_slides_and_can_be_off() -> None:
    assert rules.double_click_since(NOW, 30) == NOW - 30
    assert rules.double_click_since(NOW, 0) is None
    assert rules.double_click_since(NOW, -1) is None


@pytest.mark.parametrize(
    ("status", "answered", "may_time_out"),
    [
        (Status.PENDING, False, True),
        (Status.UNKNOWN, False, True),
        (Status.STARTING, True, True),
        (Status.PROCESSING, True, True),
        (Status.TIMED_OUT, True, False),
        (Status.SUCCEEDED, True, False),
        (Status.FAILED, True, False),
        (Status.REJECTED, True, False),
    ],
)
def test_late_writes_that_are_ignored(status, answered, may_time_out) -> None:
    assert rules.answered(status) is answered  # mark_unknown / mark_rejected
    assert rules.may_time_out(status) is may_time_out  # mark_timed_out


def submit(cur: Generation, api_id: str = "api-1", **kw):
    kw.setdefault("status", Status.STARTING)
    base = {"project_id": "p", "remaining_photos": 4, "next_check_at": NOW + 60}
    return rules.submission(
        cur, generation_id=api_id, webhook_secret=kw.pop("secret", None), now=NOW, **base | kw
    )


def test_a_submission_is_recorded_once_and_never_under_another_id() -> None:
    fields = submit(row(Status.UNKNOWN, error="timeout"))
    assert fields == {
        "generation_id": "api-1",
        "project_id": "p",
        "remaining_photos": 4,
        "next_check_at": NOW + 60,
        "status": "STARTING",
        "error": None,  # the stale "unknown" error goes with the status
        "submitted_at": NOW,
    }
    assert submit(row(generation_id="api-1")) is None  # repeated: nothing to count again
    with pytest.raises(StorageError, match="already submitted as api-1"):
        submit(row(generation_id="api-1"), "api-2")
    with pytest.raises(ValueError):
        rules.check_submitted_status(Status.SUCCEEDED)
    rules.check_submitted_status(Status.PROCESSING)


def test_a_submission_keeps_an_earlier_callback_due_and_the_secret_when_given() -> None:
    hinted = row(Status.PENDING, next_check_at=T0)  # a callback beat the paid call's answer
    assert submit(hinted)["next_check_at"] == NOW
    assert submit(hinted, next_check_at=None)["next_check_at"] == NOW
    assert "webhook_secret" not in submit(row(Status.PENDING))
    assert submit(row(Status.PENDING), secret="s")["webhook_secret"] == "s"
    # a row the tracker already saw further along keeps its status
    assert "status" not in submit(row(Status.PROCESSING))


def test_a_callback_written_while_the_api_was_asked_keeps_the_row_due() -> None:
    hinted = row(next_check_at=T0 + timedelta(seconds=5))
    at = (T0 + timedelta(seconds=5)).timestamp()
    assert rules.keep_hint(hinted, NOW + 60, asked_at=NOW) == at
    assert rules.keep_hint(hinted, NOW + 60, asked_at=at) == NOW + 60  # seen by this check
    assert rules.keep_hint(hinted, NOW + 1, asked_at=NOW) == NOW + 1  # planned sooner anyway
    assert rules.keep_hint(hinted, NOW + 60, asked_at=None) == NOW + 60  # not shared
    assert rules.keep_hint(hinted, None, asked_at=NOW) is None  # finished: nothing to check


def test_an_observation_moves_up_once_and_the_first_terminal_wins() -> None:
    seen = Observation(Status.SUCCEEDED, result_urls=("u",))
    first = observe(row(), seen, ended_after=None, now=NOW)
    assert first.became_terminal and not first.refund
    assert first.fields == {
        "check_count": 1,
        "next_check_at": None,
        "status": "SUCCEEDED",
        "error": None,
        "result_urls": ["u"],
        "finished_at": NOW,
    }
    done = row(Status.SUCCEEDED, check_count=1)
    for late in (Status.PROCESSING, Status.FAILED):  # stale, then a contradiction
        change = observe(done, Observation(late, error="boom"), ended_after=None, now=NOW)
        assert change.fields == {"check_count": 2, "next_check_at": None}
        assert not change.became_terminal and not change.refund
    again = observe(done, Observation(Status.SUCCEEDED), ended_after=None, now=NOW)
    assert not again.became_terminal and "finished_at" not in again.fields


def test_a_failure_is_refunded_once_and_a_timed_out_row_can_still_finish() -> None:
    seen = Observation(Status.FAILED, error="x")
    failed = observe(row(Status.TIMED_OUT), seen, ended_after=None, now=NOW)
    assert failed.became_terminal and failed.refund and failed.fields["error"] == "x"
    seen = Observation(Status.FAILED, error="y")
    again = observe(row(Status.FAILED), seen, ended_after=None, now=NOW)
    assert not again.refund and again.fields["error"] == "y"  # same status: error refreshed


def test_the_end_is_bounded_by_the_latest_unfinished_sighting_while_live() -> None:
    seen = Observation(Status.PROCESSING, next_check_at=NOW + 9, ended_after=NOW)
    assert observe(row(), seen, ended_after=None, now=NOW).fields["ended_after"] == NOW
    assert observe(row(), seen, ended_after=NOW + 5, now=NOW).fields["ended_after"] == NOW + 5
    finished = observe(row(Status.SUCCEEDED), seen, ended_after=NOW - 5, now=NOW)
    assert "ended_after" not in finished.fields
