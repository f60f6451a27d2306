"""The studio's regions on loopback: the label map of the draft's photo, under the link's
checks, computed once per photo."""

from __future__ import annotations

import io
import json
from pathlib import Path

import aiohttp
import numpy as np
import pytest
import pytest_asyncio
from aiohttp import web
from PIL import Image

from bot.domain import RoomType
from bot.images.regions import regions_of
from bot.service.studio.drafts import DraftService
from bot.service.studio.routes import CSP, StudioRoutes
from bot.teams.secrets import Keyring
from storage import Database, DraftRepository, GuildSettingsRepository
from tests.support.files import mask, png_bytes

PHOTO = (Path(__file__).resolve().parents[1] / "data" / "real" / "desire-path.jpg").read_bytes()


@pytest_asyncio.fixture
async def studio(tmp_path):
    async with await Database.open(tmp_path / "bot.db") as db:
        drafts = DraftService(
            DraftRepository(db), GuildSettingsRepository(db), signing_key=Keyring.of(b"s" * 32),
            public_url="http://placeholder",
        )  # fmt: skip
        routes = StudioRoutes(drafts)
        app = web.Application()
        routes.add_to(app.router)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        drafts.public_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        try:
            async with aiohttp.ClientSession() as http:
                yield drafts, routes, http
        finally:
            await runner.cleanup()


async def a_draft(drafts: DraftService, photo: bytes = PHOTO):
    draft, _, _ = await drafts.preview(
        photo=photo, room_type=RoomType.TERRACE, guild_id=1, channel_id=2, user_id=3,
        user_name="alice", mask=png_bytes(mask((1600, 1200))),
    )  # fmt: skip
    return draft


@pytest.mark.asyncio
async def test_the_regions_are_the_photos_label_map_computed_once(studio):
    drafts, routes, http = studio
    draft = await a_draft(drafts)
    link = drafts.studio_link(draft)
    async with http.get(f"{link}/regions") as resp:
        assert resp.status == 200 and resp.content_type == "image/png"
        assert resp.headers["Content-Security-Policy"] == CSP
        assert resp.headers["Cache-Control"] == "no-store"
        first = await resp.read()
    labels = np.asarray(Image.open(io.BytesIO(first)))
    assert labels.shape == (480, 640)  # the photo's 4:3, at the map's 640 pixels
    assert np.array_equal(labels, regions_of(draft.photo))
    # a reload, and a second link to another draft of the same photo: served from the table
    async with http.get(f"{link}/regions") as resp:
        assert await resp.read() == first
    other = drafts.studio_link(await a_draft(drafts))
    async with http.get(f"{other}/regions") as resp:
        assert await resp.read() == first
    assert routes.regions.computed == 1


@pytest.mark.asyncio
async def test_the_regions_ask_for_a_good_link_like_the_photo(studio):
    drafts, routes, http = studio
    link = drafts.studio_link(await a_draft(drafts))
    tampered = link[:-1] + ("A" if link[-1] != "A" else "B")
    async with http.get(f"{tampered}/regions") as resp:
        assert resp.status == 403 and json.loads(await resp.text())["ok"] is False
    drafts.studio_lifetime = -1  # born expired
    expired = drafts.studio_link(await a_draft(drafts))
    async with http.get(f"{expired}/regions") as resp:
        assert resp.status == 410
    assert routes.regions.computed == 0  # nobody without a good link makes us compute
