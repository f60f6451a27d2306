"""`exterior-bot playground` as a real process, and what its page shows, for the browser tests."""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

from tests.support.proc import clean_env, start

URL = re.compile(r"playground: (http://127\.0\.0\.1:\d+/)")
# short sandbox timings: a result in about a second, the job card still seen first
FAST = {"EXTERIOR_SANDBOX_STARTING_SECONDS": "0.05", "EXTERIOR_SANDBOX_PROCESSING_SECONDS": "0.3"}


class Playground:
    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.proc: asyncio.subprocess.Process | None = None
        self.url = ""
        self.said = ""  # stdout so far

    async def start(self, timeout: float = 30) -> str:
        self.said = ""
        self.proc = await start(
            self.cwd, "playground", "--no-browser", "--port", "0", env=clean_env(**FAST)
        )
        async with asyncio.timeout(timeout):
            while not (found := URL.search(self.said)):
                line = await self.proc.stdout.readline()
                if not line:
                    err = await self.proc.stderr.read()
                    raise AssertionError(f"the playground exited: {self.said}{err.decode()}")
                self.said += line.decode()
        self.url = found[1]
        return self.url

    async def stop(self, timeout: float = 20) -> tuple[int | None, str]:
        """SIGTERM, as Ctrl-C would; (exit code, stderr)."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = await asyncio.wait_for(self.proc.communicate(), timeout)
        except TimeoutError:
            self.proc.kill()
            _, err = await self.proc.communicate()
        return self.proc.returncode, err.decode()


async def open_page(chromium, url: str, **device):
    """A new tab (its own context: its own "who am I") on the playground, once connected."""
    context = await chromium.new_context(**(device or {"viewport": {"width": 1280, "height": 800}}))
    page = await context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))
    response = await page.goto(url)
    assert response.status == 200
    await connected(page)
    return page


async def connected(page, who: str = "") -> None:
    await page.wait_for_function(
        "([who]) => document.getElementById('status').textContent.startsWith("
        "'connected as ' + who) && document.querySelector('#command option')",
        arg=[who],
        timeout=15000,
    )


def results(page):
    """Result cards: the bot's messages with a gallery."""
    return page.locator(".msg", has=page.locator(".gallery img"))


def private(page, words: str):
    return page.locator(".msg.is-ephemeral", has_text=words)


async def create(page, room_type: str, *, mask: bool = True) -> None:
    """/exterior create with the example photo (and its mask), one click each."""
    await page.click("#example-mask" if mask else "#example-photo")
    await page.wait_for_function("() => document.getElementById('opt-photo').files.length === 1")
    await page.get_by_label("type", exact=True).select_option(room_type)
    await page.get_by_role("button", name="Send", exact=True).click()


async def run_command(page, command: str) -> None:
    await page.get_by_label("command").select_option(label=command)
    await page.get_by_role("button", name="Send", exact=True).click()


async def numbers(page) -> list[str]:
    """Generation numbers of the result cards, oldest first ("#3")."""
    texts = await results(page).all_inner_texts()
    return [re.search(r"generation (#\d+)", t)[1] for t in texts]


async def image_loaded(locator) -> bool:
    return await locator.evaluate("img => img.complete && img.naturalWidth > 0")
