"""The bot downloads results only from hosts it may: a URL elsewhere is never even connected."""

from __future__ import annotations

import pytest
from aiohttp import web

from .exterior_env import exterior_bot
from .flow import create, is_result_of, started_id, undelivered_copy


@pytest.mark.asyncio
async def test_a_result_url_on_a_foreign_host_is_never_fetched(
    emulator, bot_runner, sandbox, polling_settings
):
    hits = []

    async def secret(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(body=b"internal admin page")

    app = web.Application()
    app.router.add_get("/{tail:.*}", secret)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    try:
        async with exterior_bot(bot_runner, polling_settings) as (bot, core):
            handle = await create(emulator, "POOL")
            first = started_id(await handle.wait_followup(timeout=10))
            await emulator.wait_for_message(predicate=is_result_of(first), timeout=10)
            # an API answer naming a URL on this machine under another name
            row = await undelivered_copy(
                core, first, result_urls=[f"http://localhost:{port}/admin.png"]
            )
            # a card of its own to be told on (the first one's: it is in the channel)
            card = (await core.generations.get(first)).card_message_id
            await core.generations.set_card_message(row, card)
            cog = bot.get_cog("Results")
            await cog.catch_up()  # one attempt: a refusal is final, no sweep would change it
            assert hits == []
            assert (await core.generations.get(row)).result_message_id == 0
            assert await core.generations.undelivered() == []
            said = str(next(m for m in emulator.messages_in() if m["id"] == str(card)))
            assert "credit is spent" in said and "EXTERIOR_ALLOWED_HOSTS" in said
            assert not [m for m in emulator.messages_in() if is_result_of(row)(m)]
    finally:
        await runner.cleanup()
