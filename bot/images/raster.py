"""Array operations the mask algorithms share: working size, morphology by distance
transform, regions, thresholds, shapes. Masks here are boolean numpy arrays (True = selected)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage
from scipy.spatial import ConvexHull


def work_size(size: tuple[int, int], side: int) -> tuple[int, int]:
    scale = min(1.0, side / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def rgb(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    rgb = image.convert("RGB")
    if rgb.size != size:
        rgb = rgb.resize(size, Image.Resampling.BOX if size[0] < rgb.width else Image.BILINEAR)
    return np.asarray(rgb, dtype=np.float32)


def to_mask(area: np.ndarray, size: tuple[int, int]) -> Image.Image:
    """A 0/255 "L" mask of `size` from a working-resolution array, with smooth edges instead of
    working-resolution staircases: soften, scale as a float image, then threshold."""
    if area.shape[::-1] == size:
        return Image.fromarray(area.astype(np.uint8) * 255)
    soft = ndimage.gaussian_filter(area.astype(np.float32), 0.8)
    scaled = np.asarray(Image.fromarray(soft, mode="F").resize(size, Image.Resampling.BICUBIC))
    return Image.fromarray(((scaled > 0.5) * 255).astype(np.uint8))


def dilate(area: np.ndarray, radius: float) -> np.ndarray:
    if radius <= 0 or not area.any():  # the transform needs a background pixel to measure to
        return area
    return ndimage.distance_transform_edt(~area) <= radius


def erode(area: np.ndarray, radius: float) -> np.ndarray:
    if radius <= 0 or area.all():
        return area
    # pad with the area itself: the photo's edge is not a boundary of what was painted
    padded = np.pad(area, 1, mode="edge")
    return (ndimage.distance_transform_edt(padded) > radius)[1:-1, 1:-1]


def closing(area: np.ndarray, radius: float) -> np.ndarray:
    """Bridge gaps narrower than twice `radius`; the photo's edge does not hold the area."""
    pad = int(radius) + 2
    grown = dilate(np.pad(area, pad), radius)
    return (ndimage.distance_transform_edt(grown) > radius)[pad:-pad, pad:-pad]


def opening(area: np.ndarray, radius: float) -> np.ndarray:
    return dilate(erode(area, radius), radius)


def drop_small(area: np.ndarray, min_pixels: float) -> np.ndarray:
    labels, count = ndimage.label(area)
    if count == 0:
        return area
    sizes = np.bincount(labels.ravel())
    keep = sizes >= min_pixels
    keep[0] = False
    return keep[labels]


def keep_largest(area: np.ndarray, share: float = 0.25) -> np.ndarray:
    """The largest region, and any other at least `share` of its size."""
    labels, count = ndimage.label(area)
    if count == 0:
        return area
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    keep = sizes >= share * sizes.max()
    keep[0] = False
    return keep[labels]


def fill_holes(area: np.ndarray, max_share: float = 1.0) -> np.ndarray:
    """Fill enclosed holes up to `max_share` of the image each."""
    filled = ndimage.binary_fill_holes(area)
    if max_share >= 1.0:
        return filled
    holes, count = ndimage.label(filled & ~area)
    if count == 0:
        return area
    sizes = np.bincount(holes.ravel())
    small = sizes <= max_share * area.size
    small[0] = False
    return area | small[holes]


def otsu(values: np.ndarray, bins: int = 256) -> float:
    """The threshold that best splits `values` into two classes (Otsu, 1979)."""
    hist, edges = np.histogram(values, bins=bins)
    centres = (edges[:-1] + edges[1:]) / 2
    weight = np.cumsum(hist)
    total = weight[-1]
    mean = np.cumsum(hist * centres)
    between = (mean[-1] * weight / total - mean) ** 2 / np.maximum(weight * (total - weight), 1)
    return float(centres[int(np.argmax(between[:-1]))])


def smooth(area: np.ndarray, sigma: float) -> np.ndarray:
    """Round off the ragged edge texture leaves: nobody builds along grass blades."""
    return ndimage.gaussian_filter(area.astype(np.float32), sigma) > 0.5


def largest_rectangle(area: np.ndarray) -> tuple[int, int, int, int]:
    """(top, left, height, width) of the largest axis-aligned rectangle inside `area`: row by
    row, the classic largest rectangle under a histogram of column heights."""
    heights = np.zeros(area.shape[1] + 1, dtype=np.int64)  # a zero sentinel closes each row
    best, best_area = (0, 0, 0, 0), 0
    for row in range(area.shape[0]):
        heights[:-1] = np.where(area[row], heights[:-1] + 1, 0)
        stack: list[int] = []
        for col, height in enumerate(heights.tolist()):
            while stack and heights[stack[-1]] >= height:
                tall = int(heights[stack.pop()])
                left = stack[-1] + 1 if stack else 0
                if tall * (col - left) > best_area:
                    best_area = tall * (col - left)
                    best = (row - tall + 1, left, tall, col - left)
            stack.append(col)
    return best


def nearly_convex(area: np.ndarray, slack: float = 1.2) -> np.ndarray:
    """Each region replaced by its convex hull when the hull adds at most `slack - 1`."""
    labels, _ = ndimage.label(area)
    out = area.copy()
    for index, window in enumerate(ndimage.find_objects(labels), start=1):
        part = labels[window] == index
        ys, xs = np.nonzero(part)
        if len(xs) < 10 or xs.min() == xs.max() or ys.min() == ys.max():
            continue
        points = np.column_stack([xs, ys]).astype(float)
        hull_points = points[ConvexHull(points).vertices]
        hull = Image.new("L", (part.shape[1], part.shape[0]), 0)
        ImageDraw.Draw(hull).polygon([tuple(p) for p in hull_points], fill=1)
        hulled = np.asarray(hull, dtype=bool)
        if hulled.sum() <= slack * part.sum():
            out[window] |= hulled
    return out
