"""Image checks and preparation: caps, formats, EXIF orientation, mask normalisation.

Everything a user uploads passes through `prepare_pair` before a credit is spent.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 25_000_000  # e.g. 5000 x 5000; larger photos are refused, not resized silently
MIN_SIDE = 64
# MPO is what Pillow calls a phone's JPEG carrying extra pictures (depth map, preview).
FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png"}


class ImageError(ValueError):
    """A user-facing problem with a photo or mask; the message is one short sentence."""


@dataclass(frozen=True)
class PreparedPair:
    photo: bytes
    photo_format: str  # "png" or "jpg"
    width: int
    height: int
    mask: bytes  # always a PNG, mode L, 0/255, same size as the photo
    mask_resized: bool
    coverage: float  # share of the photo the mask selects
    photo_changed: bool  # re-encoded (EXIF orientation applied); upload `photo`, not the original


def open_image(data: bytes, what: str, *, max_bytes: int = MAX_BYTES) -> Image.Image:
    if len(data) > max_bytes:
        raise ImageError(f"The {what} is larger than {max_bytes // (1024 * 1024)} MiB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise ImageError(f"The {what} must be a JPG or PNG image, not {image.format}.")
            if image.width * image.height > MAX_PIXELS:
                raise ImageError(
                    f"The {what} is {image.width}x{image.height}; the limit is "
                    f"{MAX_PIXELS // 1_000_000} megapixels."
                )
            image.load()
    except ImageError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise ImageError(f"The {what} is not a readable JPG or PNG image.") from None
    if min(image.size) < MIN_SIDE:
        raise ImageError(
            f"The {what} is too small ({image.width}x{image.height}); "
            f"at least {MIN_SIDE} pixels a side."
        )
    return image


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


def normalise_mask(mask: Image.Image, size: tuple[int, int]) -> tuple[Image.Image, bool]:
    """Binary 0/255 L mask of `size`. A painted RGBA mask counts its opaque pixels."""
    if mask.mode in ("RGBA", "LA") or (mask.mode == "P" and "transparency" in mask.info):
        grey = _alpha_or_brightness(mask.convert("RGBA"))
    else:
        grey = mask.convert("L")
    resized = False
    if grey.size != size:
        mw, mh = grey.size
        pw, ph = size
        if abs(mw / mh - pw / ph) > 0.01 * (pw / ph):
            raise ImageError(
                f"The mask is {mw}x{mh} but the photo is {pw}x{ph}; "
                "the mask must have the same size (or at least the same proportions)."
            )
        grey = grey.resize(size, Image.Resampling.NEAREST)
        resized = True
    return grey.point(lambda v: 255 if v > 127 else 0), resized


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


def prepare_pair(photo_data: bytes, mask_data: bytes) -> PreparedPair:
    photo = open_image(photo_data, "photo")
    mask = open_image(mask_data, "mask")
    # The API is not known to honour EXIF orientation: send the photo as people see it.
    changed = _has_rotation(photo)
    upright = ImageOps.exif_transpose(photo) if changed else photo
    fmt = photo.format
    binary, resized = normalise_mask(ImageOps.exif_transpose(mask), upright.size)
    histogram = binary.histogram()
    selected = histogram[255] / (upright.width * upright.height)
    if selected == 0:
        raise ImageError("The mask is empty: paint the area to transform in white on black.")
    if selected == 1:
        raise ImageError("The mask selects the whole photo: paint only the area to transform.")
    return PreparedPair(
        photo=_encode(upright, fmt, photo.info.get("icc_profile")) if changed else photo_data,
        photo_format=FORMATS[fmt],
        width=upright.width,
        height=upright.height,
        mask=_encode(binary, "PNG"),
        mask_resized=resized,
        coverage=selected,
        photo_changed=changed,
    )


def _has_rotation(image: Image.Image) -> bool:
    return image.getexif().get(0x0112, 1) not in (1, None)
