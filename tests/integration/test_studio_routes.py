"""The studio's HTTP answers on loopback: headers, assets, refusals, caps."""

from __future__ import annotations

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from bot.domain import RoomType
from bot.service.studio.drafts import MASK_MAX_BYTES, DraftService
from bot.service.studio.routes import StudioRoutes
from bot.teams.secrets import Keyring
from storage import Database, DraftRepository, GuildSettingsRepository
from tests.support.files import mask, photo, png_bytes


@pytest_asyncio.fixture
async def studio(tmp_path):
    async with await Database.open(tmp_path / "bot.db") as db:
        drafts = DraftService(
            DraftRepository(db), GuildSettingsRepository(db), signing_key=Keyring.of(b"s" * 32),
            public_url="http://placeholder",
        )  # fmt: skip
        app = web.Application()
        StudioRoutes(drafts).add_to(app.router)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)  # as bot.runtime.web
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        drafts.public_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        try:
            async with aiohttp.ClientSession() as http:
                yield drafts, http
        finally:
            await runner.cleanup()


async def a_link(drafts: DraftService) -> str:
    draft, _, _ = await drafts.preview(
        photo=png_bytes(photo((256, 192))), room_type=RoomType.POOL, guild_id=1, channel_id=2,
        user_id=3, user_name="alice", mask=png_bytes(mask((256, 192))),
    )  # fmt: skip
    return drafts.studio_link(draft)


@pytest.mark.asyncio
async def test_every_answer_carries_the_policy(studio):
    drafts, http = studio
    link = await a_link(drafts)
    base = drafts.public_url
    for url in (link, f"{link}/session", f"{link}/photo", f"{link}/mask",
                f"{base}/studio/assets/studio.js", f"{base}/studio/assets/studio.css"):  # fmt: skip
        async with http.get(url) as resp:
            assert resp.status == 200, url
            policy = resp.headers["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
            assert resp.headers["Referrer-Policy"] == "no-referrer"
            assert resp.headers["Cache-Control"] == "no-store"
    async with http.get(f"{link}/session") as resp:
        session = await resp.json()
    assert session["width"] == 256 and session["room_type"] == "POOL"
    assert session["channel_url"] == "https://discord.com/channels/1/2"


@pytest.mark.asyncio
async def test_only_the_studio_files_are_served(studio):
    drafts, http = studio
    for name in ("studio.html", "..%2F..%2Fdrafts.py", "tokens.py", "x.js"):
        async with http.get(f"{drafts.public_url}/studio/assets/{name}") as resp:
            assert resp.status == 404, name


@pytest.mark.asyncio
async def test_bad_submissions_are_refused_and_spend_nothing(studio):
    drafts, http = studio
    link = await a_link(drafts)
    launched = []

    async def launcher(draft, locale):
        launched.append(draft)
        return "Started generation #7"

    drafts.launcher = launcher
    good = png_bytes(mask((256, 192)))
    cases = [
        (f"{link}/generate?type=CASTLE", good, 400),
        (f"{link}/generate?type=POOL", b"\0" * (MASK_MAX_BYTES + 1), 413),
        (f"{link}/generate?type=POOL", b"not an image", 422),
        (f"{link}/generate?type=POOL", png_bytes(mask((256, 64))), 422),  # other proportions
    ]
    for url, body, status in cases:
        async with http.post(url, data=body) as resp:
            assert resp.status == status, url
            assert (await resp.json())["ok"] is False
    assert launched == []
    async with http.post(f"{link}/generate?type=pool", data=good) as resp:
        assert resp.status == 200 and (await resp.json())["message"] == "Started generation #7"
    assert launched[0].room_type is RoomType.POOL


@pytest.mark.asyncio
async def test_a_forged_link_is_refused_before_its_body_is_read(studio):
    drafts, http = studio
    link = await a_link(drafts)
    forged = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
    huge = b"\0" * (MASK_MAX_BYTES + 1)  # read first, this would be a 413
    async with http.post(f"{forged}/generate?type=POOL", data=huge) as resp:
        assert resp.status == 403 and (await resp.json())["ok"] is False


@pytest.mark.asyncio
async def test_the_page_and_its_refusals_speak_the_links_language(studio):
    drafts, http = studio
    draft, _, _ = await drafts.preview(
        photo=png_bytes(photo((256, 192))), room_type=RoomType.POOL, guild_id=1, channel_id=2,
        user_id=3, user_name="alice", mask=png_bytes(mask((256, 192))),
    )  # fmt: skip
    link = drafts.studio_link(draft, "fr")
    async with http.get(link) as resp:
        page = await resp.text()
    assert '<html lang="fr">' in page and "<h1>Studio de masque</h1>" in page
    assert 'data-sending="Envoi du masque…"' in page and "{{" not in page
    assert "<script>" not in page  # the sentences travel as data, never as inline script
    async with http.get(f"{link}/session") as resp:
        labels = [t["label"] for t in (await resp.json())["room_types"]]
    assert "Piscine" in labels
    async with http.post(f"{link}/generate?type=POOL", data=png_bytes(mask((256, 64)))) as resp:
        refused = (await resp.json())["error"]
    assert resp.status == 422 and refused.startswith("Le masque fait 256 × 64 pixels")
    tampered = link[:-1] + ("A" if link[-1] != "A" else "B")
    async with http.get(tampered) as resp:
        page = await resp.text()
    assert resp.status == 403 and '<html lang="fr">' in page and "Lien non valide" in page
    async with http.get(await a_link(drafts)) as resp:  # no locale: English, as before
        page = await resp.text()
    assert '<html lang="en">' in page and "<h1>Mask studio</h1>" in page
