"""Dev script: run the real bot against the emulator and the sandbox, then draw what a team
sees (job cards, result cards, a private Before / after, the family) as a PNG.

    python -m tests.e2e.show_cards /tmp/cards.png

Uses headless Chromium (`chromium` on PATH) to photograph the generated HTML page.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bot.api.sandbox.server import running_sandbox
from bot.api.sandbox.state import SandboxConfig
from bot.runtime.app import discord_pointed_at
from bot.runtime.emulator import DiscordEmulator
from bot.runtime.emulator.html import page

from .exterior_env import exterior_bot, settings_for
from .flow import create, is_result_of, started_id
from .runner import BotRunner


async def scenario(workdir: Path) -> str:
    config = SandboxConfig(starting_seconds=0.05, processing_seconds=0.4, images_per_generation=2)
    async with DiscordEmulator() as emulator, running_sandbox(config) as sandbox:
        with discord_pointed_at(emulator.api_url, emulator.ws_url):
            settings = settings_for(emulator, sandbox, workdir / "bot.sqlite3")
            async with BotRunner(emulator) as runner, exterior_bot(runner, settings):
                handle = await create(emulator, "POOL")
                row = started_id(await handle.wait_followup(timeout=10))
                card = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
                click = await emulator.click_button(card, f"exterior:vary:{row}:TERRACE")
                var_row = started_id(await click.wait_followup(timeout=10))
                await emulator.wait_for_message(predicate=is_result_of(var_row), timeout=10)
                compare = await emulator.click_button(card, f"exterior:card:compare:{row}")
                private = await compare.wait_followup(timeout=10)
                family = await emulator.click_button(card, f"exterior:card:family:{row}")
                lineage = await family.wait_followup(timeout=10)
                show = await emulator.slash_command(
                    "exterior", {"generation": str(var_row)}, subcommand="show"
                )
                await show.wait_followup(timeout=10)
                sandbox.state.config.processing_seconds = 30  # one still running: a live card
                await create(emulator, "PETANQUE")
                await asyncio.sleep(1.5)
                return page(emulator, [*emulator.messages_in(), private, lineage])


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "cards.png").resolve()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("error: chromium is not installed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        document = Path(tmp) / "cards.html"
        document.write_text(asyncio.run(scenario(Path(tmp))), encoding="utf-8")
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--screenshot={out}", "--window-size=900,4200", document.as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
