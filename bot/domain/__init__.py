"""The words every layer shares: generations, their kinds and states, previews (drafts) and
what a suggestion found, client links, and the sentences people read about them (codes, values,
catalogues).

Nothing here imports another part of the bot; storage and every package above it import this.
"""

from bot.domain.client_links import ClientCopy, ClientLink
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
from bot.domain.messages import Message, UserError, render
from bot.domain.suggestions import Found

__all__ = [
    "API_STATUSES",
    "TERMINAL",
    "ClientCopy",
    "ClientLink",
    "Draft",
    "DraftState",
    "Found",
    "Generation",
    "Kind",
    "Message",
    "Origin",
    "RoomType",
    "Status",
    "UserError",
    "render",
]
