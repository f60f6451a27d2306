"""The money path alone (GenerationIntents), on both backends: caps and the spend rule counted in
the intent's transaction, one submission per intent, refusals that are final."""

from __future__ import annotations

import pytest

from bot.domain import Status
from storage import Cap, CapReached, StorageError
from storage.caps import cap_query
from storage.db import execute
from storage.generations import GenerationIntents
from storage.spend import counted as holds

from .test_storage import T0, FakeClock, gen


@pytest.fixture
def intents(db) -> GenerationIntents:
    return GenerationIntents(db, clock=FakeClock())


async def count(db) -> int:
    return (await db.fetchone("SELECT count(*) FROM generations"))[0]


@pytest.mark.asyncio
async def test_a_full_cap_writes_nothing_until_a_request_spends_nothing(intents, db) -> None:
    guild, member = Cap("guild", 2, 1, T0), Cap("member", 5, 1, T0, user_id=7)
    first = await intents.create_intent(gen(), caps=[guild, member])
    await intents.create_intent(gen(channel=11), caps=[guild, member])
    with pytest.raises(CapReached) as info:
        await intents.create_intent(gen(channel=12), caps=[member, guild])
    assert info.value.cap == guild and await count(db) == 2
    await intents.mark_rejected(first.id, "429")  # refused: it spent nothing
    assert (await intents.create_intent(gen(channel=12), caps=[guild])).status is Status.PENDING


@pytest.mark.asyncio
async def test_the_spend_rule_in_sql_is_the_one_in_python(intents, db) -> None:
    for status in Status:
        row = await intents.create_intent(gen())
        async with db.write() as conn:
            sql = "UPDATE generations SET status = ? WHERE id = ?"
            await execute(conn, sql, (status.value, row.id))
    counted = (await db.fetchone(*cap_query(Cap("all", 99, 1, T0))))[0]
    # a cap counts what spent (or may have) and what waits in the queue too
    assert counted == sum(holds(s) for s in Status) == len(Status) - 3


@pytest.mark.asyncio
async def test_one_submission_per_intent_and_a_bad_status_writes_nothing(intents, db) -> None:
    intent = await intents.create_intent(gen())
    with pytest.raises(ValueError):
        await intents.mark_submitted(
            intent.id,
            generation_id="a",
            project_id=None,
            remaining_photos=None,
            next_check_at=None,
            status=Status.SUCCEEDED,
        )
    assert (await db.fetchone("SELECT status FROM generations"))[0] == "PENDING"
    sent = await intents.mark_submitted(
        intent.id,
        generation_id="a",
        project_id="p",
        remaining_photos=2,
        next_check_at=T0,
        status=Status.PROCESSING,
        webhook_secret="s",
    )
    assert (sent.status, sent.webhook_secret, sent.next_check_at) == (Status.PROCESSING, "s", T0)
    with pytest.raises(StorageError, match="already submitted as a"):
        await intents.mark_submitted(
            intent.id, generation_id="b", project_id="p", remaining_photos=1, next_check_at=T0
        )
    assert (await db.fetchone("SELECT generation_id FROM generations"))[0] == "a"


@pytest.mark.asyncio
async def test_a_refusal_is_final_and_an_answer_is_never_undone(intents) -> None:
    refused = await intents.create_intent(gen())
    done = await intents.mark_rejected(refused.id, "400 bad photo")
    assert (done.status, done.error, done.next_check_at) == (Status.REJECTED, "400 bad photo", None)
    assert (await intents.mark_unknown(refused.id, "late")).status is Status.REJECTED
    sent = await intents.create_intent(gen(channel=11))
    await intents.mark_submitted(
        sent.id, generation_id="x", project_id="p", remaining_photos=1, next_check_at=T0
    )
    assert (await intents.mark_rejected(sent.id, "late 429")).status is Status.STARTING


@pytest.mark.asyncio
async def test_without_a_window_the_same_request_is_a_new_intent(intents) -> None:
    first = await intents.create_intent(gen())
    assert (await intents.create_intent(gen())).id != first.id
    assert (await intents.recent_duplicate(gen(), 30)).id > first.id
