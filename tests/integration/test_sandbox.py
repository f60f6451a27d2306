"""The sandbox API against its spec, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio
from aiohttp import web

from bot.api import errors
from bot.domain import RoomType, Status
from tests.support.files import file_server, mask, photo, png_bytes

PREFIX = "/api/create_exterior"


@pytest_asyncio.fixture
async def files():
    async with file_server() as server:
        server.add("photo.png", png_bytes(photo()))
        server.add("photo.jpg", png_bytes(photo(), "JPEG"), "image/jpeg")
        server.add("mask.png", png_bytes(mask()))
        server.add("big-mask.png", png_bytes(mask((128, 96))))
        server.add("photo.gif", png_bytes(photo(), "GIF"), "image/gif")
        server.add("junk.png", b"not an image at all")
        yield server


def body(sandbox, files, **changes):
    base = {
        "user_id": sandbox.state.config.user_id,
        "image_url": f"{files.url}/photo.png",
        "mask_url": f"{files.url}/mask.png",
        "room_type": "POOL",
        "width": 64,
        "height": 48,
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


async def post(session, sandbox, endpoint, payload, key="default"):
    headers = {"x-api-key": sandbox.state.config.api_key if key == "default" else key}
    if key is None:
        headers = {}
    async with session.post(
        f"{sandbox.url}{PREFIX}/{endpoint}", json=payload, headers=headers
    ) as resp:
        return resp.status, await resp.json()


async def generate(client, files, room_type, photo="photo.png", **kwargs):
    return await client.generate(
        image_url=f"{files.url}/{photo}", mask_url=f"{files.url}/mask.png",
        room_type=room_type, width=64, height=48, **kwargs,
    )  # fmt: skip


async def wait_status(client, generation_id, wanted, timeout=5.0):
    async with asyncio.timeout(timeout):
        while True:
            state = await client.get(generation_id)
            if state.status in wanted:
                return state
            await asyncio.sleep(0.02)


@pytest.mark.parametrize(
    ("changes", "key", "status", "words"),
    [
        ({}, None, 401, "API key"),
        ({}, "wrong", 401, "API key"),
        ({"user_id": "someone-else"}, "default", 403, "user_id"),
        ({"room_type": None}, "default", 400, "room_type"),
        ({"width": "64"}, "default", 400, "width"),
        ({"room_type": "GARAGE"}, "default", 400, "TERRACE, POOL, PETANQUE"),
        ({"width": 65}, "default", 400, "do not match"),
        ({"mask_url": "BIG"}, "default", 400, "mask size"),
        ({"image_url": "GIF"}, "default", 400, "jpg or png"),
        ({"image_url": "JUNK"}, "default", 400, "not a readable"),
        ({"image_url": "MISSING"}, "default", 400, "HTTP 404"),
    ],
)
@pytest.mark.asyncio
async def test_generate_validation(session, sandbox, files, changes, key, status, words):
    aliases = {"BIG": "big-mask.png", "GIF": "photo.gif", "JUNK": "junk.png", "MISSING": "nope.png"}
    for name, value in list(changes.items()):
        if value in aliases:
            changes[name] = f"{files.url}/{aliases[value]}"
    got, answer = await post(session, sandbox, "generate", body(sandbox, files, **changes), key)
    assert got == status
    assert words in answer["message"]
    assert sandbox.state.credits[sandbox.state.config.user_id] == 100  # nothing charged


@pytest.mark.asyncio
async def test_jpg_accepted_and_state_machine_to_success(client, sandbox, files, session):
    result = await generate(client, files, RoomType.TERRACE, photo="photo.jpg")
    assert result.remaining_photos == 99
    assert (await client.get(result.generation_id)).status is Status.STARTING
    await wait_status(client, result.generation_id, {Status.PROCESSING})
    state = await wait_status(client, result.generation_id, {Status.SUCCEEDED, Status.FAILED})
    assert state.status is Status.SUCCEEDED and state.variation_number == 0
    async with session.get(state.urls[0]) as resp:
        assert resp.status == 200 and resp.content_type == "image/png"
        assert (await resp.read())[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.asyncio
async def test_failed_generation_is_refunded(client, sandbox, files):
    sandbox.state.fail_next()
    result = await generate(client, files, RoomType.POOL)
    assert sandbox.state.credits[sandbox.state.config.user_id] == 99
    state = await wait_status(client, result.generation_id, {Status.SUCCEEDED, Status.FAILED})
    assert state.status is Status.FAILED and state.urls == []
    assert sandbox.state.credits[sandbox.state.config.user_id] == 100


@pytest.mark.asyncio
async def test_out_of_credits(client, sandbox, files):
    sandbox.state.credits[sandbox.state.config.user_id] = 0
    with pytest.raises(errors.OutOfCreditsError):
        await generate(client, files, RoomType.POOL)


@pytest.mark.asyncio
async def test_variations_count_per_project_and_reuse_mask(client, sandbox, files):
    first = await generate(client, files, RoomType.POOL)
    v1 = await client.generate_variation(
        generation_id=first.generation_id,
        original_url=f"{files.url}/photo.png",
        room_type=RoomType.PETANQUE,
    )
    v2 = await client.generate_variation(
        generation_id=v1.generation_id,
        original_url=f"{files.url}/photo.png",
        mask_url=f"{files.url}/mask.png",
        room_type=RoomType.TERRACE,
    )
    numbers = [
        (await wait_status(client, g, {Status.SUCCEEDED})).variation_number
        for g in (first.generation_id, v1.generation_id, v2.generation_id)
    ]
    assert numbers == [0, 1, 2]
    assert sandbox.state.credits[sandbox.state.config.user_id] == 97
    with pytest.raises(errors.NotFoundError):
        await client.generate_variation(
            generation_id="nope", original_url=f"{files.url}/photo.png", room_type=RoomType.POOL
        )
    with pytest.raises(errors.InvalidRequestError, match="mask size"):
        await client.generate_variation(
            generation_id=first.generation_id,
            original_url=f"{files.url}/photo.png",
            mask_url=f"{files.url}/big-mask.png",
            room_type=RoomType.POOL,
        )


@pytest.mark.asyncio
async def test_get_unknown_generation_is_404(client):
    with pytest.raises(errors.NotFoundError):
        await client.get("00000000-0000-0000-0000-000000000000")


@pytest.mark.asyncio
async def test_webhook_called_with_get_body_and_generation_id(client, sandbox, files):
    received: list[dict] = []
    done = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.json())
        done.set()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
        result = await generate(client, files, RoomType.POOL, webhook=url)
        await asyncio.wait_for(done.wait(), 5)
    finally:
        await runner.cleanup()
    assert len(received) == 1
    call = received[0]
    assert call["generation_id"] == result.generation_id
    assert call["status"] == "SUCCEEDED" and call["variationNumber"] == 0
    assert call["urls"][0].endswith(f"/sandbox/results/{result.generation_id}/0.png")


@pytest.mark.asyncio
async def test_fault_knobs(client, sandbox, files, session):
    sandbox.state.config.error_5xx_ratio = 1.0
    status, _ = await post(session, sandbox, "get", {"user_id": "x", "generation_id": "y"})
    assert status == 503
    sandbox.state.config.error_5xx_ratio = 0.0
    sandbox.state.config.error_429_ratio = 1.0
    async with session.post(
        f"{sandbox.url}{PREFIX}/get", json={}, headers={"x-api-key": sandbox.state.config.api_key}
    ) as resp:
        assert resp.status == 429 and resp.headers["Retry-After"] == "1"
