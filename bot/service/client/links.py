"""Client links as use cases: make one for a design, find it again, revoke it (or every link of a
server), open its page, serve its pictures, and keep copies of the family's new results.

A link shows one family (bot/service/lineage.py: the original and every variation grown from
it) and nothing else of the server. Its pictures are the bot's own copies, taken when the link
is made (the photo comes from the Discord side, the results from the API's URLs, or from the
posted result when those died) and when a new result of a shared family finishes.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain import ClientCopy, ClientLink, Generation, Message, Status
from bot.images.downloads import Downloader
from bot.service import lineage
from bot.service.client.tokens import ClientClaims, ClientLinkError, sign, verify
from bot.teams.secrets import Keyring
from bot.tracking.tracker import TrackerEvent
from storage import ClientLinkRepository, GenerationRepository, GuildSettingsRepository

log = logging.getLogger(__name__)
DEFAULT_DAYS = 30
MAX_DAYS = 365
PRESENTED_BY_CHARS = 80
RESULT_MAX_BYTES = 64 * 1024 * 1024
# guild settings
DAYS, PRESENTED_BY, HIDE_NAME = "client_link_days", "client_presented_by", "client_hide_name"

# The pictures of a posted result, read back from where they were posted (their API URLs died).
Posted = Callable[[Generation], Awaitable[list[bytes]]]


@dataclass(frozen=True)
class ClientSettings:
    days: int = DEFAULT_DAYS
    presented_by: str | None = None  # a short line instead of "Presented by <server>"
    hide_name: bool = False  # the server's name never shows on its client pages

    @classmethod
    def of(cls, settings: dict[str, Any]) -> ClientSettings:
        return cls(
            days=int(settings.get(DAYS, DEFAULT_DAYS)),
            presented_by=settings.get(PRESENTED_BY) or None,
            hide_name=bool(settings.get(HIDE_NAME, False)),
        )


@dataclass(frozen=True)
class Family:
    """What a page shows: the link, its family's copies in family order, the settings."""

    link: ClientLink
    members: list[tuple[Generation, list[ClientCopy]]]  # succeeded members with their copies
    photo: ClientCopy | None
    settings: ClientSettings


def content_type(data: bytes) -> str | None:
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


class ClientLinks:
    def __init__(
        self,
        links: ClientLinkRepository,
        generations: GenerationRepository,
        guild_settings: GuildSettingsRepository,
        downloads: Downloader,
        *,
        signing_key: Keyring,
        public_url: str | None,
    ) -> None:
        self.links = links
        self.generations = generations
        self.guild_settings = guild_settings
        self.downloads = downloads
        self._key = signing_key
        self.public_url = public_url.rstrip("/") if public_url else None

    @property
    def available(self) -> bool:
        """Client pages need a public address (EXTERIOR_PUBLIC_URL)."""
        return self.public_url is not None

    # -- a server's settings -------------------------------------------------------------------

    async def settings(self, guild_id: int) -> ClientSettings:
        return ClientSettings.of(await self.guild_settings.get(guild_id))

    async def change(
        self,
        guild_id: int,
        *,
        days: int | None = None,
        presented_by: str | None = None,
        hide_name: bool | None = None,
    ) -> ClientSettings:
        """`presented_by` "" forgets the line; None leaves a setting as it is."""
        if days is not None:
            await self.guild_settings.set(guild_id, DAYS, max(1, min(MAX_DAYS, days)))
        if presented_by is not None:
            line = " ".join(presented_by.split())[:PRESENTED_BY_CHARS]
            if line:
                await self.guild_settings.set(guild_id, PRESENTED_BY, line)
            else:
                await self.guild_settings.delete(guild_id, PRESENTED_BY)
        if hide_name is not None:
            await self.guild_settings.set(guild_id, HIDE_NAME, hide_name)
        return await self.settings(guild_id)

    # -- links ---------------------------------------------------------------------------------

    def url(self, link: ClientLink) -> str:
        claims = ClientClaims(link.id, int(link.expires_at.timestamp()), link.locale)
        return f"{self.public_url}/c/{sign(self._key, claims)}"

    async def live_for(self, gen: Generation, user_id: int) -> ClientLink | None:
        return await self.links.live_for(gen.id or 0, user_id)

    async def get(self, link_id: str) -> ClientLink | None:
        return await self.links.get(link_id)

    async def create(
        self,
        gen: Generation,
        *,
        user_id: int,
        server_name: str | None,
        locale: str | None,
        photo: bytes,
        posted: Posted | None = None,
    ) -> ClientLink:
        """A new link to `gen`'s family, with copies of its photo and every finished result.
        `gen` itself must have a picture to show (else LookupError: nothing was made)."""
        members = await lineage.family(self.generations, gen)
        root = members[0].generation
        await self.links.purge()
        if not await self._copy_results(gen, root.id or 0, posted):
            raise LookupError(f"no picture of generation {gen.id} could be kept")
        kind = content_type(photo)
        if kind is None:
            raise LookupError("the original photo is not a picture")
        root_id, key = root.id or 0, secrets.token_urlsafe(12)
        await self.links.add_copy(ClientCopy(key, root_id, root_id, "photo", 0, kind, photo))
        for member in members:
            if member.generation.id != gen.id:
                await self._copy_results(member.generation, root.id or 0, None)
        now = datetime.now(UTC)
        days = (await self.settings(gen.origin.guild_id or 0)).days
        return await self.links.add(
            ClientLink(
                id=secrets.token_urlsafe(16), guild_id=gen.origin.guild_id or 0,
                generation_id=gen.id or 0, root_id=root.id or 0, created_by=user_id,
                created_at=now, expires_at=now + timedelta(days=days),
                server_name=server_name, locale=locale,
            )
        )  # fmt: skip

    async def revoke(self, link_id: str) -> bool:
        return await self.links.revoke(link_id)

    async def revoke_all(self, guild_id: int) -> int:
        return await self.links.revoke_all(guild_id)

    # -- the page ------------------------------------------------------------------------------

    async def link_of(self, token: str, *, opening: bool = False) -> ClientLink:
        """The live link a token names (an opening of its page is counted); else
        ClientLinkError: altered (403), unknown (404), expired or revoked (410)."""
        claims = verify(self._key, token)
        link = await self.links.get(claims.link_id)
        if link is None:
            raise ClientLinkError(404, Message("client.link_unknown"))
        if link.revoked_at is not None:
            raise ClientLinkError(410, Message("client.link_revoked"))
        if link.expires_at.timestamp() < time.time():
            raise ClientLinkError(410, Message("client.link_expired"))
        if opening:
            link = await self.links.opened(link.id) or link
        return link

    async def family(self, token: str, *, opening: bool = False) -> Family:
        link = await self.link_of(token, opening=opening)
        shared = await self.generations.get(link.generation_id)
        if shared is None:
            raise ClientLinkError(404, Message("client.link_unknown"))
        copies = await self.links.copies(link.root_id)
        results: dict[int, list[ClientCopy]] = {}
        for copy in copies:
            if copy.kind == "result":
                results.setdefault(copy.generation_id, []).append(copy)
        members = [
            (m.generation, results[m.generation.id or 0])
            for m in await lineage.family(self.generations, shared)
            if m.generation.status is Status.SUCCEEDED and results.get(m.generation.id or 0)
        ]
        photo = next((c for c in copies if c.kind == "photo"), None)
        return Family(link, members, photo, await self.settings(link.guild_id))

    async def picture(self, token: str, key: str) -> ClientCopy:
        """A copy of the link's family only: any other key is unknown to this link."""
        link = await self.link_of(token)
        found = await self.links.copy(key, link.root_id)
        if found is None:
            raise ClientLinkError(404, Message("client.picture_unknown"))
        return found

    # -- new results of shared families --------------------------------------------------------

    async def on_tracker_event(self, event: TrackerEvent) -> None:
        """A result of a family a live link shows: copy it now, while its URLs are fresh."""
        gen = event.generation
        if event.kind != "finished" or gen.status is not Status.SUCCEEDED:
            return
        members = await lineage.family(self.generations, gen)
        root = members[0].generation.id or 0
        if await self.links.family_has_live_link(root):
            await self._copy_results(gen, root, None)

    async def _copy_results(self, gen: Generation, root_id: int, posted: Posted | None) -> bool:
        """Copies of `gen`'s results (kept ones are not fetched again); whether it has any."""
        if gen.status is not Status.SUCCEEDED:
            return False
        if any(c.generation_id == gen.id for c in await self.links.copies(root_id)):
            return True
        pictures: list[bytes] = []
        try:
            for url in gen.result_urls[:10]:
                pictures.append(
                    await self.downloads.fetch(url, "result", max_bytes=RESULT_MAX_BYTES)
                )
        except Exception as exc:  # the API's URLs died: the posted pictures, if we may
            log.info("results of generation %s not fetched from the API: %r", gen.id, exc)
            pictures = []
            if posted is not None:
                try:
                    pictures = await posted(gen)
                except Exception:
                    log.warning("posted results of generation %s unreadable", gen.id, exc_info=True)
        kept = 0
        for position, data in enumerate(pictures):
            kind = content_type(data)
            if kind is not None:
                key = secrets.token_urlsafe(12)
                copy = ClientCopy(key, root_id, gen.id or 0, "result", position, kind, data)
                await self.links.add_copy(copy)
                kept += 1
        return kept > 0
