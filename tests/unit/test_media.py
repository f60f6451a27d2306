"""Results larger than the server's upload limit are re-encoded to fit."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from cogs.shared.media import fit


def noisy_png(size=(600, 400)) -> bytes:
    rng = random.Random(1)
    image = Image.frombytes(
        "RGB", size, bytes(rng.randrange(256) for _ in range(size[0] * size[1] * 3))
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.mark.asyncio
async def test_small_results_are_posted_unchanged():
    data = noisy_png((50, 40))
    assert await fit(data, "r.png", len(data)) == (data, "r.png")


@pytest.mark.asyncio
async def test_large_results_become_a_jpeg_under_the_limit():
    data = noisy_png()
    limit = len(data) // 4
    smaller, name = await fit(data, "exterior-1-0.png", limit)
    assert name == "exterior-1-0.jpg" and len(smaller) <= limit
    assert Image.open(io.BytesIO(smaller)).format == "JPEG"
