"""The money path: shutdown waits until a paid call's answer is written (synchronous=FULL is
checked with the other pragmas in test_storage_migrations)."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from tests.support.harness import harness
from tests.support.wait import until


@pytest.mark.asyncio
async def test_shutdown_waits_until_the_api_id_is_written(tmp_path, sandbox, files):
    path = tmp_path / "db.sqlite3"
    sandbox.state.config.slow_answer = 0.3  # the API acts, then answers a little later
    async with harness(path, sandbox, files, webhooks=False) as h:
        creating = asyncio.create_task(h.create())
        await until(lambda: sandbox.state.calls["generate"] == 1)
        # another process holds the write lock: the answer cannot be written for a while
        blocker = sqlite3.connect(path, timeout=2, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            drained = asyncio.create_task(h.service.drain(10))
            done, _ = await asyncio.wait({drained}, timeout=1.5)
            assert not done, "shutdown went on while a paid call's answer was unwritten"
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        await drained
        assert creating.done()  # drained after the answer was written, not before
        gen = await creating
        assert (await h.repo.get(gen.id)).generation_id == gen.generation_id is not None
