"""The aiohttp application: one middleware reads and records every request, applies injected
faults, checks the bot token on bot-authenticated routes and turns errors into Discord's JSON
error bodies."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from typing import TYPE_CHECKING

from aiohttp import web

from .body import BODY, read_body
from .observers import REFUSED, Event
from .responses import UNAUTHORIZED, ApiError, json_response
from .state import RecordedRequest

if TYPE_CHECKING:
    from .parts import Emulator

_log = logging.getLogger(__name__)
# Interaction callbacks and webhooks carry no Authorization header; the CDN is public.
_UNAUTHENTICATED = ("/api/v10/interactions/", "/api/v10/webhooks/")
_EMULATED = ("/api/", "/attachments/")  # what is Discord's; other routes are served beside it
_CHANNEL = re.compile(r"^/api/v10/channels/(\d+)")
_TOKEN = re.compile(r"^/api/v10/(?:interactions/\d+|webhooks/\d+)/([^/]+)")


def build_app(emu: Emulator, routes: list[web.RouteDef]) -> web.Application:
    """The app serving ``routes`` (the gateway's websocket at ``/gateway``, the REST parts'
    and the CDN's) behind the recording middleware."""

    @web.middleware
    async def middleware(request: web.Request, handler):  # type: ignore[no-untyped-def]
        if request.path == "/gateway" or not request.path.startswith(_EMULATED):
            return await handler(request)  # a websocket, or a route beside the emulator
        body = await read_body(request)
        request[BODY] = body
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers=headers,
            json=body.json,
            files=[f.summary() for f in body.files.values()],
            authorized=_authorized(emu, request),
        )
        emu.state.requests.append(record)
        fault = None
        try:
            fault = emu.faults.take(request.method, request.path)
            if fault is not None and fault.kind == "reset":
                request.transport.close()
                return web.Response()
            if fault is not None and fault.kind == "hold":
                await fault.release.wait()
            if fault is not None and fault.kind == "status":
                response = fault.response()
            else:
                protected = request.path.startswith("/api/")
                protected = protected and not request.path.startswith(_UNAUTHENTICATED)
                if protected and not _authorized(emu, request):
                    raise ApiError(*UNAUTHORIZED)
                response = await handler(request)
        except ApiError as exc:
            response = exc.response()
        except web.HTTPException as exc:
            body_ = {"message": f"{exc.status}: {exc.reason}", "code": 0}
            response = json_response(body_, status=exc.status)
        except Exception as exc:  # an emulator bug: answer 400 so the client does not retry
            _log.exception("emulator error on %s %s", request.method, request.path)
            emu.internal_errors.append(exc)
            body_ = {"message": f"emulator internal error: {exc!r}", "code": -1}
            response = json_response(body_, status=400)
        if fault is not None and fault.kind == "malformed":
            response = web.Response(status=200, text="<html>upstream hiccup</html>")
        elif fault is not None and fault.kind == "timeout":
            emu.state.notifier.notify()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(fault.release.wait(), fault.delay)
            request.transport.close()
            return web.Response()
        record.status = response.status
        if response.content_type == "application/json" and isinstance(response.body, bytes):
            record.response = json.loads(response.body)
        if response.status >= 400 and record.method != "GET" and record.path.startswith("/api/"):
            emu.observers.publish(refusal(emu, record))
        emu.state.notifier.notify()
        return response

    app = web.Application(middlewares=[middleware], client_max_size=64 * 1024 * 1024)
    app.router.add_routes(routes)
    return app


def refusal(emu: Emulator, record: RecordedRequest) -> Event:
    """A refused request of the bot's, for the client of the channel (or the one user) it was
    meant for: what Discord would have answered, so a page can show it."""
    channel_id = user_id = None
    if match := _CHANNEL.search(record.path):
        channel_id = int(match[1])
    elif match := _TOKEN.search(record.path):
        handle = emu.interactions.by_token.get(match[1])
        if handle is not None:
            channel_id, user_id = handle.channel.id, handle.user.id
    data = {
        "method": record.method,
        "path": record.route,
        "status": record.status,
        "error": record.response,
    }
    return Event(REFUSED, data, channel_id, user_id)


def _authorized(emu: Emulator, request: web.Request) -> bool:
    return request.headers.get("Authorization") == f"Bot {emu.token}"
