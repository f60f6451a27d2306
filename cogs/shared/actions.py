"""The bot's switchboard: what a cog does for the buttons and for other cogs, by name.

Cogs never import one another nor look one another up: each offers its handlers on
`bot.actions` in `cog_load` (withdrawn in `cog_unload`), and a button or another cog runs one
by name. The names are fixed here, so a misspelt one fails when it is offered or run, loudly,
instead of a click that does nothing.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

Handler = Callable[..., Any]

# name -> what a handler is given (after the interaction, for the buttons' ones)
NAMES = {
    # the persistent buttons (cogs/shared/buttons.py): the custom_id's kind names the action
    "vary": "generation id, RoomType: Vary <type> on a result",
    "retry": "generation id: the same request again, from a failed card",
    "history": "page, filters: another page of /exterior history, edited in place",
    "check": "generation id: ask the API about an outcome nobody knows (never re-sends)",
    "studio": "generation id: a private link to the mask studio for this result",
    "share": "generation id: post a result to another channel",
    "share_to": "generation id, channel id: the channel chosen in Share's menu",
    "preview_go": "draft id: start what a private preview showed",
    "preview_cancel": "draft id: drop a private preview",
    "card_compare": "generation id: a private before / after",
    "card_share": "generation id: post the private before / after to the channel",
    "card_newmask": "generation id: the New mask… form",
    "card_family": "generation id: the design's family, privately",
    "client": "generation id (or #12, /exterior client-link): a private link to its client page",
    "client_refresh": "client link id: its reply again, with how often it was opened",
    "client_revoke": "client link id: the link stops working",
    "cancel": "generation id: its requester takes a queued generation out (nothing spent)",
    # between cogs
    "preview_show": "interaction, photo, RoomType, mask=, painted=: a private preview",
    "start_variation": "interaction, parent, RoomType, files=, reply_to=, dedupe=, policy=",
    "card_watch": "generation id: its job card ticks live from now on",
    "card_edited": "generation id: its job card was just edited (for the rate limit)",
    "card_refresh": "generation, note=: its job card edited now, as its state says",
    "queue_pump": "guild id: start its queued generations while its cap leaves room",
    "queue_show": "interaction: /exterior queue, this server's running and queued work",
}


class Actions:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self._owners: dict[str, object] = {}

    def offer(self, owner: object, **handlers: Handler) -> None:
        """Offer `handlers` by name; `owner` (the cog) withdraws them all at once."""
        unknown = sorted(handlers.keys() - NAMES.keys())
        if unknown:
            raise KeyError(f"not an action: {', '.join(unknown)} (see cogs/shared/actions.py)")
        taken = sorted(handlers.keys() & self._handlers.keys())
        if taken:
            raise ValueError(f"already offered by another cog: {', '.join(taken)}")
        self._handlers.update(handlers)
        self._owners.update(dict.fromkeys(handlers, owner))

    def withdraw(self, owner: object) -> None:
        for name in [n for n, o in self._owners.items() if o is owner]:
            del self._handlers[name], self._owners[name]

    def offered(self) -> frozenset[str]:
        return frozenset(self._handlers)

    async def run(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Run `name`'s handler (a plain function or a coroutine function) and return its result."""
        try:
            handler = self._handlers[name]
        except KeyError:
            known = "its cog is not loaded" if name in NAMES else "not an action"
            raise LookupError(f"nothing offers {name!r}: {known}") from None
        result = handler(*args, **kwargs)
        return await result if inspect.isawaitable(result) else result
