"""The regions "Select area" picks from (bot.images.regions): one tap, one meaningful region."""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter
from scipy import ndimage

from bot.images import regions
from tests.support import gardens

REAL = Path(__file__).resolve().parents[1] / "data" / "real"
# where a person taps the open ground of each real photo (fractions of width and height)
TAPS = {"desire-path": (0.85, 0.75), "bunker-entrance": (0.5, 0.85)}


def _tapped(labels: np.ndarray, at: tuple[float, float]) -> np.ndarray:
    y, x = int(at[1] * labels.shape[0]), int(at[0] * labels.shape[1])
    return labels == labels[y, x]


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


def _truth_part(name: str, shape: tuple[int, int], at: tuple[float, float]) -> np.ndarray:
    """The ground truth's open ground where the tap is (a photo may have two lawns)."""
    truth = Image.open(REAL / f"{name}.mask.png").resize(shape[::-1], Image.Resampling.NEAREST)
    parts, _ = ndimage.label(np.asarray(truth) > 127)
    tapped = parts[int(at[1] * shape[0]), int(at[0] * shape[1])]
    assert tapped, "the tap must be on the ground truth's open ground"
    return parts == tapped


@pytest.mark.parametrize("name", sorted(TAPS))
def test_one_tap_on_the_open_ground_of_a_real_photo_takes_it(name):
    labels = regions.regions_of((REAL / f"{name}.jpg").read_bytes())
    part = _truth_part(name, labels.shape, TAPS[name])
    assert _iou(_tapped(labels, TAPS[name]), part) >= 0.85


def test_the_map_is_small_numbered_from_zero_and_the_same_every_time():
    data = (REAL / "desire-path.jpg").read_bytes()  # 1600 x 1200
    labels = regions.regions_of(data)
    assert labels.shape == (480, 640) and labels.dtype == np.uint8
    found = np.unique(labels)
    assert found.tolist() == list(range(len(found)))  # 0..count-1, no gaps
    assert 2 <= len(found) <= regions.MAX_REGIONS
    assert np.array_equal(regions.regions_of(data), labels)
    # the PNG the studio gets holds exactly these numbers
    png = Image.open(io.BytesIO(regions.label_png(labels)))
    assert png.mode == "L" and np.array_equal(np.asarray(png), labels)


def test_the_map_keeps_the_photos_frame_and_never_upscales():
    photo = gardens.garden(1).photo  # 800 x 600
    assert regions.find_regions(photo).shape == (480, 640)
    assert regions.find_regions(photo.rotate(90, expand=True)).shape == (640, 480)
    assert regions.find_regions(photo.resize((300, 200))).shape == (200, 300)
    # a decoded image and its PNG bytes give the same map (no JPEG shortcut for a PNG)
    out = io.BytesIO()
    photo.save(out, format="PNG")
    assert np.array_equal(regions.regions_of(out.getvalue()), regions.find_regions(photo))


def _shaded_lawn(seed: int, shadow: float, blur: float):
    """A lawn under the sky and a dark hedge, a tree's shadow (`shadow` of the light) across
    its left half, and a gravel patio: the photo, the lawn and the patio."""
    rng = random.Random(seed)
    size = w, h = 800, 600
    photo = Image.new("RGB", size, (150, 185, 230))
    top = gardens.wavy(w, 0, h * 0.43, h * 0.01, rng)
    lawn = gardens.region(size, [*top, (0, h), (w, h)])
    light = Image.new("L", size, 255)
    shade = gardens.blob(w * 0.35, h * 0.75, w * 0.3, h * 0.18, rng)
    ImageDraw.Draw(light).polygon(shade, fill=round(255 * shadow))
    light = Image.merge("RGB", [light.filter(ImageFilter.GaussianBlur(blur))] * 3)
    grass = ImageChops.multiply(gardens.textured("grass", size, gardens.GRASS, rng), light)
    photo.paste(grass, mask=lawn)
    hedge = [*gardens.wavy(0, w, h * 0.3, h * 0.03, rng), *top]
    photo.paste(
        gardens.textured("grass", size, gardens.HEDGE, rng, 0.35), mask=gardens.region(size, hedge)
    )
    patio = gardens.region(size, gardens.blob(w * 0.75, h * 0.8, w * 0.15, h * 0.12, rng))
    photo.paste(gardens.textured("gravel", size, gardens.GRAVEL, rng, 0.6), mask=patio)
    lawn = ImageChops.subtract(lawn, patio)
    photo = gardens.jpeg(photo.filter(ImageFilter.GaussianBlur(0.6)), 85)
    return photo, lawn, patio


@pytest.mark.parametrize(("shadow", "blur"), [(0.3, 3), (0.45, 1), (0.6, 8)])
def test_a_lawn_half_in_shade_is_one_region_and_the_patio_and_hedge_are_others(shadow, blur):
    photo, lawn, patio = _shaded_lawn(7, shadow, blur)
    labels = regions.find_regions(photo)
    lawn_ = np.asarray(lawn.resize(labels.shape[::-1])) > 127
    patio_ = np.asarray(patio.resize(labels.shape[::-1])) > 127
    sunlit, shaded = _tapped(labels, (0.9, 0.55)), _tapped(labels, (0.35, 0.75))
    assert np.array_equal(sunlit, shaded)  # one tap in the sun takes the shade too
    assert _iou(sunlit, lawn_) >= 0.9
    assert _iou(_tapped(labels, (0.75, 0.8)), patio_) >= 0.85
    hedge = _tapped(labels, (0.5, 0.36))
    assert not (hedge & sunlit).any()  # the dark hedge of the lawn's hue stays apart


def test_a_tap_on_the_test_gardens_lawn_takes_the_lawn():
    for seed in range(4):
        garden = gardens.garden(seed)
        labels = regions.find_regions(garden.photo)
        lawn = np.asarray(garden.lawn.resize(labels.shape[::-1], Image.Resampling.NEAREST)) > 127
        parts, _ = ndimage.label(lawn)
        biggest = parts == np.bincount(parts.ravel())[1:].argmax() + 1
        inside = ndimage.distance_transform_edt(biggest)  # the middle of the lawn
        y, x = np.unravel_index(inside.argmax(), inside.shape)
        assert _iou(labels == labels[y, x], biggest) >= 0.85, seed
