"""Dev script: the README's picture of the playground (docs/playground.png).

    python -m tests.e2e.show_playground docs/playground.png

Starts `exterior-bot playground` in a temporary directory, runs /exterior create with the
example photo and its mask in headless Chromium, and photographs the channel once the result
card is posted.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from playwright.async_api import expect

from .playground_proc import Playground, create, open_page, results
from .studio_browser import browser


async def photograph(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        playground = Playground(Path(tmp))
        await playground.start()
        try:
            async with browser() as chromium:
                page = await open_page(
                    chromium, playground.url, viewport={"width": 1280, "height": 960}
                )
                await create(page, "POOL")
                card = results(page).first
                await expect(card).to_be_visible(timeout=30_000)
                await expect(page.locator(".embed", has_text="Done")).to_be_visible(timeout=30_000)
                await page.wait_for_timeout(500)  # the picture decoded, the list scrolled
                await page.screenshot(path=str(out))
        finally:
            await playground.stop()


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "playground.png").resolve()
    asyncio.run(photograph(out))
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
