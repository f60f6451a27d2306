"""Fake renderer for the sandbox API: paints a terrace, pool or pétanque court into a photo.

The goal is not photorealism. A sandbox result must obviously show the requested surface,
sit plausibly in the photo, change with the seed like a real generator does (so retry and
variation flows can be tested), and never be mistaken for a paid API result, hence the label.
Only whole-image Pillow operations are used (no per-pixel Python) so renders stay cheap.
"""

from __future__ import annotations

import functools
import importlib.resources
import math
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageOps, ImageStat

from bot.domain import RoomType

LABEL = "SANDBOX"

# Base tones per seed: honey, teak, oak, walnut, cedar. All clearly warmer than they are blue.
_WOODS = ((176, 122, 74), (150, 96, 58), (190, 150, 102), (118, 80, 52), (168, 104, 72))
# (shallow, deep) water pairs, mixed per seed, from turquoise to a deeper blue.
_TURQUOISE = ((96, 212, 214), (18, 120, 150))
_BLUE = ((90, 170, 226), (16, 66, 140))


def render_result(
    photo: Image.Image, mask: Image.Image, room_type: RoomType, seed: int
) -> Image.Image:
    """Paint `room_type` into the bright (> 127) part of `mask`, blended into `photo`.

    Returns a new RGB image the size of `photo`; deterministic for a given seed.
    """
    base = photo.convert("RGB")
    if mask.size != base.size:  # the caller promises this, but a wrong size must not crash
        mask = mask.resize(base.size, Image.Resampling.NEAREST)
    binary = mask.convert("L").point(lambda v: 255 if v > 127 else 0)
    bbox = binary.getbbox()
    if bbox is None:
        return _label(base)

    rng = random.Random(f"{room_type}:{seed}")  # string seeds hash stably across runs
    unit = min(base.size) / 512  # lets sizes chosen for a 512 px photo scale with the photo
    feather = min(6.0, max(1.0, 2 * unit))
    pad = math.ceil(feather * 4) + 2
    box = (
        max(0, bbox[0] - pad),
        max(0, bbox[1] - pad),
        min(base.width, bbox[2] + pad),
        min(base.height, bbox[3] + pad),
    )
    # Everything is painted in the mask's bounding box only: small masks on huge photos stay cheap.
    region, area = base.crop(box), binary.crop(box)
    fit = min(bbox[2] - bbox[0], bbox[3] - bbox[1])  # borders must leave room for the inside
    painters = {RoomType.TERRACE: _deck, RoomType.POOL: _pool, RoomType.PETANQUE: _court}
    painted = painters[RoomType(room_type)](area, rng, unit, fit)
    painted = _relight(painted, region, area, unit)
    alpha = area.filter(ImageFilter.GaussianBlur(feather))
    base.paste(Image.composite(painted, region, alpha), box[:2])
    return _label(base)


@functools.lru_cache(maxsize=8)
def _texture(name: str) -> Image.Image:
    """The grayscale texture made seamless, so tiles can be laid edge to edge. Read-only."""
    resource = importlib.resources.files("bot.api.sandbox") / "textures" / f"{name}.png"
    with resource.open("rb") as fh:
        tex = Image.open(fh).convert("L")
    # Cross-fade with a half-shifted copy near the edges, one axis at a time: the copy's own
    # seam lands in the middle where the original shows. (Mirroring is seamless too, but its
    # kaleidoscope symmetry is easy to spot in gravel.)
    w, h = tex.size
    ramp = Image.new("L", (w, 1))
    ramp.putdata([round(255 * min(1.0, max(0.0, 3 - abs(x - w / 2) * 8 / w))) for x in range(w)])
    ramp = ramp.resize((w, h))
    tex = Image.composite(tex, ImageChops.offset(tex, w // 2, 0), ramp)
    ramp = ramp.transpose(Image.Transpose.TRANSPOSE).resize((w, h))
    return Image.composite(tex, ImageChops.offset(tex, 0, h // 2), ramp)


def _tiled(name: str, size: tuple[int, int], scale: float, rng: random.Random) -> Image.Image:
    """Cover `size` with the texture at `scale`, starting from a seed-dependent offset."""
    src = _texture(name)
    side = max(16, round(src.width * scale))
    tile = src.resize((side, side), Image.Resampling.BILINEAR, reducing_gap=2.0)
    out = Image.new("L", size)
    ox, oy = rng.randrange(side), rng.randrange(side)
    for y in range(-oy, size[1], side):
        for x in range(-ox, size[0], side):
            out.paste(tile, (x, y))
    return out


def _levels(img: Image.Image, low: int, high: int) -> Image.Image:
    """Map 0..255 linearly onto low..high, e.g. to turn a texture into a gentle multiplier."""
    return img.point(lambda v: round(low + v * (high - low) / 255))


def _grain(size: tuple[int, int], rng: random.Random, unit: float) -> Image.Image:
    """Wood grain running along x: gravel noise squeezed in x, then stretched back out."""
    w, h = size
    stretch = rng.uniform(14, 26)
    fine = _tiled("gravel", (math.ceil(w / stretch), h), 0.5 * unit, rng)
    fine = ImageOps.autocontrast(fine.resize(size, Image.Resampling.BICUBIC), cutoff=1)
    broad = _tiled("gravel", (math.ceil(w / stretch / 3), max(1, h // 3)), unit, rng)
    broad = broad.resize(size, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(unit))
    return ImageChops.multiply(_levels(fine, 170, 255), _levels(broad, 190, 255))


def _grain_along_border(area: Image.Image, rng: random.Random, unit: float, width: int):
    """Grain that follows the mask border: along x on top/bottom edges, along y on the sides."""
    w, h = area.size
    along_x = _grain((w, h), rng, unit)
    along_y = _grain((h, w), rng, unit).transpose(Image.Transpose.ROTATE_90)
    return Image.composite(along_y, along_x, _vertical_edges(area, width))


def _vertical_edges(area: Image.Image, width: int) -> Image.Image:
    """White where the nearby mask border runs more vertically than horizontally."""
    soft = area.filter(ImageFilter.GaussianBlur(width))
    d = max(1, width // 2)  # a wide step keeps the 8-bit gradient from rounding to zero
    gx = ImageChops.difference(ImageChops.offset(soft, d, 0), ImageChops.offset(soft, -d, 0))
    gy = ImageChops.difference(ImageChops.offset(soft, 0, d), ImageChops.offset(soft, 0, -d))
    return ImageChops.subtract(gx, gy).point(lambda v: 255 if v else 0)


def _erode(area: Image.Image, px: int) -> Image.Image:
    """Shrink the mask by about `px` (box blur + threshold costs the same for any radius)."""
    return area.filter(ImageFilter.BoxBlur(px)).point(lambda v: 255 if v > 250 else 0)


def _tint(color: tuple[int, int, int], rng: random.Random, spread: float) -> tuple[int, ...]:
    k = rng.uniform(1 - spread, 1 + spread)
    return tuple(min(255, max(0, round(c * k * rng.uniform(0.96, 1.04)))) for c in color)


def _deck(area: Image.Image, rng: random.Random, unit: float, fit: int) -> Image.Image:
    w, h = area.size
    angle = rng.choice((0, 90, 0, 90, 30, -30))
    plank = max(5, round(unit * rng.uniform(16, 30)))
    # Lay planks along x on a canvas big enough that turning it still covers the area.
    side = math.ceil(math.hypot(w, h)) + 2 if angle % 90 else 0
    cw, ch = (side, side) if side else ((h, w) if angle == 90 else (w, h))
    wood = rng.choice(_WOODS)
    deck = Image.new("RGB", (cw, ch), (38, 27, 20))  # what shows through the gaps
    draw = ImageDraw.Draw(deck)
    gap = max(1, round(plank / 12))
    for top in range(0, ch, plank):
        x = -rng.randrange(plank * 10)  # staggered board ends, like a real deck
        while x < cw:
            length = rng.randint(plank * 7, plank * 16)
            board = (x, top, x + length - 1 - gap, top + plank - 1 - gap)
            draw.rectangle(board, _tint(wood, rng, 0.12))
            x += length
    deck = ImageChops.multiply(deck, _grain((cw, ch), rng, unit).convert("RGB"))
    draw, lit = ImageDraw.Draw(deck), tuple(min(255, c + 45) for c in wood)
    for top in range(0, ch, plank):  # a lit upper edge so boards read as slightly rounded
        draw.line((0, top, cw, top), lit)
    if angle == 90:
        return deck.transpose(Image.Transpose.ROTATE_90)
    if angle:
        deck = deck.rotate(angle, Image.Resampling.BILINEAR)
        return deck.crop(((cw - w) // 2, (ch - h) // 2, (cw - w) // 2 + w, (ch - h) // 2 + h))
    return deck


def _pool(area: Image.Image, rng: random.Random, unit: float, fit: int) -> Image.Image:
    size = area.size
    t = rng.random()
    shallow, deep = (
        tuple(round(a + (b - a) * t) for a, b in zip(p, q, strict=True))
        for p, q in zip(_TURQUOISE, _BLUE, strict=True)
    )
    coping = max(2, min(round(unit * rng.uniform(8, 12)), fit // 6))
    inside = _erode(area, coping)
    # Deeper (darker) water away from the walls.
    depth = inside.filter(ImageFilter.GaussianBlur(max(4.0, fit / 5)))
    water = Image.composite(Image.new("RGB", size, deep), Image.new("RGB", size, shallow), depth)
    # Caustics: thin bright lines where smooth noise crosses its mid level, squashed vertically
    # as ripples seen at a glancing angle; the seed moves them (offset) and sizes them (scale).
    squash = rng.uniform(0.45, 0.7)
    tall = (size[0], math.ceil(size[1] / squash))
    noise = _tiled("gravel", tall, unit * rng.uniform(0.9, 1.4), rng)
    noise = ImageOps.autocontrast(noise.filter(ImageFilter.GaussianBlur(4 * unit + 2)), cutoff=2)
    ridges = noise.point(lambda v: max(0, 255 - abs(v - 128) * 9)).resize(size)
    glints = ImageChops.multiply(ridges.convert("RGB"), Image.new("RGB", size, (150, 225, 235)))
    water = ImageChops.screen(water, glints)
    # The coping lip shades a thin strip of water along the walls.
    shadow = _levels(inside.filter(ImageFilter.GaussianBlur(coping / 3 + 1)), 110, 255)
    water = ImageChops.multiply(water, shadow.convert("RGB"))
    stone = _tiled("gravel", size, 0.35 * unit, rng).filter(ImageFilter.GaussianBlur(0.6 * unit))
    pale = _tint((242, 236, 224), rng, 0.03)
    stone = ImageOps.colorize(_levels(stone, 150, 245), (160, 152, 140), pale)
    stone = ImageChops.multiply(stone, _joints(area, coping).convert("RGB"))
    return Image.composite(stone, water, ImageChops.subtract(area, inside))


def _joints(area: Image.Image, width: int) -> Image.Image:
    """Dark lines across the border every couple of widths, i.e. separate coping slabs."""
    w, h = area.size
    step = round(width * 2.5)
    across_x, across_y = Image.new("L", (w, h), 255), Image.new("L", (w, h), 255)
    for x in range(step, w, step):
        ImageDraw.Draw(across_x).line((x, 0, x, h), 140)
    for y in range(step, h, step):
        ImageDraw.Draw(across_y).line((0, y, w, y), 140)
    return Image.composite(across_y, across_x, _vertical_edges(area, width))


def _court(area: Image.Image, rng: random.Random, unit: float, fit: int) -> Image.Image:
    size = area.size
    gravel = _tiled("gravel", size, unit * rng.uniform(0.35, 0.5), rng)
    dark, mid, light = (
        _tint(c, rng, 0.12) for c in ((112, 84, 52), (196, 158, 104), (236, 208, 156))
    )
    court = ImageOps.colorize(
        _levels(ImageOps.autocontrast(gravel, 1), 30, 235), dark, light, mid=mid
    )
    timber = max(2, min(round(unit * rng.uniform(9, 13)), fit // 8))
    inside = _erode(area, timber)
    shadow = _levels(inside.filter(ImageFilter.GaussianBlur(timber / 3 + 1)), 120, 255)
    court = ImageChops.multiply(court, shadow.convert("RGB"))
    wood = Image.new("RGB", size, _tint(rng.choice(_WOODS), rng, 0.08))
    wood = ImageChops.multiply(wood, _grain_along_border(area, rng, unit, timber).convert("RGB"))
    return Image.composite(wood, court, ImageChops.subtract(area, inside))


def _relight(painted: Image.Image, region: Image.Image, area: Image.Image, unit: float):
    """Carry the photo's broad light and shadow into the paint so it looks placed, not pasted."""
    light = region.convert("L").filter(ImageFilter.GaussianBlur(6 * unit))
    mean = max(1.0, ImageStat.Stat(light, area).mean[0])
    # Gain of 1 at the masked area's mean brightness, so shadows darken and sunlit parts lift.
    # Chops only multiply by <= 1, so the gain is stored divided by 1.5 and scaled back after.
    gain = light.point(lambda v: round(255 / 1.5 * min(1.5, max(0.35, 0.3 + 0.7 * v / mean))))
    lit = ImageChops.multiply(painted, gain.convert("RGB"))
    return lit.point(lambda v: min(255, round(v * 1.5)))


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 only has the fixed-size bitmap font
        return ImageFont.load_default()


def _label(img: Image.Image) -> Image.Image:
    """Stamp a small translucent SANDBOX tag in the top-left corner."""
    size = max(9, round(min(img.size) / 28))
    font, margin = _font(size), max(2, size // 3)
    left, top, right, bottom = ImageDraw.Draw(img).textbbox((0, 0), LABEL, font=font)
    tag = (min(img.width, right - left + 4 * margin), min(img.height, bottom - top + 4 * margin))
    # Only the corner is composited: converting a whole 4096 px photo to RGBA is wasted work.
    overlay = Image.new("RGBA", tag, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rectangle((margin, margin, tag[0] - margin - 1, tag[1] - margin - 1), fill=(0, 0, 0, 90))
    draw.text((2 * margin - left, 2 * margin - top), LABEL, font=font, fill=(255, 255, 255, 190))
    corner = Image.alpha_composite(img.crop((0, 0, *tag)).convert("RGBA"), overlay)
    img.paste(corner.convert("RGB"), (0, 0))
    return img
