"""Headless Chromium (Debian's package, driven by Playwright) for the mask studio's tests."""

from __future__ import annotations

import shutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # ignored by git
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def chromium_path() -> str | None:
    return shutil.which("chromium")


@asynccontextmanager
async def browser() -> AsyncIterator:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        try:
            yield launched
        finally:
            await launched.close()


async def open_studio(chromium, link: str, device: dict):
    context = await chromium.new_context(**device)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    response = await page.goto(link)
    assert response.status == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    await page.wait_for_selector("body.ready", timeout=15000)
    return page, errors


async def photo_at(page):
    """Page coordinates of a point given as fractions of the photo as shown."""
    box = await page.locator("#photo").bounding_box()
    return lambda fx, fy: (box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)


async def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    await page.screenshot(path=str(path))
    return path


async def touch_stroke(page, points: list[tuple[float, float]]) -> None:
    """A one-finger drag through `points` (Playwright only taps; CDP moves fingers). The event
    times say the finger rests before lifting, so the drag ends without a fling, which would
    swallow the next tap as a real phone does."""
    cdp = await page.context.new_cdp_session(page)
    start = time.time()

    async def send(kind: str, x: float, y: float, at: float) -> None:
        touches = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1}]
        await cdp.send(
            "Input.dispatchTouchEvent",
            {"type": kind, "touchPoints": touches, "timestamp": start + at},
        )

    await send("touchStart", *points[0], 0)
    for index, (x, y) in enumerate(points[1:], 1):
        await send("touchMove", x, y, 0.03 * index)
    rest = 0.03 * len(points) + 0.5
    await send("touchMove", *points[-1], rest)
    await send("touchEnd", *points[-1], rest + 0.01)
    await cdp.detach()


async def touch_pinch(page, centre: tuple[float, float], gap: float, to_gap: float) -> None:
    """Two fingers land `gap` apart around `centre` and spread to `to_gap`."""
    cdp = await page.context.new_cdp_session(page)
    start, (cx, cy) = time.time(), centre

    async def send(kind: str, half: float | None, at: float, fingers: int = 2) -> None:
        touches = []
        if half is not None:
            points = [{"x": cx - half, "y": cy, "id": 1}, {"x": cx + half, "y": cy, "id": 2}]
            touches = points[:fingers]
        await cdp.send(
            "Input.dispatchTouchEvent",
            {"type": kind, "touchPoints": touches, "timestamp": start + at},
        )

    await send("touchStart", gap / 2, 0, fingers=1)
    await send("touchStart", gap / 2, 0.02)
    for step in range(1, 9):
        await send("touchMove", (gap + (to_gap - gap) * step / 8) / 2, 0.02 + 0.03 * step)
    await send("touchMove", to_gap / 2, 0.8)
    await send("touchEnd", None, 0.81)
    await cdp.detach()
