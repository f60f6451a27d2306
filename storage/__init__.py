"""Persistence for exterior-bot: one repository interface over two backends, SQLite (the
default, one process) and PostgreSQL (several processes). All SQL lives in this package; nothing
above it knows which backend runs, and no Discord here.

Backends
    db            SQLite (the default) and the statement helpers every repository uses.
    postgres      PostgreSQL (asyncpg) for several processes; SQLite-style SQL translated.
    backends      open_database(): a postgresql:// URL or a SQLite path.
    migrations/   numbered schema changes, one twin per backend.

Generations (storage/generations/: a driver stores, the rules sit above it)
    intents       the money path: intent before the paid call, then its id and spend, or not.
    queue         past a server's cap: queued (nothing spent), started in order, or cancelled.
    checks        the tracker's results: monotonic status, refunds, our deadline, next check.
    delivery      the result posted once; the ids of the messages that show a generation.
    reads         lookups, the tracker's and the sweep's queues, pages, durations.
    rules         double clicks, submission, status transitions: plain functions, no SQL.
    table         the row lock and update every part shares.

Around them
    spend         what counts as spent, what is refunded, and from which day.
    caps          spending caps, counted inside the intent's transaction.
    usage         per-guild daily counts for quotas and /usage.
    leases        which process follows, records and posts a generation.
    callbacks     API ids that webhook callbacks named before our paid call answered.
    reports       history filters and spend per member and channel.
    rows          a generations row <-> bot.domain.Generation.
    credentials   a server's own API credentials, stored sealed.
    drafts        previews and studio sessions, claimed at most once.
    client_links  signed client pages: revocable, counted, and the pictures they show.
    settings      per-guild settings.
    meta          process-wide facts (the synced command tree's hash).
    _time         unix seconds in the database, aware datetimes in Python.
"""

from .backends import AnyDatabase, open_database
from .callbacks import PendingCallbackRepository
from .caps import Cap, CapReached
from .client_links import ClientLinkRepository
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
    "ClientLinkRepository",
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
