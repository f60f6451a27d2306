"""Masks nobody draws (bot/masks.py), measured against the true area of composed gardens.

Run with `-s` to see the intersection-over-union table."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from bot import masks
from bot.domain import RoomType
from bot.images import AspectMismatch, EmptyMask, ImageError, WholeMask
from tests.support.gardens import COLOURS, blob, garden, iou, jpeg, painted, region

EXAMPLES = Path(masks.__file__).parent / "examples"
SEEDS = range(4)
STYLES = ["scribble", "outline", "hatch", "outline+hatch"]
PAINTED_MIN = 0.90
SUGGESTED_MIN = 0.85


@pytest.fixture(scope="module")
def table():
    rows: list[tuple[str, float]] = []
    yield rows
    print("\n  IoU against the true area")
    for name, value in rows:
        print(f"  {name:<48} {value:.3f}")


def one_sentence(message: str) -> bool:
    return message.endswith(".") and ". " not in message and len(message) < 160


# -- painted photos ------------------------------------------------------------------------------


def painted_case(seed: int, style: str):
    rng = random.Random(seed * 31 + STYLES.index(style))
    g = garden(seed)
    w, h = g.photo.size
    area = region(g.photo.size, blob(w * rng.uniform(0.35, 0.65), h * 0.7, w * 0.22, h * 0.17, rng))
    colour = rng.choice(COLOURS)
    width = rng.choice([4, 8, 14])
    copy = painted(g.photo, area, style, colour, width, rng)
    if seed % 2:  # sent back at another resolution, same proportions
        copy = copy.resize((w * 3 // 5, h * 3 // 5), Image.Resampling.BILINEAR)
    return g.photo, jpeg(copy, rng.choice([60, 75, 90])), area, f"{colour} w={width}"


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("seed", SEEDS)
def test_painted_area_matches_the_true_area(seed, style, table):
    photo, copy, area, how = painted_case(seed, style)
    mask = masks.derive_from_painted(photo, copy)
    assert mask.mode == "L" and mask.size == photo.size
    score = iou(mask, area)
    table.append((f"painted seed={seed} {style} {how}", score))
    assert score >= PAINTED_MIN


def test_unpainted_copy_is_refused_in_one_sentence():
    g = garden(7)
    with pytest.raises(masks.NothingPainted) as info:
        masks.derive_from_painted(g.photo, jpeg(g.photo, 60))
    assert one_sentence(str(info.value))


def test_painted_copy_of_other_proportions_is_refused():
    g = garden(7)
    with pytest.raises(AspectMismatch, match="800x600"):
        masks.derive_from_painted(g.photo, g.photo.resize((600, 600)))


def test_another_picture_is_not_a_painted_copy():
    with pytest.raises(masks.NotACopy):
        masks.derive_from_painted(garden(1).photo, garden(2).photo.transpose(Image.FLIP_LEFT_RIGHT))


def test_specks_are_not_strokes():
    g = garden(3)
    copy = g.photo.copy()
    draw = ImageDraw.Draw(copy)
    for x, y in [(100, 500), (400, 450), (700, 520)]:
        draw.rectangle((x, y, x + 1, y + 1), fill=(255, 0, 255))
    with pytest.raises(masks.NothingPainted):
        masks.derive_from_painted(g.photo, jpeg(copy, 80))


# -- suggestions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_suggested_area_is_the_lawn(seed, table):
    g = garden(seed)
    mask = masks.suggest_area(g.photo, RoomType.TERRACE)
    assert mask.mode == "L" and mask.size == g.photo.size
    score = iou(mask, g.lawn)
    table.append((f"suggested seed={seed} TERRACE", score))
    assert score >= SUGGESTED_MIN


def test_grey_photo_gets_a_suggestion_in_its_lower_part():
    camera = Image.open(EXAMPLES / "camera.png")  # a man on a lawn, grey levels only
    mask = masks.suggest_area(camera, RoomType.POOL)
    box = mask.getbbox()
    assert box is not None and box[3] > camera.height * 0.8 and box[1] > camera.height * 0.3


def test_a_photo_without_ground_gets_no_suggestion():
    sky = Image.linear_gradient("L").resize((400, 300))
    sky = Image.merge("RGB", [sky.point(lambda v: v // 2), sky.point(lambda v: v // 2 + 60), sky])
    with pytest.raises(masks.NoSuggestion) as info:
        masks.suggest_area(sky, RoomType.TERRACE)
    assert one_sentence(str(info.value))


# -- overlay and checks --------------------------------------------------------------------------


def test_overlay_tints_the_area_and_outlines_it():
    photo = Image.new("RGB", (200, 150), (40, 120, 40))
    mask = Image.new("L", (200, 150), 0)
    ImageDraw.Draw(mask).rectangle((50, 50, 149, 119), fill=255)
    out = masks.draw_overlay(photo, mask)
    assert out.mode == "RGB" and out.size == photo.size
    assert out.getpixel((10, 10)) == (40, 120, 40)  # outside: untouched
    inside = out.getpixel((100, 85))
    assert inside[0] > 120 and inside[2] > 80  # tinted towards the colour, photo still seen
    assert inside[1] > 64
    assert out.getpixel((50, 85)) in {(255, 64, 160), (255, 255, 255)}  # the outline


@pytest.mark.parametrize(
    ("fill", "error"), [(0, EmptyMask), (255, WholeMask)], ids=["empty", "whole"]
)
def test_check_mask_refuses_empty_and_whole(fill, error):
    with pytest.raises(error) as info:
        masks.check_mask(Image.new("L", (100, 100), fill))
    assert isinstance(info.value, ImageError)
    assert one_sentence(str(info.value))
