"""Persistence for exterior-bot: one repository interface over two backends, SQLite (the
default, one process) and PostgreSQL (several processes). All SQL lives in this package; nothing
above it knows which backend runs, and no Discord here."""

from .backends import AnyDatabase, open_database
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
from .leases import Lease, LeaseLost, Leases
from .meta import COMMAND_TREE_HASH, MetaRepository
from .reports import HistoryFilter, ReportRepository, SpendReport
from .settings import GuildSettingsRepository
from .usage import UsageRepository

__all__ = [
    "COMMAND_TREE_HASH",
    "INTERRUPTED",
    "LATEST_VERSION",
    "AnyDatabase",
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
    "Lease",
    "LeaseLost",
    "Leases",
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
    "open_database",
]
