"""What a paid request can end in, besides success: one class per outcome, for the cog layer and
the CLI to turn into one sentence each.

Their own text is detail for the log and the operator's terminal (causes, ids), not a sentence
for a Discord user: the cog layer picks the user's sentence by kind (cogs/i18n/errors.py)."""

from __future__ import annotations

from bot.api import errors
from bot.domain import Generation


class OutcomeUnknownError(Exception):
    """The paid call failed ambiguously: the API may have started it (and spent a credit)."""

    def __init__(self, generation: Generation, cause: Exception):
        super().__init__(
            f"generation {generation.id}: the API did not confirm the request ({cause!r}); "
            "it was not retried, to avoid spending a second credit"
        )
        self.generation = generation
        self.cause = cause


class NotStartedError(Exception):
    """The request could not even be recorded (e.g. a busy database): the API was not called."""

    def __init__(self, generation: Generation, cause: Exception):
        super().__init__(f"request not recorded, so not sent: {cause!r}")
        self.generation = generation
        self.cause = cause


class RejectedError(Exception):
    """The API refused the request before acting on it: no credit was spent."""

    def __init__(self, generation: Generation, cause: errors.ApiError):
        super().__init__(str(cause))
        self.generation = generation
        self.cause = cause
