"""The client page in headless Chromium (a phone and a desktop): Share with client, the signed
link, the before/after slider, the family's designs to flip through, full-size downloads, its
CSP and nothing loaded from elsewhere; revoked, expired and altered links get a page saying why;
the link never shows another design.

Skipped only when Debian's `chromium` is not installed (`.ci/run` installs it)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import aiohttp
import pytest
import pytest_asyncio

from bot.domain import Status
from tests.support.wait import until

from .exterior_env import exterior_bot
from .flow import buttons, create, custom_ids, is_result_of, link_of, started_id
from .studio_browser import DESKTOP, PHONE, browser, chromium_path, screenshot, touch_stroke
from .teams_support import admin

pytestmark = pytest.mark.skipif(
    chromium_path() is None, reason="chromium is not installed (apt-get install -y chromium)"
)
OPEN = "Open the client page"


@pytest_asyncio.fixture
async def chromium():
    async with browser() as launched:
        yield launched


async def result(emulator, click_on=None, kind="POOL"):
    """A finished design: a create, or a variation of `click_on` (a result message)."""
    if click_on is None:
        handle = await create(emulator, kind)
    else:
        vary = next(c for c in custom_ids(click_on) if c.startswith("exterior:vary:"))
        handle = await emulator.click_button(click_on, vary.rsplit(":", 1)[0] + f":{kind}")
    row = started_id(await handle.wait_followup(timeout=10))
    return row, await emulator.wait_for_message(predicate=is_result_of(row), timeout=15)


async def share(emulator, message, row: int, user=None) -> tuple[str, dict]:
    click = await emulator.click_button(message, f"exterior:client:{row}", user=user)
    reply = await click.wait_followup(timeout=15)
    return link_of(reply, OPEN), reply


async def get(url: str) -> tuple[int, dict, bytes]:
    async with aiohttp.ClientSession() as session, session.get(url, allow_redirects=False) as r:
        return r.status, dict(r.headers), await r.read()


async def types_if(read, count: int):
    found = await read()
    return found if len(found) == count else None


def origin_of(link: str) -> str:
    return "{0.scheme}://{0.netloc}".format(urlsplit(link))


async def open_page(chromium, link: str, device: dict, name: str):
    context = await chromium.new_context(**device)
    page = await context.new_page()
    origin = origin_of(link)
    asked: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    response = await page.goto(link)
    assert response.status == 200
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert "noindex" in headers["x-robots-tag"] and headers["referrer-policy"] == "no-referrer"
    await page.wait_for_selector("body.ready", timeout=15000)
    assert await page.get_attribute("meta[name=robots]", "content") == "noindex, nofollow"
    await screenshot(page, name)
    # everything the page loaded came from the bot itself: no CDN, no other origin
    assert asked and all(url.startswith(origin + "/") for url in asked), asked
    assert not errors, errors
    return page, asked


async def split_of(page) -> float:
    return float(await page.get_attribute("#handle", "aria-valuenow"))


@pytest.mark.asyncio
async def test_a_client_sees_the_before_after_and_the_variations_on_a_phone_and_a_desktop(
    emulator, bot_runner, sandbox, settings, chromium
):
    async with exterior_bot(bot_runner, settings) as (_, core):
        await admin(emulator, "client-links", {"presented-by": "Jardins Martin · 06 12 34 56 78"})
        original, card = await result(emulator)
        varied, _ = await result(emulator, click_on=card, kind="TERRACE")
        other, other_card = await result(emulator, kind="PETANQUE")  # another design
        assert "Share with client" in [b["label"] for b in buttons(card)]
        link, reply = await share(emulator, card, original)
        assert link in reply["content"] and "not opened yet" in reply["content"]
        assert sandbox.state.calls["generate"] == 2  # sharing spends nothing

        page, _ = await open_page(chromium, link, PHONE, "client-phone.png")
        assert await page.text_content("#line") == "Jardins Martin · 06 12 34 56 78"
        assert await page.text_content("#counter") == "1 of 2"
        assert await page.text_content("#title") == "Pool"
        # the slider moves under a finger
        assert await split_of(page) == 50
        box = await page.locator("#compare").bounding_box()
        y = box["y"] + box["height"] / 2
        await touch_stroke(page, [(box["x"] + box["width"] * f, y) for f in (0.5, 0.4, 0.3, 0.2)])
        assert 15 <= await split_of(page) <= 25
        clip = await page.locator("#before-wrap").evaluate("e => getComputedStyle(e).clipPath")
        assert "inset" in clip and "80%" in clip
        await screenshot(page, "client-phone-slid.png")
        # the variations flip
        first_src = await page.get_attribute("#after", "src")
        await page.click("#next")
        assert await page.text_content("#counter") == "2 of 2"
        assert await page.text_content("#title") == "Terrace"
        assert "Variation" in await page.text_content("#meta")
        assert await page.get_attribute("#after", "src") != first_src
        await page.wait_for_function("document.getElementById('after').complete")
        await screenshot(page, "client-phone-variation.png")

        desktop, _ = await open_page(chromium, link, DESKTOP, "client-desktop.png")
        await desktop.click("#next")  # and the arrow keys move the divider
        await desktop.focus("#handle")
        for _ in range(4):
            await desktop.keyboard.press("ArrowRight")
        assert await split_of(desktop) == 70
        await screenshot(desktop, "client-desktop-variation.png")

        # full-size downloads, the bot's own copies: the API's very bytes, never a redirect
        status, _, body = await get(f"{link}/data")
        found = json.loads(body)
        assert status == 200 and len(found["items"]) == 2
        gens = [await core.generations.get(r) for r in (original, varied)]
        for item, gen in zip(found["items"], gens, strict=True):
            status, headers, picture = await get(origin_of(link) + item["download"])
            assert status == 200 and "attachment" in headers["Content-Disposition"]
            assert picture == (await get(gen.result_urls[0]))[2]

        # the link shows that family only: another design's picture is unknown to it
        other_link, _ = await share(emulator, other_card, other)
        _, _, other_body = await get(f"{other_link}/data")
        key = json.loads(other_body)["items"][0]["src"].rsplit("/", 1)[1]
        assert (await get(f"{link}/picture/{key}"))[0] == 404
        assert (await get(f"{other_link}/picture/{key}"))[0] == 200

        # openings counted and shown in the reply; pressing again gives the same link
        again, reply = await share(emulator, card, original)
        assert again == link and "opened 2 times, last just now" in reply["content"]
        refresh = next(c for c in custom_ids(reply) if c.endswith(":refresh"))
        assert (await (await emulator.click_button(reply, refresh)).wait_ack()).type == 7
        # revoked: the page says why (410), in a page of its own
        revoke = next(c for c in custom_ids(reply) if c.endswith(":revoke"))
        click = await emulator.click_button(reply, revoke)
        assert (await click.wait_ack()).type == 7
        shown = emulator.render(emulator.stored_message(reply))
        assert "Revoked" in shown["content"] and "Opened 2 times" in shown["content"]
        context = await chromium.new_context(**PHONE)
        refused = await context.new_page()
        response = await refused.goto(link)
        assert response.status == 410 and "content-security-policy" in response.headers
        assert "withdrawn" in await refused.text_content("#reason")
        await screenshot(refused, "client-revoked.png")
        assert (await get(f"{link}/picture/{key}"))[0] == 410
    # sharing, opening and revoking spent nothing: two creates and one variation, no more
    assert (sandbox.state.calls["generate"], sandbox.state.calls["generate-variation"]) == (2, 1)


@pytest.mark.asyncio
async def test_an_altered_an_expired_and_a_studio_link_get_a_page_that_says_why(
    emulator, bot_runner, sandbox, settings, chromium
):
    async with exterior_bot(bot_runner, settings) as (_, core):
        row, card = await result(emulator)
        link, _ = await share(emulator, card, row)
        base, token = link.rsplit("/c/", 1)
        body, signature = token.split(".")
        flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
        context = await chromium.new_context(**DESKTOP)
        page = await context.new_page()
        for bad in (f"{body}.{flipped}", body[:-2] + "." + signature, "nonsense"):
            response = await page.goto(f"{base}/c/{bad}")
            assert response.status == 403, bad
            assert "not valid" in await page.text_content("#reason")
        await screenshot(page, "client-altered.png")
        # a studio link is signed for another purpose: it never opens a client page
        handle = await create(emulator, "POOL", mask=None)
        studio = link_of(await handle.wait_followup(timeout=10), "Edit in studio")
        response = await page.goto(f"{base}/c/{studio.rsplit('/studio/', 1)[1]}")
        assert response.status == 403
        # expired: the page says so, and so do its pictures and its data
        async with core.db.write() as conn:
            await conn.execute("UPDATE client_links SET expires_at = 1")
        response = await page.goto(link)
        assert response.status == 410 and "expired" in await page.text_content("#reason")
        assert (await get(f"{link}/data"))[0] == 410
        await screenshot(page, "client-expired.png")
        # and a new press makes a new link (the old one stays dead)
        fresh, _ = await share(emulator, card, row)
        assert fresh != link and (await get(fresh))[0] == 200


@pytest.mark.asyncio
async def test_without_a_public_url_there_is_no_client_link(
    emulator, bot_runner, sandbox, polling_settings
):
    async with exterior_bot(bot_runner, polling_settings):
        row, card = await result(emulator)
        assert "Share with client" not in [b["label"] for b in buttons(card)]
        handle = await emulator.slash_command(
            "exterior", {"generation": f"#{row}"}, subcommand="client-link"
        )
        assert "EXTERIOR_PUBLIC_URL" in (await handle.wait_followup(timeout=10))["content"]


@pytest.mark.asyncio
async def test_revoke_all_and_the_server_name_rules(emulator, bot_runner, sandbox, settings):
    async with exterior_bot(bot_runner, settings) as (_, core):
        row, card = await result(emulator)
        handle = await emulator.slash_command(
            "exterior", {"generation": f"#{row}"}, subcommand="client-link"
        )
        link = link_of(await handle.wait_followup(timeout=15), OPEN)
        found = json.loads((await get(f"{link}/data"))[2])
        assert found["line"] == f"Presented by {emulator.guild.name}"
        assert len(found["items"]) == 1
        # a variation made after the link: the page shows it too (copied as it finished)
        await result(emulator, click_on=card, kind="TERRACE")

        async def types() -> list[str]:
            return [i["type"] for i in json.loads((await get(f"{link}/data"))[2])["items"]]

        assert await until(lambda: types_if(types, 2)) == ["Pool", "Terrace"]
        _, said = await admin(emulator, "client-links", {"hide-name": True, "days": 7})
        assert "Client links last (days): 7" in said
        assert json.loads((await get(f"{link}/data"))[2])["line"] is None
        # only those who may press the card's buttons may share it
        await admin(emulator, "buttons", {"who": "requester"})
        outsider = await emulator.add_user("outsider")
        click = await emulator.click_button(card, f"exterior:client:{row}", user=outsider)
        assert "may use its buttons" in (await click.wait_followup(timeout=10))["content"]
        _, said = await admin(emulator, "client-links", {"revoke-all": True})
        assert "Revoked 1 client links" in said
        assert (await get(link))[0] == 410
        gen = await core.generations.get(row)
        assert gen.status is Status.SUCCEEDED
