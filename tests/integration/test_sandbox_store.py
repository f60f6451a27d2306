"""The embedded sandbox's state file: shared by processes, merged, and restarted from."""

from __future__ import annotations

import time

import pytest

from bot.api.sandbox.server import running_sandbox
from bot.api.sandbox.state import SandboxConfig, SandboxState
from bot.api.sandbox.store import SandboxStore
from bot.domain import RoomType, Status
from tests.support.files import mask, photo, png_bytes


def charged_generation(state: SandboxState, image: bytes, painted: bytes) -> str:
    user = state.config.user_id
    assert state.charge(user) is not None
    project = state.new_project("http://127.0.0.1:1/photo.png", state.keep(painted))
    gen = state.new_generation(
        project, RoomType.POOL, None, "http://127.0.0.1:1", variation=False, user_id=user,
        photo=state.keep(image), mask=project.mask,
    )  # fmt: skip
    return gen.id


def test_two_processes_sharing_the_file_keep_each_others_work(tmp_path):
    path = tmp_path / "bot.sqlite3.sandbox.zip"
    config = SandboxConfig()
    first, second = SandboxState(config), SandboxState(config)
    first_store, second_store = SandboxStore(path), SandboxStore(path)
    first_store.sync(first)
    second_store.sync(second)
    image, painted = png_bytes(photo()), png_bytes(mask())
    a = charged_generation(first, image, painted)
    b = charged_generation(second, image, painted)
    first_store.sync(first)
    second_store.sync(second)  # must not drop `a` nor count one photo instead of two

    fresh = SandboxState(config)
    SandboxStore(path).sync(fresh)
    assert set(fresh.generations) == {a, b}
    assert fresh.credits[config.user_id] == config.credits - 2
    assert SandboxStore(path).read_blob(fresh.generations[a].photo) == image


@pytest.mark.asyncio
async def test_a_restarted_sandbox_finishes_what_an_earlier_one_started(tmp_path, session):
    path = tmp_path / "bot.sqlite3.sandbox.zip"
    config = SandboxConfig(starting_seconds=0, processing_seconds=0)
    state = SandboxState(config)
    store = SandboxStore(path)
    store.sync(state)
    gen_id = charged_generation(state, png_bytes(photo()), png_bytes(mask()))
    store.sync(state)  # the process ends here, before any lifecycle ran

    assert time.time() >= state.generations[gen_id].done_at
    async with running_sandbox(config, store=SandboxStore(path)) as sandbox:
        headers = {"x-api-key": config.api_key}
        body = {"user_id": config.user_id, "generation_id": gen_id}
        url = f"{sandbox.url}/api/create_exterior/get"
        async with session.post(url, json=body, headers=headers) as resp:
            answer = await resp.json()
        assert answer["status"] == Status.SUCCEEDED.value
        async with session.get(answer["urls"][0]) as resp:
            assert resp.status == 200 and (await resp.read())[:4] == b"\x89PNG"
