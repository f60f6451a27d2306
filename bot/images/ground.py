"""Where the open ground is in a garden photo: a vegetation index with an automatic threshold,
cut at the sky line (tree crowns against the sky are not ground), grown from the lower part of
the picture over pixels of the lawn's colour and texture (a darker hedge stays out). Grey
photos use brightness and texture alone."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

from bot.domain import RoomType
from bot.images import raster


def find_ground(rgb: np.ndarray) -> np.ndarray:
    """Open ground (lawn) in an RGB array: the largest region, holes of small objects filled."""
    ground = _grey_ground(rgb) if _is_grey(rgb) else _green_ground(rgb)
    ground = raster.keep_largest(raster.fill_holes(raster.opening(ground, 2), 0.005))
    return raster.smooth(ground, 0.01 * min(ground.shape))


def _is_grey(rgb: np.ndarray) -> bool:
    return float(np.abs(rgb - rgb.mean(axis=2, keepdims=True)).mean()) < 4


def _green_ground(rgb: np.ndarray) -> np.ndarray:
    total = rgb.sum(axis=2) + 1.0
    exg = (2 * rgb[..., 1] - rgb[..., 0] - rgb[..., 2]) / total
    green = exg > min(max(raster.otsu(exg), 0.05), 0.25)
    green[: _horizon(rgb)] = False  # tree crowns against the sky are not ground
    height = rgb.shape[0]
    for start in (2 * height // 3, height // 2):  # a patio in front may push the lawn back
        seed = green.copy()
        seed[:start] = False
        if seed.sum() >= 0.01 * green.size:
            break
    else:
        return np.zeros_like(green)
    chroma = rgb / total[..., None] * 255
    lawn = _grow_from(seed, _features(rgb, [chroma[..., 0], chroma[..., 2]]), green)
    # the smoothed features blur the lawn's edge: take back the green pixels along it
    return raster.dilate(lawn, 3) & green


def _horizon(rgb: np.ndarray) -> int:
    """The row below which no sky comes down: what is above it stands against the sky."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    brightness = rgb.mean(axis=2)
    smooth = ndimage.uniform_filter(brightness, 5)
    grain = np.sqrt(np.maximum(ndimage.uniform_filter(brightness**2, 5) - smooth**2, 0))
    # blue, or a bright overcast grey without texture
    sky = ((b > r + 15) & (b >= g) & (brightness > 90)) | (
        (brightness > 170) & (np.ptp(rgb, axis=2) < 30) & (grain < 6)
    )
    labels, _ = ndimage.label(sky)
    top = np.unique(labels[0][labels[0] > 0])
    sky = np.isin(labels, top)
    columns = sky.any(axis=0)
    if columns.mean() < 0.2:
        return 0  # no sky along the top: a view down onto the garden
    lowest = rgb.shape[0] - 1 - np.argmax(sky[::-1], axis=0)
    return int(np.percentile(lowest[columns], 97))


def _grey_ground(rgb: np.ndarray) -> np.ndarray:
    grey = rgb.mean(axis=2)
    height = grey.shape[0]
    seed = np.zeros(grey.shape, dtype=bool)
    seed[int(0.85 * height) :, grey.shape[1] // 5 : 4 * grey.shape[1] // 5] = True
    allowed = np.ones_like(seed)
    allowed[: _horizon(rgb)] = False
    ground = _grow_from(seed, _features(rgb, []), allowed)
    if ground.mean() >= 0.05:
        return ground
    # nothing to tell the ground by: the middle of the lower part, where people stand
    fallback = Image.new("L", (grey.shape[1], height), 0)
    width = grey.shape[1]
    ImageDraw.Draw(fallback).ellipse((0.2 * width, 0.6 * height, 0.8 * width, 0.95 * height), 1)
    return np.asarray(fallback, dtype=bool)


def _features(rgb: np.ndarray, extra: list[np.ndarray]) -> np.ndarray:
    """Per-pixel brightness, texture and `extra` (colour), smoothed so a lawn's grain averages
    out."""
    brightness = rgb.mean(axis=2)
    smooth = ndimage.uniform_filter(brightness, 7)
    texture = np.sqrt(np.maximum(ndimage.uniform_filter(brightness**2, 7) - smooth**2, 0))
    layers = [smooth, ndimage.uniform_filter(texture, 7)]
    layers += [ndimage.uniform_filter(layer, 7) for layer in extra]
    return np.stack(layers, axis=2)


def _grow_from(seed: np.ndarray, layers: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Pixels like the seed's (robust z-scores), connected to it."""
    values = layers[seed]
    for _ in range(3):  # a coat or a path in the seed strip is not the lawn: trim it away
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
    # thin things standing on the lawn (a tripod, a washing line's pole) do not stop a pool
    bridged = raster.closing(ground, 0.03 * min(ground.shape))
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
