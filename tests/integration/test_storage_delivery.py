"""Delivery alone (GenerationDelivery), on both backends: the result is recorded as posted once,
even by two processes racing, and the messages that show a generation are kept."""

from __future__ import annotations

import asyncio

import pytest

from storage import GenerationNotFound, open_database
from storage.generations import GenerationDelivery, GenerationIntents

from .test_storage import gen


@pytest.mark.asyncio
async def test_the_result_is_posted_once_whoever_races(db, database_target) -> None:
    row = await GenerationIntents(db).create_intent(gen())
    async with await open_database(database_target) as other:
        posters = [GenerationDelivery(db), GenerationDelivery(other)]
        won = await asyncio.gather(
            *(p.set_result_message(row.id, 100 + i) for i, p in enumerate(posters))
        )
    assert sorted(won) == [False, True]
    kept = (await db.fetchone("SELECT result_message_id FROM generations"))[0]
    assert kept == 100 + won.index(True)
    assert await GenerationDelivery(db).set_result_message(row.id, 999) is False


@pytest.mark.asyncio
async def test_the_messages_that_show_a_generation(db) -> None:
    delivery = GenerationDelivery(db)
    row = await GenerationIntents(db).create_intent(gen())
    assert (await delivery.set_card_message(row.id, 55)).card_message_id == 55
    assert (await delivery.set_card_message(row.id, None)).card_message_id is None
    shown = await delivery.set_source_message(row.id, 10, 77)
    assert (shown.source_channel_id, shown.source_message_id) == (10, 77)
    with pytest.raises(GenerationNotFound):
        await delivery.set_result_message(row.id + 1, 1)
    with pytest.raises(GenerationNotFound):
        await delivery.set_card_message(row.id + 1, 1)
