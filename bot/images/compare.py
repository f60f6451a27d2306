"""Before / after: the photo and a result side by side, labelled, under an upload limit.

A still image, because Discord shows no sliders; the labels are drawn in a band above the
pictures so they never hide the part of the garden that changed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont, ImageOps

from bot.images.decode import open_image
from bot.images.errors import ComparisonTooLarge

MAX_SIDE_HEIGHT = 1024  # each picture's height: plenty on a phone, small enough to send fast
GAP = 12
BACKGROUND = (32, 34, 37)  # Discord's dark theme: the seam disappears in the client
TEXT = (240, 240, 240)


@dataclass(frozen=True)
class Comparison:
    data: bytes  # JPEG
    width: int
    height: int


def expected_size(photo: tuple[int, int], result: tuple[int, int], height: int) -> tuple[int, int]:
    """The composition's pixel size for pictures of these sizes at `height` per picture."""
    widths = [round(w * height / h) for w, h in (photo, result)]
    return sum(widths) + 3 * GAP, height + _band(height) + GAP


def _band(height: int) -> int:
    return max(40, height // 9)  # labels stay readable when Discord shows the image small


def _compose(photo: Image.Image, result: Image.Image, labels: tuple[str, str], height: int):
    pictures = [ImageOps.exif_transpose(p).convert("RGB") for p in (photo, result)]
    pictures = [p.resize((round(p.width * height / p.height), height)) for p in pictures]
    width, total = expected_size(pictures[0].size, pictures[1].size, height)
    band = _band(height)
    canvas = Image.new("RGB", (width, total), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=int(band * 0.62))
    x = GAP
    for picture, label in zip(pictures, labels, strict=True):
        canvas.paste(picture, (x, band))
        left, top, right, bottom = draw.textbbox((0, 0), label, font=font)
        draw.text(
            (x + (picture.width - (right - left)) / 2, (band - (bottom - top)) / 2 - top),
            label,
            fill=TEXT,
            font=font,
        )
        x += picture.width + GAP
    return canvas


def side_by_side(
    photo_data: bytes,
    result_data: bytes,
    max_bytes: int,
    *,
    labels: tuple[str, str] = ("Before", "After"),
) -> Comparison:
    """JPEG of the two pictures at the same height, labelled; smaller until it fits."""
    photo = open_image(photo_data, "photo")
    result = open_image(result_data, "result", formats=None)  # the API chooses its formats
    height = min(MAX_SIDE_HEIGHT, max(photo.height, result.height))
    while height >= 128:
        canvas = _compose(photo, result, labels, height)
        for quality in (88, 75):
            out = io.BytesIO()
            canvas.save(out, format="JPEG", quality=quality, optimize=True)
            if out.tell() <= max_bytes:
                return Comparison(out.getvalue(), canvas.width, canvas.height)
        height = int(height * 0.75)
    raise ComparisonTooLarge()
