"""Images on 12 megapixels: validate and normalise a photo + mask; suggest an area; derive a mask
from a painted copy. Each operation runs in a fresh process, so its peak memory is its own.

    python -m benchmarks.images normalise [--megapixels 12]   # one operation, prints JSON
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import io
import json
import sys
import time
from pathlib import Path
from random import Random

from PIL import Image, ImageFilter

from .report import Row, pending, reset_peak_rss, rss_mb

REPEATS = 3
EXAMPLES = Path(__file__).resolve().parents[1] / "bot" / "examples"
OPERATIONS = {
    "normalise": ("a 12-MP JPEG + mask validated and normalised", "< 0.5 s"),
    "suggest": ("a suggested area (bot.images.masks.suggest_area)", "–"),
    "painted": ("a mask derived from a painted copy (bot.images.masks.derive_from_painted)", "–"),
    "regions": ("the studio's regions of a 12-MP JPEG (bot.images.regions.regions_of)", "< 1 s"),
    "regions-png": ("the studio's regions of a 12-MP PNG (bot.images.regions.regions_of)", "< 1 s"),
}
REAL_PHOTO = Path(__file__).resolve().parents[1] / "tests" / "data" / "real" / "desire-path.jpg"


def size_for(megapixels: float) -> tuple[int, int]:
    height = round((megapixels * 1e6 * 3 / 4) ** 0.5)
    return round(height * 4 / 3), height


def garden(megapixels: float) -> tuple[Image.Image, Image.Image]:
    """The example garden at 4:3 with camera-like grain, and its mask, at `megapixels`."""
    size = size_for(megapixels)
    base = Image.open(EXAMPLES / "camera.png").convert("RGB").resize(size, Image.Resampling.BICUBIC)
    grain = Image.effect_noise(size, 20).convert("RGB").filter(ImageFilter.GaussianBlur(0.7))
    photo = Image.blend(base, grain, 0.1)
    mask = Image.open(EXAMPLES / "camera-mask.png").convert("L").resize(size)
    return photo, mask


def encoded(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **({"quality": 92} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def run(operation: str, megapixels: float) -> dict:
    """Child process: prepare the inputs, then time only the operation."""
    photo, mask = garden(megapixels)
    if operation == "normalise":
        from bot.images.decode import prepare_pair

        photo_data, mask_data = encoded(photo, "JPEG"), encoded(mask, "PNG")
        photo = mask = None

        def call():
            return prepare_pair(photo_data, mask_data)
    elif operation.startswith("regions"):
        from bot.images.regions import regions_of

        # a real lawn photo at 12 MP (what a phone sends); the label map is computed on a
        # 640-pixel copy, so the time is mostly decoding and scaling
        big = Image.open(REAL_PHOTO).convert("RGB").resize(photo.size, Image.Resampling.BICUBIC)
        data = encoded(big, "PNG" if operation == "regions-png" else "JPEG")
        photo = mask = big = None

        def call():
            return regions_of(data)
    else:
        from bot.domain import RoomType
        from bot.images import masks
        from tests.support import gardens

        # The masks' own test gardens (lawn, hedges, a crown on the sky), scaled up.
        scene = gardens.garden(3)
        scale = photo.width / scene.photo.width
        photo = scene.photo.resize(photo.size, Image.Resampling.BICUBIC)
        outline = [(x * scale, y * scale) for x, y in gardens.blob(400, 430, 170, 100, Random(3))]
        mask = None
        if operation == "suggest":

            def call():
                return masks.suggest_area(photo, RoomType.POOL)
        else:
            painted = gardens.painted(photo, outline, "outline", (255, 0, 255), 40, Random(3))

            def call():
                return masks.derive_from_painted(photo, painted)

    gc.collect()
    before = rss_mb("VmRSS")
    reset_peak_rss()
    times = []
    for _ in range(REPEATS):  # the best of a few: other work shares these cores
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return {
        "megapixels": megapixels,
        "ms": round(min(times) * 1000, 1),
        "median_ms": round(sorted(times)[len(times) // 2] * 1000, 1),
        "peak_rss_mb": round(rss_mb(), 1),
        "added_peak_mb": round(rss_mb() - before, 1),
    }


async def measure(megapixels: float) -> list[Row]:
    rows = []
    for operation, (what, target) in OPERATIONS.items():
        what = what.replace("12-MP", f"{megapixels:g}-MP")
        section = f"images, {megapixels:g} MP"
        if operation != "normalise" and importlib.util.find_spec("bot.images.masks") is None:
            rows.append(pending(section, what, "bot/images/masks.py has not landed on this branch"))
            continue
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.images", operation, "--megapixels", str(megapixels),
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, _ = await proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"images benchmark {operation} failed ({proc.returncode})")
        f = json.loads(out.decode().strip().splitlines()[-1])
        limits = {"normalise": 500, "regions": 1000, "regions-png": 1000}
        ok = f["ms"] < limits[operation] if operation in limits else None
        result = (
            f"{f['ms']:.0f} ms (best of {REPEATS}; median {f['median_ms']:.0f} ms), "
            f"peak RSS {f['peak_rss_mb']:.0f} MB "
            f"(+{f['added_peak_mb']:.0f} MB over the process with its inputs)"
        )
        rows.append(Row(section, what, result, target, ok, f))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.images")
    parser.add_argument("operation", choices=sorted(OPERATIONS))
    parser.add_argument("--megapixels", type=float, default=12.0)
    args = parser.parse_args()
    print(json.dumps(run(args.operation, args.megapixels)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
