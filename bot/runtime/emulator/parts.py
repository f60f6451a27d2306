"""The emulator as its parts see it (REST routes, gateway, interactions, webhooks, server).

The facade (``emulator.py``) builds the parts and hands itself to each. The parts name these
Protocols, never the facade: a part that imported the module importing it would be an import
circle, which tests/unit/test_import_rules.py forbids (``TYPE_CHECKING`` imports included).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from .body import ParsedBody
    from .cdn import Cdn
    from .faults import FaultInjector
    from .models import User
    from .observers import Observers
    from .state import EmulatorState, StoredMessage


class Announcer(Protocol):
    """The gateway, as the parts that change messages use it."""

    async def dispatch(self, event: str, data: Any, intent: int | None = None) -> int: ...
    async def wait_connected(self, timeout: float = 5.0) -> None: ...
    async def message_created(self, message: StoredMessage) -> None: ...
    async def message_updated(self, message: StoredMessage) -> None: ...
    async def message_deleted(self, message: StoredMessage) -> None: ...


class InteractionBook(Protocol):
    """The interactions part, as the followup webhooks use it."""

    by_token: dict[str, Any]  # token -> InteractionHandle

    def new_message(self, handle: Any, body: ParsedBody, **extra: Any) -> StoredMessage: ...


class CommandBook(Protocol):
    """The synced application commands (commands.py), as the world's store keeps them."""

    global_commands: list[dict[str, Any]]
    guild_commands: dict[int, list[dict[str, Any]]]


class Emulator(Protocol):
    double_acknowledgements: ClassVar[list[str]]
    state: EmulatorState
    cdn: Cdn
    faults: FaultInjector
    observers: Observers
    gateway: Announcer
    interactions: InteractionBook
    commands: CommandBook
    token: str
    application_id: int
    bot_user: User
    owner: User
    shards: int
    upload_limit: int
    ack_deadline: float
    token_lifetime: float
    locales: dict[int, str]
    internal_errors: list[Exception]

    @property
    def url(self) -> str: ...
    @property
    def ws_url(self) -> str: ...
    def render(self, message: StoredMessage) -> dict[str, Any]: ...
    def delete_message(self, message: StoredMessage) -> None: ...
