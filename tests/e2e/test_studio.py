"""The mask studio in headless Chromium: paint, Generate, and the bot continues in Discord.

Skipped only when Debian's `chromium` is not installed (`.ci/run` installs it)."""

from __future__ import annotations

import aiohttp
import pytest
import pytest_asyncio
from PIL import Image

from bot.service.studio.tokens import verify
from tests.support.files import png_bytes

from .exterior_env import exterior_bot
from .flow import (
    MASK,
    card_of,
    create,
    custom_ids,
    fetch_image,
    is_result_of,
    link_of,
    private_result,
    started_id,
)
from .studio_browser import (
    DESKTOP,
    PHONE,
    browser,
    chromium_path,
    open_studio,
    photo_at,
    screenshot,
    touch_pinch,
    touch_stroke,
)
from .teams_support import admin

pytestmark = pytest.mark.skipif(
    chromium_path() is None, reason="chromium is not installed (apt-get install -y chromium)"
)


@pytest_asyncio.fixture
async def running(bot_runner, settings):
    async with exterior_bot(bot_runner, settings) as (bot, core):
        yield bot, core


@pytest_asyncio.fixture
async def chromium():
    async with browser() as launched:
        yield launched


async def studio_link_from_preview(emulator, room_type="POOL") -> tuple[str, dict]:
    handle = await create(emulator, room_type, mask=None)
    preview = await handle.wait_followup(timeout=10)
    return link_of(preview, "Edit in studio"), preview


async def drag(page, points) -> None:
    await page.mouse.move(*points[0])
    await page.mouse.down()
    for point in points[1:]:
        await page.mouse.move(*point, steps=4)
    await page.mouse.up()


async def scale_of(page) -> float:
    matrix = await page.locator("#stage").evaluate("el => getComputedStyle(el).transform")
    return float(matrix.split("(")[1].split(",")[0])


@pytest.mark.asyncio
async def test_paint_a_stroke_and_generate_from_the_studio(emulator, sandbox, running, chromium):
    link, preview = await studio_link_from_preview(emulator)
    page, errors = await open_studio(chromium, link, DESKTOP)
    await page.reload()  # opening again is fine until the one submission
    await page.wait_for_selector("body.ready")
    await page.click("#clear")  # start from nothing: only what is painted below counts
    at = await photo_at(page)
    await page.mouse.move(*at(0.3, 0.8))
    await page.mouse.down()
    for step in range(1, 11):
        await page.mouse.move(*at(0.3 + 0.04 * step, 0.8))
    await page.mouse.up()
    await page.click("[data-tool=lasso]")
    await drag(page, [at(0.1, 0.1), at(0.3, 0.1), at(0.3, 0.3), at(0.1, 0.3), at(0.1, 0.12)])
    await page.click("#undo")
    await page.click("#redo")  # the first lasso stays
    await drag(page, [at(0.6, 0.1), at(0.9, 0.1), at(0.9, 0.3), at(0.6, 0.3), at(0.6, 0.12)])
    await page.click("#undo")  # the second one goes
    await page.select_option("#type", "TERRACE")
    await screenshot(page, "studio-desktop.png")
    assert sandbox.state.calls["generate"] == 0  # painting spends nothing
    await page.click("#generate")
    await page.wait_for_selector("#done:not([hidden])", timeout=15000)
    said = await page.text_content("#done-text")
    row = started_id({"content": said})
    card = card_of(emulator, row)
    assert await page.get_attribute("#channel", "href") == (
        f"https://discord.com/channels/{emulator.guild.id}/{emulator.channel.id}/{card['id']}"
    )
    await screenshot(page, "studio-desktop-sent.png")

    mask = await fetch_image(card["attachments"][1]["url"])
    assert mask.size == (512, 512)
    # the stroke (at 80% height, 30-70% across), the first lasso, and nothing else
    assert mask.getpixel((256, 410)) == 255 and mask.getpixel((102, 102)) == 255
    assert mask.getpixel((384, 102)) == 0  # the undone lasso
    assert mask.getpixel((256, 300)) == 0 and mask.getpixel((40, 410)) == 0
    await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
    assert sandbox.state.calls["generate"] == 1
    assert errors == []

    # one submission: the link and the preview's Generate are both used up
    again = await page.goto(link)
    assert again.status == 410 and "already generated" in await page.text_content("#reason")
    click = await emulator.click_button(preview, next(c for c in custom_ids(preview) if ":go" in c))
    assert "already generated" in (await click.wait_followup(timeout=10))["content"]
    assert sandbox.state.calls["generate"] == 1


@pytest.mark.asyncio
async def test_phone_edit_mask_and_vary_by_touch(emulator, sandbox, running, chromium):
    handle = await create(emulator, "POOL")
    row = started_id(await handle.wait_followup(timeout=10))
    result = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
    click = await emulator.click_button(result, f"exterior:studio:{row}")
    answer = await click.wait_followup(timeout=10)
    assert answer["flags"] & 64 and "30 minutes" in answer["content"]
    link = link_of(answer, "Open the mask studio")

    page, errors = await open_studio(chromium, link, PHONE)
    assert "vary result #" in await page.text_content("#what")
    at = await photo_at(page)
    await page.tap("#clear")
    await page.touchscreen.tap(*at(0.2, 0.5))
    await touch_stroke(page, [at(0.4 + 0.05 * i, 0.5) for i in range(8)])
    await screenshot(page, "studio-phone.png")
    before = await scale_of(page)
    await touch_pinch(page, at(0.5, 0.85), 60, 200)  # zooms; must not paint
    assert await scale_of(page) > before * 2
    await screenshot(page, "studio-phone-pinched.png")
    await page.tap("#generate")
    await page.wait_for_selector("#done:not([hidden])", timeout=15000)
    var_row = started_id({"content": await page.text_content("#done-text")})
    await emulator.wait_for_message(predicate=is_result_of(var_row), timeout=10)
    var_card = card_of(emulator, var_row)
    mask = await fetch_image(var_card["attachments"][0]["url"])
    original = await fetch_image(card_of(emulator, row)["attachments"][1]["url"])
    assert mask.tobytes() != original.tobytes()
    assert mask.getpixel((307, 256)) == 255  # the touch stroke across the middle
    assert mask.getpixel((102, 256)) == 255  # the tap
    assert mask.getpixel((226, 435)) == 0 and mask.getpixel((256, 435)) == 0  # the pinch
    assert sandbox.state.calls["generate-variation"] == 1
    (call,) = [body for name, body in sandbox.state.requests if name == "generate-variation"]
    # the API was given the new mask, from the variation's card (the bot's own copy)
    assert str(var_card["attachments"][0]["id"]) in call["mask_url"]
    assert errors == []


@pytest.mark.asyncio
async def test_used_expired_and_tampered_links_are_refused(emulator, sandbox, running, chromium):
    _, core = running
    link, _ = await studio_link_from_preview(emulator)
    body, _, signature = link.rpartition("/")[2].partition(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    tampered = f"{link.rpartition('/')[0]}/{body}.{flipped}"
    core.drafts.studio_lifetime = -1  # born expired
    expired, _ = await studio_link_from_preview(emulator)
    context = await chromium.new_context(**DESKTOP)
    page = await context.new_page()
    for url, status, words in (
        (tampered, 403, "not valid"),
        (expired, 410, "expired"),
        (link + "x", 403, "not valid"),
    ):
        response = await page.goto(url)
        assert response.status == status, url
        assert words in await page.text_content("#reason")
        assert "default-src 'self'" in response.headers["content-security-policy"]
    await screenshot(page, "studio-refused.png")

    # the same link cannot submit twice, even racing itself
    mask_png = MASK
    async with aiohttp.ClientSession() as http:
        first = await http.post(f"{link}/generate?type=POOL", data=mask_png)
        second = await http.post(f"{link}/generate?type=POOL", data=mask_png)
        assert first.status == 200 and second.status == 410
        bogus = await http.post(f"{tampered}/generate?type=POOL", data=mask_png)
        assert bogus.status == 403
    assert sandbox.state.calls["generate"] == 1


@pytest.mark.asyncio
async def test_edit_mask_and_vary_gives_no_link_to_whom_cannot_see_the_result(
    emulator, sandbox, running
):
    row, outsider = await private_result(emulator)
    # someone who sees it shows it in the public channel; the outsider clicks its studio button
    shown = await emulator.slash_command("exterior", {"generation": str(row)}, subcommand="show")
    await shown.wait_followup(timeout=10)
    reposted = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
    click = await emulator.click_button(reposted, f"exterior:studio:{row}", user=outsider)
    answer = await click.wait_followup(timeout=10)
    assert "don't know a generation" in answer["content"] and "/studio/" not in str(answer)
    assert sandbox.state.calls["generate-variation"] == 0


@pytest.mark.asyncio
async def test_a_refused_studio_submission_says_so_and_keeps_the_link_usable(
    emulator, sandbox, running
):
    row = started_id(await (await create(emulator, "POOL")).wait_followup(timeout=10))
    result = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
    click = await emulator.click_button(result, f"exterior:studio:{row}")
    link = link_of(await click.wait_followup(timeout=10), "Open the mask studio")
    # while the page is open, the server sets a limit this member has already reached
    await admin(emulator, "limits", {"per_user_day": 1})
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{link}/session") as resp:
            session = await resp.json()
        size = (session["width"], session["height"])
        painted = png_bytes(_square_mask(size))
        async with http.post(f"{link}/generate?type=TERRACE", data=painted) as resp:
            refused = await resp.json()
            assert resp.status == 409 and refused["ok"] is False, refused
        assert "limit of 1" in refused["error"] and "<t:" not in refused["error"]
        assert sandbox.state.calls["generate-variation"] == 0
        # nothing was spent and the draft was kept: once the limit is lifted, the link works
        await admin(emulator, "limits", {"per_user_day": 0})
        async with http.post(f"{link}/generate?type=TERRACE", data=painted) as resp:
            assert resp.status == 200, await resp.text()
        async with http.post(f"{link}/generate?type=TERRACE", data=painted) as resp:
            assert resp.status == 410  # one submission per link, one credit
        # a submission cancelled after its paid call releases the draft: the request key
        # (the draft's id) still stops a second payment
        _, core = running
        claims = verify(core.drafts._key, link.rsplit("/", 1)[1])
        await core.drafts.drafts.release(claims.draft_id)
        async with http.post(f"{link}/generate?type=TERRACE", data=painted) as resp:
            assert resp.status == 200 and "already" in (await resp.json())["message"]
    await emulator.wait_for_message(predicate=is_result_of(row + 1), timeout=10)
    assert sandbox.state.calls["generate-variation"] == 1


def _square_mask(size: tuple[int, int]) -> Image.Image:
    mask = Image.new("L", size, 0)
    width, height = size
    mask.paste(255, (width // 4, height // 2, 3 * width // 4, 9 * height // 10))
    return mask
