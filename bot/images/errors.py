"""What can be wrong with a photo, a mask or a download: one class per sentence (`image.*`).

`what` names the picture ("photo", "mask", "painted photo", …); it is rendered as the noun
`noun.<what>` of the reader's language, so each catalogue puts its own article around it.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.domain.messages import Message, UserError

log = logging.getLogger(__name__)
NOUNS = frozenset({"photo", "mask", "painted photo", "result", "picture", "original photo"})


def noun(what: str) -> Message:
    if what not in NOUNS:  # still readable in English, but no other language has it
        log.error("no noun for the picture %r", what)
    return Message("noun." + what.replace(" ", "_"))


class ImageError(UserError, ValueError):
    """A user-facing problem with a photo or mask; its sentence is one short sentence."""

    def __init__(self, message: Message | None = None, /, **params: Any) -> None:
        if isinstance(params.get("what"), str):
            params["what"] = noun(params["what"])
        super().__init__(message, **params)


class TooManyBytes(ImageError):
    code = "image.too_many_bytes"  # what, limit (MiB)


class UnsupportedFormat(ImageError):
    code = "image.unsupported_format"  # what, formats (a noun: which formats), format

    @property
    def format(self) -> str | None:
        return self.params.get("format")


class TooManyPixels(ImageError):
    code = "image.too_many_pixels"  # what, width, height, limit (megapixels)


class Unreadable(ImageError):
    code = "image.unreadable"  # what, formats


class NotAPicture(Unreadable):
    """Unreadable, where any format would have done (pictures the API chose)."""

    code = "image.not_a_picture"  # what


class TooSmall(ImageError):
    code = "image.too_small"  # what, width, height, min_side


class AspectMismatch(ImageError):
    """A mask or painted photo whose proportions are not the photo's."""

    code = "image.aspect_mismatch"  # what, width, height, photo_width, photo_height


class EmptyMask(ImageError):
    """A mask that selects nothing, or too little to build on."""

    code = "image.empty_mask"


class MaskTooSmall(EmptyMask):
    code = "image.mask_too_small"  # coverage (a share of the photo)


class PaintedTooSmall(EmptyMask):
    code = "image.painted_too_small"  # coverage


class WholeMask(ImageError):
    """A mask that selects the whole photo, or nearly."""

    code = "image.whole_mask"


class PaintedWhole(WholeMask):
    code = "image.painted_whole"


class NothingPainted(ImageError):
    """A painted copy of the photo that shows no strokes."""

    code = "image.nothing_painted"


class NotACopy(ImageError):
    """A "painted copy" that is another picture."""

    code = "image.not_a_copy"


class NoSuggestion(ImageError):
    """A photo with no lawn or open ground to suggest."""

    code = "image.no_suggestion"


class ResultTooLarge(ImageError):
    code = "image.result_too_large"


class ComparisonTooLarge(ImageError):
    code = "image.comparison_too_large"


class PhotoTooLargeToPost(ImageError):
    code = "image.photo_too_large_to_post"  # limit (MiB)


class NoResultImages(ImageError):
    code = "image.no_result_images"


class NoResultToCompare(ImageError):
    code = "image.no_result_to_compare"


class MissingFile(ImageError):
    code = "image.missing_file"  # what, path (the CLI's inputs)


class DownloadRefused(ImageError):
    """The URL is not one the bot may fetch."""

    code = "image.download_refused"  # what


class RedirectRefused(DownloadRefused):
    code = "image.redirect_refused"  # what


class DownloadFailed(ImageError):
    code = "image.download_failed"  # what, reason (an exception's class name)


class DownloadTimedOut(DownloadFailed):
    code = "image.download_timed_out"  # what


class DownloadStatus(DownloadFailed):
    code = "image.download_status"  # what, status (HTTP)


class TooManyRedirects(DownloadFailed):
    code = "image.too_many_redirects"  # what
