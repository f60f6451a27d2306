"""One short sentence for every failure a user can cause or see; the log keeps the detail."""

from __future__ import annotations

import logging
from collections.abc import Awaitable

import discord

from bot.api import errors
from bot.domain import UserError
from bot.service.errors import NotStartedError, OutcomeUnknownError, RejectedError
from cogs.i18n import t
from storage import DuplicateRequest

log = logging.getLogger(__name__)
# In order: the first kind that matches names the sentence (API kinds are matched on the cause).
_KEYS: tuple[tuple[type[BaseException], str], ...] = (
    (DuplicateRequest, "error.duplicate"),
    (NotStartedError, "error.not_started"),
    (OutcomeUnknownError, "error.outcome_unknown"),
    (discord.app_commands.TransformerError, "error.bad_option"),  # only a forged payload
    (discord.Forbidden, "error.forbidden"),
    (errors.OutOfCreditsError, "error.out_of_credits"),
    (errors.AuthenticationError, "error.key_refused"),
    (errors.InvalidRequestError, "error.invalid_request"),
    (errors.NotFoundError, "error.not_found"),
    (errors.RateLimitedError, "error.rate_limited"),
    (errors.ApiError, "error.api_unreachable"),
)


def friendly(exc: BaseException, locale: object = None) -> str:
    """One sentence about `exc` in the user's language (`locale`: the interaction's)."""
    if isinstance(exc, UserError):  # the core chose the sentence (a photo, a draft, a key…)
        return exc.render(locale)
    cause = exc.cause if isinstance(exc, RejectedError) else exc
    for kind, key in _KEYS:
        if isinstance(cause if kind.__module__ == errors.__name__ else exc, kind):
            if kind is errors.InvalidRequestError:
                reason = (cause.api_message or "invalid request").rstrip(".")
                return t(locale, key, reason=reason)
            return t(locale, key)
    log.error("unexpected error shown to a user", exc_info=exc)
    return t(locale, "error.unexpected")


async def reply_error(interaction: discord.Interaction, exc: BaseException) -> None:
    """Answer the user with one sentence, whatever state the interaction is in."""
    text = friendly(exc, interaction.locale)
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
