"""Load: 100 simultaneous creates, then 300 button clicks (100 variations, 100 double clicks of
the same buttons, 100 history page turns), all arriving through the emulator within 30 s. Every
interaction is acknowledged within Discord's 3 s (the emulator measures each), the database is
never locked, every result is posted once and every double click spends nothing.

The 30 s bound the arrival of the 400 interactions (the load); the work they start is then
awaited generously, so a busy CI machine slows the test down instead of failing it."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.e2e.flow import create, custom_ids, started_id
from tests.support.hostile_images import encode, garden, mask

from .helpers import all_results
from .waiting import until
from .world import bot_through

CREATES, WINDOW, PATIENCE = 100, 30.0, 120.0


@pytest.mark.asyncio
async def test_100_creates_and_300_clicks(
    emulator, bot_runner, sandbox, api, tmp_path, canary_guard, figures
):
    photo, area = encode(garden()), encode(mask())
    sandbox.state.credits[sandbox.state.config.user_id] = 1000
    # production's read timeout: a loaded machine must not turn slow answers into UNKNOWN
    async with bot_through(bot_runner, emulator, sandbox, api, tmp_path, read_timeout=60.0):
        started = time.monotonic()
        handles = await asyncio.gather(
            *(create(emulator, "POOL", photo=photo, mask=area) for _ in range(CREATES))
        )
        rows = [
            started_id(f) for f in await asyncio.gather(*(h.wait_followup(20) for h in handles))
        ]
        assert len(set(rows)) == CREATES
        await until(lambda: set(rows) <= set(all_results(emulator)), PATIENCE)
        results = {
            int(cid.split(":")[2]): message
            for message in emulator.messages_in()
            for cid in custom_ids(message)
            if cid.startswith("exterior:vary:") and cid.endswith(":POOL")
        }
        history = await emulator.slash_command("exterior", {"page": 1}, subcommand="history")
        page = await history.wait_followup(timeout=10)
        older = next(c for c in custom_ids(page) if c.endswith(":next"))
        clicks = [
            emulator.click_button(results[row], f"exterior:vary:{row}:TERRACE") for row in rows
        ]
        clicks += [
            emulator.click_button(results[row], f"exterior:vary:{row}:TERRACE") for row in rows
        ]
        clicks += [emulator.click_button(page, older) for _ in rows]
        clicked = await asyncio.gather(*clicks)
        arrived = time.monotonic() - started
        await until(lambda: all(h.acknowledged for h in clicked), PATIENCE)
        # every variation posted once; each double click answered without a second credit
        await until(lambda: len(all_results(emulator)) == 2 * CREATES, PATIENCE)
        elapsed = time.monotonic() - started
        assert set(all_results(emulator).values()) == {1}
        assert api.count("generate") == CREATES and api.count("generate-variation") == CREATES
        assert len(sandbox.state.generations) == 2 * CREATES
    latencies = [h.ack_latency for h in [*handles, history, *clicked]]
    assert None not in latencies and max(latencies) < 3.0, latencies
    assert not [line for line in canary_guard.lines if "database is locked" in line]
    assert arrived < WINDOW, f"the 400 interactions took {arrived:.1f} s to arrive"
    figures.add("interactions acknowledged", len(latencies))
    figures.peak("worst ack seconds", max(latencies))
    figures.peak("load arrival seconds", arrived)
    figures.peak("load seconds", elapsed)
    figures.passed("load", f"{CREATES} creates + {len(clicked)} clicks")
