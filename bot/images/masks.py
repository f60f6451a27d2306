"""Masks nobody has to draw: derived from a painted copy of the photo, suggested from the photo
itself, and shown as an overlay before any credit is spent.

Every analysis runs on a copy of a few hundred pixels a side (fast, and JPEG noise averages out);
the resulting mask is scaled back to the photo's size with smooth edges. All masks are mode "L",
255 where the new exterior goes.

From uploads: `prepare_painted(photo, painted)` and `prepare_suggested(photo, room_type)` give the
`PreparedPair` to send (a suggestion also says what it `Found`). On decoded, upright images:
`derive_from_painted`, `suggest` / `suggest_area`,
`draw_overlay` (full size) and `preview_jpeg` (small, to post). Failures are `ImageError`s
(bot.images.errors), one sentence each for the user.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from scipy import ndimage

from bot.domain import Found, RoomType
from bot.images import copies, ground, outlines, painted, raster
from bot.images.decode import (
    PreparedPair,
    check_aspect,
    check_mask,
    coverage,
    open_image,
    pair_with,
    prepare_photo,
    upright,
)
from bot.images.errors import (
    EmptyMask,
    ImageError,
    NoSuggestion,
    NotACopy,
    NothingPainted,
    PaintedTooSmall,
    PaintedWhole,
    WholeMask,
)

__all__ = [
    "EmptyMask",
    "ImageError",
    "NoSuggestion",
    "NotACopy",
    "NothingPainted",
    "WholeMask",
    "check_mask",
    "coverage",
    "derive_from_painted",
    "draw_overlay",
    "prepare_painted",
    "prepare_suggested",
    "preview_jpeg",
    "suggest",
    "suggest_area",
]

PAINT_SIDE = 640  # working resolution for painted photos: strokes stay a few pixels wide
SUGGEST_SIDE = 400  # working resolution for suggestions: regions, not details
OUTLINE_SIDE = 1024  # the overlay's outline is drawn at this size, then scaled to the photo


# -- from uploads to what the API is sent --------------------------------------------------------


def prepare_painted(photo_data: bytes, painted_data: bytes) -> PreparedPair:
    """A photo and a painted copy of it (as uploaded) → the pair to send, mask derived."""
    photo = prepare_photo(photo_data)
    copy = upright(open_image(painted_data, "painted photo"))
    return pair_with(photo, derive_from_painted(photo.image, copy))


def prepare_suggested(photo_data: bytes, room_type: RoomType) -> tuple[PreparedPair, Found]:
    """A photo (as uploaded) → the pair to send, with the suggested area as its mask, and what
    was found."""
    photo = prepare_photo(photo_data)
    mask, found = suggest(photo.image, room_type)
    return pair_with(photo, mask), found


def preview_jpeg(photo: Image.Image, mask: Image.Image, max_side: int = 1600) -> bytes:
    """The overlay as a JPEG small enough to post anywhere, for a preview."""
    size = raster.work_size(photo.size, max_side)
    small_photo = photo.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    overlay = draw_overlay(small_photo, mask.resize(size, Image.BILINEAR, reducing_gap=3.0))
    out = io.BytesIO()
    overlay.save(out, format="JPEG", quality=88)
    return out.getvalue()


# -- painted photos ------------------------------------------------------------------------------


def derive_from_painted(photo: Image.Image, painted_copy: Image.Image) -> Image.Image:
    """The area someone scribbled over (filled, outlined or hatched) on a copy of the photo.

    Both images upright; the copy may have another resolution with the same proportions."""
    check_aspect(painted_copy.size, photo.size, "painted photo")
    # compared at the copy's resolution when it is smaller: a copy sent back small has no
    # detail left to compare, and its missing detail would look like strokes
    size = raster.work_size(photo.size, min(PAINT_SIDE, max(painted_copy.size)))
    # a light blur on both: JPEG blocks and resampling differ between the two copies
    a, b = (_softened(image, size) for image in (photo, painted_copy))
    comparison = copies.compare(a, b)
    if not comparison.same:
        raise NotACopy()
    strokes = painted.find_strokes(a, b, comparison.shown)
    if strokes.mean() < 0.0005:
        raise NothingPainted()
    mask = raster.to_mask(outlines.stroked_area(strokes), photo.size)
    try:
        check_mask(mask)
    except EmptyMask:
        raise PaintedTooSmall(coverage=coverage(mask)) from None
    except WholeMask:
        raise PaintedWhole() from None
    return mask


def _softened(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    small = Image.fromarray(raster.rgb(image, size).astype(np.uint8))
    return np.asarray(small.filter(ImageFilter.GaussianBlur(1)), dtype=np.float32)


# -- suggestions ---------------------------------------------------------------------------------


def suggest_area(photo: Image.Image, room_type: RoomType) -> Image.Image:
    """The lawn or open ground where a `room_type` would go: a suggestion to show, not to use
    unseen."""
    return suggest(photo, room_type)[0]


def suggest(photo: Image.Image, room_type: RoomType) -> tuple[Image.Image, Found]:
    """The suggested area (as `suggest_area`) and what was found: its kind, share, sureness."""
    size = raster.work_size(photo.size, SUGGEST_SIDE)
    found = ground.find_ground(raster.rgb(photo, size))
    area = found.area
    if area.mean() < 0.02:
        raise NoSuggestion()
    placed = ground.shape(area, room_type)
    if placed is None:
        mask = raster.to_mask(area, photo.size)
    else:  # drawn at the photo's own size: crisp edges and corners
        box, corner = placed
        scale = photo.width / area.shape[1]
        mask = Image.new("L", photo.size, 0)
        box = tuple(v * scale for v in box)
        ImageDraw.Draw(mask).rounded_rectangle(box, radius=corner * scale, fill=255)
    try:
        check_mask(mask)
    except ImageError:
        raise NoSuggestion() from None
    return mask, Found(found.kind, float(area.mean()), found.sure)


# -- overlay -------------------------------------------------------------------------------------


def draw_overlay(
    photo: Image.Image, mask: Image.Image, colour: tuple[int, int, int] = (255, 64, 160)
) -> Image.Image:
    """The photo with the area tinted and outlined, as the user sees it before spending."""
    base = photo.convert("RGB")
    area = mask.convert("L")
    if area.size != base.size:
        area = area.resize(base.size, Image.Resampling.BILINEAR)
    area = area.point(lambda v: 255 if v > 127 else 0)
    veil = area.point(lambda v: v * 45 // 100)  # 45 %: the ground stays readable under it
    tinted = Image.composite(Image.new("RGB", base.size, colour), base, veil)
    # the outline: a white halo under a coloured line, visible on dark and light ground alike;
    # drawn antialiased at preview resolution (a phone photo has 12 megapixels), scaled up
    size = raster.work_size(base.size, OUTLINE_SIDE)
    inside = np.asarray(area.resize(size, Image.BILINEAR, reducing_gap=3.0)) > 127
    if inside.any() and not inside.all():
        line = max(1.0, min(size) / 250)
        to_edge = np.where(
            inside, ndimage.distance_transform_edt(inside), ndimage.distance_transform_edt(~inside)
        )
        for width, fill in ((line + 1.5, (255, 255, 255)), (line, colour)):
            alpha = np.clip(width + 1 - to_edge, 0, 1) * 255  # edge pixels are 1 away
            band = Image.fromarray(alpha.astype(np.uint8)).resize(base.size, Image.BILINEAR)
            tinted.paste(fill, mask=band)
    return tinted
