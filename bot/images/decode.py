"""The one image room's door: decode with caps, formats, EXIF orientation, mask normalisation
and the checks every mask passes before a credit is spent.

Its failures are the `ImageError`s of bot.images.errors (importable from here too).
Callers compose these functions: `prepare_pair` (a photo and a mask file), `prepare_photo` +
`pair_with` (a photo and a mask made by `masks`), `prepare_mask` (a new mask for a variation).
"""

from __future__ import annotations

import io
from collections.abc import Collection
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError

from bot.domain.messages import Message
from bot.images.errors import (
    AspectMismatch,
    EmptyMask,
    ImageError,
    MaskTooSmall,
    NotAPicture,
    ResultTooLarge,
    TooManyBytes,
    TooManyPixels,
    TooSmall,
    Unreadable,
    UnsupportedFormat,
    WholeMask,
)

pillow_heif.register_heif_opener()  # iPhone photos (HEIC)
# Our own cap (MAX_PIXELS, read off the header before anything is decoded) is far stricter than
# Pillow's decompression-bomb check, which would otherwise fire first on a 12000x12000 photo and
# name it unreadable instead of too large. Every picture from outside goes through open_image.
Image.MAX_IMAGE_PIXELS = None

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 25_000_000  # e.g. 5000 x 5000; larger photos are refused, not resized silently
MIN_SIDE = 64
# What users may upload. MPO is what Pillow calls a phone's JPEG carrying extra pictures.
FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}
# What the Exterior Creation API takes ("format: jpg, png"); other photos are re-encoded.
API_FORMATS = frozenset({"JPEG", "MPO", "PNG"})
FORMAT_NAMES = Message("formats.uploads")  # JPG, PNG, WebP or HEIC
# A mask selecting less than this share of the photo is a slip (a dot, JPEG noise), and one
# selecting more leaves nothing of the photo to build around: both would waste a credit.
MIN_COVERAGE = 0.005
MAX_COVERAGE = 0.98


@dataclass(frozen=True)
class PreparedPhoto:
    image: Image.Image  # upright, as people see it
    data: bytes  # what to upload: the original bytes, or a re-encoding
    format: str  # "png" or "jpg", a format the API takes
    changed: bool  # re-encoded (orientation applied, or a WebP/HEIC converted)

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height


@dataclass(frozen=True)
class PreparedPair:
    photo: bytes
    photo_format: str  # "png" or "jpg"
    width: int
    height: int
    mask: bytes  # always a PNG, mode L, 0/255, same size as the photo
    mask_resized: bool
    coverage: float  # share of the photo the mask selects
    photo_changed: bool  # re-encoded (orientation applied, WebP/HEIC converted): upload `photo`


def open_image(
    data: bytes,
    what: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int | None = None,
    min_side: int = MIN_SIDE,
    formats: Collection[str] | None = FORMATS,
) -> Image.Image:
    """Decode with caps: bytes, pixels (checked on the header, before decoding), format, size.
    `formats=None` takes any format Pillow reads (pictures whose format is not ours to choose)."""
    max_pixels = MAX_PIXELS if max_pixels is None else max_pixels
    names = FORMAT_NAMES if formats is FORMATS else Message("formats.jpg_png")
    check_byte_count(len(data), what, max_bytes)
    try:
        image = Image.open(io.BytesIO(data))  # reads the header only
        if formats is not None and image.format not in formats:
            raise UnsupportedFormat(what=what, formats=names, format=image.format)
        if image.width * image.height > max_pixels:
            raise TooManyPixels(
                what=what, width=image.width, height=image.height,
                limit=max_pixels // 1_000_000,
            )  # fmt: skip
        image.load()
    except ImageError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        RuntimeError,  # pillow-heif's decoder errors
    ):
        if formats is None:
            raise NotAPicture(what=what) from None
        raise Unreadable(what=what, formats=names) from None
    if min(image.size) < min_side:
        raise TooSmall(what=what, width=image.width, height=image.height, min_side=min_side)
    return image


def check_byte_count(count: int, what: str, max_bytes: int = MAX_BYTES) -> None:
    if count > max_bytes:
        raise too_many_bytes(what, max_bytes)


def too_many_bytes(what: str, max_bytes: int = MAX_BYTES) -> TooManyBytes:
    return TooManyBytes(what=what, limit=max_bytes // (1024 * 1024))


def upright(image: Image.Image) -> Image.Image:
    """The image as people see it: EXIF orientation applied (a phone stores it sideways)."""
    return ImageOps.exif_transpose(image) if has_rotation(image) else image


def has_rotation(image: Image.Image) -> bool:
    return image.getexif().get(0x0112, 1) not in (1, None)


def _encode(image: Image.Image, fmt: str, icc_profile: bytes | None = None) -> bytes:
    out = io.BytesIO()
    # Keep the colour profile: a wide-gamut phone photo would otherwise shift colours.
    extra = {"icc_profile": icc_profile} if icc_profile else {}
    if fmt in ("JPEG", "MPO"):
        image.convert("RGB").save(out, format="JPEG", quality=92, **extra)
    else:
        image.save(out, format="PNG", **extra)
    return out.getvalue()


def encode_png(image: Image.Image) -> bytes:
    return _encode(image, "PNG")


def prepare_photo(data: bytes) -> PreparedPhoto:
    """A photo the API can take, upright: the original bytes when nothing needs fixing."""
    photo = open_image(data, "photo")
    fmt = photo.format
    rotated = has_rotation(photo)
    image = upright(photo)
    if fmt in API_FORMATS and not rotated:
        return PreparedPhoto(image, data, FORMATS[fmt], changed=False)
    # The API is not known to honour EXIF orientation, nor to read WebP or HEIC.
    target = fmt if fmt in API_FORMATS else "JPEG"
    encoded = _encode(image, target, photo.info.get("icc_profile"))
    return PreparedPhoto(image, encoded, "png" if target == "PNG" else "jpg", changed=True)


def normalise_mask(mask: Image.Image, size: tuple[int, int]) -> tuple[Image.Image, bool]:
    """Binary 0/255 L mask of `size`. A painted RGBA mask counts its opaque pixels."""
    if mask.mode in ("RGBA", "LA") or (mask.mode == "P" and "transparency" in mask.info):
        grey = _alpha_or_brightness(mask.convert("RGBA"))
    else:
        grey = mask.convert("L")
    resized = False
    if grey.size != size:
        check_aspect(grey.size, size, "mask")
        grey = grey.resize(size, Image.Resampling.NEAREST)
        resized = True
    return grey.point(lambda v: 255 if v > 127 else 0), resized


def check_aspect(size: tuple[int, int], photo_size: tuple[int, int], what: str) -> None:
    """Another resolution is fine; other proportions mean another picture or a crop."""
    (mw, mh), (pw, ph) = size, photo_size
    if abs(mw / mh - pw / ph) > 0.01 * (pw / ph):
        raise AspectMismatch(what=what, width=mw, height=mh, photo_width=pw, photo_height=ph)


def coverage(mask: Image.Image) -> float:
    """Share of the pixels a 0/255 mask selects."""
    return mask.convert("L").point(lambda v: 255 if v > 127 else 0).histogram()[255] / (
        mask.width * mask.height
    )


def check_mask(mask: Image.Image) -> None:
    """Refuse a mask that selects (almost) nothing or (almost) the whole photo."""
    share = coverage(mask)
    if share == 0:
        raise EmptyMask()
    if share < MIN_COVERAGE:
        raise MaskTooSmall(coverage=share)
    if share > MAX_COVERAGE:
        raise WholeMask()


def _alpha_or_brightness(rgba: Image.Image) -> Image.Image:
    """Strokes painted on a transparent layer mean "here"; a black-and-white mask that merely
    has transparent margins means what its brightness says (transparent counts as black)."""
    alpha = rgba.getchannel("A")
    brightness = rgba.convert("L")
    opaque = alpha.point(lambda v: 255 if v > 127 else 0)
    low, high = (
        brightness.getextrema() if opaque.getbbox() is None else _extrema(brightness, opaque)
    )
    if alpha.getextrema()[0] == 255 or high - low > 128:
        return ImageChops.multiply(brightness, alpha)
    return alpha


def _extrema(image: Image.Image, mask: Image.Image) -> tuple[int, int]:
    histogram = image.histogram(mask=mask)
    present = [value for value, count in enumerate(histogram) if count]
    return (present[0], present[-1]) if present else (0, 0)


def pair_with(photo: PreparedPhoto, mask: Image.Image) -> PreparedPair:
    """The photo and a mask image (uploaded, derived or suggested), normalised and checked."""
    binary, resized = normalise_mask(mask, photo.image.size)
    check_mask(binary)
    return PreparedPair(
        photo=photo.data,
        photo_format=photo.format,
        width=photo.width,
        height=photo.height,
        mask=encode_png(binary),
        mask_resized=resized,
        coverage=coverage(binary),
        photo_changed=photo.changed,
    )


def prepare_pair(photo_data: bytes, mask_data: bytes) -> PreparedPair:
    photo = prepare_photo(photo_data)
    mask = upright(open_image(mask_data, "mask"))
    return pair_with(photo, mask)


def prepare_mask(data: bytes, size: tuple[int, int] | None) -> bytes:
    """A new mask for a photo of `size` (None: unknown, keep the mask's own): a checked PNG."""
    mask = upright(open_image(data, "mask"))
    binary, _ = normalise_mask(mask, size or mask.size)
    check_mask(binary)
    return encode_png(binary)


def _any_picture(data: bytes, what: str) -> Image.Image:
    """Pixels capped before anything is decoded or re-encoded (decompression bombs); any
    format Pillow reads, as the API's results are not ours to choose."""
    image = open_image(data, what, max_bytes=len(data), min_side=1, formats=None)
    return image.convert("RGB")


def jpeg_within(data: bytes, limit: int) -> bytes | None:
    """The same picture, same size, as a JPEG of at most `limit` bytes (None: cannot)."""
    image = _any_picture(data, "photo")
    for quality in (92, 85, 75):
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=quality, optimize=True)
        if out.tell() <= limit:
            return out.getvalue()
    return None


def shrink_within(data: bytes, limit: int) -> bytes:
    """Re-encode as JPEG, lowering quality and then size, until it fits under `limit`."""
    image = _any_picture(data, "result")
    for scale in (1.0, 0.75, 0.5, 0.35, 0.25):
        resized = (
            image
            if scale == 1.0
            else image.resize((max(1, int(image.width * scale)), max(1, int(image.height * scale))))
        )
        for quality in (90, 80, 65):
            out = io.BytesIO()
            resized.save(out, format="JPEG", quality=quality, optimize=True)
            if out.tell() <= limit:
                return out.getvalue()
    raise ResultTooLarge()
