"""Finding the strokes on a painted copy of a photo: where the copy differs from the photo by
more than JPEG noise and resampling do.

The noise is measured where the copy still shows the photo untouched (bot.images.copies
finds those places), so a copy recompressed hard gets a higher threshold than a clean one and
a weak highlighter on a clean copy is still seen; the threshold does not depend on how much
was painted. Paint is told from noise by its coherence: the difference is smoothed before it
is measured (noise averages out, a stroke or a highlighter does not), kept where it is
connected to a clear difference (hysteresis), and its edge is put where the difference falls
to half of its local strength, as on a blurred step."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from bot.images import raster

SMOOTH = 1.2  # pixels: the difference's extra blur (the pictures are already blurred by 1)
DEFAULT_NOISE = 8.0  # when too little of the photo is left unpainted to measure the noise
MIN_LOW = 6.0  # a difference of 6 (of 255, three channels) is never a stroke on its own
CLEAN_SHIFT = 5.0  # mean difference of a block that shows the photo untinted


def find_strokes(photo: np.ndarray, painted: np.ndarray, shown: np.ndarray) -> np.ndarray:
    """Pixels painted over, from two RGB arrays of one size and where the copy still shows
    the photo's texture (`shown`, from bot.images.copies.compare)."""
    diff = ndimage.gaussian_filter(painted - photo, (SMOOTH, SMOOTH, 0))
    strength = np.sqrt((diff**2).sum(axis=2))
    noise = _noise(strength, diff, shown)
    low = max(MIN_LOW, 1.6 * noise)
    strokes = _hysteresis(strength, low, 2 * low)
    strokes = raster.drop_small(strokes, 0.0003 * strength.size)
    if strokes.any():
        # the stroke's true edge is where the difference is half its local strength: the
        # blur and the low threshold widen what hysteresis keeps
        local = ndimage.maximum_filter(np.where(strokes, strength, 0), size=9)
        strokes &= strength > np.maximum(low, local / 2)
        strokes = raster.drop_small(strokes, 0.0003 * strength.size)
    return strokes


def _noise(strength: np.ndarray, diff: np.ndarray, shown: np.ndarray) -> float:
    """A high quantile of the difference where the copy shows the photo untinted: the texture
    matches there and the difference has no common shift (a highlighter's has)."""
    clean = shown & (np.sqrt((ndimage.uniform_filter(diff, (15, 15, 0)) ** 2).sum(2)) < CLEAN_SHIFT)
    if clean.sum() < 0.005 * clean.size:
        return DEFAULT_NOISE
    return float(np.quantile(strength[clean], 0.997))


def _hysteresis(diff: np.ndarray, low: float, high: float) -> np.ndarray:
    """Pixels above `low` connected to one above `high`: faint stroke edges, not noise."""
    labels, count = ndimage.label(diff > low)
    keep = np.zeros(count + 1, dtype=bool)
    keep[np.unique(labels[diff > high])] = True
    keep[0] = False
    return keep[labels]
