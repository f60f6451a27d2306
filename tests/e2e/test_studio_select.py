"""The studio's "Select area" in headless Chromium, on real photos, desktop and phone: one tap
takes the lawn, a tap on it again takes it out, the brush and the eraser still refine it, and
Generate sends what is shown.

Skipped only when Debian's `chromium` is not installed (`.ci/run` installs it)."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
import pytest_asyncio
from PIL import Image
from scipy import ndimage

from .exterior_env import exterior_bot
from .flow import card_of, create, fetch_image, is_result_of, link_of, started_id
from .studio_browser import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    browser,
    chromium_path,
    open_studio,
    photo_at,
    screenshot,
    touch_stroke,
)

pytestmark = pytest.mark.skipif(
    chromium_path() is None, reason="chromium is not installed (apt-get install -y chromium)"
)
REAL = Path(__file__).resolve().parents[1] / "data" / "real"
DEVICES = {"desktop": DESKTOP, "phone": PHONE}
LAWN = (0.85, 0.75)  # desire-path: the big lawn right of the worn path
LAWN_AGAIN = (0.75, 0.92)  # another point of the same lawn
GROUND = (0.5, 0.85)  # bunker-entrance: the leaf-covered ground before the door
FIGURES = ARTIFACTS / "studio-select.json"


@pytest_asyncio.fixture
async def running(bot_runner, settings):
    async with exterior_bot(bot_runner, settings) as (bot, core):
        yield bot, core


@pytest_asyncio.fixture
async def chromium():
    async with browser() as launched:
        yield launched


async def studio_for(emulator, name: str) -> str:
    """A draft made the way a user makes it (the photo attached, no mask), opened in the
    studio from its preview."""
    photo = (REAL / f"{name}.jpg").read_bytes()
    preview = await (await create(emulator, "TERRACE", photo=photo, mask=None)).wait_followup(
        timeout=20
    )
    return link_of(preview, "Edit in studio")


def truth_part(name: str, at: tuple[float, float]) -> np.ndarray:
    """The ground truth's open ground under the tap (desire-path has two lawns)."""
    truth = np.asarray(Image.open(REAL / f"{name}.mask.png")) > 127
    parts, _ = ndimage.label(truth)
    tapped = parts[int(at[1] * truth.shape[0]), int(at[0] * truth.shape[1])]
    assert tapped
    return parts == tapped


async def shown(page) -> np.ndarray:
    """What the page would send: the painted layer's alpha, at its own (the mask's) size."""
    url = await page.evaluate("() => document.getElementById('overlay').toDataURL('image/png')")
    png = base64.b64decode(url.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)).getchannel("A")) >= 128


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


async def press(page, device: str, selector: str) -> None:
    await (page.tap(selector) if device == "phone" else page.click(selector))


async def tap(page, device: str, point: tuple[float, float]) -> None:
    if device == "phone":
        await page.touchscreen.tap(*point)
    else:
        await page.mouse.click(*point)


async def stroke(page, device: str, points) -> None:
    if device == "phone":
        await touch_stroke(page, points)
        return
    await page.mouse.move(*points[0])
    await page.mouse.down()
    for point in points[1:]:
        await page.mouse.move(*point, steps=4)
    await page.mouse.up()


async def ready_to_select(chromium, link: str, device: str):
    page, errors = await open_studio(chromium, link, DEVICES[device])
    await page.wait_for_selector("body.regions", timeout=15000)  # the map has arrived
    await press(page, device, "#clear")  # from nothing: only the selection counts
    await press(page, device, "button[data-tool=select]")
    assert await page.get_attribute("button[data-tool=select]", "aria-pressed") == "true"
    return page, errors, await photo_at(page)


def record(key: str, value: float) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    found = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    found[key] = round(value, 3)
    FIGURES.write_text(json.dumps(found, indent=1, sort_keys=True))


def line(mask_size, start, end, steps=40):
    """Mask pixels along a segment given in photo fractions."""
    w, h = mask_size
    return [
        (int((start[0] + (end[0] - start[0]) * i / steps) * (w - 1)),
         int((start[1] + (end[1] - start[1]) * i / steps) * (h - 1)))
        for i in range(steps + 1)
    ]  # fmt: skip


@pytest.mark.asyncio
@pytest.mark.parametrize("device", sorted(DEVICES))
async def test_one_tap_selects_the_ground_of_a_real_photo(emulator, running, chromium, device):
    link = await studio_for(emulator, "bunker-entrance")
    page, errors, at = await ready_to_select(chromium, link, device)
    await tap(page, device, at(*GROUND))
    found = iou(await shown(page), truth_part("bunker-entrance", GROUND))
    record(f"{device} bunker-entrance one tap", found)
    await screenshot(page, f"studio-select-{device}-bunker.png")
    assert found >= 0.85, found
    assert errors == []


@pytest.mark.asyncio
@pytest.mark.parametrize("device", sorted(DEVICES))
async def test_select_the_lawn_take_it_out_refine_it_and_generate(
    emulator, sandbox, running, chromium, device
):
    link = await studio_for(emulator, "desire-path")
    page, errors, at = await ready_to_select(chromium, link, device)
    lawn = truth_part("desire-path", LAWN)

    await tap(page, device, at(*LAWN))
    selected = await shown(page)
    found = iou(selected, lawn)
    record(f"{device} desire-path one tap", found)
    await screenshot(page, f"studio-select-{device}.png")
    assert found >= 0.85, found
    h, w = selected.shape
    assert selected[int(LAWN_AGAIN[1] * h), int(LAWN_AGAIN[0] * w)]  # the same region

    await tap(page, device, at(*LAWN_AGAIN))  # a tap on the selected lawn takes it out
    assert (await shown(page)).sum() == 0
    await tap(page, device, at(*LAWN))
    assert np.array_equal(await shown(page), selected)

    # the brush adds along the asphalt path; the eraser cuts a band across the lawn
    path = [(0.12, 0.85), (0.3, 0.85)]
    band = [(0.7, 0.6), (0.97, 0.6)]
    await press(page, device, "button[data-tool=brush]")
    await stroke(page, device, [at(0.12 + 0.03 * i, 0.85) for i in range(7)])
    await press(page, device, "button[data-tool=eraser]")
    await stroke(page, device, [at(0.7 + 0.045 * i, 0.6) for i in range(7)])
    refined = await shown(page)
    await screenshot(page, f"studio-select-{device}-refined.png")
    assert all(refined[y, x] for x, y in line((w, h), *path))
    assert not any(refined[y, x] for x, y in line((w, h), *band))
    untouched = selected.copy()
    untouched[int(0.5 * h) : int(0.7 * h)] = False  # away from the eraser's band
    assert refined[untouched].all()

    assert sandbox.state.calls["generate"] == 0  # selecting spends nothing
    await press(page, device, "#generate")
    await page.wait_for_selector("#done:not([hidden])", timeout=15000)
    row = started_id({"content": await page.text_content("#done-text")})
    await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
    sent = await fetch_image(card_of(emulator, row)["attachments"][1]["url"])
    assert sent.size == (w, h)  # the photo's 1600 x 1200
    sent_ = np.asarray(sent.convert("L")) > 127
    assert (sent_ == refined).mean() > 0.999  # what was shown is what the API got
    assert sandbox.state.calls["generate"] == 1
    assert errors == []
