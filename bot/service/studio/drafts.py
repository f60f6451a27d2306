"""Use cases before any credit is spent: previews (Discord) and the mask studio (browser).

A draft holds the photo and the area to change. It is shown to the user, who may change it in
the studio; "Generate" (a button or a studio submission) claims it exactly once and hands it to
the launcher the Discord layer registered, which continues as a create with an attached mask.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from PIL import Image

from bot.domain import Draft, DraftState, Found, Generation, Kind, Message, RoomType, UserError
from bot.images import masks
from bot.images.decode import (
    FORMATS,
    encode_png,
    normalise_mask,
    open_image,
    prepare_mask,
    prepare_pair,
    prepare_photo,
    upright,
)
from bot.service.studio.tokens import LIFETIME, Claims, TokenError, sign, verify
from bot.teams.secrets import Keyring
from storage import DraftRepository, GuildSettingsRepository

PREVIEW_LIFETIME = timedelta(minutes=15)
KEEP_DRAFTS = timedelta(days=1)  # then their pictures are deleted
ALWAYS_PREVIEW = "always_preview"  # guild setting: preview even when a mask is attached
MASK_MAX_BYTES = 8 * 1024 * 1024  # a studio upload; a 0/255 PNG is far smaller
PREVIEW_SIDE = 1600

# Given a claimed draft (its mask and room type final) and its reader's locale, start the
# generation as if the mask had been attached; returns what the user should read, in their
# language (where to look, or why it did not start).
Launcher = Callable[[Draft, str | None], Awaitable[str]]


class DraftGone(UserError):
    """The draft cannot be used (not theirs, expired, cancelled, already used): a Message from
    `draft.*` says which."""


class LaunchFailed(Exception):
    """The launcher did not start the work (Discord refused the card: 502; a limit or the API
    refused: 409); nothing was spent, the draft stays usable; the message is for the user,
    already in their language."""

    def __init__(self, message: str, status: int = 502) -> None:
        super().__init__(message)
        self.status = status


class Preview(NamedTuple):
    """A new draft, its overlay (JPEG) and, for a suggested area, what was found."""

    draft: Draft
    overlay: bytes
    found: Found | None = None


class DraftService:
    def __init__(
        self,
        drafts: DraftRepository,
        guild_settings: GuildSettingsRepository,
        *,
        signing_key: Keyring,
        public_url: str | None,
    ) -> None:
        self.drafts = drafts
        self.guild_settings = guild_settings
        self._key = signing_key
        self.public_url = public_url.rstrip("/") if public_url else None
        self.preview_lifetime = PREVIEW_LIFETIME
        self.studio_lifetime = LIFETIME
        self.launcher: Launcher | None = None

    @property
    def studio_reachable(self) -> bool:
        return self.public_url is not None

    async def always_preview(self, guild_id: int | None) -> bool:
        """Whether the server asks for a preview even when a mask is attached."""
        if guild_id is None:
            return False
        return bool((await self.guild_settings.get(guild_id)).get(ALWAYS_PREVIEW, False))

    # -- making drafts -------------------------------------------------------------------------

    async def preview(
        self,
        *,
        photo: bytes,
        room_type: RoomType,
        guild_id: int | None,
        channel_id: int,
        user_id: int,
        user_name: str | None,
        mask: bytes | None = None,
        painted: bytes | None = None,
    ) -> Preview:
        """A draft of a new generation and its overlay (JPEG): the area comes from `mask`, or
        is derived from `painted`, or suggested from the photo. When nothing can be suggested
        and the studio is reachable, the draft starts empty (source "none"): the user paints
        the area there; such a draft cannot be generated from Discord."""
        try:
            prepared = await asyncio.to_thread(_prepare, photo, mask, painted, room_type)
        except masks.NoSuggestion:
            if not self.studio_reachable:
                raise
            prepared = await asyncio.to_thread(_unmasked, photo)
        data, fmt, binary, source, overlay, found = prepared
        draft = await self._add(
            Kind.CREATE, data, f"photo.{fmt}", binary, room_type, source,
            guild_id, channel_id, user_id, user_name,
        )  # fmt: skip
        return Preview(draft, overlay, found)

    async def for_variation(
        self, parent: Generation, photo: bytes, mask: bytes | None, *, user_id: int,
        user_name: str | None, channel_id: int,
    ) -> Draft:  # fmt: skip
        """A studio draft to vary `parent` with a new mask (starting from its own mask)."""
        image = await asyncio.to_thread(open_image, photo, "photo")
        size = (parent.width or image.width, parent.height or image.height)
        start = await asyncio.to_thread(_mask_or_empty, mask, size)
        fmt = FORMATS.get(image.format or "PNG", "png")
        return await self._add(
            Kind.VARIATION, photo, f"photo.{fmt}", start, parent.room_type, "result",
            parent.origin.guild_id, channel_id, user_id, user_name, parent_id=parent.id,
        )  # fmt: skip

    async def _add(
        self, kind, photo, photo_name, mask, room_type, source, guild_id, channel_id, user_id,
        user_name, *, parent_id=None,
    ) -> Draft:  # fmt: skip
        now = datetime.now(UTC)
        await self.drafts.purge(now - KEEP_DRAFTS)
        width, height = await asyncio.to_thread(_size, photo)
        return await self.drafts.add(
            Draft(
                id=secrets.token_urlsafe(12), kind=kind, channel_id=channel_id, user_id=user_id,
                room_type=room_type, source=source, photo=photo, photo_name=photo_name,
                photo_sha256=hashlib.sha256(photo).hexdigest(), mask=mask, width=width,
                height=height, created_at=now, expires_at=now + self.preview_lifetime,
                guild_id=guild_id, user_name=user_name, parent_id=parent_id,
            )
        )  # fmt: skip

    # -- preview buttons -----------------------------------------------------------------------

    async def claim(self, draft_id: str, user_id: int) -> Draft:
        """The preview's "Generate": the draft, claimed for this one click; DraftGone else."""
        draft = await self.drafts.get(draft_id)
        if draft is None or draft.user_id != user_id:
            raise DraftGone(Message("draft.not_yours"))
        if draft.source == "none":  # an old button: nothing to build on yet
            raise DraftGone(Message("draft.paint_first"))
        if not await self.drafts.claim(draft_id, "button"):
            raise DraftGone(_why_not(await self.drafts.get(draft_id) or draft))
        return draft

    async def release(self, draft_id: str) -> None:
        await self.drafts.release(draft_id)

    async def cancel(self, draft_id: str, user_id: int) -> Message:
        """What the user should read: CANCELLED (the preview is gone) or why it was not."""
        draft = await self.drafts.get(draft_id)
        if draft is None or draft.user_id != user_id:
            return Message("draft.not_yours")
        if await self.drafts.cancel(draft_id):
            return CANCELLED
        return _why_not(await self.drafts.get(draft_id) or draft)

    # -- the studio ----------------------------------------------------------------------------

    def studio_link(self, draft: Draft, locale: object = None) -> str | None:
        """A signed link to the studio for `draft`, whose page speaks `locale`'s language."""
        if not self.public_url:
            return None
        claims = Claims(
            draft.id, draft.user_id, draft.channel_id, draft.photo_sha256,
            int(time.time() + self.studio_lifetime), str(locale) if locale else None,
        )  # fmt: skip
        return f"{self.public_url}/studio/{sign(self._key, claims)}"

    async def open_studio(self, token: str) -> Draft:
        """The draft a studio link may edit; TokenError (with its HTTP status) otherwise."""
        return (await self._open(token))[0]

    async def _open(self, token: str) -> tuple[Draft, Claims]:
        claims = verify(self._key, token)
        draft = await self.drafts.get(claims.draft_id)
        if draft is None:
            raise TokenError(404, Message("studio.session_gone"))
        bound = (draft.user_id, draft.channel_id, draft.photo_sha256[:32])
        if bound != (claims.user_id, claims.channel_id, claims.photo_sha256):
            raise TokenError(403, Message("studio.link_mismatch"))
        if draft.state is not DraftState.OPEN:
            raise TokenError(410, _why_not(draft))
        return draft, claims

    async def submit_studio(self, token: str, mask_png: bytes, room_type: RoomType) -> str:
        """Check the painted mask like an attachment, claim the draft once, launch it."""
        draft, claims = await self._open(token)
        binary = await asyncio.to_thread(_studio_mask, mask_png, (draft.width, draft.height))
        if self.launcher is None:
            raise TokenError(503, Message("studio.offline"))
        if not await self.drafts.claim(draft.id, "studio", honour_expiry=False):
            raise TokenError(410, _why_not(await self.drafts.get(draft.id) or draft))
        draft.mask, draft.room_type, draft.state = binary, room_type, DraftState.USED
        try:
            return await self.launcher(draft, claims.locale)
        except BaseException:
            # nothing was spent (the launcher reports spending failures itself): usable again
            await asyncio.shield(self.drafts.release(draft.id))
            raise


CANCELLED = Message("draft.cancelled_now")


def _why_not(draft: Draft) -> Message:
    if draft.state is DraftState.USED:
        return Message("draft.used")
    if draft.state is DraftState.CANCELLED:
        return Message("draft.cancelled")
    return Message("draft.expired")


# -- pictures (run in a thread) ----------------------------------------------------------------


def _size(photo: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(photo)) as image:
        return image.size


def _prepare(photo, mask, painted, room_type):
    found = None
    if mask is not None:
        pair, source = prepare_pair(photo, mask), "mask"
    elif painted is not None:
        pair, source = masks.prepare_painted(photo, painted), "painted"
    else:
        (pair, found), source = masks.prepare_suggested(photo, room_type), "suggested"
    # the pair's photo is upright (re-encoded when it was not), as the overlay must be
    shown = Image.open(io.BytesIO(pair.photo)).convert("RGB")
    overlay = masks.preview_jpeg(shown, Image.open(io.BytesIO(pair.mask)))
    return pair.photo, pair.photo_format, pair.mask, source, overlay, found


def _unmasked(photo: bytes):
    """Nothing to suggest: the photo alone, to be painted in the studio."""
    prepared = prepare_photo(photo)
    empty = encode_png(Image.new("L", prepared.image.size, 0))
    shown = prepared.image.convert("RGB")
    shown.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
    out = io.BytesIO()
    shown.save(out, format="JPEG", quality=85)
    return prepared.data, prepared.format, empty, "none", out.getvalue(), None


def _mask_or_empty(mask: bytes | None, size: tuple[int, int]) -> bytes:
    """The result's own mask to start from (the studio may start empty too)."""
    if mask is None:
        return encode_png(Image.new("L", size, 0))
    binary, _ = normalise_mask(upright(open_image(mask, "mask")), size)
    return encode_png(binary)


def _studio_mask(data: bytes, size: tuple[int, int]) -> bytes:
    """The page's mask, checked like an attachment; the size is the draft's, never the
    page's (a mask of the same proportions is resized)."""
    return prepare_mask(data, size)
