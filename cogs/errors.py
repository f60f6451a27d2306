"""One short sentence for every failure a user can cause or see; the log keeps the detail."""

from __future__ import annotations

import logging

from bot.api import errors
from bot.images import ImageError
from bot.service import OutcomeUnknownError, RejectedError
from storage import DuplicateRequest

log = logging.getLogger(__name__)


def friendly(exc: BaseException) -> str:
    if isinstance(exc, ImageError):
        return str(exc)
    if isinstance(exc, DuplicateRequest):
        return "You already asked for exactly this a moment ago; only one was started."
    if isinstance(exc, OutcomeUnknownError):
        return (
            "The API did not confirm the request. It was not retried, so you are not charged "
            "twice; the card will update if it shows up."
        )
    cause = exc.cause if isinstance(exc, RejectedError) else exc
    if isinstance(cause, errors.OutOfCreditsError):
        return "The account has no photo credits left; nothing was charged."
    if isinstance(cause, errors.AuthenticationError):
        return "The API refused the bot's key; an admin should check IACREA_API_KEY."
    if isinstance(cause, errors.InvalidRequestError):
        reason = (cause.api_message or "invalid request").rstrip(".")
        return f"The API refused the request ({reason}); nothing was charged."
    if isinstance(cause, errors.NotFoundError):
        return "The API no longer knows that generation; nothing was charged."
    if isinstance(cause, errors.RateLimitedError):
        return "The API is busy right now; nothing was charged. Try again in a minute."
    if isinstance(cause, errors.ApiError):
        return "The API could not be reached; nothing was charged. Try again shortly."
    log.error("unexpected error shown to a user", exc_info=exc)
    return "Something went wrong on our side; it has been logged."
