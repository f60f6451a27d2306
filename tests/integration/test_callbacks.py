"""Webhook callbacks: genuine paths are checked before anything is read, and an API id named
before our paid call answered survives a restart."""

from __future__ import annotations

import pytest

from bot.domain import Generation, Kind, Origin, RoomType, Status
from tests.support.harness import harness
from tests.support.wait import until


async def intent(h) -> Generation:
    """What a crash in the middle of a paid call leaves behind: a PENDING intent."""
    gen = Generation(
        id=None, kind=Kind.CREATE, room_type=RoomType.POOL, status=Status.PENDING,
        origin=Origin(source="cli"),
    )  # fmt: skip
    return await h.repo.create_intent(gen)


def callback_url(h, gen: Generation) -> str:
    return h.webhooks.callback_url(gen.id)


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


@pytest.mark.asyncio
async def test_forged_huge_and_malformed_paths_get_404_without_touching_storage(
    tmp_path, sandbox, files
):
    async with harness(tmp_path / "db.sqlite3", sandbox, files, webhooks=True) as h:
        gen = await intent(h)
        good = callback_url(h, gen)
        secret = good.rsplit("/", 1)[1]
        base = f"{h.webhooks.base_url}/callbacks"
        await h.db.close()  # any read or write from now on would fail (and answer 200 or 500)
        forged = [
            f"{base}/{gen.id}/{secret[:-1]}{'B' if secret.endswith('A') else 'A'}",
            f"{base}/{gen.id + 1}/{secret}",
            f"{base}/{'9' * 400}/{secret}",
            f"{base}/{2**63}/{secret}",
            f"{base}/-1/{secret}",
            f"{base}/{gen.id}/{'x' * 5000}",
            f"{base}/{gen.id}",
        ]
        session = h.client._session
        for url in forged:
            async with session.post(url, data=b"{not json") as resp:
                assert resp.status == 404, url
        assert sandbox.state.calls["get"] == 0


@pytest.mark.asyncio
async def test_secrets_stored_by_an_earlier_version_keep_working(tmp_path, sandbox, files):
    db = tmp_path / "db.sqlite3"
    async with harness(db, sandbox, files, webhooks=True) as h:
        stored = "s" * 32  # what earlier versions kept per row
        old = await h.repo.create_intent(
            Generation(
                id=None,
                kind=Kind.CREATE,
                room_type=RoomType.POOL,
                status=Status.PENDING,
                origin=Origin(source="cli"),
                webhook_secret=stored,
            )
        )
    async with harness(db, sandbox, files, webhooks=True) as h:  # the upgraded process
        url = f"{h.webhooks.base_url}/callbacks/{old.id}/{stored}"
        async with h.client._session.post(url, json={"generation_id": "named"}) as resp:
            assert resp.status == 200
        assert await h.service.callbacks.pending_callbacks.get(old.id) == "named"
        # the derived path of the same row works as well
        async with h.client._session.post(callback_url(h, old), json={}) as resp:
            assert resp.status == 200
