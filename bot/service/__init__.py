"""What a user can do, whichever door they come through (slash command, button, CLI, studio):
start a generation or a variation once and only once, check it again, list a design's family,
and the previews (drafts) a studio page edits before anything is spent.

`usecases.ExteriorService` is the one door for paid work; `errors` names its outcomes.
"""

from bot.service.errors import NotStartedError, OutcomeUnknownError, RejectedError
from bot.service.usecases import ExteriorService

__all__ = ["ExteriorService", "NotStartedError", "OutcomeUnknownError", "RejectedError"]
