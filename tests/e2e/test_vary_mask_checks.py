"""A variation's new mask passes the same checks as create's, before any credit is spent."""

from __future__ import annotations

import pytest
from PIL import Image

from tests.support.files import png_bytes

from .exterior_env import exterior_bot
from .flow import create, is_result_of, started_id


@pytest.mark.asyncio
async def test_vary_with_an_empty_or_whole_mask_spends_nothing(
    emulator, bot_runner, sandbox, settings
):
    async with exterior_bot(bot_runner, settings):
        handle = await create(emulator, "POOL")
        row = started_id(await handle.wait_followup(timeout=10))
        await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
        for fill, says in [(0, "empty"), (255, "whole photo")]:
            handle = await emulator.slash_command(
                "exterior",
                {"generation": f"#{row}", "type": "TERRACE"},
                subcommand="vary",
                attachments={
                    "mask": ("m.png", png_bytes(Image.new("L", (512, 512), fill)), "image/png")
                },
            )
            assert says in (await handle.wait_followup(timeout=10))["content"]
        assert sandbox.state.calls["generate-variation"] == 0
        assert sandbox.state.calls["generate"] == 1
