"""The studio's HTTP side: the page, its session, its pictures and the one submission.

Every answer carries a strict Content-Security-Policy (the page's script and style are files
served from here; nothing inline, no other origin) and no-referrer, since the link is the key.
The page and every answer speak the language the link was made for (its signed claims): the
page's `{{code}}` markers are filled from the catalogues here, its script's few sentences
travel in `data-` attributes, so no script is ever written into the page.
"""

from __future__ import annotations

import html
import logging
import re
from importlib import resources

from aiohttp import web

from bot.domain import Draft, Kind, RoomType, render
from bot.domain.messages import language
from bot.images.capped import TooLarge, read_capped
from bot.images.decode import ImageError
from bot.service.studio.areas import RegionMaps
from bot.service.studio.drafts import MASK_MAX_BYTES, DraftService, LaunchFailed
from bot.service.studio.tokens import TokenError, peek_locale

log = logging.getLogger(__name__)
CSP = (
    "default-src 'self'; img-src 'self' blob: data:; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
ASSETS = {
    "studio.js": "text/javascript",
    "mask-layer.js": "text/javascript",
    "regions.js": "text/javascript",
    "studio.css": "text/css",
}
_DISCORD_LINK = re.compile(r"https://discord\.com/channels/[0-9@]+/[0-9]+(?:/[0-9]+)?")
_MARKER = re.compile(r"\{\{([a-z_.]+)\}\}")


def _static(name: str) -> bytes:
    return resources.files("bot.service.studio").joinpath("static", name).read_bytes()


def page_html(locale: str | None, draft: Draft) -> str:
    """studio.html with its `{{code}}` markers written in the reader's language."""
    if draft.kind is Kind.VARIATION:
        what = render(locale, "studio.what_vary", parent=draft.parent_id)
    else:
        what = render(locale, "studio.what_create")
    own = {"lang": language(locale), "what": what}
    found = _static("studio.html").decode()
    return _MARKER.sub(lambda m: html.escape(own.get(m[1]) or render(locale, m[1])), found)


def _title(locale: str | None, status: int) -> str:
    if status == 403:
        return render(locale, "studio.title_refused")
    if status == 404:
        return render(locale, "studio.title_gone")
    if status == 410:
        return render(locale, "studio.title_used")
    return render(locale, "studio.heading")


def error_page(status: int, reason: str, locale: str | None = None) -> web.Response:
    title = _title(locale, status)
    body = (
        f'<!doctype html><html lang="{language(locale)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        '<link rel="icon" href="data:,">'
        '<link rel="stylesheet" href="/studio/assets/studio.css"></head>'
        f'<body class="refused"><main><h1>{html.escape(title)}</h1>'
        f'<p id="reason">{html.escape(reason)}</p></main></body></html>'
    )
    return web.Response(
        status=status, text=body, content_type="text/html", charset="utf-8", headers=HEADERS
    )


class StudioRoutes:
    def __init__(self, drafts: DraftService, regions: RegionMaps | None = None) -> None:
        self.drafts = drafts
        self.regions = regions or RegionMaps()

    def add_to(self, router: web.UrlDispatcher) -> None:
        # assets first: "/studio/assets/x" would otherwise look like a token and a sub-path
        router.add_get("/studio/assets/{name}", self._asset)
        router.add_get("/studio/{token}", self._page)
        router.add_get("/studio/{token}/session", self._session)
        router.add_get("/studio/{token}/photo", self._photo)
        router.add_get("/studio/{token}/mask", self._mask)
        router.add_get("/studio/{token}/regions", self._regions)
        router.add_post("/studio/{token}/generate", self._generate)

    async def _asset(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in ASSETS:
            raise web.HTTPNotFound()
        return web.Response(body=_static(name), content_type=ASSETS[name], headers=HEADERS)

    async def _page(self, request: web.Request) -> web.Response:
        locale = _locale(request)
        try:
            draft = await self.drafts.open_studio(request.match_info["token"])
        except TokenError as exc:
            return error_page(exc.status, exc.render(locale), locale)
        return web.Response(
            text=page_html(locale, draft), content_type="text/html", charset="utf-8",
            headers=HEADERS,
        )  # fmt: skip

    async def _session(self, request: web.Request) -> web.Response:
        locale = _locale(request)
        try:
            draft = await self.drafts.open_studio(request.match_info["token"])
        except TokenError as exc:
            return _json_error(exc.status, exc.render(locale))
        where = f"https://discord.com/channels/{draft.guild_id or '@me'}/{draft.channel_id}"
        return web.json_response(
            {
                "kind": draft.kind.value,
                "room_type": draft.room_type.value,
                "room_types": [
                    {"value": t.value, "label": _cap(render(locale, f"room.{t.value}"))}
                    for t in RoomType
                ],
                "width": draft.width,
                "height": draft.height,
                "parent": draft.parent_id,
                "channel_url": where,
            },
            headers=HEADERS,
        )

    async def _photo(self, request: web.Request) -> web.Response:
        try:
            draft = await self.drafts.open_studio(request.match_info["token"])
        except TokenError as exc:
            return _json_error(exc.status, exc.render(_locale(request)))
        kind = "image/png" if draft.photo_name.endswith(".png") else "image/jpeg"
        return web.Response(body=draft.photo, content_type=kind, headers=HEADERS)

    async def _mask(self, request: web.Request) -> web.Response:
        try:
            draft = await self.drafts.open_studio(request.match_info["token"])
        except TokenError as exc:
            return _json_error(exc.status, exc.render(_locale(request)))
        return web.Response(body=draft.mask, content_type="image/png", headers=HEADERS)

    async def _regions(self, request: web.Request) -> web.Response:
        """What "Select area" picks from: the photo's label map (grey PNG, value = region)."""
        locale = _locale(request)
        try:
            draft = await self.drafts.open_studio(request.match_info["token"])
        except TokenError as exc:
            return _json_error(exc.status, exc.render(locale))
        try:
            found = await self.regions.png(draft)
        except Exception:  # the page keeps every other tool; Select area stays off
            log.exception("studio regions failed")
            return _json_error(500, render(locale, "error.unexpected"))
        return web.Response(body=found, content_type="image/png", headers=HEADERS)

    async def _generate(self, request: web.Request) -> web.Response:
        locale = _locale(request)
        try:
            room_type = RoomType.parse(request.query.get("type", ""))
        except ValueError:
            return _json_error(400, render(locale, "studio.choose_type"))
        try:  # the link first: nobody without one makes us read up to 8 MiB
            await self.drafts.open_studio(request.match_info["token"])
        except TokenError as exc:
            return _json_error(exc.status, exc.render(locale))
        try:
            data = await read_capped(request, MASK_MAX_BYTES)  # type: ignore[arg-type]
        except TooLarge:
            return _json_error(413, render(locale, "studio.mask_too_large"))
        try:
            message = await self.drafts.submit_studio(request.match_info["token"], data, room_type)
        except (TokenError, ImageError) as exc:
            return _json_error(getattr(exc, "status", 422), exc.render(locale))
        except LaunchFailed as exc:
            return _json_error(exc.status, str(exc))
        except Exception:
            log.exception("studio submission failed")
            return _json_error(500, render(locale, "error.unexpected"))
        # the page shows the sentence and turns the card's address into a button
        found = _DISCORD_LINK.search(message)
        text = message[: found.start()].rstrip(" :;") + "." if found else message
        link = found.group(0) if found else None
        return web.json_response({"ok": True, "message": text, "link": link}, headers=HEADERS)


def _locale(request: web.Request) -> str | None:
    # the link's language; a link refused as tampered is still answered in the one it names
    return peek_locale(request.match_info["token"])


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _json_error(status: int, reason: str) -> web.Response:
    return web.json_response({"ok": False, "error": reason}, status=status, headers=HEADERS)
