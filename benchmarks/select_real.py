"""The studio's Select area on real photographs: how much of the open ground one tap takes.

Run from the repository root:  .venv/bin/python -m benchmarks.select_real [--taps N]
For every photo of tests/data/real/ and every part of its ground truth's open ground larger
than 5 % of the photo (a lawn split by a path has two), the label map of
`bot.images.regions.regions_of` is tapped where a person would tap (the point deepest inside the
part) and at N random points at least 12 map pixels inside it. Each tap takes one region; the
table gives its IoU with that part of the ground truth (for the random taps: the mean, and the
share reaching 0.85), and the time to compute the map.
Nothing leaves the machine; not part of the test suite (tests/unit/test_regions.py is).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
from PIL import Image
from scipy import ndimage

from bot.images.regions import regions_of

from .masks_real import DATA, load_truth, pairs

MIN_PART = 0.05  # parts of the open ground smaller than this share of the photo are skipped
INSIDE = 12  # random taps land at least this many map pixels inside the part
GOOD = 0.85  # the IoU a tap should reach (the studio's browser tests ask it of one tap)


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


def measure(taps: int, seed: int = 0) -> list[dict]:
    rows = []
    for photo, truth_path in pairs(DATA):
        started = time.perf_counter()
        labels = regions_of(photo.read_bytes())
        seconds = time.perf_counter() - started
        truth = load_truth(truth_path)
        small = np.asarray(
            Image.fromarray(truth).resize(labels.shape[::-1], Image.Resampling.NEAREST)
        )
        parts, count = ndimage.label(small)
        rng = np.random.default_rng(seed)
        for number in range(1, count + 1):
            part = parts == number
            if part.mean() < MIN_PART:
                continue
            depth = ndimage.distance_transform_edt(part)
            y, x = np.unravel_index(depth.argmax(), depth.shape)
            ys, xs = np.nonzero(depth > INSIDE)
            picks = rng.choice(len(ys), min(taps, len(ys)), replace=False) if len(ys) else []
            random_ = [_iou(labels == labels[ys[i], xs[i]], part) for i in picks]
            rows.append(
                {
                    "photo": photo.stem,
                    "part": f"{number} ({part.mean():.0%})",
                    "regions": int(labels.max()) + 1,
                    "middle": _iou(labels == labels[y, x], part),
                    "random_mean": statistics.fmean(random_) if random_ else float("nan"),
                    "random_good": statistics.fmean(v >= GOOD for v in random_)
                    if random_
                    else float("nan"),
                    "seconds": seconds,
                }
            )
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| photo | part (share) | regions | tap in the middle | random taps: mean | ≥ 0.85 | map |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['photo']} | {r['part']} | {r['regions']} | {r['middle']:.2f} | "
            f"{r['random_mean']:.2f} | {r['random_good']:.0%} | {r['seconds']:.2f} s |"
        )
    middles = [r["middle"] for r in rows]
    lines.append(
        f"| **all** | {len(rows)} parts | | mean {statistics.fmean(middles):.2f}, "
        f"min {min(middles):.2f} | | | |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.select_real")
    parser.add_argument("--taps", type=int, default=20, help="random taps per part")
    args = parser.parse_args(argv)
    print(table(measure(args.taps)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
