"""Pending callbacks (0004) on both backends: the first named id wins, only rows still waiting
for their id take one, and the submission's own answer clears it."""

from __future__ import annotations

import pytest

from storage import PendingCallbackRepository

from .test_storage import T0, clock, gen, repo  # noqa: F401 - fixtures


@pytest.mark.asyncio
async def test_pending_callbacks_round_trip_on_every_backend(db, repo, clock):  # noqa: F811
    pending = PendingCallbackRepository(db, clock=clock)
    waiting = await repo.create_intent(gen())
    other = await repo.create_intent(gen(channel=11))
    assert await pending.record(waiting.id, "api-early")
    assert not await pending.record(waiting.id, "api-second")  # the first one wins
    assert await pending.get(waiting.id) == "api-early"
    await repo.mark_unknown(other.id, "timeout")
    assert await pending.record(other.id, "api-other")
    assert [(g.id, named) for g, named in await pending.waiting()] == [
        (waiting.id, "api-early"),
        (other.id, "api-other"),
    ]
    await repo.mark_submitted(
        waiting.id, generation_id="api-early", project_id="p", remaining_photos=1, next_check_at=T0
    )
    assert await pending.get(waiting.id) is None  # its answer came: the early word is gone
    assert not await pending.record(waiting.id, "api-late")  # no longer waiting for an id
    await pending.discard(other.id)
    assert await pending.waiting() == []
