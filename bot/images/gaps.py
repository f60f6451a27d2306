"""Joining the loose ends of outlines: where a finger lifted and went on, or stopped short of
the photo's edge it meant to run off.

A loose end is the end of a stroke's middle line. It is joined to another loose end, or to the
photo's edge, in the order of a cost: the distance, made longer when the two ends do not point
at each other (a loose end goes on the way its stroke was heading; the two sides of a sharp
corner point the same way, and the two ends of one short piece point away from each other):
never when they point away from each other. A loose end with no other end near may have
stopped short of a stroke (most often the outline's own start): it is joined to the stroke
ahead of it."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage
from skimage.morphology import skeletonize

REACH = 8.0  # pen widths: how far a loose end is joined to another
MIN_REACH = 0.05  # the same, as a share of the short side, for thin pens
EDGE_REACH = 6.0  # pen widths: a stroke that ends this near the photo's edge runs off it
HEADING = 2.0  # pen widths of middle line behind a loose end that give its heading
MAX_ENDS = 400
AWAY = 2.2  # mean bend beyond which two ends point away from each other: never joined
STROKE = 1.3  # a stroke ahead counts this much farther than a loose end as far
CONE = np.radians([-20, -10, 0, 10, 20])  # the rays cast ahead of a loose end

_EIGHT = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def bridges(lines: np.ndarray, width: float) -> np.ndarray:
    """Strokes `width` wide joining the loose ends of `lines` (bool), as a bool array."""
    ends, headings = loose_ends(lines, width)
    h, w = lines.shape
    reach = max(REACH * width, MIN_REACH * min(h, w))
    candidates = []
    for i, (y, x) in enumerate(ends):
        edges = (
            (y, (0, x), (-1, 0)),
            (h - 1 - y, (h - 1, x), (1, 0)),
            (x, (y, 0), (0, -1)),
            (w - 1 - x, (y, w - 1), (0, 1)),
        )
        d, target, towards = min(edges)
        if d <= EDGE_REACH * width:
            cost = d * _bend(headings[i], np.array(towards, dtype=float))
            candidates.append((cost, i, -1, target))
        for j in range(i + 1, len(ends)):
            step = (ends[j] - ends[i]).astype(float)
            d = float(np.hypot(*step))
            if d == 0 or d > reach:
                continue
            bend = (_bend(headings[i], step / d) + _bend(headings[j], -step / d)) / 2
            if bend <= AWAY:
                candidates.append((d * bend, i, j, tuple(ends[j])))
        hit = _ahead(lines, ends[i], headings[i], reach)
        if hit is not None:  # a stroke stopped short of another (of its own start, often)
            candidates.append((STROKE * hit[0], i, -2, hit[1]))
    layer = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(layer)
    used: set[int] = set()
    for cost, i, j, (ty, tx) in sorted(candidates):
        if cost > (EDGE_REACH * width if j < 0 else reach) or i in used or j in used:
            continue
        used.update((i, j) if j >= 0 else (i,))  # the edge and strokes take any number
        y, x = ends[i]
        draw.line([(x, y), (tx, ty)], fill=255, width=max(1, round(width)))
    return np.asarray(layer) > 0


def _ahead(lines: np.ndarray, end: np.ndarray, heading: np.ndarray, reach: float):
    """(distance, (y, x)) of the nearest stroke pixel ahead of a loose end (within a cone
    about its heading, past the gap that follows its own stroke), or None."""
    if not heading.any():
        return None
    h, w = lines.shape
    best = None
    steps = np.arange(1, int(reach) + 1, dtype=float)
    for angle in CONE:
        c, s = np.cos(angle), np.sin(angle)
        way = np.array([c * heading[0] - s * heading[1], s * heading[0] + c * heading[1]])
        ys = np.round(end[0] + steps * way[0]).astype(int)
        xs = np.round(end[1] + steps * way[1]).astype(int)
        inside = (ys >= 0) & (ys < h) & (xs >= 0) & (xs < w)
        ys, xs = ys[inside], xs[inside]
        on = lines[ys, xs]
        off = np.flatnonzero(~on)
        if not len(off):
            continue
        again = np.flatnonzero(on[off[0] :])
        if len(again):
            k = off[0] + again[0]
            d = float(np.hypot(ys[k] - end[0], xs[k] - end[1]))
            if best is None or d < best[0]:
                best = (d, (int(ys[k]), int(xs[k])))
    return best


def _bend(heading: np.ndarray, towards: np.ndarray) -> float:
    """1 when a loose end heads straight at its target, 2 across, 3 away from it."""
    return 2.0 - float(np.dot(heading, towards))


def loose_ends(lines: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray]:
    """(y, x) of the lines' loose ends, and their headings (unit vectors, y then x): the
    ends of the middle lines once the little spurs a wobbling edge gives them are pruned."""
    middle = skeletonize(lines)
    kernel = np.ones((3, 3))
    for _ in range(max(1, round(width))):
        neighbours = ndimage.convolve(middle.astype(np.uint8), kernel, mode="constant") - 1
        tips = middle & (neighbours <= 1)
        if not tips.any():
            break
        middle &= ~tips
    neighbours = ndimage.convolve(middle.astype(np.uint8), kernel, mode="constant") - 1
    ends = np.argwhere(middle & (neighbours == 1))[:MAX_ENDS]
    headings = np.array([_heading(middle, end, HEADING * width) for end in ends]).reshape(-1, 2)
    return ends, headings


def _heading(middle: np.ndarray, end: np.ndarray, length: float) -> np.ndarray:
    """The way the middle line runs out at `end`: from the mean of the `length` pixels
    behind it (walked along the line) to the end."""
    h, w = middle.shape
    seen = {(int(end[0]), int(end[1]))}
    frontier = list(seen)
    for _ in range(max(2, round(length))):
        nxt = []
        for y, x in frontier:
            for dy, dx in _EIGHT:
                p = (y + dy, x + dx)
                if 0 <= p[0] < h and 0 <= p[1] < w and middle[p] and p not in seen:
                    seen.add(p)
                    nxt.append(p)
        if not nxt:
            break
        frontier = nxt
    behind = np.array(sorted(seen), dtype=float).mean(axis=0)
    way = end - behind
    norm = float(np.hypot(*way))
    return way / norm if norm else np.zeros(2)
