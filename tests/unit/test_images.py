"""Tests for the checks on uploaded photos and masks (bot/images/decode.py)."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageCms, ImageDraw

import bot.images.decode as images
from bot.images.decode import ImageError, open_image, prepare_pair

SIZE = (120, 80)
RECT = (30, 40, 89, 75)  # inclusive corners: 60 x 36 pixels
RECT_AREA = 60 * 36
COVERAGE = RECT_AREA / (SIZE[0] * SIZE[1])  # 0.225


def encode(image: Image.Image, fmt: str = "PNG", **params) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def lawn(size: tuple[int, int] = SIZE) -> Image.Image:
    """A green photo with a red marker in its top-left corner."""
    image = Image.new("RGB", size, (90, 140, 60))
    ImageDraw.Draw(image).rectangle((0, 0, 19, 19), fill=(255, 0, 0))
    return image


def white_on_black(size: tuple[int, int] = SIZE, rect=RECT, value: int = 255) -> Image.Image:
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).rectangle(rect, fill=value)
    return mask


def only_black_and_white(image: Image.Image) -> bool:
    histogram = image.histogram()
    return all(count == 0 for level, count in enumerate(histogram) if level not in (0, 255))


def one_sentence(message: str) -> bool:
    return message.endswith(".") and ". " not in message and len(message) < 160


# -- accepted pairs ----------------------------------------------------------------------------


def test_png_pair_is_accepted_as_is():
    photo_data = encode(lawn())
    pair = prepare_pair(photo_data, encode(white_on_black()))
    assert (pair.width, pair.height) == SIZE
    assert pair.photo_format == "png"
    assert pair.coverage == pytest.approx(COVERAGE)
    assert not pair.mask_resized
    assert not pair.photo_changed
    assert pair.photo == photo_data  # nothing to fix: the original bytes are uploaded


def test_jpg_pair_is_accepted():
    pair = prepare_pair(encode(lawn(), "JPEG"), encode(white_on_black(), "JPEG", quality=75))
    assert (pair.width, pair.height) == SIZE
    assert pair.photo_format == "jpg"
    assert not pair.photo_changed
    # JPEG ringing around the edges must not move the selection by more than a pixel row or so
    assert pair.coverage == pytest.approx(COVERAGE, abs=0.02)


@pytest.mark.parametrize("mask_fmt", ["PNG", "JPEG"])
def test_returned_mask_is_a_binary_png_in_mode_l(mask_fmt):
    grey = white_on_black(value=200)  # a soft grey brush still counts as selected
    ImageDraw.Draw(grey).rectangle((0, 0, 9, 9), fill=100)  # a faint smudge does not
    pair = prepare_pair(encode(lawn()), encode(grey, mask_fmt))
    mask = decode(pair.mask)
    assert mask.format == "PNG"
    assert mask.mode == "L"
    assert mask.size == SIZE
    assert only_black_and_white(mask)
    assert pair.coverage == pytest.approx(COVERAGE, abs=0.02)
    assert mask.histogram()[255] == round(pair.coverage * SIZE[0] * SIZE[1])


# -- refused files -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["GIF", "TIFF", "BMP"])
def test_other_image_formats_are_refused_by_name(fmt):
    with pytest.raises(ImageError) as info:
        open_image(encode(lawn(), fmt), "photo")
    message = str(info.value)
    assert "JPG, PNG, WebP or HEIC" in message and fmt in message
    assert one_sentence(message)


def test_text_is_refused():
    with pytest.raises(ImageError) as info:
        open_image(b"name,area\nlawn,42\n" * 20, "mask")
    message = str(info.value)
    assert "JPG, PNG, WebP or HEIC" in message and "mask" in message
    assert one_sentence(message)


@pytest.mark.parametrize("fmt", ["WEBP", "HEIF"])
def test_webp_and_heic_photos_are_sent_to_the_api_as_jpeg(fmt):
    pair = prepare_pair(encode(lawn(), fmt, quality=95), encode(white_on_black(), fmt, quality=95))
    assert pair.photo_format == "jpg" and pair.photo_changed
    sent = decode(pair.photo)
    assert sent.format == "JPEG" and sent.size == SIZE
    red, green, _ = sent.convert("RGB").getpixel((5, 5))
    assert red > 200 and green < 60  # the marker, where it was
    assert pair.coverage == pytest.approx(COVERAGE, abs=0.02)
    assert decode(pair.mask).format == "PNG"


@pytest.mark.parametrize("keep", [0.5, 0.1])
def test_truncated_png_is_not_readable(keep):
    noisy = Image.effect_noise((200, 200), 60).convert("RGB")  # incompressible: a long IDAT
    data = encode(noisy)
    with pytest.raises(ImageError, match="not a readable JPG, PNG, WebP or HEIC") as info:
        open_image(data[: int(len(data) * keep)], "photo")
    assert one_sentence(str(info.value))


def test_corrupt_png_is_not_readable():
    data = bytearray(encode(Image.effect_noise((200, 200), 60).convert("RGB")))
    data[len(data) // 2] ^= 0xFF  # inside IDAT: bad CRC / bad deflate stream
    with pytest.raises(ImageError, match="not a readable"):
        open_image(bytes(data), "photo")


def test_truncated_jpeg_is_not_readable():
    data = encode(Image.effect_noise((200, 200), 60).convert("RGB"), "JPEG")
    with pytest.raises(ImageError, match="not a readable"):
        open_image(data[: len(data) // 2], "photo")


def test_too_many_bytes():
    data = encode(lawn())
    assert open_image(data, "photo", max_bytes=len(data)).size == SIZE  # the cap is inclusive
    with pytest.raises(ImageError, match="The photo is larger than"):
        open_image(data, "photo", max_bytes=len(data) - 1)


def test_too_many_bytes_default_cap_message():
    with pytest.raises(ImageError) as info:
        open_image(b"\0" * (images.MAX_BYTES + 1), "photo")
    assert str(info.value) == "The photo is larger than 20 MiB."


def test_too_many_pixels(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 100 * 100)
    assert open_image(encode(Image.new("RGB", (100, 100))), "photo").size == (100, 100)
    with pytest.raises(ImageError) as info:
        open_image(encode(Image.new("RGB", (101, 100))), "photo")
    message = str(info.value)
    assert "101x100" in message and "megapixels" in message
    assert one_sentence(message)


def test_too_many_pixels_is_checked_before_decoding(monkeypatch):
    # a truncated body would fail to decode: refusing on the header alone proves no decode ran
    monkeypatch.setattr(images, "MAX_PIXELS", 100 * 100)
    data = encode(Image.effect_noise((300, 300), 60).convert("RGB"))
    with pytest.raises(ImageError, match="300x300"):
        open_image(data[: len(data) // 2], "photo")


def test_default_pixel_cap_message():
    # 5001 x 5000 black pixels compress to a few kB
    with pytest.raises(ImageError) as info:
        open_image(encode(Image.new("L", (5001, 5000))), "photo")
    assert str(info.value) == "The photo is 5001x5000; the limit is 25 megapixels."


@pytest.mark.parametrize("side", [12_000, 20_000])
def test_photos_past_pillows_bomb_limit_are_named_too_large_not_unreadable(side):
    # over Pillow's 89 MP warning and its 179 MP error: our sentence, with the real size
    with pytest.raises(ImageError) as info:
        open_image(encode(Image.new("L", (side, side))), "photo")
    assert str(info.value) == f"The photo is {side}x{side}; the limit is 25 megapixels."


@pytest.mark.parametrize("size", [(200, 63), (63, 200)])
def test_too_small_side(size):
    with pytest.raises(ImageError) as info:
        open_image(encode(Image.new("RGB", size)), "photo")
    message = str(info.value)
    assert "too small" in message and f"{size[0]}x{size[1]}" in message and "64" in message
    assert one_sentence(message)
    assert open_image(encode(Image.new("RGB", (64, 64))), "photo").size == (64, 64)


def test_too_small_mask_is_refused_before_resizing():
    with pytest.raises(ImageError, match="The mask is too small"):
        prepare_pair(encode(lawn((600, 400))), encode(white_on_black((60, 40), (10, 10, 40, 30))))


# -- mask sizes and contents -------------------------------------------------------------------


@pytest.mark.parametrize("factor", [2.0, 0.8])
def test_mask_with_the_same_proportions_is_resized(factor):
    size = (round(SIZE[0] * factor), round(SIZE[1] * factor))
    rect = tuple(round(v * factor) for v in (30, 40, 90, 76))
    scaled = white_on_black(size, (rect[0], rect[1], rect[2] - 1, rect[3] - 1))
    pair = prepare_pair(encode(lawn()), encode(scaled))
    assert pair.mask_resized
    mask = decode(pair.mask)
    assert mask.size == SIZE and mask.mode == "L"
    assert only_black_and_white(mask)
    assert pair.coverage == pytest.approx(COVERAGE, abs=0.01)


def test_mask_within_one_percent_of_the_proportions_is_resized():
    # 240x161 is 0.6 % off 3:2 (e.g. an editor that added a row)
    pair = prepare_pair(encode(lawn()), encode(white_on_black((240, 161), (60, 80, 179, 151))))
    assert pair.mask_resized and decode(pair.mask).size == SIZE


@pytest.mark.parametrize("mask_size", [(120, 120), (100, 80), (80, 120)])
def test_mask_with_other_proportions_is_refused_naming_both_sizes(mask_size):
    mask = white_on_black(mask_size, (10, 10, 50, 50))
    with pytest.raises(ImageError) as info:
        prepare_pair(encode(lawn()), encode(mask))
    message = str(info.value)
    assert f"{mask_size[0]}x{mask_size[1]}" in message and "120x80" in message


def test_empty_mask():
    with pytest.raises(images.EmptyMask, match="empty"):
        prepare_pair(encode(lawn()), encode(Image.new("L", SIZE, 0)))


def test_mask_of_faint_grey_only_is_empty():
    with pytest.raises(ImageError, match="empty"):
        prepare_pair(encode(lawn()), encode(white_on_black(value=100)))


def test_mask_of_a_speck_selects_almost_nothing():
    speck = white_on_black(rect=(10, 10, 12, 12))  # 9 pixels: 0.09 %
    with pytest.raises(images.EmptyMask, match=r"almost nothing \(0\.1% of the photo\)") as info:
        prepare_pair(encode(lawn()), encode(speck))
    assert one_sentence(str(info.value))
    images.check_mask(white_on_black(rect=(10, 10, 16, 16)))  # 49 pixels: 0.51 % is enough


def test_full_mask():
    with pytest.raises(images.WholeMask, match="whole"):
        prepare_pair(encode(lawn()), encode(Image.new("L", SIZE, 255)))


def test_almost_full_mask_is_refused_and_a_large_one_accepted():
    def all_but(box) -> Image.Image:
        mask = Image.new("L", SIZE, 255)
        ImageDraw.Draw(mask).rectangle(box, fill=0)
        return mask

    pair = prepare_pair(encode(lawn()), encode(all_but((0, 0, 19, 14))))  # 300 pixels left
    assert pair.coverage == pytest.approx(1 - 300 / (SIZE[0] * SIZE[1]))  # 96.9 %
    with pytest.raises(images.WholeMask):
        prepare_pair(encode(lawn()), encode(all_but((0, 0, 9, 9))))  # 99.0 %


@pytest.mark.parametrize("stroke", [(255, 0, 0, 255), (0, 0, 0, 255), (255, 255, 255, 255)])
def test_painted_rgba_mask_selects_its_opaque_strokes(stroke):
    painted = Image.new("RGBA", SIZE, (255, 255, 255, 0))  # transparent (white) background
    ImageDraw.Draw(painted).rectangle(RECT, fill=stroke)
    pair = prepare_pair(encode(lawn()), encode(painted))
    assert pair.coverage == pytest.approx(COVERAGE)
    mask = decode(pair.mask)
    assert mask.getpixel((60, 60)) == 255 and mask.getpixel((5, 5)) == 0


def test_opaque_rgba_mask_reads_brightness():
    opaque = white_on_black().convert("RGBA")
    pair = prepare_pair(encode(lawn()), encode(opaque))
    assert pair.coverage == pytest.approx(COVERAGE)


def test_palette_mask_with_transparency_selects_its_opaque_strokes():
    painted = Image.new("P", SIZE, 0)
    painted.putpalette([0, 0, 0, 255, 0, 0])
    ImageDraw.Draw(painted).rectangle(RECT, fill=1)
    pair = prepare_pair(encode(lawn()), encode(painted, transparency=0))
    assert pair.coverage == pytest.approx(COVERAGE)


# -- EXIF orientation --------------------------------------------------------------------------


def rotated_jpeg(orientation: int = 6, **params) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(lawn(), "JPEG", exif=exif, **params)


def test_exif_rotated_photo_is_sent_upright():
    upright_mask = white_on_black((80, 120), (10, 60, 69, 109))  # drawn on the photo as seen
    pair = prepare_pair(rotated_jpeg(6), encode(upright_mask))
    assert (pair.width, pair.height) == (80, 120)  # swapped
    assert pair.photo_changed
    assert pair.photo_format == "jpg"
    assert not pair.mask_resized
    sent = decode(pair.photo)
    assert sent.format == "JPEG"
    assert sent.size == (80, 120)
    # orientation 6 = "rotate 90° clockwise to display": the stored top-left is now top-right
    red, green, _ = sent.convert("RGB").getpixel((70, 9))
    assert red > 200 and green < 60
    for corner in [(9, 9), (9, 110), (70, 110)]:
        red, green, _ = sent.convert("RGB").getpixel(corner)
        assert red < 120 and green > 110  # lawn, not the marker
    # no orientation tag left, or a viewer (or the API) would rotate it a second time
    assert sent.getexif().get(0x0112, 1) == 1
    assert decode(pair.mask).size == (80, 120)


def test_exif_rotated_photo_with_a_mask_of_the_stored_size_is_refused():
    # The mask must match the photo as people see it; the stored pixel grid is 120x80.
    with pytest.raises(ImageError) as info:
        prepare_pair(rotated_jpeg(6), encode(white_on_black()))
    assert "120x80" in str(info.value) and "80x120" in str(info.value)


def test_exif_orientation_1_keeps_the_original_bytes():
    data = rotated_jpeg(1)
    pair = prepare_pair(data, encode(white_on_black()))
    assert not pair.photo_changed and pair.photo == data
    assert (pair.width, pair.height) == SIZE


# -- once bugs: phone JPEGs, colour profiles, masks with transparent margins -------------------


def test_multi_picture_jpeg_from_a_phone_is_accepted():
    photo = lawn()
    data = encode(photo, "MPO", save_all=True, append_images=[photo.resize((60, 40))])
    assert data[:3] == b"\xff\xd8\xff"  # a JPEG stream, as any viewer or the API sees it
    pair = prepare_pair(data, encode(white_on_black()))
    assert pair.photo_format == "jpg"


def test_exif_rotated_photo_keeps_its_colour_profile():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    upright_mask = white_on_black((80, 120), (10, 60, 69, 109))
    pair = prepare_pair(rotated_jpeg(6, icc_profile=profile), encode(upright_mask))
    assert pair.photo_changed
    assert decode(pair.photo).info.get("icc_profile") == profile


def test_opaque_black_and_white_mask_with_a_transparent_margin_reads_brightness():
    canvas = Image.new("RGBA", SIZE, (0, 0, 0, 0))  # layer one pixel smaller than the canvas
    canvas.paste(white_on_black((118, 78), (29, 39, 88, 74)).convert("RGBA"), (1, 1))
    pair = prepare_pair(encode(lawn()), encode(canvas))
    assert pair.coverage == pytest.approx(COVERAGE)


# -- WebP and HEIC under the same caps; variation masks; the sandbox keeps the API's formats ---


@pytest.mark.parametrize("fmt", ["WEBP", "HEIF"])
def test_pixel_cap_applies_to_webp_and_heic(monkeypatch, fmt):
    monkeypatch.setattr(images, "MAX_PIXELS", 100 * 100)
    with pytest.raises(images.TooManyPixels, match="101x100"):
        open_image(encode(Image.new("RGB", (101, 100)), fmt), "photo")


def test_exif_rotated_webp_is_sent_upright_as_jpeg():
    exif = Image.Exif()
    exif[0x0112] = 6
    pair = prepare_pair(
        encode(lawn(), "WEBP", exif=exif, lossless=True),
        encode(white_on_black((80, 120), (10, 60, 69, 109))),
    )
    sent = decode(pair.photo)
    assert sent.format == "JPEG" and sent.size == (80, 120)
    red, green, _ = sent.convert("RGB").getpixel((70, 9))
    assert red > 200 and green < 60


def test_variation_mask_is_checked_and_fitted_to_the_photo():
    data = images.prepare_mask(encode(white_on_black((240, 160), (60, 80, 179, 151))), SIZE)
    mask = decode(data)
    assert mask.size == SIZE and mask.format == "PNG" and only_black_and_white(mask)
    assert decode(images.prepare_mask(encode(white_on_black()), None)).size == SIZE
    with pytest.raises(images.EmptyMask):
        images.prepare_mask(encode(Image.new("L", SIZE, 0)), SIZE)
    with pytest.raises(images.WholeMask):
        images.prepare_mask(encode(Image.new("L", SIZE, 255)), SIZE)
    with pytest.raises(images.AspectMismatch, match="120x80"):
        images.prepare_mask(encode(white_on_black((120, 120), (10, 10, 50, 50))), SIZE)


@pytest.mark.asyncio
@pytest.mark.parametrize(("fmt", "says"), [("WEBP", "format WEBP is not supported"), ("PNG", None)])
async def test_sandbox_fetch_takes_only_what_the_api_takes(fmt, says):
    import aiohttp

    from bot.api.sandbox.fetch import FetchError, fetch_image
    from tests.support.files import file_server

    async with file_server() as files, aiohttp.ClientSession() as session:
        url = files.add("p", encode(Image.new("RGB", (32, 24)), fmt))  # small is fine there
        if says is None:
            image, _ = await fetch_image(session, url, max_bytes=10_000)
            assert image.size == (32, 24)
        else:
            with pytest.raises(FetchError, match=says):
                await fetch_image(session, url, max_bytes=10_000)


def test_results_of_any_format_are_re_encoded_but_garbage_is_refused():
    gif = encode(lawn((300, 200)), "GIF")  # the API's formats are not ours to choose
    assert decode(images.jpeg_within(gif, len(gif) * 4)).format == "JPEG"
    with pytest.raises(images.Unreadable, match="not a picture the bot can read"):
        images.shrink_within(b"<html>gateway timeout</html>" * 10, 100)
