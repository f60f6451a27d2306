"""How long the mask algorithms take on a phone-sized photo (4032x3024, 12 megapixels).

Run from the repository root:  .venv/bin/python -m benchmarks.masks
Composes a garden (tests/support/gardens.py), scales it up, and times each step a preview needs.
Not part of the test suite.
"""

from __future__ import annotations

import random
import statistics
import time

from PIL import Image

from bot.domain import RoomType
from bot.images import masks
from tests.support.gardens import blob, garden, iou, painted, region

PHONE = (4032, 3024)
RUNS = 5


def timed(label: str, call):
    seconds = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - start)
    print(f"{label:<30} median {statistics.median(seconds):6.3f} s  max {max(seconds):6.3f} s")
    return result


def main() -> None:
    g = garden(3)
    photo = g.photo.resize(PHONE, Image.Resampling.BICUBIC)
    lawn = g.lawn.resize(PHONE)
    scale = PHONE[0] / g.photo.width
    outline = [(x * scale, y * scale) for x, y in blob(400, 430, 170, 100, random.Random(3))]
    copy = painted(photo, outline, "outline", (255, 0, 255), 40, random.Random(3))
    print(f"photo {PHONE[0]}x{PHONE[1]}, {RUNS} runs each")
    for room_type in RoomType:
        timed(f"suggest_area {room_type.value}", lambda r=room_type: masks.suggest_area(photo, r))
    terrace = masks.suggest_area(photo, RoomType.TERRACE)
    print(f"  TERRACE suggestion IoU against the lawn: {iou(terrace, lawn):.3f}")
    mask = timed("derive_from_painted", lambda: masks.derive_from_painted(photo, copy))
    print(f"  painted IoU: {iou(mask, region(PHONE, outline)):.3f}")
    timed("draw_overlay (full size)", lambda: masks.draw_overlay(photo, mask))
    timed("preview_jpeg (1600 px)", lambda: masks.preview_jpeg(photo, mask))


if __name__ == "__main__":
    main()
