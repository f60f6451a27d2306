"""Through the Discord emulator: command -> first reply, and API done -> result posted.

The real bot (core + cogs, unmodified discord.py) talks to the Discord-protocol emulator in
bot/runtime/emulator and to the sandbox API, all on 127.0.0.1, in real time, with webhooks.
Photos are 2 megapixels, so each result the bot downloads and re-posts is 2 MP too.
"""

from __future__ import annotations

import asyncio
import io
import random
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageFilter

from bot.api.sandbox.server import running_sandbox
from bot.api.sandbox.state import SandboxConfig
from bot.runtime.app import discord_pointed_at
from bot.runtime.emulator import DiscordEmulator
from tests.e2e.exterior_env import exterior_bot, settings_for
from tests.e2e.flow import EXAMPLES, create, is_result_of, started_id
from tests.e2e.runner import BotRunner

from .report import Row, percentile

SIZE = (1632, 1224)  # 2.0 MP


def two_megapixel_pair() -> tuple[bytes, bytes]:
    """The example garden and its mask at 2 MP, with grain so the PNG is realistically large."""
    rng = random.Random(2)
    base = Image.open(EXAMPLES / "camera.png").convert("RGB").resize(SIZE, Image.Resampling.LANCZOS)
    grain = Image.effect_noise(SIZE, 24).convert("RGB").filter(ImageFilter.GaussianBlur(0.6))
    photo = Image.blend(base, grain, 0.12 + rng.random() * 0.01)
    mask = Image.open(EXAMPLES / "camera-mask.png").convert("L").resize(SIZE)
    out = []
    for image, fmt in ((photo, "JPEG"), (mask, "PNG")):
        buffer = io.BytesIO()
        image.save(buffer, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
        out.append(buffer.getvalue())
    return out[0], out[1]


async def measure(commands: int) -> list[Row]:
    photo, mask = two_megapixel_pair()
    first_reply, started, posted = [], [], []
    config = SandboxConfig(starting_seconds=0.3, processing_seconds=1.5, credits=1000)
    emulator = DiscordEmulator()
    await emulator.start()
    try:
        with (
            discord_pointed_at(emulator.api_url, emulator.ws_url),
            tempfile.TemporaryDirectory(prefix="bench-discord-") as tmp,
        ):
            async with (
                running_sandbox(config) as sandbox,
                BotRunner(emulator) as runner,
                exterior_bot(
                    runner, settings_for(emulator, sandbox, Path(tmp) / "bot.sqlite3")
                ) as (_bot, core),
            ):
                waits = []
                for _ in range(commands):
                    handle = await create(
                        emulator, "POOL", photo=photo, mask=mask
                    )  # fmt: skip
                    reply = await handle.wait_response(timeout=10)
                    first_reply.append(reply.at - handle.created_at)
                    row = started_id(await handle.wait_followup(timeout=30))
                    started.append(time.monotonic() - handle.created_at)
                    waits.append(asyncio.create_task(_posted(emulator, core, sandbox, row)))
                    await asyncio.sleep(0.2)  # people do not type that fast
                posted = await asyncio.gather(*waits)
    finally:
        await emulator.stop()
    return [
        _row("command → first reply", first_reply, "< 300 ms p95", 0.300),
        _row('command → "Started generation #N" (photo checked, API called)', started),
        _row("API done → result posted (2 MP)", posted, "< 1.5 s p95", 1.5),
    ]


async def _posted(emulator, core, sandbox, row: int) -> float:
    await emulator.wait_for_message(predicate=is_result_of(row), timeout=60)
    seen = time.time()
    gen = await core.generations.get(row)
    return seen - sandbox.state.generations[gen.generation_id].ended_at


def _row(what: str, seconds: list[float], target: str = "–", limit: float | None = None) -> Row:
    p50, p95 = percentile(seconds, 50), percentile(seconds, 95)
    figures = {"samples": len(seconds), "p50_ms": round(p50 * 1000), "p95_ms": round(p95 * 1000)}
    result = f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms ({len(seconds)} commands)"
    ok = None if limit is None else p95 < limit
    return Row("Discord (emulator)", what, result, target, ok, figures)
