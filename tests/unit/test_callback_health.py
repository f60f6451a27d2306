"""When the tracker trusts callbacks to come (bot/tracking/health.py): a hint, never a promise."""

from __future__ import annotations

from bot.tracking.health import EVIDENCE, CallbackState, verdict


def test_callbacks_are_trusted_only_once_one_was_seen_arriving():
    assert verdict([]) is CallbackState.UNKNOWN  # a new database polls
    assert verdict([False] * (EVIDENCE - 1)) is CallbackState.UNKNOWN
    assert verdict([True]) is CallbackState.ARRIVING
    assert verdict([False] * (EVIDENCE - 1) + [True]) is CallbackState.ARRIVING


def test_a_few_in_a_row_without_one_mean_they_are_not_arriving():
    assert verdict([False] * EVIDENCE) is CallbackState.MISSING
    # only the latest count: an old success does not hide that they stopped
    assert verdict([False] * EVIDENCE + [True] * 10) is CallbackState.MISSING
    assert verdict([True] + [False] * 10) is CallbackState.ARRIVING  # they came back
