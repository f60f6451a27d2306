"""Spending rules: who, where, and when a limit frees again."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.teams.policy import Policy, caps, channel_allowed, may_press, may_spend, resets_at


def test_limits_reset_at_the_next_utc_day_and_month() -> None:
    now = datetime(2026, 12, 31, 23, 59, tzinfo=UTC)
    assert resets_at("per_user_day", now) == datetime(2027, 1, 1, tzinfo=UTC)
    assert resets_at("per_server_month", now) == datetime(2027, 1, 1, tzinfo=UTC)
    mid = datetime(2026, 2, 14, 8, 0, tzinfo=UTC)
    assert resets_at("per_server_month", mid) == datetime(2026, 3, 1, tzinfo=UTC)
    assert [c.scope for c in caps(Policy(per_user_day=2), 1, 5, mid)] == ["per_user_day"]
    assert caps(Policy(), 1, 5, mid) == []  # 0 = no limit


def test_who_and_where() -> None:
    policy = Policy.from_settings(
        {"spenders": "role", "spender_role": 7, "buttons": "requester",
         "forbidden_channels": [3], "allowed_channels": [1, 2], "unknown_key": 1}
    )  # fmt: skip
    assert may_spend(policy, {7}) is None and may_spend(policy, {8}).key == "refused.spenders"
    assert may_press(policy, 5, 5, set()) is None and may_press(policy, 6, 5, {7}) is not None
    assert channel_allowed(policy, (1, None)) is None
    assert channel_allowed(policy, (9, 2)) is None  # a thread of an allowed channel
    assert channel_allowed(policy, (9, None)) is not None
    assert channel_allowed(Policy(forbidden_channels=(3,)), (4, 3)) is not None
