"""ExteriorClient against a fault-injecting aiohttp server on 127.0.0.1."""

from __future__ import annotations

import logging
import socket

import aiohttp
import pytest
import pytest_asyncio

from bot.api import errors
from bot.api.client import ExteriorClient
from bot.domain import RoomType, Status
from tests.support.faulty_api import Answer, faulty_api

KEY = "sk-live-very-secret-key-123"
GEN = {"generation_id": "g-1", "remaining_photos": 9, "project_id": "p-1"}
GEN_ARGS = dict(
    image_url="http://x/i.png",
    mask_url="http://x/m.png",
    room_type=RoomType.POOL,
    width=64,
    height=48,
)


@pytest_asyncio.fixture
async def api():
    async with faulty_api() as server:
        yield server


@pytest_asyncio.fixture
async def sleeps():
    return []


@pytest_asyncio.fixture
async def client(api, sleeps):
    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    async with aiohttp.ClientSession() as session:
        yield ExteriorClient(
            session,
            base_url=api.url,
            api_key=KEY,
            user_id="u-1",
            read_timeout=0.3,
            connect_timeout=0.5,
            max_attempts=4,
            backoff_base=0.01,
            sleep=record,
        )


@pytest.mark.asyncio
async def test_generate_sends_spec_fields_and_key(api, client):
    api.then("generate", Answer(body=GEN))
    result = await client.generate(**GEN_ARGS, webhook="http://cb/1")
    assert (result.generation_id, result.project_id, result.remaining_photos) == ("g-1", "p-1", 9)
    _, headers, body = api.requests[0]
    assert headers["x-api-key"] == KEY
    assert body == {
        "user_id": "u-1",
        "image_url": "http://x/i.png",
        "mask_url": "http://x/m.png",
        "room_type": "POOL",
        "width": 64,
        "height": 48,
        "webhook": "http://cb/1",
    }


@pytest.mark.asyncio
async def test_variation_and_get_parse(api, client):
    api.then("generate-variation", Answer(body={"generation_id": "g-2"}))
    api.then(
        "get",
        Answer(body={"status": "succeeded", "urls": ["http://r/0.png"], "variationNumber": 2}),
    )
    var = await client.generate_variation(
        generation_id="g-1", original_url="http://x/i.png", room_type=RoomType.TERRACE
    )
    assert var.generation_id == "g-2"
    assert "mask_url" not in api.requests[0][2]
    state = await client.get("g-2")
    assert state.status is Status.SUCCEEDED and state.urls == ["http://r/0.png"]
    assert state.variation_number == 2


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (401, {"message": "bad key"}, errors.AuthenticationError),
        (403, {"message": "forbidden"}, errors.AuthenticationError),
        (402, {"message": "pay"}, errors.OutOfCreditsError),
        (400, {"message": "Not enough credits remaining"}, errors.OutOfCreditsError),
        (400, {"message": "width is required"}, errors.InvalidRequestError),
        (422, {"error": "bad room_type"}, errors.InvalidRequestError),
        (404, {"message": "no such generation"}, errors.NotFoundError),
    ],
)
@pytest.mark.asyncio
async def test_error_kinds_are_mapped(api, client, status, body, kind):
    api.then("generate", Answer(status, body))
    with pytest.raises(kind) as info:
        await client.generate(**GEN_ARGS)
    assert info.value.status == status
    assert api.count("generate") == 1
    if kind is errors.InvalidRequestError:
        assert info.value.api_message in ("width is required", "bad room_type")


@pytest.mark.asyncio
async def test_unknown_status_is_an_error_naming_it(api, client):
    api.then("get", Answer(body={"status": "QUEUED", "variationNumber": 0}))
    with pytest.raises(errors.MalformedResponseError, match="QUEUED"):
        await client.get("g-1")


@pytest.mark.parametrize(
    "answer",
    [
        Answer(raw="<html>oops</html>"),
        Answer(body={"generation_id": "g-1", "project_id": "p-1"}),
        Answer(body={"generation_id": 5, "project_id": "p", "remaining_photos": 1}),
        Answer(body=["not", "an", "object"]),
    ],
)
@pytest.mark.asyncio
async def test_malformed_responses(api, client, answer):
    api.then("generate", answer)
    with pytest.raises(errors.MalformedResponseError):
        await client.generate(**GEN_ARGS)


@pytest.mark.asyncio
async def test_succeeded_without_urls_is_malformed(api, client):
    api.then("get", Answer(body={"status": "SUCCEEDED", "variationNumber": 0}))
    with pytest.raises(errors.MalformedResponseError, match="urls"):
        await client.get("g-1")


@pytest.mark.asyncio
async def test_generate_500_is_never_retried(api, client):
    api.then("generate", Answer(500, {"message": "boom"}), Answer(body=GEN))
    with pytest.raises(errors.ServerError):
        await client.generate(**GEN_ARGS)
    assert api.count("generate") == 1


@pytest.mark.asyncio
async def test_generate_timeout_is_never_retried(api, client):
    api.then("generate", Answer(body=GEN, delay=1.0), Answer(body=GEN))
    with pytest.raises(errors.ApiTimeoutError) as info:
        await client.generate(**GEN_ARGS)
    assert info.value.established and not info.value.certainly_not_acted
    assert api.count("generate") == 1


@pytest.mark.asyncio
async def test_variation_dropped_connection_is_never_retried(api, client):
    api.then("generate-variation", Answer(drop=True), Answer(body={"generation_id": "g"}))
    with pytest.raises(errors.ApiConnectionError) as info:
        await client.generate_variation(
            generation_id="g-1", original_url="http://x/i.png", room_type=RoomType.POOL
        )
    assert info.value.established
    assert api.count("generate-variation") == 1


@pytest.mark.asyncio
async def test_generate_429_is_retried_after_retry_after(api, client, sleeps):
    api.then(
        "generate", Answer(429, {"message": "slow down"}, {"Retry-After": "2"}), Answer(body=GEN)
    )
    result = await client.generate(**GEN_ARGS)
    assert result.generation_id == "g-1"
    assert api.count("generate") == 2
    assert len(sleeps) == 1 and sleeps[0] >= 2


@pytest.mark.asyncio
async def test_generate_retried_when_connection_never_established(sleeps):
    with socket.socket() as sock:  # a port with nothing listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    async with aiohttp.ClientSession() as session:
        client = ExteriorClient(
            session,
            base_url=f"http://127.0.0.1:{port}",
            api_key=KEY,
            user_id="u",
            max_attempts=3,
            backoff_base=0.01,
            sleep=record,
        )
        with pytest.raises(errors.ApiConnectionError) as info:
            await client.generate(**GEN_ARGS)
    assert not info.value.established and info.value.certainly_not_acted
    assert client.requests_sent == 3 and len(sleeps) == 2


@pytest.mark.asyncio
async def test_get_retries_5xx_timeouts_and_429_with_backoff(api, client, sleeps):
    api.then(
        "get",
        Answer(503, {"message": "busy"}),
        Answer(body={"status": "PROCESSING"}, delay=1.0),
        Answer(429, {}, {"Retry-After": "1.5"}),
        Answer(body={"status": "PROCESSING", "variationNumber": 0}),
    )
    state = await client.get("g-1")
    assert state.status is Status.PROCESSING
    assert api.count("get") == 4
    assert len(sleeps) == 3 and sleeps[2] >= 1.5
    # exponential with jitter: try n waits within [base * 2**(n-1) / 2, base * 2**(n-1)], so a
    # flat or shrinking backoff fails, and so does jitter that drops below half the step
    base = client.backoff_base
    assert base / 2 <= sleeps[0] <= base < sleeps[1] <= 2 * base


@pytest.mark.asyncio
async def test_get_gives_up_after_max_attempts(api, client):
    api.then("get", *[Answer(502, {}) for _ in range(6)])
    with pytest.raises(errors.ServerError):
        await client.get("g-1")
    assert api.count("get") == 4


@pytest.mark.asyncio
async def test_api_key_never_in_logs_errors_or_repr(api, client, caplog):
    caplog.set_level(logging.DEBUG)
    api.then("get", Answer(500, {"message": "x"}), Answer(401, {"message": f"bad key {KEY}"}))
    with pytest.raises(errors.ApiError) as info:
        await client.get("g-1")
    texts = [repr(client), str(info.value), repr(info.value), caplog.text, str(vars(client))]
    assert all(KEY not in text for text in texts)
