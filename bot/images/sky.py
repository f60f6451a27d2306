"""The sky in a photo, and the row below which it never comes down (the horizon line as seen:
what stands above it stands against the sky, so it is not ground)."""

from __future__ import annotations

import numpy as np
from scipy import ndimage


def sky_from_top(rgb: np.ndarray) -> np.ndarray:
    """Sky pixels connected to the top edge: blue, or a bright overcast grey without grain."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    brightness = rgb.mean(axis=2)
    smooth = ndimage.uniform_filter(brightness, 5)
    grain = np.sqrt(np.maximum(ndimage.uniform_filter(brightness**2, 5) - smooth**2, 0))
    sky = ((b > r + 15) & (b >= g) & (brightness > 90)) | (
        (brightness > 170) & (np.ptp(rgb, axis=2) < 30) & (grain < 6)
    )
    labels, _ = ndimage.label(sky)
    top = np.unique(labels[0][labels[0] > 0])
    return np.isin(labels, top)


def horizon(sky: np.ndarray) -> float | None:
    """The share of the height below which no sky comes down; None when there is no sky along
    the top (a view down onto the garden)."""
    columns = sky.any(axis=0)
    if columns.mean() < 0.2:
        return None
    lowest = sky.shape[0] - 1 - np.argmax(sky[::-1], axis=0)
    return float(np.percentile(lowest[columns], 97)) / sky.shape[0]
