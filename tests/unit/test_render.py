"""Tests for the sandbox's fake renderer (bot/sandbox/render.py)."""

from __future__ import annotations

from importlib.resources import files

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from bot.api.sandbox.render import render_result
from bot.domain import RoomType

SIZE = (256, 256)
RECT = (96, 96, 224, 224)  # the masked area, away from the label in the top-left corner
LABEL_BOX = (0, 0, 110, 40)  # generous bound for the SANDBOX tag at this size
FEATHER_MARGIN = 12  # the soft edge may touch pixels this close to the mask


def _photo(mode: str = "RGB") -> Image.Image:
    """A lawn-ish photo with a brightness gradient, so "unchanged" is a meaningful check."""
    ramp = Image.linear_gradient("L").resize(SIZE)
    green = Image.merge("RGB", (ramp.point(lambda v: v // 3), ramp, ramp.point(lambda v: v // 4)))
    return green.convert(mode)


def _mask(rect: tuple[int, int, int, int] = RECT, value: int = 255) -> Image.Image:
    mask = Image.new("L", SIZE, 0)
    ImageDraw.Draw(mask).rectangle(rect, fill=value)
    return mask


def _grow(rect: tuple[int, int, int, int], by: int) -> tuple[int, int, int, int]:
    return (rect[0] - by, rect[1] - by, rect[2] + by, rect[3] + by)


def _mean(img: Image.Image, rect: tuple[int, int, int, int]) -> list[float]:
    return ImageStat.Stat(img.crop(rect)).mean


def _changed(a: Image.Image, b: Image.Image, rect: tuple[int, int, int, int]) -> float:
    """Mean absolute per-channel difference inside rect."""
    return sum(_mean(ImageChops.difference(a.convert("RGB"), b.convert("RGB")), rect)) / 3


def _differs_outside(out: Image.Image, photo: Image.Image, *keep_out) -> bool:
    diff = ImageChops.difference(out, photo.convert("RGB"))
    draw = ImageDraw.Draw(diff)
    for rect in keep_out:
        draw.rectangle(rect, fill=(0, 0, 0))
    return diff.getbbox() is not None


@pytest.mark.parametrize("room_type", list(RoomType))
@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "P"])
def test_output_is_rgb_and_photo_sized(room_type: RoomType, mode: str) -> None:
    out = render_result(_photo(mode), _mask(), room_type, seed=1)
    assert out.mode == "RGB"
    assert out.size == SIZE


@pytest.mark.parametrize("size", [(64, 64), (300, 200), (97, 411)])
@pytest.mark.parametrize("room_type", list(RoomType))
def test_odd_and_small_sizes(room_type: RoomType, size: tuple[int, int]) -> None:
    photo = Image.new("RGB", size, (90, 140, 70))
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse((size[0] // 3, size[1] // 3, size[0] - 2, size[1] - 2), fill=255)
    out = render_result(photo, mask, room_type, seed=3)
    assert out.size == size and out.mode == "RGB"


@pytest.mark.parametrize("room_type", list(RoomType))
def test_outside_the_mask_is_untouched_except_the_label(room_type: RoomType) -> None:
    photo = _photo()
    out = render_result(photo, _mask(), room_type, seed=5)
    assert not _differs_outside(out, photo, LABEL_BOX, _grow(RECT, FEATHER_MARGIN))


@pytest.mark.parametrize("room_type", list(RoomType))
def test_masked_area_changes(room_type: RoomType) -> None:
    photo = _photo()
    out = render_result(photo, _mask(), room_type, seed=5)
    assert _changed(out, photo, _grow(RECT, -4)) > 20


@pytest.mark.parametrize("seed", range(6))
def test_colours_match_the_room_type(seed: int) -> None:
    photo = _photo()
    # Skip the border (coping / timber) and look at what fills the area.
    inner = _grow(RECT, -20)
    r, g, b = _mean(render_result(photo, _mask(), RoomType.POOL, seed), inner)
    assert b > r + 40, "pool water should be blue/turquoise"
    r, g, b = _mean(render_result(photo, _mask(), RoomType.TERRACE, seed), inner)
    assert r > b + 30 and r > g, "deck should be brown wood"
    r, g, b = _mean(render_result(photo, _mask(), RoomType.PETANQUE, seed), inner)
    assert r > b + 30, "court should be warm sand/ochre"
    assert (r + g + b) / 3 > 110, "court gravel should be fairly bright"


def test_borders_differ_from_the_fill() -> None:
    """The pool's light coping and the court's timber frame sit along the mask's edge."""
    photo = _photo()
    edge = (RECT[0] + 1, 110, RECT[0] + 3, 210)  # a strip just inside the left side
    for seed in range(6):
        pool = render_result(photo, _mask(), RoomType.POOL, seed)
        assert min(_mean(pool, edge)) > 150, "coping should be light stone"
        court = render_result(photo, _mask(), RoomType.PETANQUE, seed)
        border, fill = _mean(court, edge), _mean(court, _grow(RECT, -20))
        assert sum(border) < sum(fill) - 60, "timber frame should be darker than the gravel"


@pytest.mark.parametrize("room_type", list(RoomType))
def test_seeds_give_visibly_different_results(room_type: RoomType) -> None:
    photo, mask = _photo(), _mask()
    a = render_result(photo, mask, room_type, seed=1)
    b = render_result(photo, mask, room_type, seed=2)
    assert _changed(a, b, RECT) > 8


@pytest.mark.parametrize("room_type", list(RoomType))
def test_same_seed_is_deterministic(room_type: RoomType) -> None:
    photo, mask = _photo(), _mask()
    a = render_result(photo, mask, room_type, seed=42)
    b = render_result(photo, mask, room_type, seed=42)
    assert ImageChops.difference(a, b).getbbox() is None


def test_inputs_are_not_modified() -> None:
    photo, mask = _photo(), _mask()
    photo_before, mask_before = photo.copy(), mask.copy()
    render_result(photo, mask, RoomType.POOL, seed=1)
    assert ImageChops.difference(photo, photo_before).getbbox() is None
    assert ImageChops.difference(mask, mask_before).getbbox() is None


@pytest.mark.parametrize("value", [0, 127])
def test_empty_or_dim_mask_returns_labelled_photo(value: int) -> None:
    photo = _photo()
    out = render_result(photo, _mask(value=value), RoomType.TERRACE, seed=1)
    assert out.size == SIZE and out.mode == "RGB"
    assert not _differs_outside(out, photo, LABEL_BOX)
    assert _changed(out, photo, LABEL_BOX) > 2, "the SANDBOX label must still be there"


def test_label_is_drawn_on_renders_too() -> None:
    photo = _photo()
    out = render_result(photo, _mask(), RoomType.POOL, seed=1)
    assert _changed(out, photo, LABEL_BOX) > 2


def test_grayscale_photo_gets_colour_in_the_mask() -> None:
    photo = _photo("L")
    out = render_result(photo, _mask(), RoomType.POOL, seed=1)
    r, _, b = _mean(out, _grow(RECT, -20))
    assert b > r + 40
    assert not _differs_outside(out, photo, LABEL_BOX, _grow(RECT, FEATHER_MARGIN))


def test_mask_may_be_rgb_or_rgba() -> None:
    photo = _photo()
    expected = render_result(photo, _mask(), RoomType.TERRACE, seed=9)
    for mode in ("RGB", "RGBA", "1"):
        got = render_result(photo, _mask().convert(mode), RoomType.TERRACE, seed=9)
        assert ImageChops.difference(expected, got).getbbox() is None, mode


def test_example_mask_is_shipped_and_renders() -> None:
    examples = files("bot") / "examples"
    with (examples / "camera.png").open("rb") as fh:
        photo = Image.open(fh)
        photo.load()
    with (examples / "camera-mask.png").open("rb") as fh:
        mask = Image.open(fh)
        mask.load()
    assert mask.mode == "L" and mask.size == photo.size
    assert {value for _, value in mask.getcolors()} == {0, 255}
    out = render_result(photo, mask, RoomType.PETANQUE, seed=1)
    assert out.size == photo.size
