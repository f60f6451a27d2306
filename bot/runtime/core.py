"""The composition root shared by the CLI and the Discord bot.

It owns the one aiohttp session, the one database, the API client (or an in-process sandbox when
no API key is set), the tracker and the webhook server, and closes them in reverse order.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import aiohttp

from bot.api.client import ExteriorClient
from bot.api.sandbox.fetch import on_this_machine
from bot.api.sandbox.server import RunningSandbox, running_sandbox
from bot.api.sandbox.state import SandboxConfig
from bot.api.sandbox.store import SandboxStore
from bot.images.downloads import Downloader, HostPolicy
from bot.runtime.config import SANDBOX_API_KEY, SANDBOX_USER_ID, ConfigError, Settings
from bot.runtime.web import WebhookServer
from bot.service.client.links import ClientLinks
from bot.service.client.routes import ClientRoutes
from bot.service.queue import JobQueue
from bot.service.studio.drafts import DraftService
from bot.service.studio.routes import StudioRoutes
from bot.service.usecases import ExteriorService
from bot.teams.credentials import Credentials
from bot.teams.secrets import signing_keys
from bot.teams.usecases import TeamService
from bot.tracking.callbacks import Callbacks
from bot.tracking.schedule import PollPolicy
from bot.tracking.tracker import GenerationTracker
from storage import (
    AnyDatabase,
    ClientLinkRepository,
    CredentialRepository,
    DatabaseUnavailableError,
    DraftRepository,
    GenerationRepository,
    GuildSettingsRepository,
    Lease,
    Leases,
    MetaRepository,
    PendingCallbackRepository,
    ReportRepository,
    UsageRepository,
    open_database,
)

log = logging.getLogger(__name__)


@dataclass
class Core:
    settings: Settings
    session: aiohttp.ClientSession
    db: AnyDatabase
    client: ExteriorClient
    generations: GenerationRepository
    usage: UsageRepository
    tracker: GenerationTracker
    webhooks: WebhookServer
    service: ExteriorService
    sandbox: RunningSandbox | None
    downloads: Downloader  # every URL someone else gave us goes through it
    drafts: DraftService
    teams: TeamService | None = None  # servers' policies, own credentials, credits, history
    queue: JobQueue | None = None  # work past a server's cap, started in turn
    client_links: ClientLinks | None = None  # signed client pages of a design's family

    @property
    def can_host_files(self) -> bool:
        """Whether the API can fetch files we host: a public URL, or an API on this machine."""
        return bool(self.settings.public_url) or api_on_this_machine(self.settings)

    def host_file(self, data: bytes, filename: str, content_type: str) -> str:
        """A URL where the API can fetch `data` (the embedded sandbox keeps it across commands)."""
        if self.sandbox is not None:
            return self.sandbox.host_file(data, content_type)
        return self.webhooks.host_file(data, filename, content_type)


def database_advice(exc: DatabaseUnavailableError) -> str:
    """The sentence for a database that cannot be opened, with what to do about it."""
    if exc.busy:
        return f"{exc}; another process holds it: try again"
    return f"{exc}; set EXTERIOR_DB_PATH to a file this user can create and write"


def api_on_this_machine(settings: Settings) -> bool:
    """The embedded sandbox, or an API (a standalone sandbox) on loopback: it reaches our
    loopback webhook server, so local files and callbacks need no public URL."""
    return settings.sandbox or on_this_machine(settings.base_url)


def sandbox_config(settings: Settings) -> SandboxConfig:
    return SandboxConfig(
        api_key=SANDBOX_API_KEY,
        user_id=SANDBOX_USER_ID,
        starting_seconds=settings.sandbox_starting_seconds,
        processing_seconds=settings.sandbox_processing_seconds,
        failure_ratio=settings.sandbox_failure_ratio,
    )


def sandbox_store(settings: Settings) -> SandboxStore | None:
    """The embedded sandbox keeps its state beside the database, so that separate commands
    (`generate`, then `vary`, `status`) see one API, as they would the real one."""
    if str(settings.db_path) == ":memory:":
        return None
    return SandboxStore(settings.db_path.with_name(f"{settings.db_path.name}.sandbox.zip"))


@asynccontextmanager
async def open_core(
    settings: Settings, *, webhook_port: int | None = None, resume: bool = True
) -> AsyncIterator[Core]:
    """Start everything; `webhook_port=0` picks a free port (CLI, tests)."""
    async with AsyncExitStack() as stack:
        session = await stack.enter_async_context(aiohttp.ClientSession())
        try:
            db = await open_database(settings.database)
        except DatabaseUnavailableError as exc:
            raise ConfigError(database_advice(exc)) from None
        stack.push_async_callback(db.close)
        sandbox = None
        base_url, key, user = settings.base_url, settings.api_key, settings.user_id
        if settings.sandbox:
            store = sandbox_store(settings)
            try:
                sandbox = await stack.enter_async_context(
                    running_sandbox(sandbox_config(settings), store=store)
                )
            except OSError as exc:
                where = store.path if store else "memory"
                raise ConfigError(
                    f"cannot start the built-in sandbox with its state in {where} "
                    f"({exc.strerror or exc}); check EXTERIOR_DB_PATH's directory"
                ) from None
            base_url, key, user = sandbox.url, SANDBOX_API_KEY, SANDBOX_USER_ID
        policy = HostPolicy.of(
            base_url,
            discord_api_base_url=settings.discord_api_base_url,
            extra=settings.allowed_hosts,
        )
        downloads = await stack.enter_async_context(Downloader(policy))

        def make_client(api_key: str, user_id: str) -> ExteriorClient:
            return ExteriorClient(
                session,
                base_url=base_url,
                api_key=api_key,
                user_id=user_id,
                connect_timeout=settings.connect_timeout,
                read_timeout=settings.read_timeout,
            )

        client = make_client(key or "", user or "")
        credentials = Credentials(
            settings.secret_key, CredentialRepository(db), make_client, default=client
        )
        # Unique per process start: a restarted process does not inherit a dead one's leases.
        owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        lease = Lease(owner, settings.lease_seconds)
        generations = GenerationRepository(db, lease=lease)
        usage = UsageRepository(db)
        # An API on loopback can always call our local webhook server.
        webhooks_on = bool(settings.public_url) or api_on_this_machine(settings)
        policy = PollPolicy(
            first_delay=settings.poll_first_delay,
            max_interval=settings.poll_max_interval,
            webhook_grace=PollPolicy.webhook_grace if settings.public_url else 30.0,
        )
        tracker = GenerationTracker(
            client,
            generations,
            policy=policy,
            deadline=settings.deadline_seconds,
            webhooks=webhooks_on,
            leases=Leases(db, lease),
        )
        tracker.client_for = lambda gen: credentials.client_for(gen.credential_set)
        key = await signing_keys(settings.secret_key, MetaRepository(db))
        drafts = DraftService(
            DraftRepository(db),
            GuildSettingsRepository(db),
            signing_key=key,
            public_url=settings.public_url,
        )
        client_links = ClientLinks(
            ClientLinkRepository(db),
            generations,
            GuildSettingsRepository(db),
            downloads,
            signing_key=key,
            public_url=settings.public_url,
        )
        tracker.subscribe(client_links.on_tracker_event)  # new results of shared designs
        callbacks = Callbacks(
            tracker,
            client,
            generations,
            PendingCallbackRepository(db),
            key=key,
        )
        await callbacks.start()
        webhooks = WebhookServer(
            tracker,
            callbacks,
            host=settings.webhook_host if settings.public_url else "127.0.0.1",
            port=settings.webhook_port if webhook_port is None else webhook_port,
            public_url=settings.public_url,
            studio=StudioRoutes(drafts),
            client=ClientRoutes(client_links),
        )
        await webhooks.start()
        stack.push_async_callback(webhooks.stop)
        tracker.health.where = f"{webhooks.base_url}/callbacks/"  # named if they stop coming
        service = ExteriorService(
            client,
            generations,
            usage,
            tracker,
            callbacks,
            callback_url=webhooks.callback_url if webhooks_on else None,
            credentials=credentials,
        )
        teams = TeamService(GuildSettingsRepository(db), ReportRepository(db), credentials)
        queue = JobQueue(service, teams.policy)
        await tracker.start(resume=resume)
        stack.push_async_callback(tracker.stop)
        # Runs first on the way out: paid calls in flight get to record their answer.
        stack.push_async_callback(service.drain, 30.0)
        yield Core(
            settings,
            session,
            db,
            client,
            generations,
            usage,
            tracker,
            webhooks,
            service,
            sandbox,
            downloads,
            drafts,
            teams=teams,
            queue=queue,
            client_links=client_links,
        )
