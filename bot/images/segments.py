"""A photo cut into superpixels (SLIC), with what each one looks like: colour (CIELAB), its
chromaticity (which a shadow keeps), its grain at two scales and where it sits.

Ground, hedges and trees are told apart per segment, not per pixel: a segment follows real
edges and averages out the grain of grass blades and leaves."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from skimage.segmentation import slic

SEGMENTS = 400  # at the working size (about 400 px): a few hundred pixels each


@dataclass(frozen=True)
class Segments:
    labels: np.ndarray  # int label per pixel, 0..count-1
    count: int
    size: np.ndarray  # pixels per segment
    lightness: np.ndarray  # CIELAB L*, 0-100
    a: np.ndarray  # CIELAB a*: green < 0 < red
    b: np.ndarray  # CIELAB b*: blue < 0 < yellow
    u: np.ndarray  # linear-light chromaticities (x 100): red share, green share
    v: np.ndarray
    grain: np.ndarray  # local contrast over 7 px (leaves and blades), relative to brightness
    coarse_grain: np.ndarray  # over 15 px: clumps of foliage, gaps between leaves
    row: np.ndarray  # mean row, as a share of the height (0 top, 1 bottom)

    @property
    def chroma(self) -> np.ndarray:
        return np.hypot(self.a, self.b)

    @property
    def hue(self) -> np.ndarray:
        """Degrees in the a*b* plane: red 0-30, brown/yellow 60-95, green 100-170, blue < 0."""
        return np.degrees(np.arctan2(self.b, self.a))

    def mean(self, values: np.ndarray) -> np.ndarray:
        flat = np.bincount(self.labels.ravel(), values.ravel().astype(np.float64), self.count)
        return flat / np.maximum(self.size, 1)

    def paint(self, per_segment: np.ndarray) -> np.ndarray:
        """A value per segment → an image of it."""
        return per_segment[self.labels]


def segment(rgb: np.ndarray) -> Segments:
    """`rgb`: uint8 H x W x 3 at the working size."""
    labels = slic(rgb, n_segments=SEGMENTS, compactness=10, sigma=1, start_label=0)
    count = int(labels.max()) + 1
    size = np.bincount(labels.ravel(), minlength=count).astype(np.float64)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    lightness = lab[..., 0] * (100 / 255)
    linear = (rgb.astype(np.float32) / 255) ** 2.2 + 0.004
    total = linear.sum(axis=2)

    def mean(values: np.ndarray) -> np.ndarray:
        return np.bincount(labels.ravel(), values.ravel().astype(np.float64), count) / size

    rows = np.broadcast_to(np.arange(rgb.shape[0])[:, None] / rgb.shape[0], labels.shape)
    return Segments(
        labels=labels, count=count, size=size,
        lightness=mean(lightness), a=mean(lab[..., 1] - 128), b=mean(lab[..., 2] - 128),
        u=mean(linear[..., 0] / total * 100), v=mean(linear[..., 1] / total * 100),
        grain=mean(_grain(lightness, 1.0, 7)), coarse_grain=mean(_grain(lightness, 2.0, 15)),
        row=mean(rows),
    )  # fmt: skip


def _grain(lightness: np.ndarray, sigma: float, window: int) -> np.ndarray:
    """Local standard deviation of lightness over `window`, relative to the local brightness
    (+10: near black, noise is not texture)."""
    blurred = cv2.GaussianBlur(lightness, (0, 0), sigma)
    mean = cv2.blur(blurred, (window, window))
    spread = np.sqrt(np.maximum(cv2.blur(blurred**2, (window, window)) - mean**2, 0))
    return spread / (mean + 10)
