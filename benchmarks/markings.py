"""Painted copies of a photo made from a ground truth, as a person with a phone would mark them.

Not kind on purpose: a finger's strokes vary in width along their length, overlap, leave gaps
between them and stop short of the edge or overshoot it; an outline wobbles about the area's
edge, is drawn in two or three strokes with gaps where the finger lifted, and runs off the
photo wherever the area goes on past the photo's edge; a highlighter is translucent, of any
strength and colour. Everything is drawn at the photo's own size from a seeded generator, so a
photo's copies never change when the set grows.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage
from skimage import measure

MARKER = (255, 0, 200)  # a phone markup tool's magenta
HIGHLIGHTERS = (  # (colour, alpha): weak to nearly opaque, three colours
    ((255, 235, 0), 0.15),
    ((255, 90, 200), 0.3),
    ((80, 255, 60), 0.5),
    ((255, 235, 0), 0.9),
)


def pen(size: tuple[int, int]) -> float:
    """A finger's width on the photo: about 1.2 % of the short side, at least 3 px."""
    return max(3.0, min(size) * 0.012)


def grown(truth: np.ndarray, share: float) -> np.ndarray:
    """The area grown outwards (the same shape, rounded) until it covers `share` of the photo:
    an intended area larger than the ground truth, with the truth's own edges cut by the photo's."""
    if truth.mean() >= share:
        return truth
    distance = ndimage.distance_transform_edt(~truth)
    return distance <= np.quantile(distance, share)


def _wiggle(count: int, rng: np.random.Generator, period: float) -> np.ndarray:
    """A smooth random curve of `count` samples in about [-1, 1], changing every `period`."""
    knots = rng.uniform(-1, 1, max(2, int(count / max(period, 1.0)) + 2))
    return np.interp(np.linspace(0, len(knots) - 1, count), np.arange(len(knots)), knots)


def _stroke(draw: ImageDraw.ImageDraw, points: np.ndarray, widths: np.ndarray) -> None:
    """A stroke whose width changes along it: segments with round joints."""
    for (x0, y0), (x1, y1), w in zip(points[:-1], points[1:], widths[:-1], strict=True):
        draw.line([(x0, y0), (x1, y1)], fill=255, width=max(1, round(w)))
    for (x, y), w in zip(points, widths, strict=True):
        r = w / 2
        draw.ellipse((x - r, y - r, x + r, y + r), fill=255)


def _resampled(points: np.ndarray, step: float) -> np.ndarray:
    """The polyline with a point every `step` pixels."""
    lengths = np.r_[0, np.cumsum(np.hypot(*np.diff(points, axis=0).T))]
    if lengths[-1] < step:
        return points
    at = np.arange(0, lengths[-1], step)
    return np.column_stack([np.interp(at, lengths, points[:, i]) for i in (0, 1)])


def paint(photo: Image.Image, where: np.ndarray, colour=MARKER) -> Image.Image:
    copy = photo.convert("RGB")
    copy.paste(colour, mask=Image.fromarray(where.astype(np.uint8) * 255))
    return copy


def scribble(photo: Image.Image, truth: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Where a finger's zigzag over the area paints: rows at a slant, 0.7-1.7 strokes apart
    (overlapping or leaving gaps up to 0.7 of a stroke), each row spanning the area from side
    to side (over any gap inside it, which the person then avoids: strokes stop half a stroke
    past the area's edge), ends short of the edge now and then, the finger lifted now and then,
    the width ±30 % along the way."""
    width = pen(photo.size)
    w, h = photo.size
    layer = Image.new("L", photo.size, 0)
    draw = ImageDraw.Draw(layer)
    angle = rng.uniform(-0.35, 0.35)
    along = np.array([math.cos(angle), math.sin(angle)])
    across = np.array([-along[1], along[0]])
    ys, xs = np.nonzero(truth)
    if not len(xs):
        return truth
    points = np.column_stack([xs, ys]).astype(float)
    offsets = points @ across
    reach = math.hypot(w, h)
    v = offsets.min() + width / 2
    previous = None
    while v <= offsets.max():
        row = np.abs(offsets - v) < 0.5
        if row.any():
            t = points[row] @ along
            short = rng.uniform(0, 1.5 * width, 2) * (rng.random(2) < 0.3)
            ends = [t.min() + short[0], t.max() - short[1]]
            if previous is not None and previous[1] % 2:
                ends.reverse()
            line = np.array([e * along + v * across for e in ends])
            if previous is not None and rng.random() > 0.15:  # the turn, unless lifted
                line = np.vstack([previous[0], line])
            line = _resampled(line, width)
            widths = width * (1 + 0.3 * _wiggle(len(line), rng, 6))
            _stroke(draw, line, widths)
            previous = (line[-1], (previous[1] + 1) if previous else 1)
        v += width * rng.uniform(0.7, 1.7)
        if v > reach:
            break
    near = ndimage.distance_transform_edt(~truth) <= width / 2
    return (np.asarray(layer) > 0) & near


def outline(
    photo: Image.Image, truth: np.ndarray, rng: np.random.Generator, off_edges: bool
) -> np.ndarray:
    """Where a finger tracing the area's edge paints: the pen's middle wobbling about the edge
    (±0.3 of a stroke), the width ±30 %, two or three strokes with gaps of 1-3 strokes where
    the finger lifted. With `off_edges` the area goes on past the photo wherever it touches
    the photo's edge, so the stroke runs off the photo there instead of along its edge."""
    width = pen(photo.size)
    margin = round(3 * width)
    mode = "edge" if off_edges else "constant"
    padded = np.pad(truth, margin, mode=mode)
    layer = Image.new("L", padded.shape[::-1], 0)
    draw = ImageDraw.Draw(layer)
    for contour in measure.find_contours(padded.astype(np.float32), 0.5):
        xy = contour[:, ::-1]
        closed = bool(np.allclose(xy[0], xy[-1]))  # an open one runs off the padded margin
        length = float(np.hypot(*np.diff(xy, axis=0).T).sum())
        if (_polygon_area(xy) < 0.005 * truth.size) if closed else (length < 20 * width):
            continue  # trunks and specks: nobody traces them
        xy = _resampled(xy, width / 2)
        normal = np.gradient(xy, axis=0)[:, ::-1] * (1, -1)
        normal /= np.maximum(np.hypot(*normal.T), 1e-6)[:, None]
        xy = xy + normal * (0.3 * width * _wiggle(len(xy), rng, 20))[:, None]
        widths = width * (1 + 0.3 * _wiggle(len(xy), rng, 12))
        for piece in _lifted(len(xy), rng, closed):
            _stroke(draw, xy[piece], widths[piece])
    return (np.asarray(layer) > 0)[margin:-margin, margin:-margin]


def _lifted(count: int, rng: np.random.Generator, closed: bool) -> list[np.ndarray]:
    """The outline's samples (half a stroke apart) split into 2-3 strokes with gaps; a closed
    one starts anywhere on its way round."""
    start = int(rng.integers(count)) if closed else 0
    pieces = int(rng.integers(2, 4))
    cuts = sorted(rng.choice(count, pieces - 1, replace=False).tolist()) if count > 8 else []
    bounds = [0, *cuts, count]
    out = []
    for a, b in itertools.pairwise(bounds):
        gap = int(rng.uniform(2, 6))  # 1-3 strokes, in half-stroke samples
        out.append(slice(a, max(a + 1, b - gap)))
    return [(np.arange(s.start, s.stop) + start) % count for s in out]


def _polygon_area(xy: np.ndarray) -> float:
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


def highlighter(photo: Image.Image, truth: np.ndarray, colour, alpha: float) -> Image.Image:
    """A translucent highlighter of `colour` at `alpha` over the whole area."""
    base = photo.convert("RGB")
    veil = Image.fromarray((truth * round(255 * alpha)).astype(np.uint8))
    return Image.composite(Image.new("RGB", base.size, colour), base, veil)
