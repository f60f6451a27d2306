"""Webhook callbacks that name an API id before our paid call answered survive a restart."""

from __future__ import annotations

import pytest
import pytest_asyncio

from bot.callbacks import new_secret
from bot.domain import Generation, Kind, Origin, RoomType, Status
from bot.sandbox.server import running_sandbox
from bot.sandbox.state import SandboxConfig
from tests.support.files import file_server
from tests.support.harness import harness
from tests.support.wait import until


@pytest_asyncio.fixture
async def files():
    async with file_server() as server:
        yield server


@pytest_asyncio.fixture
async def sandbox():
    config = SandboxConfig(starting_seconds=0.05, processing_seconds=0.3, seed=5)
    async with running_sandbox(config) as sb:
        yield sb


async def intent(h) -> Generation:
    """What a crash in the middle of a paid call leaves behind: a PENDING intent."""
    gen = Generation(
        id=None, kind=Kind.CREATE, room_type=RoomType.POOL, status=Status.PENDING,
        origin=Origin(source="cli"), webhook_secret=new_secret(),
    )  # fmt: skip
    return await h.repo.create_intent(gen)


def callback_url(h, gen: Generation) -> str:
    return h.webhooks.callback_url(gen.id, gen.webhook_secret)


@pytest.mark.asyncio
async def test_an_id_named_by_a_callback_is_adopted_after_a_restart(tmp_path, sandbox, files):
    db = tmp_path / "db.sqlite3"
    async with harness(db, sandbox, files, webhooks=True) as h:
        gen = await intent(h)
        # the API acted on the call and calls back at the end, but our answer was lost (crash)
        await h.client.generate(
            image_url=f"{files.url}/photo.png", mask_url=f"{files.url}/mask.png",
            room_type=RoomType.POOL, width=96, height=64, webhook=callback_url(h, gen),
        )  # fmt: skip
        await until(lambda: h.webhooks.callbacks_received == 1)
    async with harness(db, sandbox, files, webhooks=True) as h:
        assert await h.service.recover() == []  # not lost: adopted
        await until(lambda: _status(h, gen.id, Status.SUCCEEDED))
        done = await h.repo.get(gen.id)
        assert done.generation_id and done.result_urls
        assert sandbox.state.calls["generate"] == 1


@pytest.mark.asyncio
async def test_an_id_the_api_does_not_confirm_is_not_adopted(tmp_path, sandbox, files):
    async with harness(tmp_path / "db.sqlite3", sandbox, files, webhooks=True) as h:
        gen = await intent(h)
        async with h.client._session.post(
            callback_url(h, gen), json={"generation_id": "made-up"}
        ) as resp:
            assert resp.status == 200
        await h.service.recover()
        gets = sandbox.state.calls["get"]
        assert gets >= 1  # it asked the API, which does not know the id
        assert (await h.repo.get(gen.id)).generation_id is None


async def _status(h, row: int, status: Status) -> bool:
    return (await h.repo.get(row)).status is status
