"""The client page's HTTP side: the page (each opening counted), what it shows, its pictures.

Like the studio's (bot/service/studio/routes.py): a strict Content-Security-Policy (script and
style are files served from here, nothing inline, no other origin), no referrer (the link is the
key), and the page speaks the language its link was made in. Search engines are told to keep
out (`noindex`, in a header and in the page). Pictures are the bot's own copies, served from
here: never a redirect to Discord's CDN or to the API's hosts.
"""

from __future__ import annotations

import html
import re
from importlib import resources
from typing import Any

from aiohttp import web
from babel.dates import format_date

from bot.domain import ClientCopy, Generation, Kind, render
from bot.domain.messages import language
from bot.service.client.links import ClientLinks, Family
from bot.service.client.tokens import ClientLinkError, peek_locale

CSP = (
    "default-src 'none'; img-src 'self' data:; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
}
ASSETS = {"client.js": "text/javascript", "client.css": "text/css"}
_MARKER = re.compile(r"\{\{([a-z_.]+)\}\}")
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def _static(name: str) -> bytes:
    return resources.files("bot.service.client").joinpath("static", name).read_bytes()


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def page_html(locale: str | None) -> str:
    """client.html with its `{{code}}` markers written in the reader's language."""
    own = {"lang": language(locale)}
    found = _static("client.html").decode()
    return _MARKER.sub(lambda m: html.escape(own.get(m[1]) or render(locale, m[1])), found)


def error_page(status: int, reason: str, locale: str | None = None) -> web.Response:
    title = render(locale, "client.title_refused" if status == 403 else "client.title_gone")
    body = (
        f'<!doctype html><html lang="{language(locale)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f"<title>{html.escape(title)}</title>"
        '<link rel="icon" href="data:,">'
        '<link rel="stylesheet" href="/c/assets/client.css"></head>'
        f'<body class="refused"><main><h1>{html.escape(title)}</h1>'
        f'<p id="reason">{html.escape(reason)}</p></main></body></html>'
    )
    return web.Response(
        status=status, text=body, content_type="text/html", charset="utf-8", headers=HEADERS
    )


def what(gen: Generation, locale: str | None) -> str:
    """ "Original" or "Variation 2"."""
    if gen.kind is Kind.CREATE:
        return render(locale, "client.original")
    return render(locale, "client.variation", number=gen.variation_number or "?")


def page_data(found: Family, base: str, locale: str | None) -> dict[str, Any]:
    """What the page shows, in its reader's words; picture addresses are this link's own."""
    lang = language(locale)
    items, current = [], 0
    for gen, copies in found.members:
        when = gen.finished_at or gen.created_at
        for index, copy in enumerate(copies):
            if gen.id == found.link.generation_id and index == 0:
                current = len(items)
            detail = what(gen, locale)
            if len(copies) > 1:
                detail += " · " + render(locale, "client.picture", n=index + 1, of=len(copies))
            items.append(
                {
                    "type": _cap(render(locale, f"room.{gen.room_type.value}")),
                    "detail": detail,
                    "date": format_date(when, "long", locale=lang) if when else "",
                    "src": f"{base}/picture/{copy.key}",
                    "download": f"{base}/picture/{copy.key}?download=1",
                }
            )
    settings, name = found.settings, found.link.server_name
    line = settings.presented_by
    if line is None and name and not settings.hide_name:
        line = render(locale, "client.presented_by", name=name)
    photo = None
    if found.photo is not None:
        src = f"{base}/picture/{found.photo.key}"
        photo = {"src": src, "download": f"{src}?download=1"}
    return {"line": line, "current": current, "photo": photo, "items": items}


def file_name(copy: ClientCopy, gen: Generation | None, locale: str | None) -> str:
    extension = _EXTENSIONS.get(copy.content_type, "img")
    if copy.kind == "photo" or gen is None:
        return f"photo.{extension}"
    kind = gen.room_type.value.lower()
    which = "original" if gen.kind is Kind.CREATE else f"variation-{gen.variation_number or 0}"
    return f"{kind}-{which}-{copy.position + 1}.{extension}"


class ClientRoutes:
    def __init__(self, links: ClientLinks) -> None:
        self.links = links

    def add_to(self, router: web.UrlDispatcher) -> None:
        # assets first: "/c/assets/x" would otherwise look like a token and a sub-path
        router.add_get("/c/assets/{name}", self._asset)
        router.add_get("/c/{token}", self._page)
        router.add_get("/c/{token}/data", self._data)
        router.add_get("/c/{token}/picture/{key}", self._picture)

    async def _asset(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in ASSETS:
            raise web.HTTPNotFound()
        return web.Response(body=_static(name), content_type=ASSETS[name], headers=HEADERS)

    async def _page(self, request: web.Request) -> web.Response:
        locale = _locale(request)
        try:
            await self.links.link_of(request.match_info["token"], opening=True)
        except ClientLinkError as exc:
            return error_page(exc.status, exc.render(locale), locale)
        return web.Response(
            text=page_html(locale), content_type="text/html", charset="utf-8", headers=HEADERS
        )

    async def _data(self, request: web.Request) -> web.Response:
        locale, token = _locale(request), request.match_info["token"]
        try:
            found = await self.links.family(token)
        except ClientLinkError as exc:
            return _json_error(exc.status, exc.render(locale))
        return web.json_response(page_data(found, f"/c/{token}", locale), headers=HEADERS)

    async def _picture(self, request: web.Request) -> web.Response:
        locale, token = _locale(request), request.match_info["token"]
        try:
            copy = await self.links.picture(token, request.match_info["key"])
        except ClientLinkError as exc:
            return _json_error(exc.status, exc.render(locale))
        headers = dict(HEADERS)
        if request.query.get("download"):
            gen = await self.links.generations.get(copy.generation_id)
            name = file_name(copy, gen, locale)
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return web.Response(body=copy.data, content_type=copy.content_type, headers=headers)


def _locale(request: web.Request) -> str | None:
    return peek_locale(request.match_info["token"])


def _json_error(status: int, reason: str) -> web.Response:
    return web.json_response({"ok": False, "error": reason}, status=status, headers=HEADERS)
