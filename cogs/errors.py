"""One short sentence for every failure a user can cause or see; the log keeps the detail."""

from __future__ import annotations

import logging
from collections.abc import Awaitable

import discord

from bot.api import errors
from bot.images import ImageError
from bot.service import NotStartedError, OutcomeUnknownError, RejectedError
from storage import DuplicateRequest

log = logging.getLogger(__name__)


def friendly(exc: BaseException) -> str:
    if isinstance(exc, ImageError):
        return str(exc)
    if isinstance(exc, DuplicateRequest):
        return "You already asked for exactly this a moment ago; only one was started."
    if isinstance(exc, NotStartedError):
        return (
            "The bot could not record the request, so it did not send it; nothing was charged. "
            "Try again in a moment."
        )
    if isinstance(exc, OutcomeUnknownError):
        return (
            "The API did not confirm the request. It was not retried, so you are not charged "
            "twice; the card will update if it shows up."
        )
    if isinstance(exc, discord.app_commands.TransformerError):  # only a forged payload
        return "One of the options has a value I don't know; pick one from the list."
    if isinstance(exc, discord.Forbidden):
        return "Discord refused: I am missing a permission in this channel."
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


async def reply_error(interaction: discord.Interaction, exc: BaseException) -> None:
    """Answer the user with one sentence, whatever state the interaction is in."""
    text = friendly(exc)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            try:
                await interaction.response.send_message(text, ephemeral=True)
            except discord.HTTPException as exc:
                if exc.code != 40060:
                    raise
                # our acknowledgement reached Discord though its answer was lost: follow up
                await interaction.followup.send(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell the user about an error (interaction %s)", interaction.id)


async def guarded(interaction: discord.Interaction, work: Awaitable[None]) -> None:
    """Run a button's work; an unexpected failure still gets an answer, never silence."""
    try:
        await work
    except Exception as exc:
        log.exception("button %s failed", (interaction.data or {}).get("custom_id"))
        await reply_error(interaction, exc)
