"""Is a picture a copy of a photo, however much of it was painted over?

Paint hides the photo but never moves it: wherever a copy still shows the photo, plainly or
under a translucent highlighter, its texture is the photo's texture at the same place (high
normalised cross-correlation, which an affine change of colour such as a highlighter keeps).
Another photo, even of the same kind of garden, shares no texture at the same places; another
crop or a shifted copy shares it, but at the wrong places. So small blocks of texture are
compared at the same place and a few pixels off: a copy matches in place (however few blocks
are left unpainted) and hardly ever better off place; anything else does not. When paint
covers nearly everything, nothing is left to compare: a copy then shows mostly one bright
colour, which no photo does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BLOCK = 8  # pixels a side, at the comparison's resolution (a 320-px-wide picture)
SHIFT = 6  # how far off place to look, in pixels at that resolution (2 % of the width)
STEP = 2
MATCH = 0.9  # correlation of a block that shows the same texture
TEXTURED = 4.0  # standard deviation (of 255) of a block with texture to compare
MIN_MATCHES = 8  # blocks matching in place that prove a copy
MIN_SHARE = 0.01  # the same, as a share of the photo's textured blocks (large pictures)
CROP_SHARE = 0.05  # share of the textured blocks matching off place in a crop (a block
# straddling the edge of paint matches a little better moved off the paint: a few of those)
MOSTLY_PAINT = 0.4  # share of a copy in one colour that shows it is painted (nearly) whole
PAINT_TOLERANCE = 30.0  # distance (RGB, of 255) to that colour
PAINT_CHROMA = 80.0  # how far from grey that colour is (highest channel less lowest)


@dataclass
class Comparison:
    same: bool  # the copy is the photo with paint on it
    shown: np.ndarray  # (h, w) bool: where the copy shows the photo's texture (maybe tinted)


def compare(photo: np.ndarray, copy: np.ndarray) -> Comparison:
    """Whether `copy` (RGB, float, the same size as `photo`) is the photo with paint on it,
    and where it still shows the photo."""
    factor = max(1, round(max(photo.shape[:2]) / 320))
    small_photo, small_copy = _reduced(photo, factor), _reduced(copy, factor)
    in_place, off_place, textured = _matches(small_photo, small_copy)
    shown = _full_size(in_place & textured, factor, photo.shape[:2])
    count = int(textured.sum())
    if count == 0:  # a photo without texture (a grey card): nothing to tell them apart by
        return Comparison(True, shown)
    here = int((in_place & textured).sum())
    elsewhere = int((off_place & textured).sum())
    if elsewhere >= max(MIN_MATCHES, CROP_SHARE * count) and elsewhere > here / 2:
        return Comparison(False, shown)  # a crop or shift of the photo: it matches off place
    if here >= max(MIN_MATCHES, MIN_SHARE * count):
        return Comparison(True, shown)
    return Comparison(_mostly_paint(small_copy), shown)


def _mostly_paint(copy: np.ndarray) -> bool:
    """Whether most of the copy is one bright colour, as paint is and a photo never is (an
    overcast sky, the largest patch of one colour a garden photo has, is grey)."""
    key = (copy // 16).astype(np.int32)
    key = key[..., 0] * 256 + key[..., 1] * 16 + key[..., 2]
    colour = copy[key == np.bincount(key.ravel()).argmax()].mean(axis=0)
    share = float((np.sqrt(((copy - colour) ** 2).sum(axis=2)) < PAINT_TOLERANCE).mean())
    return share >= MOSTLY_PAINT and float(colour.max() - colour.min()) >= PAINT_CHROMA


def _reduced(image: np.ndarray, factor: int) -> np.ndarray:
    """Down to about 320 px wide by averaging `factor` x `factor` pixels: JPEG noise averages
    out, texture stays."""
    if factor == 1:
        return image
    h, w = (s // factor * factor for s in image.shape[:2])
    return image[:h, :w].reshape(h // factor, factor, w // factor, factor, 3).mean(axis=(1, 3))


def _full_size(blocks: np.ndarray, factor: int, shape: tuple[int, int]) -> np.ndarray:
    """A per-block map (of the inner area, SHIFT from each side) at the picture's size."""
    cell = BLOCK * factor
    out = np.zeros(shape, dtype=bool)
    grown = np.repeat(np.repeat(blocks, cell, axis=0), cell, axis=1)
    top = SHIFT * factor
    h, w = min(grown.shape[0], shape[0] - top), min(grown.shape[1], shape[1] - top)
    out[top : top + h, top : top + w] = grown[:h, :w]
    return out


def _matches(photo: np.ndarray, copy: np.ndarray):
    """Per block of the photo: matched in place, matched better off place, and textured."""
    h, w = photo.shape[:2]
    inner = photo[SHIFT : h - SHIFT, SHIFT : w - SHIFT]
    p_sum, p_var = _moments(inner)
    in_place = None
    best_off = None
    for dy in range(-SHIFT, SHIFT + 1, STEP):
        for dx in range(-SHIFT, SHIFT + 1, STEP):
            moved = copy[SHIFT + dy : h - SHIFT + dy, SHIFT + dx : w - SHIFT + dx]
            q_sum, q_var = _moments(moved)
            n = BLOCK * BLOCK * 3
            cov = _blocks(inner * moved).sum(-1) / n - (p_sum * q_sum).sum(-1) / (BLOCK**2 * n)
            ncc = cov / np.sqrt(np.maximum(p_var * q_var, 1e-6))
            if dx == 0 and dy == 0:
                in_place = ncc
            else:
                best_off = ncc if best_off is None else np.maximum(best_off, ncc)
    textured = p_var > TEXTURED**2
    off_place = (best_off > MATCH) & (best_off > in_place + 0.05)
    return in_place > MATCH, off_place, textured


def _moments(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per block: the sum of each channel, and the variance over all three channels (each
    about its own mean: a highlighter shifts each channel by its own amount)."""
    sums = _blocks(image)
    n = BLOCK * BLOCK * 3
    var = _blocks(image * image).sum(-1) / n - (sums**2).sum(-1) / (BLOCK**2 * n)
    return sums, var


def _blocks(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[0] // BLOCK * BLOCK, image.shape[1] // BLOCK * BLOCK
    shaped = image[:h, :w].reshape(h // BLOCK, BLOCK, w // BLOCK, BLOCK, *image.shape[2:])
    return shaped.sum(axis=(1, 3))
