"""SQLite persistence for exterior-bot. All SQL lives in this package; no Discord here."""

from .callbacks import PendingCallbackRepository
from .db import (
    LATEST_VERSION,
    Database,
    DatabaseTooNewError,
    DatabaseUnavailableError,
    Migration,
    MigrationError,
    StorageError,
    load_migrations,
)
from .drafts import DraftRepository
from .generations import (
    INTERRUPTED,
    DuplicateRequest,
    GenerationNotFound,
    GenerationRepository,
)
from .meta import COMMAND_TREE_HASH, MetaRepository
from .settings import GuildSettingsRepository
from .usage import UsageRepository

__all__ = [
    "COMMAND_TREE_HASH",
    "INTERRUPTED",
    "LATEST_VERSION",
    "Database",
    "DatabaseTooNewError",
    "DatabaseUnavailableError",
    "DraftRepository",
    "DuplicateRequest",
    "GenerationNotFound",
    "GenerationRepository",
    "GuildSettingsRepository",
    "MetaRepository",
    "Migration",
    "MigrationError",
    "PendingCallbackRepository",
    "StorageError",
    "UsageRepository",
    "load_migrations",
]
