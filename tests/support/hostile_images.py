"""A corpus of hostile and awkward pictures, generated (nothing checked in): each case is a
photo and a mask as an uploader could send them, and whether a credit may be spent on it."""

from __future__ import annotations

import functools
import io
import struct
import zlib
from dataclasses import dataclass

from PIL import Image, ImageDraw

SIZE = (320, 240)


@dataclass(frozen=True)
class Case:
    name: str
    photo: bytes
    mask: bytes
    accepted: bool  # True: a sound request the API must get; False: refused before any call


def encode(image: Image.Image, fmt: str = "PNG", **params) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def garden(size=SIZE, mode: str = "RGB") -> Image.Image:
    image = Image.new("RGB", size, (90, 140, 60))
    ImageDraw.Draw(image).rectangle((0, 0, size[0], size[1] // 3), fill=(150, 190, 240))
    return image.convert(mode) if mode != "RGB" else image


def mask(size=SIZE) -> Image.Image:
    image = Image.new("L", size, 0)
    w, h = size
    ImageDraw.Draw(image).rectangle((w // 4, h // 2, 3 * w // 4, h - 8), fill=255)
    return image


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = struct.pack(">I", zlib.crc32(kind + body))
    return struct.pack(">I", len(body)) + kind + body + crc


def _ihdr(width: int, height: int) -> bytes:
    return _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@functools.cache
def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG whose header claims ``width`` x ``height``: tiny file, huge decode."""
    row = b"\x00" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    idat = _chunk(b"IDAT", data)
    return PNG_SIGNATURE + _ihdr(width, height) + idat + _chunk(b"IEND", b"")


def png_header_only(width: int, height: int) -> bytes:
    """Just a PNG signature and an IHDR claiming enormous dimensions, no pixels."""
    return PNG_SIGNATURE + _ihdr(width, height)


def exif_rotated(orientation: int) -> tuple[bytes, bytes]:
    """A JPEG stored sideways with an EXIF orientation; the mask matches what a viewer shows."""
    stored = garden((240, 320)) if orientation in (6, 8) else garden()
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(stored, "JPEG", exif=exif), encode(mask())


def animated_gif() -> bytes:
    frames = [garden().convert("P"), garden((320, 240)).rotate(10).convert("P")]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], loop=0)


def corpus() -> list[Case]:
    good_photo, good_mask = encode(garden()), encode(mask())
    jpeg = encode(garden(), "JPEG")
    alpha = Image.new("RGBA", SIZE, (0, 0, 0, 0))
    ImageDraw.Draw(alpha).ellipse((80, 120, 240, 230), fill=(255, 0, 0, 255))
    blank_alpha = Image.new("RGBA", SIZE, (0, 0, 0, 0))
    cases = [
        Case("truncated PNG", good_photo[: len(good_photo) // 2], good_mask, False),
        Case("truncated JPEG", jpeg[: len(jpeg) // 2], good_mask, False),
        Case("empty file", b"", good_mask, False),
        Case("wrong magic: text named .png", b"hello, I am not a picture" * 10, good_mask, False),
        Case(
            "wrong magic: PDF",
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n",
            good_mask,
            False,
        ),
        Case("wrong magic: ZIP", b"PK\x03\x04" + b"\x00" * 200, good_mask, False),
        Case("HTML error page", b"<!doctype html><title>403</title>", good_mask, False),
        Case("decompression bomb 30000x30000", png_bomb(30000, 30000), good_mask, False),
        Case("header claims 2^31 x 2^31", png_header_only(2**31 - 1, 2**31 - 1), good_mask, False),
        Case("huge dimensions 6000x6000", encode(Image.new("1", (6000, 6000))), good_mask, False),
        Case("extreme aspect 20000x64", encode(Image.new("L", (20000, 64))), good_mask, False),
        Case(
            "tiny 1x1", encode(Image.new("RGB", (1, 1))), encode(Image.new("L", (1, 1), 255)), False
        ),
        Case("animated GIF", animated_gif(), good_mask, False),
        Case("BMP", encode(garden(), "BMP"), good_mask, False),
        Case("TIFF", encode(garden(), "TIFF"), good_mask, False),
        Case(
            "WebP (accepted since the image room reads it)",
            encode(garden(), "WEBP"),
            good_mask,
            True,
        ),
        Case(
            "SVG",
            b'<svg xmlns="http://www.w3.org/2000/svg" width="9e9" height="9e9"/>',
            good_mask,
            False,
        ),
        Case("CMYK JPEG", encode(garden(mode="CMYK"), "JPEG"), good_mask, True),
        Case("16-bit PNG", encode(garden().convert("L").convert("I;16")), good_mask, True),
        Case(
            "palette PNG with transparency",
            encode(garden().convert("P"), transparency=0),
            good_mask,
            True,
        ),
        Case("EXIF orientation 6", *exif_rotated(6), True),
        Case("EXIF orientation 8", *exif_rotated(8), True),
        Case("EXIF orientation 3", *exif_rotated(3), True),
        Case("mask all black", good_photo, encode(Image.new("L", SIZE, 0)), False),
        Case("mask all white", good_photo, encode(Image.new("L", SIZE, 255)), False),
        Case("mask wrong aspect", good_photo, encode(mask((300, 300))), False),
        Case("mask same aspect, half size", good_photo, encode(mask((160, 120))), True),
        Case("mask alpha-only strokes", good_photo, encode(alpha), True),
        Case("mask fully transparent", good_photo, encode(blank_alpha), False),
        Case("mask truncated", good_photo, good_mask[: len(good_mask) // 3], False),
        Case("mask is a bomb", good_photo, png_bomb(30000, 30000), False),
        Case("mask animated GIF", good_photo, animated_gif(), False),
    ]
    return cases
