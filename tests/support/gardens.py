"""Garden photos the tests compose themselves, with the true lawn known to the pixel.

Real textures (CC0, see tests/data/PROVENANCE.md) tinted and pasted along irregular outlines:
sky, a brick house, a dark hedge, tree crowns against the sky (green things that are not
ground), a gravel path, shrubs, and the lawn. Then JPEG-compressed, as a phone would.
"""

from __future__ import annotations

import io
import itertools
import math
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

ROOT = Path(__file__).resolve().parents[2]
# grass and gravel ship with the sandbox already; brick is the tests' own (all CC0)
TEXTURES = {
    "grass": ROOT / "bot" / "api" / "sandbox" / "textures" / "grass.png",
    "gravel": ROOT / "bot" / "api" / "sandbox" / "textures" / "gravel.png",
    "brick": ROOT / "tests" / "data" / "brick.png",
}

GRASS = ((25, 50, 10), (150, 205, 80))  # dark and light end of the tint
DRY = ((45, 50, 15), (195, 200, 110))  # a lawn in August
HEDGE = ((5, 25, 12), (60, 110, 60))
CROWN = ((20, 45, 15), (120, 170, 70))
GRAVEL = ((70, 65, 55), (215, 205, 185))
BRICK = ((60, 25, 20), (200, 110, 85))


@cache
def _texture(name: str) -> Image.Image:
    return Image.open(TEXTURES[name]).convert("L")


def textured(name: str, size: tuple[int, int], tint, rng: random.Random, scale=1.0) -> Image.Image:
    """A tinted texture covering `size`: tiled from a random offset, optionally rescaled."""
    tile = _texture(name)
    if scale != 1.0:
        tile = tile.resize((round(tile.width * scale), round(tile.height * scale)))
    canvas = Image.new("L", size)
    ox, oy = rng.randrange(tile.width), rng.randrange(tile.height)
    for x in range(-ox, size[0], tile.width):
        for y in range(-oy, size[1], tile.height):
            canvas.paste(tile, (x, y))
    return ImageOps.colorize(ImageOps.autocontrast(canvas, cutoff=1), tint[0], tint[1])


def wavy(x0: float, x1: float, y: float, amp: float, rng: random.Random, n: int = 24):
    """Points along an irregular line from x0 to x1 around height y."""
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
    points = []
    for i in range(n + 1):
        x = x0 + (x1 - x0) * i / n
        t = i / n * 2 * math.pi
        dy = sum(math.sin((k + 1) * t + p) / (k + 1) for k, p in enumerate(phases))
        points.append((x, y + amp * dy / 1.8 + rng.uniform(-amp, amp) * 0.15))
    return points


def blob(cx: float, cy: float, rx: float, ry: float, rng: random.Random, n: int = 28):
    """An irregular closed outline (a crown, a flower bed, an area someone paints)."""
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
    points = []
    for i in range(n):
        t = 2 * math.pi * i / n
        r = 1 + 0.12 * sum(math.sin((k + 2) * t + p) for k, p in enumerate(phases)) / 2
        points.append((cx + rx * r * math.cos(t), cy + ry * r * math.sin(t)))
    return points


def region(size, polygon) -> Image.Image:
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).polygon(polygon, fill=255)
    return mask


@dataclass
class Garden:
    photo: Image.Image  # RGB, decoded from a JPEG
    lawn: Image.Image  # L, 255 on visible lawn


@cache  # composing takes a while; callers copy before they draw
def garden(seed: int, size=(800, 600), quality: int = 82) -> Garden:
    rng = random.Random(seed)
    w, h = size
    horizon = h * rng.uniform(0.38, 0.5)
    # sky: a vertical gradient, lighter towards the horizon
    overcast = seed % 3 == 2
    top, low = ((185, 190, 198), (225, 228, 232)) if overcast else ((95, 145, 215), (200, 220, 240))
    sky = Image.linear_gradient("L").resize(size)
    photo = ImageOps.colorize(sky, top, low)
    # tree crown against the sky, on a trunk
    crown_x = w * rng.choice([0.2, 0.8])
    crown = blob(crown_x, horizon - h * 0.2, w * 0.12, h * 0.14, rng)
    trunk = (crown_x - w * 0.015, horizon - h * 0.12, crown_x + w * 0.015, horizon + h * 0.02)
    ImageDraw.Draw(photo).rectangle(trunk, fill=(85, 60, 40))
    photo.paste(textured("grass", size, CROWN, rng, 0.5), mask=region(size, crown))
    # a brick house on the other side
    house_x = w * (0.45 if crown_x > w / 2 else 0.6)
    house = [(house_x, horizon - h * 0.28), (house_x + w * 0.32, horizon - h * 0.28)]
    house += [(house_x + w * 0.32, horizon + h * 0.03), (house_x, horizon + h * 0.03)]
    photo.paste(textured("brick", size, BRICK, rng, 0.4), mask=region(size, house))
    # a hedge along the horizon, taller in places
    hedge_top = wavy(0, w, horizon - h * 0.06, h * 0.03, rng)
    base = wavy(w, 0, horizon + h * 0.04, h * 0.015, rng)
    hedge_poly = hedge_top + base
    partial = rng.random() < 0.5
    if partial:  # only part of the width: there the lawn meets the sky
        hedge_poly = [(min(x, w * 0.55), y) for x, y in hedge_top] + [
            (min(x, w * 0.55), y) for x, y in base
        ]
    photo.paste(textured("grass", size, HEDGE, rng, 0.35), mask=region(size, hedge_poly))
    # the lawn from the hedge's base to the bottom, darker with distance
    lawn_poly = [*reversed(base), (w, h), (0, h)]
    lawn = region(size, lawn_poly)
    grass = textured("grass", size, DRY if seed % 4 == 3 else GRASS, rng, rng.uniform(0.8, 1.3))
    shade = Image.linear_gradient("L").resize(size).point(lambda v: 150 + v * 105 // 255)
    grass = ImageChops.multiply(grass, Image.merge("RGB", [shade] * 3))
    photo.paste(grass, mask=lawn)
    # a gravel path or patio cutting into the lawn
    if rng.random() < 0.5:
        px = w * rng.uniform(0.3, 0.7)
        path = [(px - w * 0.04, horizon + h * 0.1), (px + w * 0.04, horizon + h * 0.1)]
        path += [(px + w * 0.16, h), (px - w * 0.1, h)]
    else:
        path = blob(w * rng.choice([0.15, 0.85]), h * 0.92, w * 0.2, h * 0.14, rng)
    gravel = region(size, path)
    photo.paste(textured("gravel", size, GRAVEL, rng, 0.6), mask=gravel)
    lawn = ImageChops.subtract(lawn, gravel)
    # green things standing on the lawn: a shrub, or a hedge along one side
    if seed % 2:
        shrub = region(size, blob(w * rng.uniform(0.3, 0.7), h * 0.68, w * 0.07, h * 0.08, rng))
        photo.paste(textured("grass", size, HEDGE, rng, 0.35), mask=shrub)
        lawn = ImageChops.subtract(lawn, shrub)
    else:
        side = [(0, horizon - h * 0.05), (w * 0.06, horizon - h * 0.02)]
        side += [(w * rng.uniform(0.12, 0.18), h), (0, h)]
        if rng.random() < 0.5:
            side = [(w - x, y) for x, y in side]
        edge = region(size, side)
        photo.paste(textured("grass", size, HEDGE, rng, 0.35), mask=edge)
        lawn = ImageChops.subtract(lawn, edge)
    if partial:  # a young tree on the lawn's far edge: a crown of the lawn's green, on the sky
        x = min(house_x + w * 0.4, w * 0.94)
        young = region(size, blob(x, horizon - h * 0.07, w * 0.06, h * 0.11, rng))
        photo.paste(textured("grass", size, GRASS, rng, 0.5), mask=young)
        lawn = ImageChops.subtract(lawn, young)
    photo = photo.filter(ImageFilter.GaussianBlur(0.6))  # a lens, not a collage
    return Garden(jpeg(photo, quality), lawn)


def jpeg(image: Image.Image, quality: int) -> Image.Image:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    out.seek(0)
    decoded = Image.open(out)
    decoded.load()
    return decoded


def iou(mask: Image.Image, truth: Image.Image) -> float:
    a = mask.convert("L").point(lambda v: 255 if v > 127 else 0)
    b = truth.convert("L").point(lambda v: 255 if v > 127 else 0)
    inter = ImageChops.multiply(a, b).histogram()[255]
    union = ImageChops.lighter(a, b).histogram()[255]
    return inter / union if union else 0.0


# -- painting on a copy, as with a phone's markup tool ------------------------------------------

COLOURS = [(255, 0, 0), (255, 230, 0), (255, 0, 255), (0, 255, 255), (255, 255, 255), (0, 90, 255)]


def painted(photo: Image.Image, polygon, style: str, colour, width: int, rng) -> Image.Image:
    """A copy of `photo` with the area inside `polygon` outlined, hatched or scribbled over.

    Thin strokes run with the pen's middle on the area's edge; a scribble paints it solid."""
    area = region(photo.size, polygon)
    copy = photo.convert("RGB")
    draw = ImageDraw.Draw(copy)
    if style in ("outline", "outline+hatch"):
        _outline(draw, polygon, colour, width, rng)
    if style in ("hatch", "outline+hatch"):
        _hatch(draw, area, colour, width, spacing=2 * width)
    if style == "scribble":
        draw.bitmap((0, 0), area, fill=colour)  # the solid middle a scribble leaves
        _hatch(draw, area.filter(ImageFilter.MinFilter(2 * (width // 2) + 1)), colour, width, width)
    return copy


def _hatch(draw, area: Image.Image, colour, width: int, spacing: float) -> None:
    """Zigzag strokes across the area, the pen's middle turning on its edge."""
    inside = np.asarray(area) > 127
    top, bottom = area.getbbox()[1], area.getbbox()[3] - 1
    count = max(2, math.ceil((bottom - top) / spacing) + 1)
    previous = None
    for i in range(count):
        y = top + (bottom - top) * i / (count - 1)
        row = np.flatnonzero(inside[int(y)])
        if not row.size:
            continue
        ends = [(int(row[0]), y), (int(row[-1]), y)]
        if i % 2:
            ends.reverse()
        if previous:
            draw.line([previous, ends[0]], fill=colour, width=width)
        draw.line(ends, fill=colour, width=width)
        previous = ends[1]


def _outline(draw, polygon, colour, width: int, rng: random.Random) -> None:
    """The polygon traced with a slight wobble, leaving a gap where the stroke began."""
    points = []
    closed = [*polygon, polygon[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(closed):
        steps = max(1, int(math.hypot(x1 - x0, y1 - y0) / 6))
        points += [(x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps) for k in range(steps)]
    points = [(x + rng.uniform(-1, 1), y + rng.uniform(-1, 1)) for x, y in points]
    start = rng.randrange(len(points))
    gap = max(2, len(points) // 40)  # 2.5 % of the way round left open
    points = points[start + gap :] + points[:start]
    draw.line(points, fill=colour, width=width, joint="curve")
