"""The words every layer shares: generations, their kinds and states, previews (drafts).

Nothing here imports another part of the bot; storage and every package above it import this.
"""

from bot.domain.generations import (
    API_STATUSES,
    TERMINAL,
    Draft,
    DraftState,
    Generation,
    Kind,
    Origin,
    RoomType,
    Status,
)

__all__ = [
    "API_STATUSES",
    "TERMINAL",
    "Draft",
    "DraftState",
    "Generation",
    "Kind",
    "Origin",
    "RoomType",
    "Status",
]
