"""Masks nobody has to draw: derived from a painted copy of the photo, suggested from the photo
itself, and shown as an overlay before any credit is spent.

Every analysis runs on a copy of a few hundred pixels a side (fast, and JPEG noise averages out);
the resulting mask is scaled back to the photo's size with smooth edges. All masks are mode "L",
255 where the new exterior goes.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from scipy import ndimage
from scipy.spatial import ConvexHull

from bot.domain import RoomType
from bot.images import ImageError, check_aspect, check_mask, coverage

__all__ = [
    "NoSuggestion",
    "NotACopy",
    "NothingPainted",
    "check_mask",
    "derive_from_painted",
    "draw_overlay",
    "suggest_area",
]

PAINT_SIDE = 640  # working resolution for painted photos: strokes stay a few pixels wide
SUGGEST_SIDE = 384  # working resolution for suggestions: regions, not details


class NothingPainted(ImageError):
    """The painted copy shows no strokes."""


class NotACopy(ImageError):
    """The painted picture is not the photo with strokes on it."""


class NoSuggestion(ImageError):
    """No lawn or open ground found to suggest."""


# -- shared helpers ------------------------------------------------------------------------------


def _work_size(size: tuple[int, int], side: int) -> tuple[int, int]:
    scale = min(1.0, side / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _rgb(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    rgb = image.convert("RGB")
    if rgb.size != size:
        rgb = rgb.resize(size, Image.Resampling.BOX if size[0] < rgb.width else Image.BILINEAR)
    return np.asarray(rgb, dtype=np.float32)


def _to_mask(area: np.ndarray, size: tuple[int, int]) -> Image.Image:
    small = Image.fromarray(area.astype(np.uint8) * 255)
    if small.size != size:
        # bilinear then threshold: smooth edges instead of working-resolution staircases
        small = small.resize(size, Image.Resampling.BILINEAR)
    return small.point(lambda v: 255 if v > 127 else 0)


def _dilate(area: np.ndarray, radius: float) -> np.ndarray:
    if radius <= 0:
        return area
    return ndimage.distance_transform_edt(~area) <= radius


def _erode(area: np.ndarray, radius: float) -> np.ndarray:
    if radius <= 0:
        return area
    # pad with the area itself: the photo's edge is not a boundary of what was painted
    padded = np.pad(area, 1, mode="edge")
    return (ndimage.distance_transform_edt(padded) > radius)[1:-1, 1:-1]


def _close(area: np.ndarray, radius: float) -> np.ndarray:
    """Bridge gaps narrower than twice `radius`; the photo's edge does not hold the area."""
    pad = int(radius) + 2
    grown = _dilate(np.pad(area, pad), radius)
    return (ndimage.distance_transform_edt(grown) > radius)[pad:-pad, pad:-pad]


def _open(area: np.ndarray, radius: float) -> np.ndarray:
    return _dilate(_erode(area, radius), radius)


def _drop_small(area: np.ndarray, min_pixels: float) -> np.ndarray:
    labels, count = ndimage.label(area)
    if count == 0:
        return area
    sizes = np.bincount(labels.ravel())
    keep = sizes >= min_pixels
    keep[0] = False
    return keep[labels]


def _keep_largest(area: np.ndarray, share: float = 0.25) -> np.ndarray:
    """The largest region, and any other at least `share` of its size."""
    labels, count = ndimage.label(area)
    if count == 0:
        return area
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    keep = sizes >= share * sizes.max()
    keep[0] = False
    return keep[labels]


def _fill_holes(area: np.ndarray, max_share: float = 1.0) -> np.ndarray:
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


def _otsu(values: np.ndarray, bins: int = 256) -> float:
    """The threshold that best splits `values` into two classes (Otsu, 1979)."""
    hist, edges = np.histogram(values, bins=bins)
    centres = (edges[:-1] + edges[1:]) / 2
    weight = np.cumsum(hist)
    total = weight[-1]
    mean = np.cumsum(hist * centres)
    between = (mean[-1] * weight / total - mean) ** 2 / np.maximum(weight * (total - weight), 1)
    return float(centres[int(np.argmax(between[:-1]))])


# -- painted photos ------------------------------------------------------------------------------


def derive_from_painted(photo: Image.Image, painted: Image.Image) -> Image.Image:
    """The area someone scribbled over (filled, outlined or hatched) on a copy of the photo.

    Both images upright; `painted` may have another resolution with the same proportions."""
    check_aspect(painted.size, photo.size, "painted photo")
    size = _work_size(photo.size, PAINT_SIDE)
    # a light blur on both: JPEG blocks and resampling differ between the two copies
    soften = ImageFilter.GaussianBlur(1)
    a = _rgb(photo, size)
    b = _rgb(painted, size)
    a = np.asarray(Image.fromarray(a.astype(np.uint8)).filter(soften), dtype=np.float32)
    b = np.asarray(Image.fromarray(b.astype(np.uint8)).filter(soften), dtype=np.float32)
    diff = np.sqrt(((a - b) ** 2).sum(axis=2))
    median = float(np.median(diff))
    if median > 40:
        raise NotACopy(
            "The painted picture does not match the photo: send a copy of the same photo "
            "with the area scribbled over."
        )
    spread = 1.4826 * float(np.median(np.abs(diff - median)))
    low = max(30.0, median + 6 * spread)
    strokes = _hysteresis(diff, low, max(2 * low, 70.0))
    strokes = _drop_small(strokes, 0.0003 * diff.size)
    if strokes.any():
        # the stroke's true edge is where the difference is half its contrast: the blur and
        # the low threshold widen what hysteresis keeps
        half = max(low, float(np.median(diff[strokes])) / 2)
        strokes &= diff > half
    if strokes.mean() < 0.0005:
        raise NothingPainted(
            "I see no strokes on the painted photo: scribble over the area in a bright colour."
        )
    area = _stroked_area(strokes)
    mask = _to_mask(area, photo.size)
    check_mask(mask)
    return mask


def _hysteresis(diff: np.ndarray, low: float, high: float) -> np.ndarray:
    """Pixels above `low` connected to one above `high`: faint stroke edges, not noise."""
    labels, count = ndimage.label(diff > low)
    keep = np.zeros(count + 1, dtype=bool)
    keep[np.unique(labels[diff > high])] = True
    keep[0] = False
    return keep[labels]


def _stroked_area(strokes: np.ndarray) -> np.ndarray:
    """Strokes → the area they fill, outline or hatch."""
    # mean distance to the stroke's edge is a quarter of its width (a solid blob: its size)
    width = 4 * float(ndimage.distance_transform_edt(strokes)[strokes].mean())
    side = min(strokes.shape)
    closed = _close(strokes, min(max(2.5 * width, 0.025 * side), 0.06 * side))
    filled = ndimage.binary_fill_holes(closed)
    # an outline that ends on the photo's bottom edge (a lawn in front of the camera)
    bottom = np.pad(closed, ((0, 1), (0, 0)), constant_values=True)
    from_bottom = ndimage.binary_fill_holes(bottom)[:-1]
    if from_bottom.mean() < 0.6:
        filled |= from_bottom
    if strokes.sum() < 0.75 * filled.sum():
        if (filled & ~closed).sum() < 0.1 * filled.sum():
            # hatched, not outlined: the strokes' turns leave bays along the edge; an area
            # that is nearly convex was meant whole
            filled = _nearly_convex(filled)
        # outlined or hatched: the pen's middle ran along the area's edge
        filled = _erode(filled, width / 2)
    return filled


def _nearly_convex(area: np.ndarray, slack: float = 1.2) -> np.ndarray:
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


# -- suggestions ---------------------------------------------------------------------------------


def suggest_area(photo: Image.Image, room_type: RoomType) -> Image.Image:
    """The lawn or open ground where a `room_type` would go: a suggestion to show, not to use
    unseen."""
    size = _work_size(photo.size, SUGGEST_SIDE)
    rgb = _rgb(photo, size)
    ground = _grey_ground(rgb) if _is_grey(rgb) else _green_ground(rgb)
    ground = _keep_largest(_fill_holes(_open(ground, 2), 0.02))
    if ground.mean() < 0.02:
        raise NoSuggestion(
            "I found no lawn or open ground to suggest: paint the area on a copy of the photo."
        )
    mask = _to_mask(ground, photo.size)
    check_mask(mask)
    return mask


def _is_grey(rgb: np.ndarray) -> bool:
    return float(np.abs(rgb - rgb.mean(axis=2, keepdims=True)).mean()) < 4


def _green_ground(rgb: np.ndarray) -> np.ndarray:
    total = rgb.sum(axis=2) + 1.0
    exg = (2 * rgb[..., 1] - rgb[..., 0] - rgb[..., 2]) / total
    green = exg > min(max(_otsu(exg), 0.05), 0.25)
    green[: _horizon(rgb)] = False  # tree crowns against the sky are not ground
    height = rgb.shape[0]
    seed = green.copy()
    seed[: 2 * height // 3] = False
    if seed.sum() < 0.01 * green.size:
        return np.zeros_like(green)
    chroma = rgb / total[..., None] * 255
    return _grow_from(seed, _features(rgb, [chroma[..., 0], chroma[..., 2]]), green)


def _horizon(rgb: np.ndarray) -> int:
    """The row below which no sky comes down: what is above it stands against the sky."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    brightness = rgb.mean(axis=2)
    sky = ((b > r + 15) & (b >= g) & (brightness > 90)) | (
        (brightness > 200) & (np.ptp(rgb, axis=2) < 30)
    )
    labels, _ = ndimage.label(sky)
    top = np.unique(labels[0][labels[0] > 0])
    sky = np.isin(labels, top)
    columns = sky.any(axis=0)
    if columns.mean() < 0.2:
        return 0  # no sky along the top: a view down onto the garden
    lowest = rgb.shape[0] - 1 - np.argmax(sky[::-1], axis=0)
    return int(np.percentile(lowest[columns], 90))


def _grey_ground(rgb: np.ndarray) -> np.ndarray:
    grey = rgb.mean(axis=2)
    height = grey.shape[0]
    seed = np.zeros(grey.shape, dtype=bool)
    seed[int(0.85 * height) :, grey.shape[1] // 5 : 4 * grey.shape[1] // 5] = True
    return _grow_from(seed, _features(rgb, []), np.ones_like(seed))


def _features(rgb: np.ndarray, extra: list[np.ndarray]) -> np.ndarray:
    """Per-pixel brightness, texture and `extra` (colour), smoothed so a lawn's grain averages
    out."""
    brightness = rgb.mean(axis=2)
    smooth = ndimage.uniform_filter(brightness, 7)
    texture = np.sqrt(np.maximum(ndimage.uniform_filter(brightness**2, 7) - smooth**2, 0))
    layers = [smooth, ndimage.uniform_filter(texture, 7)]
    layers += [ndimage.uniform_filter(layer, 7) for layer in extra]
    return np.stack(layers, axis=2)


def _grow_from(seed: np.ndarray, features: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Pixels like the seed's (robust z-scores), connected to it."""
    values = features[seed]
    centre = np.median(values, axis=0)
    spread = 1.4826 * np.median(np.abs(values - centre), axis=0) + 1.0
    z = np.abs(features - centre) / spread
    alike = (z < 3.0).all(axis=2) & allowed
    labels, _ = ndimage.label(alike)
    touched = np.unique(labels[seed & alike])
    touched = touched[touched > 0]
    return np.isin(labels, touched)


# -- overlay -------------------------------------------------------------------------------------


def draw_overlay(
    photo: Image.Image, mask: Image.Image, colour: tuple[int, int, int] = (255, 64, 160)
) -> Image.Image:
    """The photo with the area tinted and outlined, as the user sees it before spending."""
    base = photo.convert("RGB")
    area = mask.convert("L")
    if area.size != base.size:
        area = area.resize(base.size, Image.Resampling.BILINEAR)
    area = area.point(lambda v: 255 if v > 127 else 0)
    veil = area.point(lambda v: v * 45 // 100)  # 45 %: the ground stays readable under it
    tinted = Image.composite(Image.new("RGB", base.size, colour), base, veil)
    # the outline: a white halo under a coloured line, visible on dark and light ground alike
    line = max(1, round(min(base.size) / 250))
    edge = area.filter(ImageFilter.FIND_EDGES)
    halo = edge.filter(ImageFilter.MaxFilter(2 * (line + 1) + 1))
    stroke = edge.filter(ImageFilter.MaxFilter(2 * line + 1))
    tinted.paste((255, 255, 255), mask=halo)
    tinted.paste(colour, mask=stroke)
    return tinted


def area_share(mask: Image.Image) -> float:
    return coverage(mask)
