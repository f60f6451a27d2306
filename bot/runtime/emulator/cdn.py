"""Signed, expiring attachment URLs and the route that serves the files.

URLs look like Discord's CDN ones:
``/attachments/{channel}/{attachment_id}/{filename}?ex=<hex expiry>&is=<hex issued>&hm=<hmac>``.
The route answers 404 after ``ex`` or on a bad signature. Every message fetch renders freshly
signed URLs, so a short ``lifetime`` proves that a bot re-fetches instead of keeping old URLs.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import math
import mimetypes
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

if TYPE_CHECKING:
    from .state import EmulatorState, StoredAttachment

DEFAULT_LIFETIME = 24 * 3600.0


def probe_file(filename: str, data: bytes, declared: str | None) -> tuple[str | None, int, int]:
    """(content_type, width, height) the way Discord detects them (width/height 0: no image)."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            fmt = (image.format or "").lower()
        return f"image/{'jpeg' if fmt == 'jpg' else fmt}", width, height
    except Exception:
        pass
    if declared and declared != "application/octet-stream":
        return declared, 0, 0
    guessed, _ = mimetypes.guess_type(filename)
    if guessed and guessed.startswith("text/"):
        guessed += "; charset=utf-8"
    return guessed, 0, 0


class Cdn:
    def __init__(
        self,
        state: EmulatorState,
        base_url: Callable[[], str],
        lifetime: float = DEFAULT_LIFETIME,
    ) -> None:
        self.state = state
        self.base_url = base_url
        self.lifetime = lifetime
        self.secret = os.urandom(32)
        self.downloads: list[tuple[int, int]] = []  # (attachment_id, status) of every fetch

    def _mac(self, channel_id: int, attachment_id: int, filename: str, ex: str, is_: str) -> str:
        message = f"{channel_id}/{attachment_id}/{filename}|{ex}|{is_}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def sign(self, attachment: StoredAttachment) -> str:
        now = time.time()
        ex = format(math.ceil(now + self.lifetime), "x")
        is_ = format(int(now), "x")
        hm = self._mac(attachment.channel_id, attachment.id, attachment.filename, ex, is_)
        path = f"/attachments/{attachment.channel_id}/{attachment.id}/{quote(attachment.filename)}"
        return f"{self.base_url()}{path}?ex={ex}&is={is_}&hm={hm}"

    def attachment_payload(self, attachment: StoredAttachment) -> dict[str, Any]:
        url = self.sign(attachment)
        data: dict[str, Any] = {
            "id": str(attachment.id),
            "filename": attachment.filename,
            "size": attachment.size,
            "url": url,
            "proxy_url": url,
            "content_type": attachment.content_type,
            "flags": 0,
        }
        if attachment.width:
            data.update(width=attachment.width, height=attachment.height, placeholder_version=1)
        if attachment.description is not None:
            data["description"] = attachment.description
        if attachment.ephemeral:
            data["ephemeral"] = True
        return data

    @staticmethod
    def expires_at(url: str) -> float:
        """Unix time at which a signed URL stops working."""
        from yarl import URL

        return float(int(URL(url).query["ex"], 16))

    def url_is_valid(self, url: str) -> bool:
        """Whether ``url`` (as handed to the bot) would be served right now."""
        from yarl import URL

        parsed = URL(url)
        parts = parsed.path.split("/")
        if len(parts) != 5 or parts[1] != "attachments":
            return False
        return self._check(parts[2], parts[3], parts[4], parsed.query) is None

    def _check(self, channel: str, attachment_id: str, filename: str, query: Any) -> str | None:
        ex, is_, hm = query.get("ex", ""), query.get("is", ""), query.get("hm", "")
        attachment = (
            self.state.attachments.get(int(attachment_id)) if attachment_id.isdigit() else None
        )
        if attachment is None or str(attachment.channel_id) != channel:
            return "unknown attachment"
        if attachment.filename != filename:
            return "unknown attachment"
        expected = self._mac(attachment.channel_id, attachment.id, filename, ex, is_)
        if not hmac.compare_digest(expected, hm):
            return "bad signature"
        try:
            expired = time.time() >= int(ex, 16)
        except ValueError:
            return "bad signature"
        return "expired" if expired else None

    async def handle(self, request: web.Request) -> web.Response:
        info = request.match_info
        problem = self._check(info["channel"], info["attachment"], info["filename"], request.query)
        attachment_id = int(info["attachment"]) if info["attachment"].isdigit() else 0
        if problem is not None:
            self.downloads.append((attachment_id, 404))
            return web.Response(status=404, text="This content is no longer available.")
        attachment = self.state.attachments[attachment_id]
        self.downloads.append((attachment_id, 200))
        return web.Response(
            body=attachment.data,
            headers={"Content-Type": attachment.content_type or "application/octet-stream"},
        )

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/attachments/{channel}/{attachment}/{filename}", self.handle)]
