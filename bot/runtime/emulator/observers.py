"""What happens in the emulated world, told to whoever watches besides the bot: the playground's
page (a Discord client of the emulator), a test.

The bot learns of messages through the gateway, which skips ephemeral ones and knows nothing of
modals or refused requests; a user's client sees those too, and only its own ephemeral ones.
An event says whom it is for: ``user_id`` None is everyone who can see ``channel_id``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

# kinds
MESSAGE_CREATE = "MESSAGE_CREATE"
MESSAGE_UPDATE = "MESSAGE_UPDATE"
MESSAGE_DELETE = "MESSAGE_DELETE"
MODAL = "MODAL"  # the bot answered an interaction with a modal
ACKNOWLEDGED = "ACKNOWLEDGED"  # the bot answered an interaction (any accepted callback)
REFUSED = "REFUSED"  # the emulator refused a request of the bot's, as Discord would
COMMANDS = "COMMANDS"  # the bot synced its application commands


@dataclass
class Event:
    kind: str
    data: dict[str, Any]
    channel_id: int | None = None
    user_id: int | None = None  # only this user's client sees it


Callback = Callable[[Event], None]


class Observers:
    def __init__(self) -> None:
        self._callbacks: list[Callback] = []

    def subscribe(self, callback: Callback) -> Callable[[], None]:
        """Call ``callback`` (synchronously, in the emulator's loop) on every event; returns
        the function that stops it."""
        self._callbacks.append(callback)
        return lambda: self._callbacks.remove(callback) if callback in self._callbacks else None

    def publish(self, event: Event) -> None:
        for callback in list(self._callbacks):
            try:
                callback(event)
            except Exception:  # a watcher's bug never breaks the world it watches
                log.exception("an emulator observer failed on %s", event.kind)
