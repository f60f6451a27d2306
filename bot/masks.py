"""THROWAWAY stand-in on the `studio` branch for the masks helper's bot/masks.py (same API).

The merge of branch `masks` replaces this file; nothing here is meant to stay.
"""

from __future__ import annotations

from PIL import Image, ImageChops, ImageFilter

from bot.images import ImageError


def derive_from_painted(photo: Image.Image, painted: Image.Image) -> Image.Image:
    painted = painted.convert("RGB").resize(photo.size)
    diff = ImageChops.difference(photo.convert("RGB"), painted).convert("L")
    return diff.point(lambda v: 255 if v > 60 else 0).filter(ImageFilter.MaxFilter(5))


def suggest_area(photo: Image.Image, room_type) -> Image.Image:
    w, h = photo.size
    mask = Image.new("L", (w, h), 0)
    mask.paste(255, (w // 4, h // 2, 3 * w // 4, h * 9 // 10))
    return mask


def draw_overlay(photo: Image.Image, mask: Image.Image) -> Image.Image:
    base = photo.convert("RGB")
    tint = Image.new("RGB", base.size, (255, 40, 120))
    return Image.composite(Image.blend(base, tint, 0.45), base, mask.convert("L"))


def check_mask(mask: Image.Image) -> None:
    low, high = mask.convert("L").getextrema()
    if high < 128:
        raise ImageError("The area is empty: paint the part of the photo to transform.")
    if low >= 128:
        raise ImageError("The area covers the whole photo: leave some of it unchanged.")
