"""A local, faithful Exterior Creation API.

Same paths, header and fields as the real one (see the spec). It fetches the image and the mask
from their URLs, charges a photo per generation, runs each generation STARTING -> PROCESSING ->
SUCCEEDED/FAILED on its own clock, refunds FAILED ones, calls the `webhook` URL at the end (body:
the `get` response plus `generation_id`) and serves the rendered results.

Given a store (the embedded sandbox does), its state lives in a file and outlives the process:
a generation started by an earlier process is settled by its clock when asked about.

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

from bot.api.sandbox.fetch import FetchError, check_reachable, decode_image, fetch_image
from bot.api.sandbox.render import render_result
from bot.api.sandbox.state import SandboxConfig, SandboxGeneration, SandboxState
from bot.api.sandbox.store import SandboxStore
from bot.domain import RoomType, Status

log = logging.getLogger(__name__)
PREFIX = "/api/create_exterior"
STATE_KEY = web.AppKey("sandbox_state", SandboxState)
SESSION_KEY = web.AppKey("sandbox_session", aiohttp.ClientSession)
STORE_KEY = web.AppKey("sandbox_store", SandboxStore)


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
    if not key or not any(secrets.compare_digest(key, known) for known in state.api_keys):
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
    state.keys_used.append((request.path.rsplit("/", 1)[-1], key, body.get("generation_id")))
    user_id = _require(body, "user_id", str)
    if user_id not in state.credits:
        raise ApiRefusal(403, "unknown user_id")
    return state, body


async def _fetch(request: web.Request, url: str, what: str):
    """The image at `url`, its bytes kept in the state (by content hash): (image, key)."""
    state = request.app[STATE_KEY]
    cfg = state.config
    try:
        image, data = await fetch_image(
            request.app[SESSION_KEY], url, max_bytes=cfg.max_image_bytes,
            remote_urls=cfg.remote_urls,
        )  # fmt: skip
    except FetchError as exc:
        raise ApiRefusal(400, f"{what}: {exc}") from None
    return image, state.keep(data)


def _webhook(body: dict, state: SandboxState) -> str | None:
    url = _require(body, "webhook", str, optional=True)
    if url is not None:
        try:
            check_reachable(url, remote_urls=state.config.remote_urls)
        except FetchError as exc:
            raise ApiRefusal(400, f"webhook: {exc}") from None
    return url


async def generate(request: web.Request) -> web.Response:
    state, body = await _authorised_body(request)
    state.record("generate", body)
    image_url = _require(body, "image_url", str)
    mask_url = _require(body, "mask_url", str)
    room_type = _room_type(body)
    width = _require(body, "width", (int, float))
    height = _require(body, "height", (int, float))
    webhook = _webhook(body, state)  # validated before any work
    photo, photo_key = await _fetch(request, image_url, "image_url")
    mask, mask_key = await _fetch(request, mask_url, "mask_url")
    if (width, height) != photo.size:
        raise ApiRefusal(
            400,
            f"width/height {width:g}x{height:g} do not match the image "
            f"({photo.width}x{photo.height})",
        )
    _same_size(photo, mask)
    project = state.new_project(image_url, mask_key)
    gen, remaining = _charge_and_start(request, body, project, room_type, webhook, False)
    gen.photo, gen.mask = photo_key, mask_key
    await _persist(request.app)
    await asyncio.sleep(state.config.slow_answer)
    return _json(
        200, {"generation_id": gen.id, "remaining_photos": remaining, "project_id": project.id}
    )


async def generate_variation(request: web.Request) -> web.Response:
    state, body = await _authorised_body(request)
    state.record("generate-variation", body)
    parent = await _generation(request, _require(body, "generation_id", str))
    original_url = _require(body, "original_url", str)
    mask_url = _require(body, "mask_url", str, optional=True)
    room_type = _room_type(body)
    webhook = _webhook(body, state)
    photo, photo_key = await _fetch(request, original_url, "original_url")
    if mask_url:
        mask, mask_key = await _fetch(request, mask_url, "mask_url")
    else:
        mask_key = parent.project.mask
        mask = await asyncio.to_thread(decode_image, _blob(request.app, mask_key))
    _same_size(photo, mask)
    gen, _ = _charge_and_start(request, body, parent.project, room_type, webhook, True)
    gen.photo, gen.mask = photo_key, mask_key
    await _persist(request.app)
    return _json(200, {"generation_id": gen.id})


def _same_size(photo, mask) -> None:
    if mask.size != photo.size:
        raise ApiRefusal(400, f"mask size {mask.width}x{mask.height} differs from the image size")


def _charge_and_start(request, body, project, room_type, webhook, variation: bool):
    """The bookkeeping both paid endpoints share; (generation, photos left)."""
    state = request.app[STATE_KEY]
    remaining = state.charge(body["user_id"])
    if remaining is None:
        raise ApiRefusal(402, "no photos remaining on this account")
    gen = state.new_generation(
        project, room_type, webhook, _origin(request), variation=variation,
        user_id=body["user_id"],
    )  # fmt: skip
    _start(request.app, gen)
    return gen, remaining


async def _generation(request: web.Request, generation_id: str) -> SandboxGeneration:
    state = request.app[STATE_KEY]
    gen = state.generations.get(generation_id)
    store = request.app.get(STORE_KEY)
    if gen is None and store is not None:  # started by another process sharing the file
        store.sync(state)
        gen = state.generations.get(generation_id)
    if gen is None:
        raise ApiRefusal(404, "generation not found")
    return gen


async def get(request: web.Request) -> web.Response:
    state, body = await _authorised_body(request)
    state.record("get", body)
    gen = await _generation(request, _require(body, "generation_id", str))
    await _settle(request.app, gen)
    return _json(200, state.public_state(gen, _origin(request)))


async def result_image(request: web.Request) -> web.StreamResponse:
    gen = request.app[STATE_KEY].generations.get(request.match_info["generation_id"])
    if gen is not None:
        await _settle(request.app, gen)
    index = int(request.match_info["index"])
    if gen is None or gen.status is not Status.SUCCEEDED or index >= len(gen.images):
        raise web.HTTPNotFound()
    return web.Response(body=_blob(request.app, gen.images[index]), content_type="image/png")


async def hosted_file(request: web.Request) -> web.StreamResponse:
    """Files handed to the embedded sandbox (the CLI's local photos and masks), by hash."""
    data = _blob(request.app, request.match_info["key"])
    kind = "image/png" if request.match_info["ext"] == "png" else "image/jpeg"
    return web.Response(body=data, content_type=kind)


def _blob(app: web.Application, key: str) -> bytes:
    data = app[STATE_KEY].blobs.get(key)
    store = app.get(STORE_KEY)
    if data is None and store is not None:
        data = store.read_blob(key)
    if data is None:
        raise web.HTTPNotFound()
    return data


async def _persist(app: web.Application) -> None:
    store = app.get(STORE_KEY)
    if store is not None:
        store.sync(app[STATE_KEY])


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


def _start(app: web.Application, gen: SandboxGeneration) -> None:
    gen.task = asyncio.get_running_loop().create_task(_lifecycle(app, gen))


async def _lifecycle(app: web.Application, gen: SandboxGeneration) -> None:
    """Move the generation along its clock while this process runs, then call its webhook."""
    await asyncio.sleep(max(0.0, gen.processing_at - time.time()))
    await _settle(app, gen)
    await _render(app, gen)  # while PROCESSING, as a real generator works
    await asyncio.sleep(max(0.0, gen.done_at - time.time()))
    await _settle(app, gen)
    if gen.webhook:
        await asyncio.sleep(app[STATE_KEY].config.webhook_delay)
        await _deliver_webhook(app, gen)


async def _settle(app: web.Application, gen: SandboxGeneration) -> None:
    """Bring the generation to where its clock says (also after a restart: nothing runs then)."""
    if gen.status.is_terminal:
        return
    now = time.time()
    if now < gen.processing_at:
        return
    if now < gen.done_at:
        gen.status = Status.PROCESSING
        return
    await _render(app, gen)
    if gen.status.is_terminal:  # settled by another caller while this one rendered
        return
    gen.status = Status.FAILED if gen.will_fail else Status.SUCCEEDED
    if gen.status is Status.FAILED:
        app[STATE_KEY].refund(gen.user_id)
    await _persist(app)


async def _render(app: web.Application, gen: SandboxGeneration) -> None:
    if gen.will_fail or gen.images:
        return
    state = app[STATE_KEY]
    photo = await asyncio.to_thread(decode_image, _blob(app, gen.photo))
    mask = await asyncio.to_thread(decode_image, _blob(app, gen.mask))
    seed = int(hashlib.sha256(gen.id.encode()).hexdigest()[:8], 16)
    rendered = [
        await asyncio.to_thread(_render_png, photo, mask, gen.room_type, seed + i)
        for i in range(state.config.images_per_generation)
    ]
    if not gen.images:
        gen.images = [state.keep(data) for data in rendered]


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
                gen.webhook,
                json=body,
                timeout=aiohttp.ClientTimeout(total=10),
                allow_redirects=state.config.remote_urls,
            ) as resp:
                state.webhook_deliveries.append((gen.id, {"status": resp.status, **body}))
                if resp.status < 500:
                    return
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.info("sandbox webhook for %s failed: %s", gen.id, exc)
        await asyncio.sleep(0.5 * 2**attempt)


def create_app(
    config: SandboxConfig | None = None, state: SandboxState | None = None,
    store: SandboxStore | None = None,
) -> web.Application:  # fmt: skip
    app = web.Application(middlewares=[refusals])
    app[STATE_KEY] = state or SandboxState(config or SandboxConfig())
    if store is not None:
        app[STORE_KEY] = store
    app.router.add_post(f"{PREFIX}/generate", generate)
    app.router.add_post(f"{PREFIX}/generate-variation", generate_variation)
    app.router.add_post(f"{PREFIX}/get", get)
    app.router.add_get("/sandbox/results/{generation_id}/{index:\\d+}.png", result_image)
    app.router.add_get("/sandbox/files/{key:[0-9a-f]{64}}.{ext:png|jpg}", hosted_file)
    app.router.add_get("/healthz", healthz)
    app.cleanup_ctx.append(_session_ctx)
    return app


async def _session_ctx(app: web.Application):
    app[SESSION_KEY] = aiohttp.ClientSession()
    yield
    await app[STATE_KEY].close()
    await app[SESSION_KEY].close()
