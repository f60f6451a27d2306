"""Job cards and result cards render every generation the database can hold; the wording
of time left and of a design's family."""

from __future__ import annotations

import pytest

from bot.domain import Generation, Kind, Origin, RoomType, Status
from bot.service.lineage import Member
from cogs.cards import card as cards
from cogs.cards import render

ORIGIN = Origin(source="discord", guild_id=1, channel_id=2, user_id=3)


def variation(status: Status, project_id: str | None) -> Generation:
    return Generation(
        id=7, kind=Kind.VARIATION, room_type=RoomType.POOL, status=status, origin=ORIGIN,
        parent_id=6, project_id=project_id, variation_number=2,
    )  # fmt: skip


@pytest.mark.parametrize("project_id", [None, "0123456789abcdef"])
def test_a_variation_renders_with_or_without_a_project(project_id):
    # a create adopted from its callback never learnt its project: its variations have none
    gen = variation(Status.SUCCEEDED, project_id)
    view = cards.result_card(gen, ["exterior-7-0.png"], sandbox=False)
    texts = [c["content"] for c in view.to_components()[0]["components"] if c["type"] == 10]
    assert any("Variation 2" in t for t in texts)
    card = render.job_card(gen, sandbox=False)
    assert "Variation 2" in card.description and (project_id or "?")[:8] in card.description


@pytest.mark.parametrize(
    ("elapsed", "typical", "text"),
    [
        (0, None, None),  # no history: no promise
        (30, 150, "about 2 min left (usually about 2 min)"),
        (3, 8, "about 5 s left (usually about 8 s)"),
        (200, 150, "taking longer than usual (usually about 2 min)"),
    ],
)
def test_time_left_is_honest(elapsed, typical, text):
    assert cards.estimate_text(elapsed, typical) == text


def test_family_marks_the_current_design_and_indents_descendants():
    original = Generation(id=1, kind=Kind.CREATE, room_type=RoomType.POOL,
                          status=Status.SUCCEEDED, origin=ORIGIN, result_message_id=10)  # fmt: skip
    child = variation(Status.SUCCEEDED, "p")
    failed = variation(Status.FAILED, "p")
    failed.id = 8
    members = [Member(original, 0), Member(child, 1), Member(failed, 2)]
    lines = cards.family_text(members, current=7).splitlines()
    assert lines[1] == "[#1](https://discord.com/channels/1/2/10) POOL · original"
    assert lines[2] == "↳ #7 POOL · variation 2 ◀ this one"
    assert lines[3] == "\u2003↳ #8 POOL · variation 2 (failed)"
