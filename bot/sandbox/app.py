"""A local, faithful Exterior Creation API.

Same paths, header and fields as the real one (see the spec). It fetches the image and the mask
from their URLs, charges a photo per generation, runs each generation STARTING -> PROCESSING ->
SUCCEEDED/FAILED on its own clock, refunds FAILED ones, calls the `webhook` URL at the end (body:
the `get` response plus `generation_id`) and serves the rendered results.

`variationNumber` is the generation's own rank in its project: 0 for the first generation, N for
the Nth variation (the spec says "the number of variations already performed on this project").
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time

import aiohttp
from aiohttp import web

from bot.domain import RoomType, Status
from bot.sandbox.fetch import FetchError, fetch_image
from bot.sandbox.render import render_result
from bot.sandbox.state import SandboxConfig, SandboxGeneration, SandboxState

log = logging.getLogger(__name__)
PREFIX = "/api/create_exterior"
STATE_KEY = web.AppKey("sandbox_state", SandboxState)
SESSION_KEY = web.AppKey("sandbox_session", aiohttp.ClientSession)


class ApiRefusal(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def _json(status: int, body: dict, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers)


def _require(body: dict, name: str, kind: type | tuple[type, ...], optional: bool = False):
    value = body.get(name)
    if value is None:
        if optional:
            return None
        raise ApiRefusal(400, f"missing required field: {name}")
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ApiRefusal(400, f"field {name} has the wrong type")
    if isinstance(value, str) and not value.strip():
        raise ApiRefusal(400, f"field {name} must not be empty")
    return value


def _room_type(body: dict) -> RoomType:
    try:
        return RoomType(_require(body, "room_type", str))
    except ValueError:
        raise ApiRefusal(400, "room_type must be one of TERRACE, POOL, PETANQUE") from None


async def _authorised_body(request: web.Request) -> tuple[SandboxState, dict]:
    state = request.app[STATE_KEY]
    cfg = state.config
    if cfg.latency:
        await asyncio.sleep(cfg.latency)
    key = request.headers.get("x-api-key", "")
    if not key or not secrets.compare_digest(key, cfg.api_key):
        raise ApiRefusal(401, "invalid or missing API key")
    if state.rng.random() < cfg.error_429_ratio:
        raise ApiRefusal(429, "too many requests", {"Retry-After": f"{cfg.retry_after:g}"})
    if state.rng.random() < cfg.error_5xx_ratio:
        raise ApiRefusal(503, "service temporarily unavailable")
    try:
        body = await request.json()
    except ValueError:
        raise ApiRefusal(400, "body must be JSON") from None
    if not isinstance(body, dict):
        raise ApiRefusal(400, "body must be a JSON object")
    user_id = _require(body, "user_id", str)
    if user_id not in state.credits:
        raise ApiRefusal(403, "unknown user_id")
    return state, body


async def _fetch(request: web.Request, url: str, what: str):
    try:
        return await fetch_image(
            request.app[SESSION_KEY], url, max_bytes=request.app[STATE_KEY].config.max_image_bytes
        )
    except FetchError as exc:
        raise ApiRefusal(400, f"{what}: {exc}") from None


async def generate(request: web.Request) -> web.Response:
    state, body = await _authorised_body(request)
    state.record("generate", body)
    image_url = _require(body, "image_url", str)
    mask_url = _require(body, "mask_url", str)
    room_type = _room_type(body)
    width = _require(body, "width", (int, float))
    height = _require(body, "height", (int, float))
    _require(body, "webhook", str, optional=True)  # validated before any work
    photo = await _fetch(request, image_url, "image_url")
    mask = await _fetch(request, mask_url, "mask_url")
    if (width, height) != photo.size:
        raise ApiRefusal(
            400,
            f"width/height {width:g}x{height:g} do not match the image "
            f"({photo.width}x{photo.height})",
        )
    project = state.new_project(image_url, mask)
    gen, remaining = _charge_and_start(request, body, project, room_type, photo, mask, False)
    await asyncio.sleep(state.config.slow_answer)
    return _json(
        200, {"generation_id": gen.id, "remaining_photos": remaining, "project_id": project.id}
    )


async def generate_variation(request: web.Request) -> web.Response:
    state, body = await _authorised_body(request)
    state.record("generate-variation", body)
    parent = state.generations.get(_require(body, "generation_id", str))
    if parent is None:
        raise ApiRefusal(404, "generation not found")
    original_url = _require(body, "original_url", str)
    mask_url = _require(body, "mask_url", str, optional=True)
    room_type = _room_type(body)
    _require(body, "webhook", str, optional=True)
    photo = await _fetch(request, original_url, "original_url")
    mask = await _fetch(request, mask_url, "mask_url") if mask_url else parent.project.mask
    gen, _ = _charge_and_start(request, body, parent.project, room_type, photo, mask, True)
    return _json(200, {"generation_id": gen.id})


def _charge_and_start(request, body, project, room_type, photo, mask, variation: bool):
    """The checks and bookkeeping both paid endpoints share; (generation, photos left)."""
    if mask.size != photo.size:
        raise ApiRefusal(400, f"mask size {mask.width}x{mask.height} differs from the image size")
    state = request.app[STATE_KEY]
    remaining = state.charge(body["user_id"])
    if remaining is None:
        raise ApiRefusal(402, "no photos remaining on this account")
    gen = state.new_generation(
        project, room_type, _require(body, "webhook", str, optional=True), _origin(request),
        variation=variation,
    )  # fmt: skip
    _start(request.app, gen, photo, mask, body["user_id"])
    return gen, remaining


async def get(request: web.Request) -> web.Response:
    state, body = await _authorised_body(request)
    state.record("get", body)
    gen = state.generations.get(_require(body, "generation_id", str))
    if gen is None:
        raise ApiRefusal(404, "generation not found")
    return _json(200, state.public_state(gen))


async def result_image(request: web.Request) -> web.StreamResponse:
    gen = request.app[STATE_KEY].generations.get(request.match_info["generation_id"])
    index = int(request.match_info["index"])
    if gen is None or gen.status is not Status.SUCCEEDED or index >= len(gen.images):
        raise web.HTTPNotFound()
    return web.Response(body=gen.images[index], content_type="image/png")


async def healthz(request: web.Request) -> web.Response:
    return _json(200, {"ok": True, "sandbox": True})


@web.middleware
async def refusals(request: web.Request, handler):
    try:
        return await handler(request)
    except ApiRefusal as exc:
        return _json(exc.status, {"message": exc.message}, exc.headers)


def _origin(request: web.Request) -> str:
    return str(request.url.origin())


def _start(app: web.Application, gen: SandboxGeneration, photo, mask, user_id: str) -> None:
    gen.task = asyncio.get_running_loop().create_task(_lifecycle(app, gen, photo, mask, user_id))


async def _lifecycle(app: web.Application, gen: SandboxGeneration, photo, mask, user_id) -> None:
    state = app[STATE_KEY]
    cfg = state.config
    starting = min(cfg.starting_seconds, gen.duration)
    await asyncio.sleep(starting)
    gen.status = Status.PROCESSING
    started = asyncio.get_running_loop().time()
    if gen.will_fail:
        gen_status = Status.FAILED
    else:
        seed = int(hashlib.sha256(gen.id.encode()).hexdigest()[:8], 16)
        gen.images = [
            await asyncio.to_thread(_render_png, photo, mask, gen.room_type, seed + i)
            for i in range(cfg.images_per_generation)
        ]
        gen_status = Status.SUCCEEDED
    spent = asyncio.get_running_loop().time() - started
    await asyncio.sleep(max(0.0, gen.duration - starting - spent))
    gen.status = gen_status
    gen.ended_at = time.time()
    if gen_status is Status.FAILED:
        state.refund(user_id)
    if gen.webhook:
        await asyncio.sleep(cfg.webhook_delay)
        await _deliver_webhook(app, gen)


def _render_png(photo, mask, room_type: RoomType, seed: int) -> bytes:
    import io

    out = io.BytesIO()
    render_result(photo, mask, room_type, seed).save(out, format="PNG", optimize=False)
    return out.getvalue()


async def _deliver_webhook(app: web.Application, gen: SandboxGeneration) -> None:
    state = app[STATE_KEY]
    body = {**state.public_state(gen), "generation_id": gen.id}
    for attempt in range(3):
        try:
            async with app[SESSION_KEY].post(
                gen.webhook, json=body, timeout=aiohttp.ClientTimeout(total=10)
            ) as resp:
                state.webhook_deliveries.append((gen.id, {"status": resp.status, **body}))
                if resp.status < 500:
                    return
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.info("sandbox webhook for %s failed: %s", gen.id, exc)
        await asyncio.sleep(0.5 * 2**attempt)


def create_app(config: SandboxConfig | None = None) -> web.Application:
    app = web.Application(middlewares=[refusals])
    app[STATE_KEY] = SandboxState(config or SandboxConfig())
    app.router.add_post(f"{PREFIX}/generate", generate)
    app.router.add_post(f"{PREFIX}/generate-variation", generate_variation)
    app.router.add_post(f"{PREFIX}/get", get)
    app.router.add_get("/sandbox/results/{generation_id}/{index:\\d+}.png", result_image)
    app.router.add_get("/healthz", healthz)
    app.cleanup_ctx.append(_session_ctx)
    return app


async def _session_ctx(app: web.Application):
    app[SESSION_KEY] = aiohttp.ClientSession()
    yield
    await app[STATE_KEY].close()
    await app[SESSION_KEY].close()
