"""The mask algorithms on real photographs: the suggested area and the painted copy.

Run from the repository root:  .venv/bin/python -m benchmarks.masks_real [--quick] [--json F]
Reads the photos and ground truths in tests/data/real/ (see PROVENANCE.md there), runs the
CURRENT algorithms unchanged and prints markdown tables: per photo and overall IoU, precision
and recall of

- the suggestion: `bot.images.masks.suggest(photo, RoomType.TERRACE)`, the open ground, and
  whether the preview would call it sure; the POOL and PETANQUE shapes drawn on it, as the
  share of each shape that lies on true open ground;
- the painted derivation `bot.images.masks.derive_from_painted(photo, copy)` for copies marked
  from the ground truth as a person would: filled scribbles with gaps, a closed outline, an
  outline running off the photo's left and right edges, a translucent highlighter, and the
  scribbled copy sent back at 60 % of the size as a JPEG of quality 70.

A refused input (an ImageError) counts as IoU 0 and is listed with its sentence. Nothing leaves
the machine; not part of the test suite (tests/unit/test_real_photos.py checks the data set).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

from bot.domain import RoomType
from bot.images import masks
from tests.support.gardens import jpeg

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "real"
QUICK = 4  # photos in --quick
MARKER = (255, 0, 200)  # a phone markup tool's magenta
HIGHLIGHTER = (255, 235, 0)  # and its yellow highlighter
HIGHLIGHTER_ALPHA = 0.4

SUGGESTION = "suggestion"
SHAPES = (RoomType.POOL, RoomType.PETANQUE)  # drawn on the ground found: how much is on it
STYLES = ("scribble", "outline closed", "outline off edges", "highlighter", "60 % + JPEG 70")


@dataclass
class Score:
    iou: float
    precision: float
    recall: float
    refused: str | None = None  # the sentence, when the input was refused

    @property
    def cell(self) -> str:
        return "refused" if self.refused else f"{self.iou:.2f}"


@dataclass
class Photo:
    name: str
    size: tuple[int, int]
    open_share: float  # share of the photo that is open ground in the ground truth
    scores: dict[str, Score] = field(default_factory=dict)
    sure: bool | None = None  # what the preview would say (None: nothing suggested)
    on_ground: dict[str, float] = field(default_factory=dict)  # POOL/PETANQUE: share on truth


def pairs(directory: Path = DATA) -> list[tuple[Path, Path]]:
    """(photo, ground truth) for every photo in the set: NAME.jpg beside NAME.mask.png."""
    return [(p, p.with_suffix(".mask.png")) for p in sorted(directory.glob("*.jpg"))]


def load_truth(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("L")) > 127


def score(predicted: Image.Image, truth: np.ndarray) -> Score:
    mask = np.asarray(predicted.convert("L").resize(truth.shape[::-1])) > 127
    inter = float((mask & truth).sum())
    union = float((mask | truth).sum())
    return Score(
        iou=inter / union if union else 0.0,
        precision=inter / mask.sum() if mask.sum() else 0.0,
        recall=inter / truth.sum() if truth.sum() else 0.0,
    )


def attempt(call: Callable[[], Image.Image], truth: np.ndarray) -> Score:
    try:
        return score(call(), truth)
    except masks.ImageError as exc:
        return Score(0.0, 0.0, 0.0, refused=str(exc))


def _suggested(photo: Image.Image, found: list) -> Image.Image:
    mask, what = masks.suggest(photo, RoomType.TERRACE)
    found.append(what)
    return mask


def on_truth(photo: Image.Image, room_type: RoomType, truth: np.ndarray) -> float:
    """The share of a suggested POOL or PETANQUE shape that lies on true open ground (0 when
    nothing is suggested)."""
    try:
        shape = masks.suggest_area(photo, room_type)
    except masks.ImageError:
        return 0.0
    drawn = np.asarray(shape.convert("L").resize(truth.shape[::-1])) > 127
    return float((drawn & truth).sum() / drawn.sum()) if drawn.any() else 0.0


# -- simulated markings, made from the ground truth ------------------------------------------


def _pen(size: tuple[int, int]) -> int:
    """A finger's width on the photo: about 1.2 % of the short side, at least 3 px."""
    return max(3, round(min(size) * 0.012))


def _band(truth: np.ndarray, width: int, open_sides: bool) -> np.ndarray:
    """A stroke of `width` along the edge of the area; with `open_sides` the area goes on past
    the photo's left and right edges, so the stroke runs off them instead of along them."""
    half = max(1, width // 2)
    area = np.pad(truth, ((half + 1, half + 1), (half + 1, half + 1)), mode="constant")
    if open_sides:
        area[:, : half + 1] = area[:, half + 1 : half + 2]
        area[:, -(half + 1) :] = area[:, -(half + 2) : -(half + 1)]
    edge = area & ~ndimage.binary_erosion(area)
    band = ndimage.binary_dilation(edge, iterations=half)
    return band[half + 1 : -(half + 1), half + 1 : -(half + 1)]


def _gap(band: np.ndarray, rng: np.random.Generator, share: float = 0.02) -> np.ndarray:
    """Leave a short stretch of the stroke unpainted, where the finger started and stopped."""
    ys, xs = np.nonzero(band)
    if not len(ys):
        return band
    i = rng.integers(len(ys))
    radius = max(2.0, share * math.sqrt(band.shape[0] * band.shape[1]))
    out = band.copy()
    near = (ys - ys[i]) ** 2 + (xs - xs[i]) ** 2 < radius**2
    out[ys[near], xs[near]] = False
    return out


def _paint(photo: Image.Image, where: np.ndarray, colour=MARKER) -> Image.Image:
    copy = photo.convert("RGB")
    copy.paste(colour, mask=Image.fromarray(where.astype(np.uint8) * 255))
    return copy


def scribble(photo: Image.Image, truth: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """Zigzag strokes across the area, as wide as a finger, with unpainted gaps between them
    (every other gap about half a stroke wide) and the strokes' ends short of the edge now
    and then."""
    width = _pen(photo.size)
    layer = Image.new("L", photo.size, 0)
    draw = ImageDraw.Draw(layer)
    rows = np.flatnonzero(truth.any(axis=1))
    if not len(rows):
        return photo.convert("RGB")
    y, previous = float(rows[0]), None
    step = 0
    while y <= rows[-1]:
        inside = np.flatnonzero(truth[int(y)])
        if inside.size:
            short = rng.uniform(0, 2 * width, 2) if rng.random() < 0.3 else (0, 0)
            ends = [(inside[0] + short[0], y), (inside[-1] - short[1], y)]
            if step % 2:
                ends.reverse()
            if previous is not None:
                draw.line([previous, ends[0]], fill=255, width=width)
            draw.line(ends, fill=255, width=width)
            previous = ends[1]
        y += width * (1.0 if step % 2 else 1.5)
        step += 1
    strokes = (np.asarray(layer) > 0) & ndimage.binary_dilation(truth, iterations=width // 2)
    return _paint(photo, strokes)


def outline(photo: Image.Image, truth: np.ndarray, rng, open_sides: bool) -> Image.Image:
    width = _pen(photo.size)
    return _paint(photo, _gap(_band(truth, width, open_sides), rng))


def highlighter(photo: Image.Image, truth: np.ndarray) -> Image.Image:
    """A translucent highlighter over the whole area (a flat colour at 40 %)."""
    base = photo.convert("RGB")
    veil = Image.fromarray((truth * round(255 * HIGHLIGHTER_ALPHA)).astype(np.uint8))
    return Image.composite(Image.new("RGB", base.size, HIGHLIGHTER), base, veil)


def smaller(copy: Image.Image) -> Image.Image:
    size = (round(copy.width * 0.6), round(copy.height * 0.6))
    return jpeg(copy.resize(size, Image.Resampling.BILINEAR), 70)


def markings(photo: Image.Image, truth: np.ndarray, seed: int) -> dict[str, Image.Image]:
    rng = np.random.default_rng(seed)
    scribbled = scribble(photo, truth, rng)
    return {
        "scribble": jpeg(scribbled, 90),  # a markup tool saves a JPEG
        "outline closed": jpeg(outline(photo, truth, rng, open_sides=False), 90),
        "outline off edges": jpeg(outline(photo, truth, rng, open_sides=True), 90),
        "highlighter": jpeg(highlighter(photo, truth), 90),
        "60 % + JPEG 70": smaller(scribbled),
    }


# -- the run ---------------------------------------------------------------------------------


def measure(chosen: list[tuple[Path, Path]]) -> list[Photo]:
    results = []
    for photo_path, truth_path in chosen:
        # each photo's own seed: adding a photo to the set never changes another's figures
        seed = zlib.crc32(photo_path.name.encode())
        photo = Image.open(photo_path)
        photo.load()
        photo = photo.convert("RGB")
        truth = load_truth(truth_path)
        entry = Photo(photo_path.stem, photo.size, float(truth.mean()))
        found: list = []
        entry.scores[SUGGESTION] = attempt(lambda p=photo, f=found: _suggested(p, f), truth)
        entry.sure = found[0].sure if found else None
        for room_type in SHAPES:
            entry.on_ground[room_type.value] = on_truth(photo, room_type, truth)
        for style, copy in markings(photo, truth, seed).items():
            entry.scores[style] = attempt(
                lambda p=photo, c=copy: masks.derive_from_painted(p, c), truth
            )
        results.append(entry)
    return results


def _mean(values: list[float]) -> str:
    return f"{statistics.fmean(values):.3f}" if values else "–"


def per_photo_table(results: list[Photo]) -> str:
    header = ["photo", "size", "open", "suggestion IoU", "P", "R", "sure", "POOL on", "court on",
              *STYLES]  # fmt: skip
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for r in results:
        s = r.scores[SUGGESTION]
        cells = [
            r.name,
            f"{r.size[0]}x{r.size[1]}",
            f"{r.open_share:.0%}",
            s.cell,
            f"{s.precision:.2f}",
            f"{s.recall:.2f}",
            {True: "yes", False: "no", None: "–"}[r.sure],
            *(f"{r.on_ground[t.value]:.0%}" for t in SHAPES),
            *(r.scores[style].cell for style in STYLES),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary_table(results: list[Photo]) -> str:
    header = ["what", "mean IoU", "median IoU", "worst IoU", "precision", "recall", "refused"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for what in (SUGGESTION, *STYLES):
        scores = [r.scores[what] for r in results]
        ious = [s.iou for s in scores]
        worst = min(range(len(scores)), key=lambda i: ious[i])
        refused = sum(1 for s in scores if s.refused)
        label = "suggested area (TERRACE)" if what == SUGGESTION else f"painted: {what}"
        cells = [
            label,
            _mean(ious),
            f"{statistics.median(ious):.3f}",
            f"{ious[worst]:.3f} ({results[worst].name})",
            _mean([s.precision for s in scores]),
            _mean([s.recall for s in scores]),
            f"{refused} of {len(scores)}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def shapes_table(results: list[Photo]) -> str:
    header = "| shape on the suggested ground | mean on true ground | worst | unsure previews |"
    lines = [header, "|---|---|---|---|"]
    unsure = sum(1 for r in results if r.sure is not True)
    for room_type in SHAPES:
        shares = [r.on_ground[room_type.value] for r in results]
        worst = min(range(len(shares)), key=lambda i: shares[i])
        lines.append(
            f"| {room_type.value} | {statistics.fmean(shares):.0%} | "
            f"{shares[worst]:.0%} ({results[worst].name}) | {unsure} of {len(results)} |"
        )
    return "\n".join(lines)


def refusals(results: list[Photo]) -> list[str]:
    return [
        f"- {r.name} ({what}, open ground {r.open_share:.0%}): {s.refused}"
        for r in results
        for what, s in r.scores.items()
        if s.refused
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.masks_real")
    parser.add_argument("--quick", action="store_true", help=f"the first {QUICK} photos only")
    parser.add_argument("--data", type=Path, default=DATA, help="folder of NAME.jpg + .mask.png")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    chosen = pairs(args.data)
    if not chosen:
        parser.error(f"no photos in {args.data}")
    if args.quick:
        chosen = chosen[:QUICK]
    started = time.monotonic()
    results = measure(chosen)
    wall = time.monotonic() - started
    print(f"## Real photos: {len(results)} from {args.data}\n")
    print(summary_table(results))
    print()
    print(shapes_table(results))
    print("\n### Per photo (IoU; P / R of the suggestion)\n")
    print(per_photo_table(results))
    refused = refusals(results)
    if refused:
        print("\n### Refused\n")
        print("\n".join(refused))
    print(f"\nWall time {wall:.1f} s for {len(results)} photos.")
    if args.json:
        figures = {
            r.name: {k: vars(s) for k, s in r.scores.items()}
            | {"open_share": r.open_share, "sure": r.sure, "on_ground": r.on_ground}
            for r in results
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
