"""SQLite persistence for exterior-bot. All SQL lives in this package; no Discord here."""

from .callbacks import PendingCallbackRepository
from .caps import Cap, CapReached
from .credentials import CredentialRepository, StoredCredentials
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
from .reports import HistoryFilter, ReportRepository, SpendReport
from .settings import GuildSettingsRepository
from .usage import UsageRepository

__all__ = [
    "COMMAND_TREE_HASH",
    "INTERRUPTED",
    "LATEST_VERSION",
    "Cap",
    "CapReached",
    "CredentialRepository",
    "Database",
    "DatabaseTooNewError",
    "DatabaseUnavailableError",
    "DraftRepository",
    "DuplicateRequest",
    "GenerationNotFound",
    "GenerationRepository",
    "GuildSettingsRepository",
    "HistoryFilter",
    "MetaRepository",
    "Migration",
    "MigrationError",
    "PendingCallbackRepository",
    "ReportRepository",
    "SpendReport",
    "StorageError",
    "StoredCredentials",
    "UsageRepository",
    "load_migrations",
]
