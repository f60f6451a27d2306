"""Where the open ground (a lawn, bare open ground) is in a garden photo, and how sure that is.

Per superpixel (`segments`), a first estimate: the colour of grass (green, or straw when dry)
or of bare soil, a fine grain (a lawn is smooth where foliage shows leaves, gaps and clumps),
below the sky line (what stands against the sky is not ground) and lower in the picture. Then
the photo's own ground: a robust model of the likeliest segments' chromaticity and grain, so a
shadow across the lawn (darker, same chromaticity) stays lawn and a sheep or a paved path (its
own colour) does not. The edge is then snapped to the pixels by GrabCut, in a band around it.
Grey photos, which have no colour to go by, use brightness and grain alone."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage
from skimage import graph

from bot.domain import RoomType
from bot.images import raster, sky
from bot.images.segments import Segments, segment

LIKELY = 0.35  # a segment this like the photo's ground is a candidate
REGION_LIKELY = 0.5  # ... and stays one when its region is this like it on average
REGION_COLOUR = 20  # CIELAB distance between neighbouring segments that splits regions
SURE = 0.75  # confidence below which the preview says it is unsure
SURE_OF_BARE = 0.8  # brown or straw ground looks like banks, paths and trunks: surer, or unsure
SCATTERED = 3  # pieces of 2 % of the area or more: a lawn split by a path has two


@dataclass(frozen=True)
class Ground:
    area: np.ndarray  # bool, the working size
    confidence: float  # 0..1: how ground-like what was chosen looks
    kind: str  # "lawn" (green) or "ground" (dry grass, bare soil, a grey photo)

    @property
    def sure(self) -> bool:
        return self.confidence >= (SURE if self.kind == "lawn" else SURE_OF_BARE)


NOTHING_KIND = "ground"


def find_ground(rgb: np.ndarray) -> Ground:
    """Open ground in an RGB array (the working size, 0-255)."""
    pixels = np.clip(rgb, 0, 255).astype(np.uint8)
    if _is_grey(pixels):
        return Ground(_grey_ground(pixels.astype(np.float32)), 0.3, NOTHING_KIND)
    seen_sky = sky.sky_from_top(pixels.astype(np.float32))
    parts = segment(pixels)
    first = _first_estimate(parts, seen_sky)
    likely = _own_ground(parts, first)
    kept = _by_region(pixels, parts, likely)
    chosen = _candidates(parts.paint(np.where(kept, likely, 0.0)))
    if chosen.mean() < 0.02:
        return Ground(np.zeros(chosen.shape, dtype=bool), 0.0, NOTHING_KIND)
    area = _snap_edges(pixels, chosen, seen_sky)
    area = raster.fill_holes(raster.opening(area, 1), 0.001)  # specks, not a path or a bench
    return Ground(area, _confidence(parts, likely, area), _kind(parts, area))


def _is_grey(rgb: np.ndarray) -> bool:
    flat = rgb.astype(np.float32)
    return float(np.abs(flat - flat.mean(axis=2, keepdims=True)).mean()) < 4


def _first_estimate(parts: Segments, seen_sky: np.ndarray) -> np.ndarray:
    """Per segment, 0..1: how much it looks like open ground, before knowing this photo's."""
    chroma, hue, lightness = parts.chroma, parts.hue, parts.lightness
    colour = np.clip((chroma - 3) / 5, 0.05, 1)
    colour = np.where((hue > 20) & (hue < 175), colour, 0.05)  # red brick, flowers, blue
    # yellowish and brown (dry grass, soil) need some colour: beige paving, sand, wool have little
    weak = (hue < 100) & (chroma < 10)
    colour = np.where(weak, np.minimum(colour, np.clip((chroma - 4) / 6, 0.05, 1)), colour)
    colour = np.where((lightness > 82) & (chroma < 15), 0.1, colour)  # white and pale things
    colour = np.where(lightness < 10, 0.3, colour)  # black: deep shade, or a gap
    row = parts.row
    near = np.clip((row - 0.6) / 0.4, 0, 1)  # grass blades show near the camera: more grain
    grain = np.clip((0.18 + 0.1 * near - parts.grain) / 0.1, 0, 1) * np.clip(
        (0.28 + 0.12 * near - parts.coarse_grain) / 0.14, 0, 1
    )
    line = sky.horizon(seen_sky)
    if line is None:  # no sky: a view down onto the ground, but its top is still far away
        place = np.clip((row - 0.1) / 0.45, 0.1, 1)
    else:
        place = np.clip((row - line) / 0.15, 0, 1) * np.clip((row - 0.2) / 0.25, 0.2, 1)
    return colour * grain * place * (1 - parts.mean(seen_sky))


def _own_ground(parts: Segments, first: np.ndarray) -> np.ndarray:
    """Per segment, 0..1: ground-like and like this photo's likeliest ground."""
    seed = first > 0.5
    weight = parts.size * first**2 * (0.5 + parts.row)  # nearer, larger, surer
    if weight[seed].sum() < 0.01 * parts.labels.size:
        return np.zeros_like(first)
    features = np.stack([parts.u, parts.v, _grain_for_height(parts, seed, weight)], axis=1)
    centre = np.array([_weighted_median(f[seed], weight[seed]) for f in features.T])
    spread = np.array(
        [
            _weighted_median(np.abs(f[seed] - c), weight[seed])
            for f, c in zip(features.T, centre, strict=True)
        ]
    )
    z = np.abs(features - centre) / np.maximum(1.4826 * spread, 1.5)
    alike = np.exp(-np.clip(z**2, 0, 50).sum(axis=1) / 6)
    return np.where(z.max(axis=1) > 4, 0.0, np.sqrt(first * alike))


def _grain_for_height(parts: Segments, seed: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Grain (x 100) above what the likeliest ground has at that height: a lawn's grain grows
    towards the camera, a hedge's is high wherever it stands."""
    grain = parts.grain * 100
    rows = parts.row[seed]
    root = np.sqrt(weight[seed])
    design = np.stack([np.ones_like(rows), rows], axis=1) * root[:, None]
    (base, slope), *_ = np.linalg.lstsq(design, grain[seed] * root, rcond=None)
    return grain - (base + slope * parts.row)


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def _by_region(rgb: np.ndarray, parts: Segments, likely: np.ndarray) -> np.ndarray:
    """Per segment, kept or not, judged by region: neighbouring candidate segments of like
    colour (a region adjacency graph, cut where the colour changes) stand or fall together, so a
    path between two lawns or a shrub bed beside one goes as a whole, not segment by segment."""
    candidate = likely > LIKELY
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float64)
    adjacency = graph.rag_mean_color(lab, parts.labels, mode="distance")
    for a, b in list(adjacency.edges()):
        if not (candidate[a] and candidate[b]):
            adjacency.remove_edge(a, b)
    regions = graph.cut_threshold(parts.labels, adjacency, REGION_COLOUR, in_place=False)
    region_of = np.zeros(parts.count, dtype=np.int64)
    region_of[parts.labels.ravel()] = regions.ravel()
    kept = candidate.copy()
    for region in np.unique(region_of[candidate]):
        members = candidate & (region_of == region)
        if np.average(likely[members], weights=parts.size[members]) < REGION_LIKELY:
            kept[members] = False
    return kept


def _candidates(likely: np.ndarray) -> np.ndarray:
    """Likely ground in parts large enough and reaching the lower part of the photo."""
    above = likely > LIKELY
    labels, count = ndimage.label(above)
    if not count:
        return above
    index = np.arange(1, count + 1)
    sizes = ndimage.sum(above, labels, index)
    lowest = ndimage.maximum(np.indices(above.shape)[0], labels, index) / above.shape[0]
    keep = np.zeros(count + 1, dtype=bool)
    keep[1:] = (sizes >= 0.02 * above.size) & (lowest > 0.6)
    return keep[labels]


def _snap_edges(rgb: np.ndarray, chosen: np.ndarray, seen_sky: np.ndarray) -> np.ndarray:
    """GrabCut in a band around the chosen area's edge: the superpixels' edge, to the pixel."""
    band = max(2, round(0.01 * max(chosen.shape)))
    state = np.full(chosen.shape, cv2.GC_BGD, np.uint8)
    state[ndimage.binary_dilation(chosen, iterations=band)] = cv2.GC_PR_BGD
    state[chosen] = cv2.GC_PR_FGD
    state[ndimage.binary_erosion(chosen, iterations=band)] = cv2.GC_FGD
    state[seen_sky] = cv2.GC_BGD
    if not (state == cv2.GC_FGD).any() or not (state == cv2.GC_BGD).any():
        return chosen
    models = np.zeros((1, 65)), np.zeros((1, 65))
    cv2.setRNGSeed(18)  # its colour models start from k-means: the same photo, the same answer
    cv2.grabCut(np.ascontiguousarray(rgb[..., ::-1]), state, None, *models, 3,
                cv2.GC_INIT_WITH_MASK)  # fmt: skip
    return (state == cv2.GC_FGD) | (state == cv2.GC_PR_FGD)


def _confidence(parts: Segments, likely: np.ndarray, area: np.ndarray) -> float:
    """How ground-like the chosen segments look, less when the area is scattered in pieces
    (on real photos the worst suggestions were shrub beds and banks beside the lawn)."""
    share = parts.mean(area)
    inside = share > 0.5
    if not inside.any():
        return 0.0
    alike = float(np.average(likely[inside], weights=parts.size[inside] * share[inside]))
    labels, count = ndimage.label(area)
    pieces = ndimage.sum(area, labels, range(1, count + 1)) / area.sum()
    return alike * (0.7 if (pieces >= 0.02).sum() >= SCATTERED else 1.0)


def _kind(parts: Segments, area: np.ndarray) -> str:
    share = parts.mean(area)
    inside = share > 0.5
    weights = parts.size[inside]
    hue = _weighted_median(parts.hue[inside], weights)
    chroma = _weighted_median(parts.chroma[inside], weights)
    return "lawn" if hue > 100 and chroma > 8 else "ground"


def _grey_ground(grey_rgb: np.ndarray) -> np.ndarray:
    grey = grey_rgb.mean(axis=2)
    height = grey.shape[0]
    seed = np.zeros(grey.shape, dtype=bool)
    seed[int(0.85 * height) :, grey.shape[1] // 5 : 4 * grey.shape[1] // 5] = True
    allowed = np.ones_like(seed)
    line = sky.horizon(sky.sky_from_top(grey_rgb))
    allowed[: round((line or 0) * height)] = False
    found = _grow_from(seed, _features(grey_rgb), allowed)
    if found.mean() >= 0.05:
        found = raster.keep_largest(raster.fill_holes(raster.opening(found, 2), 0.005))
        return raster.smooth(found, 0.01 * min(found.shape))
    # nothing to tell the ground by: the middle of the lower part, where people stand
    fallback = Image.new("L", (grey.shape[1], height), 0)
    width = grey.shape[1]
    ImageDraw.Draw(fallback).ellipse((0.2 * width, 0.6 * height, 0.8 * width, 0.95 * height), 1)
    return np.asarray(fallback, dtype=bool)


def _features(rgb: np.ndarray) -> np.ndarray:
    """Per-pixel brightness and texture, smoothed so a lawn's grain averages out."""
    brightness = rgb.mean(axis=2)
    smooth = ndimage.uniform_filter(brightness, 7)
    texture = np.sqrt(np.maximum(ndimage.uniform_filter(brightness**2, 7) - smooth**2, 0))
    return np.stack([smooth, ndimage.uniform_filter(texture, 7)], axis=2)


def _grow_from(seed: np.ndarray, layers: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Pixels like the seed's (robust z-scores), connected to it."""
    values = layers[seed]
    for _ in range(3):  # a coat or a path in the seed strip is not the ground: trim it away
        centre = np.median(values, axis=0)
        spread = 1.4826 * np.median(np.abs(values - centre), axis=0) + 1.0
        values = values[(np.abs(values - centre) / spread < 2.5).all(axis=1)]
    z = np.abs(layers - centre) / spread
    alike = (z < 3.0).all(axis=2) & allowed
    labels, _ = ndimage.label(alike)
    touched = np.unique(labels[seed & alike])
    touched = touched[touched > 0]
    return np.isin(labels, touched)


def shape(ground: np.ndarray, room_type: RoomType) -> tuple[tuple[float, ...], float] | None:
    """Where a `room_type` goes on the ground: None for the ground itself (a terrace takes the
    open ground, unless that is the whole picture), else the box (left, top, right, bottom, in
    the array's pixels) and corner radius of a shape of its own, where the ground is widest."""
    if room_type is RoomType.TERRACE and ground.mean() < 0.8:
        return None
    # a thin pole standing on the lawn does not stop a pool; anything wider does
    bridged = raster.closing(ground, 0.01 * min(ground.shape)) | ground
    top, left, height, width = raster.largest_rectangle(bridged)
    if room_type is RoomType.PETANQUE:  # a long court: about 4 x 15 m, seen from the side
        w, h, corner = 0.9 * width, min(0.7 * height, 0.9 * width / 3.5), 0.0
    elif room_type is RoomType.POOL:
        w, h = 0.8 * width, min(0.8 * height, 0.8 * width / 1.8)
        corner = 0.3 * h
    else:
        w, h, corner = 0.8 * width, 0.8 * height, 0.1 * min(width, height)
    cx, cy = left + width / 2, top + height / 2
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), corner
