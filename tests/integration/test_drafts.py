"""Drafts on both storage backends (tests/integration/conftest.py) and the draft service's
rules: claimed once, expiry, binding, the studio's mask checked like an attachment, and the
signing key kept in the database."""

from __future__ import annotations

import asyncio
import dataclasses
import io
from datetime import timedelta

import pytest
import pytest_asyncio
from PIL import Image

from bot.domain import DraftState, RoomType
from bot.images.decode import ImageError
from bot.service.studio.drafts import DraftGone, DraftService
from bot.service.studio.tokens import TokenError, sign, verify
from bot.teams.secrets import signing_keys
from storage import DraftRepository, GuildSettingsRepository, MetaRepository
from tests.support.files import mask, photo, png_bytes

PUBLIC = "https://bot.example"


@pytest_asyncio.fixture
async def service(db):
    key = await signing_keys(None, MetaRepository(db))
    return DraftService(
        DraftRepository(db), GuildSettingsRepository(db), signing_key=key, public_url=PUBLIC
    )


async def new_preview(service: DraftService, **changes):
    args = dict(
        photo=png_bytes(photo((256, 192))), room_type=RoomType.POOL, guild_id=1, channel_id=2,
        user_id=3, user_name="alice", mask=png_bytes(mask((256, 192))),
    )  # fmt: skip
    args.update(changes)
    return await service.preview(**args)


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


@pytest.mark.asyncio
async def test_a_draft_is_claimed_once_even_by_racing_clicks(service):
    draft, overlay, _ = await new_preview(service)
    assert Image.open(io.BytesIO(overlay)).format == "JPEG"
    results = await asyncio.gather(
        *(service.claim(draft.id, 3) for _ in range(5)), return_exceptions=True
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all("already generated" in str(r) for r in results if isinstance(r, DraftGone))


@pytest.mark.asyncio
async def test_someone_else_cannot_claim_or_cancel(service):
    draft, _, _ = await new_preview(service)
    with pytest.raises(DraftGone):
        await service.claim(draft.id, 99)
    assert "not yours" in str(await service.cancel(draft.id, 99))
    assert (await service.drafts.get(draft.id)).state is DraftState.OPEN


@pytest.mark.asyncio
async def test_expired_preview_cannot_be_claimed_but_its_studio_link_still_works(service):
    service.preview_lifetime = timedelta(seconds=-1)
    draft, _, _ = await new_preview(service)
    with pytest.raises(DraftGone, match="expired"):
        await service.claim(draft.id, 3)
    launched = []

    async def launcher(d, locale):
        launched.append(d)
        return "Started generation #1"

    service.launcher = launcher
    link = service.studio_link(draft)
    assert link.startswith(f"{PUBLIC}/studio/")
    message = await service.submit_studio(
        token_of(link), png_bytes(mask((128, 96))), RoomType.TERRACE
    )
    assert message == "Started generation #1"
    (sent,) = launched
    assert sent.room_type is RoomType.TERRACE
    # the page's 128x96 mask was checked and brought to the photo's size, not trusted
    assert Image.open(io.BytesIO(sent.mask)).size == (256, 192)
    with pytest.raises(TokenError) as caught:
        await service.open_studio(token_of(link))
    assert caught.value.status == 410


@pytest.mark.asyncio
async def test_studio_masks_are_validated_like_attachments(service):
    draft, _, _ = await new_preview(service)
    token = token_of(service.studio_link(draft))

    async def launcher(d, locale):
        raise AssertionError("must not launch")

    service.launcher = launcher
    cases = [
        (png_bytes(mask((200, 64))), "same size"),  # other proportions
        (png_bytes(Image.new("L", (256, 192), 0)), "empty"),
        (png_bytes(Image.new("L", (256, 192), 255)), "whole"),
        (b"GIF89a not a png", "not a readable"),
    ]
    for data, words in cases:
        with pytest.raises(ImageError, match=words):
            await service.submit_studio(token, data, RoomType.POOL)
    assert (await service.drafts.get(draft.id)).state is DraftState.OPEN  # nothing claimed


@pytest.mark.asyncio
async def test_a_failed_launch_leaves_the_link_usable(service):
    draft, _, _ = await new_preview(service)
    token = token_of(service.studio_link(draft))

    async def broken(d, locale):
        raise RuntimeError("Discord is down")

    service.launcher = broken
    with pytest.raises(RuntimeError):
        await service.submit_studio(token, png_bytes(mask((256, 192))), RoomType.POOL)
    assert (await service.open_studio(token)).id == draft.id


@pytest.mark.asyncio
async def test_a_link_is_bound_to_its_session(service, db):
    draft, _, _ = await new_preview(service)
    other, _, _ = await new_preview(service, photo=png_bytes(photo((256, 192), (10, 20, 30))))
    token = token_of(service.studio_link(draft))
    # even a correctly signed token for another draft id still names the first photo
    claims = verify(service._key, token)
    swapped = sign(service._key, dataclasses.replace(claims, draft_id=other.id))
    with pytest.raises(TokenError) as caught:
        await service.open_studio(swapped)
    assert caught.value.status == 403


@pytest.mark.asyncio
async def test_signing_key_is_made_once_and_kept(db, tmp_path):
    first = await signing_keys(None, MetaRepository(db))
    assert first == await signing_keys(None, MetaRepository(db)) and len(first.signing[0]) == 32
    assert await signing_keys("c" * 32, MetaRepository(db)) != first


@pytest.mark.asyncio
async def test_server_setting_forces_the_preview(service, db):
    assert not await service.always_preview(1)
    await GuildSettingsRepository(db).set(1, "always_preview", True)
    assert await service.always_preview(1)


@pytest.mark.asyncio
async def test_nothing_to_suggest_starts_an_empty_studio_draft_that_cannot_be_generated(
    service,
):
    sky = png_bytes(photo((256, 192), (40, 90, 200)))
    draft, _, _ = await new_preview(service, photo=sky, mask=None)
    assert draft.source == "none"
    with pytest.raises(DraftGone, match="studio first"):
        await service.claim(draft.id, 3)
    service.public_url = None  # no studio: the user gets the sentence instead
    with pytest.raises(ImageError, match="no lawn"):
        await new_preview(service, photo=sky, mask=None)
