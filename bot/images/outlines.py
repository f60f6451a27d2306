"""From the strokes found on a painted copy to the area they fill, outline or hatch.

A finger's strokes are of no constant width, overlap and leave gaps. Gaps up to about one and
a half strokes wide are what a finger leaves (between the rows of a scribble, the lines of a
hatch, two passes of an outline) and are closed; a wider gap between two painted parts was left
on purpose (a path between two lawns) and stays open. What is then painted thick is the area
itself. What stays thin is an outline: the area is what it encloses, up to the pen's middle.
Outlines have gaps where the finger lifted: their loose ends are joined to the nearest other
loose end or to the photo's edge, whichever is nearer. An outline that ends on the photo's
edges encloses its area together with those edges (see `_outside` for which side is meant).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from skimage.morphology import skeletonize

from bot.images import gaps, raster

FINGER_GAP = 0.8  # closing radius, in pen widths: gaps up to 1.6 strokes are a finger's
THICK = 1.0  # opening radius, in pen widths: paint over twice as thick as a stroke is area
SOLID_SHARE = 0.7  # share of a part that is thick for the part to be painted area
DENSE = 0.75  # share of a painted part the strokes cover when it was scribbled, not hatched
HOLE = 1.5  # pen widths: an unpainted hole in painted area up to this radius was missed
SPECK = 0.002  # share of the photo: a side of a stroke smaller than this is a speck


def pen_width(strokes: np.ndarray) -> float:
    """The width of the pen, from the strokes' middle lines: twice the distance from a middle
    line to the stroke's edge (a median: a finger's width varies), at least 2.5 px and at
    most 2.5 % of the short side (a solid blob's middle line is far from its edge, and a gap
    left between two blobs painted solid is left on purpose)."""
    distance = ndimage.distance_transform_edt(strokes)
    middle = skeletonize(strokes)
    if not middle.any():
        return 2.5
    width = 2 * float(np.median(distance[middle]))
    return float(np.clip(width, 2.5, 0.025 * min(strokes.shape)))


def stroked_area(strokes: np.ndarray) -> np.ndarray:
    """Strokes → the area they fill, outline or hatch."""
    width = pen_width(strokes)
    joined = raster.closing(strokes, FINGER_GAP * width)
    parts, count = ndimage.label(joined)
    thick = raster.opening(joined, THICK * width)
    share = ndimage.sum(thick, parts, index=np.arange(1, count + 1)) / np.maximum(
        ndimage.sum(joined, parts, index=np.arange(1, count + 1)), 1
    )
    is_solid = np.r_[False, share >= SOLID_SHARE]
    solid = is_solid[parts]
    lines = joined & ~solid
    barrier = joined | gaps.bridges(lines, width)
    inside = _holes(barrier, lines | (barrier & ~joined), width) | _edge_sides(barrier & ~solid)
    inside = _left_out(inside)
    painted = _painted(solid, strokes, width)
    if lines.any() and not inside.any():
        return painted | _hatched(lines, width)
    # an outline's pen ran with its middle along the area's edge
    outlined = raster.dilate(inside, width / 2) & (inside | barrier)
    return painted | inside | outlined


def _painted(solid: np.ndarray, strokes: np.ndarray, width: float) -> np.ndarray:
    """The parts painted thick, as meant: a part the strokes cover densely is the area itself
    (a scribble paints up to the area's edge); one they cover sparsely was hatched, the pen's
    middle turning on the area's edge, and its turns leave bays along the edge: an area nearly
    convex was meant whole."""
    parts, count = ndimage.label(ndimage.binary_fill_holes(solid))
    if count == 0:
        return solid
    index = np.arange(1, count + 1)
    coverage = ndimage.sum(strokes, parts, index) / np.maximum(ndimage.sum(solid, parts, index), 1)
    hatched = np.r_[False, coverage < DENSE][parts]
    if not hatched.any():
        return solid
    shaped = raster.erode(raster.nearly_convex(hatched), width / 2)
    return (solid & ~hatched) | shaped


def _holes(barrier: np.ndarray, lines: np.ndarray, width: float) -> np.ndarray:
    """What the strokes enclose: everything an outline encloses; within painted area, only the
    holes a finger misses (a wider unpainted patch was left out on purpose)."""
    holes, count = ndimage.label(ndimage.binary_fill_holes(barrier) & ~barrier)
    if count == 0:
        return holes > 0
    index = np.arange(1, count + 1)
    near_line = ndimage.maximum(raster.dilate(lines, 1.5), holes, index) > 0
    radius = ndimage.maximum(ndimage.distance_transform_edt(holes > 0), holes, index)
    keep = np.r_[False, near_line | (radius <= HOLE * width)]
    return keep[holes]


def _left_out(inside: np.ndarray) -> np.ndarray:
    """Without the loops drawn inside an outlined area and smaller than it: a flower bed or a
    tree outlined within the lawn is left out (and a loop within that one is in again)."""
    regions, count = ndimage.label(inside)
    if count < 2:
        return inside
    sizes = np.bincount(regions.ravel())
    depth = np.zeros(count + 1, dtype=int)
    for index, window in enumerate(ndimage.find_objects(regions), start=1):
        around = ndimage.binary_fill_holes(regions[window] == index)
        within = np.unique(regions[window][around])
        for other in within[(within != index) & (within > 0)]:
            if sizes[other] < sizes[index]:
                depth[other] += 1
    keep = depth % 2 == 0
    keep[0] = False
    return keep[regions]


def _edge_sides(lines: np.ndarray) -> np.ndarray:
    """The areas that outlines ending on the photo's edges enclose together with the edges."""
    parts, count = ndimage.label(lines)
    inside = np.zeros(lines.shape, dtype=bool)
    for index in range(1, count + 1):
        part = parts == index
        if not (part[0].any() or part[-1].any() or part[:, 0].any() or part[:, -1].any()):
            continue
        sides, _ = ndimage.label(~part)  # 4-connected: a stroke's side stays on its side
        on_edge = np.unique(np.r_[sides[0], sides[-1], sides[:, 0], sides[:, -1]])
        # specks left between the stroke and the edge where it was traced along it are no
        # side: with no corner of their own they would pass for the outlined one
        sizes = np.bincount(sides.ravel())
        on_edge = on_edge[(on_edge > 0) & (sizes[on_edge] >= SPECK * sides.size)]
        if len(on_edge) < 2:
            continue
        # a stroke that also closes on itself marks its area by that: a strip smaller than
        # what it encloses, left along the photo's edge where it was traced along it, is out
        enclosed, count = ndimage.label(ndimage.binary_fill_holes(part) & ~part)
        largest = int(np.bincount(enclosed.ravel())[1:].max()) if count else 0
        for label in _outlined(sides, on_edge):
            side = sides == label
            if side.sum() > largest:
                inside |= side
    return inside


def _outlined(sides: np.ndarray, on_edge: np.ndarray) -> list[int]:
    """Which of the sides of a stroke that ends on the photo's edges are the outlined ones.

    The outlined side is the one the stroke bends around: a stroke that outlines an area
    running off the photo turns around it, so the area holds fewer of the photo's corners than
    the rest of the photo does (none for a U standing on the bottom edge, one for a lawn off
    the bottom and right edges, against three or four): the sides with fewer corners than the
    most are outlined. Counting corners rather than measuring border keeps a lawn that fills
    most of the photo: its side can have more border than the rest. When all sides hold as
    many corners (a stroke from one edge to the opposite one), the area is the lowest side:
    what is outlined is ground to build on, and the ground is at the bottom of a photo. When
    none is lower (a stroke from the top edge to the bottom one), it is the side with the least
    border, the smallest."""
    h, w = sides.shape
    corners = {label: 0 for label in on_edge.tolist()}
    k = max(3, min(h, w) // 40)
    for window in (sides[:k, :k], sides[:k, -k:], sides[-k:, :k], sides[-k:, -k:]):
        present = window[np.isin(window, on_edge)]
        if present.size:
            corners[int(np.bincount(present).argmax())] += 1
    most = max(corners.values())
    fewer = [label for label, n in corners.items() if n < most]
    if fewer:
        return fewer
    rows = np.arange(h)[:, None]
    height = {
        label: float((rows * (sides == label)).sum() / max((sides == label).sum(), 1))
        for label in corners
    }
    ranked = sorted(corners, key=lambda label: -height[label])
    if height[ranked[0]] - height[ranked[1]] > 0.1 * h:
        return [ranked[0]]  # the lowest side
    edge = np.r_[sides[0], sides[-1], sides[:, 0], sides[:, -1]]
    return [min(corners, key=lambda label: int((edge == label).sum()))]


def _hatched(lines: np.ndarray, width: float) -> np.ndarray:
    """Lines that enclose nothing: hatching, strokes further apart than a finger's gap. Closed
    with a radius that grows until they enclose an area (up to a tenth of the short side)."""
    side = min(lines.shape)
    radius = min(max(2.5 * width, 0.025 * side), 0.06 * side)
    filled = ndimage.binary_fill_holes(raster.closing(lines, radius))
    while filled.sum() < 1.5 * lines.sum() and radius < 0.1 * side:
        radius *= 1.6
        filled = ndimage.binary_fill_holes(raster.closing(lines, radius))
    closed = raster.closing(lines, radius)
    if (filled & ~closed).sum() < 0.1 * filled.sum():
        # the strokes' turns leave bays along the edge; an area nearly convex was meant whole
        filled = raster.nearly_convex(filled)
    return raster.erode(filled, width / 2)
