"""`exterior-bot playground` in headless Chromium: the real process, its page, the real bot.

One playground process and one browser for the whole module (each test opens its own tabs);
the tests run in file order and later ones build on the results of earlier ones, as a user's
session does. Screenshots land in test-artifacts/playground-*.png.
"""

from __future__ import annotations

import re
from importlib import resources

import pytest
import pytest_asyncio
from playwright.async_api import expect

from .playground_proc import (
    Playground,
    connected,
    create,
    image_loaded,
    numbers,
    open_page,
    private,
    results,
    run_command,
)
from .studio_browser import browser, chromium_path, screenshot

pytestmark = [
    pytest.mark.skipif(
        chromium_path() is None, reason="chromium is not installed (apt-get install -y chromium)"
    ),
    pytest.mark.asyncio(loop_scope="module"),
]
CREDITS = re.compile(r"^Credits$")
WAIT = 20_000  # ms: a result on a busy 2-core machine


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def playground(tmp_path_factory):
    running = Playground(tmp_path_factory.mktemp("playground"))
    await running.start()
    yield running
    code, err = await running.stop()
    assert code == 0, err
    assert "Traceback" not in err, err


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def chromium():
    async with browser() as launched:
        yield launched


@pytest_asyncio.fixture(loop_scope="module")
async def page(chromium, playground):
    opened = await open_page(chromium, playground.url)
    yield opened
    errors = opened.errors
    await opened.context.close()
    assert not errors, errors


async def new_preview(page, room_type: str):
    """/exterior create with no mask; the private preview it brings."""
    previews = private(page, "Preview")
    count = await previews.count()
    await create(page, room_type, mask=False)
    await expect(previews).to_have_count(count + 1, timeout=WAIT)
    return previews.nth(count)


async def test_create_then_vary_then_before_after(page, playground):
    csp = (await page.request.get(playground.url)).headers["content-security-policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    await create(page, "POOL")
    job = page.locator(".msg .embed", has_text="generation #1")
    await expect(job).to_be_visible(timeout=WAIT)  # the job card, edited as it runs
    card = results(page).first
    await expect(card).to_be_visible(timeout=WAIT)
    assert await image_loaded(card.locator(".gallery img").first)  # from the emulator's CDN
    for room in ("POOL", "TERRACE", "PETANQUE"):
        await expect(card.get_by_role("button", name=f"Vary as {room}")).to_be_enabled()
    await expect(job).to_contain_text("Done", timeout=WAIT)
    await screenshot(page, "playground-result.png")

    await card.get_by_role("button", name="Vary as TERRACE").click()
    await expect(results(page)).to_have_count(2, timeout=WAIT)
    await expect(results(page).nth(1)).to_contain_text("TERRACE")

    await results(page).nth(1).get_by_role("button", name="Before / after").click()
    reply = private(page, "Before / after")
    await expect(reply).to_be_visible(timeout=WAIT)
    await expect(reply).to_contain_text("Only you can see this")
    assert await image_loaded(reply.locator(".attachments img").first)
    await screenshot(page, "playground-before-after.png")


async def test_no_mask_gives_a_private_preview_then_generate(page):
    before = await results(page).count()
    preview = await new_preview(page, "TERRACE")
    assert await image_loaded(preview.locator(".attachments img").first)
    await screenshot(page, "playground-preview.png")
    await preview.get_by_role("button", name=re.compile(r"^Generate")).click()
    await expect(results(page)).to_have_count(before + 1, timeout=WAIT)


async def test_new_mask_form_uploads_a_file_and_varies(page):
    before = await results(page).count()
    await results(page).first.get_by_role("button", name="New mask…").click()
    form = page.locator("#modal")
    await expect(form).to_be_visible(timeout=WAIT)
    await expect(form.locator("h2")).to_contain_text("#1")
    mask = resources.files("bot").joinpath("examples", "camera-mask.png")
    await form.locator("input[type=file]").set_input_files(str(mask))
    await form.locator("select").select_option("PETANQUE")
    await screenshot(page, "playground-new-mask.png")
    await form.get_by_role("button", name="Submit").click()
    await expect(form).to_be_hidden()
    await expect(results(page)).to_have_count(before + 1, timeout=WAIT)
    await expect(results(page).last).to_contain_text("PETANQUE")


async def test_the_studio_opens_in_a_new_tab_and_works(page):
    before = await results(page).count()
    preview = await new_preview(page, "POOL")
    async with page.context.expect_page() as opening:
        await preview.get_by_role("button", name=re.compile("studio")).click()
    studio = await opening.value
    await studio.wait_for_selector("body.ready", timeout=WAIT)
    await studio.click("#generate")
    await expect(results(page)).to_have_count(before + 1, timeout=WAIT)
    await studio.close()


async def test_the_teammate_sees_history_and_no_admin_command(page):
    mine = await numbers(page)
    assert len(mine) >= 2
    admin = page.locator("#command option", has_text="exterior-admin")
    assert await admin.count() > 0  # you have Manage Server
    await page.get_by_label("You are").select_option(label="sam")
    await connected(page, "sam")
    assert await admin.count() == 0  # sam has not
    await expect(private(page, "")).to_have_count(0)  # your private replies are yours
    await run_command(page, "exterior history")
    history = page.locator(".msg", has=page.locator(".embed", has_text="#1 POOL")).last
    await expect(history).to_be_visible(timeout=WAIT)
    await expect(history.locator(".context")).to_contain_text("sam used /exterior history")
    for number in mine:
        await expect(history).to_contain_text(number)
    await screenshot(page, "playground-teammate-history.png")


async def test_reload_shows_history_and_two_tabs_are_live(page, chromium, playground):
    shown = await numbers(page)
    await page.reload()
    await connected(page)
    assert await numbers(page) == shown
    other = await open_page(chromium, playground.url)  # a second tab, as sam
    try:
        await other.get_by_label("You are").select_option(label="sam")
        await connected(other, "sam")
        await run_command(page, "exterior credits")  # private: sam's tab must not see it
        credits = private(page, "Credits").locator(".embed-title", has_text=CREDITS)
        await expect(credits).to_be_visible(timeout=WAIT)
        await create(page, "PETANQUE")
        await expect(results(other)).to_have_count(len(shown) + 1, timeout=WAIT)
        await expect(other.locator(".embed-title", has_text=CREDITS)).to_have_count(0)
        await screenshot(other, "playground-second-tab.png")
    finally:
        errors = other.errors
        await other.context.close()
    assert not errors, errors


async def test_share_through_a_select_menu_to_the_other_channel(page):
    await results(page).last.get_by_role("button", name="Share", exact=True).click()
    question = private(page, "shared").last
    await expect(question).to_be_visible(timeout=WAIT)
    await question.locator("select").select_option(label="#garden-ideas")
    other = page.get_by_role("button", name="garden-ideas")
    await expect(other).to_have_class(re.compile("unread"), timeout=WAIT)
    await other.click()
    await expect(results(page)).to_have_count(1, timeout=WAIT)
    await screenshot(page, "playground-shared.png")


async def test_results_survive_a_restart(chromium, playground):
    first = await open_page(chromium, playground.url)
    if not await results(first).count():  # run alone: make one
        await create(first, "POOL")
        await expect(results(first)).to_have_count(1, timeout=WAIT)
    shown = await numbers(first)
    await first.context.close()
    code, err = await playground.stop()
    assert code == 0 and "Traceback" not in err, err
    await playground.start()
    page = await open_page(chromium, playground.url)
    try:
        assert await numbers(page) == shown
        assert await image_loaded(results(page).last.locator(".gallery img").first)
        # (a variation asked for again within seconds is a double click: a new one here)
        await results(page).last.get_by_role("button", name="Vary as POOL").click()
        await expect(results(page)).to_have_count(len(shown) + 1, timeout=WAIT)
    finally:
        errors = page.errors
        await page.context.close()
    assert not errors, errors
