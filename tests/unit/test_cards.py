"""Cards and result embeds render every generation the database can hold."""

from __future__ import annotations

import pytest

from bot.domain import Generation, Kind, Origin, RoomType, Status
from cogs import render

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
    text = render.result_embed(gen, "r.png", sandbox=False).description
    assert "Variation 2" in text and (project_id or "?")[:8] in text
    card = render.job_card(gen, sandbox=False)
    assert "Variation 2" in card.description
