"""Finding the strokes on a painted copy of a photo, and the area they fill, outline or hatch.

Strokes are told from JPEG noise and resampling by their difference to the photo (hysteresis
over a noise-adapted threshold); thin strokes mark the area's edge with the pen's middle, solid
paint is the area itself."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from bot.images import raster


def find_strokes(photo: np.ndarray, painted: np.ndarray) -> np.ndarray:
    """Pixels painted over, from two RGB arrays of one size; raises ValueError when the two
    are not the same picture."""
    diff = np.sqrt(((photo - painted) ** 2).sum(axis=2))
    median = float(np.median(diff))
    if median > 40:
        raise ValueError("not a copy")
    spread = 1.4826 * float(np.median(np.abs(diff - median)))
    low = max(30.0, median + 6 * spread)
    strokes = _hysteresis(diff, low, max(2 * low, 70.0))
    strokes = raster.drop_small(strokes, 0.0003 * diff.size)
    if strokes.any():
        # the stroke's true edge is where the difference is half its contrast: the blur and
        # the low threshold widen what hysteresis keeps
        half = max(low, float(np.median(diff[strokes])) / 2)
        strokes &= diff > half
    return strokes


def _hysteresis(diff: np.ndarray, low: float, high: float) -> np.ndarray:
    """Pixels above `low` connected to one above `high`: faint stroke edges, not noise."""
    labels, count = ndimage.label(diff > low)
    keep = np.zeros(count + 1, dtype=bool)
    keep[np.unique(labels[diff > high])] = True
    keep[0] = False
    return keep[labels]


def stroked_area(strokes: np.ndarray) -> np.ndarray:
    """Strokes → the area they fill, outline or hatch."""
    # mean distance to the stroke's edge is a quarter of its width (a solid blob: its size);
    # on a pixel grid the edge pixels count 1, not 0.5: that adds 2 to four times the mean
    width = max(1.0, 4 * float(ndimage.distance_transform_edt(strokes)[strokes].mean()) - 2)
    side = min(strokes.shape)
    radius = min(max(2.5 * width, 0.025 * side), 0.06 * side)
    closed, filled = _enclosed(strokes, radius)
    # an outline left open (the stroke ended short of its start): bridge wider gaps, but only
    # for thin strokes around an empty middle, never between areas painted solid
    ys, xs = np.nonzero(strokes)
    box = (np.ptp(ys) + 1) * (np.ptp(xs) + 1)
    while filled.sum() < 1.5 * strokes.sum() and strokes.sum() < 0.4 * box and radius < 0.1 * side:
        radius *= 1.6
        closed, filled = _enclosed(strokes, radius)
    if strokes.sum() < 0.75 * filled.sum():
        if (filled & ~closed).sum() < 0.1 * filled.sum():
            # hatched, not outlined: the strokes' turns leave bays along the edge; an area
            # that is nearly convex was meant whole
            filled = raster.nearly_convex(filled)
        # outlined or hatched: the pen's middle ran along the area's edge
        filled = raster.erode(filled, width / 2)
    return filled


def _enclosed(strokes: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """The strokes with gaps up to twice `radius` bridged, and that with what it encloses."""
    closed = raster.closing(strokes, radius)
    filled = ndimage.binary_fill_holes(closed)
    # an outline that ends on the photo's bottom edge (a lawn in front of the camera)
    bottom = np.pad(closed, ((0, 1), (0, 0)), constant_values=True)
    from_bottom = ndimage.binary_fill_holes(bottom)[:-1]
    if from_bottom.mean() < 0.6:
        filled |= from_bottom
    return closed, filled
