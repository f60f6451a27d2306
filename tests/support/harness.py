"""The core wired by hand on loopback: sandbox API, real SQLite, tracker, service, webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bot.api.client import ExteriorClient
from bot.api.sandbox.server import RunningSandbox
from bot.domain import Origin, RoomType
from bot.runtime.web import WebhookServer
from bot.service.usecases import ExteriorService
from bot.teams.secrets import signing_keys
from bot.tracking.callbacks import Callbacks
from bot.tracking.schedule import PollPolicy
from bot.tracking.tracker import GenerationTracker, TrackerEvent
from storage import (
    AnyDatabase,
    GenerationRepository,
    Lease,
    Leases,
    MetaRepository,
    PendingCallbackRepository,
    UsageRepository,
    open_database,
)
from tests.support.files import FileServer, mask, photo, png_bytes

FAST_POLICY = PollPolicy(
    first_delay=0.1,
    min_interval=0.1,
    growth=0.15,
    max_interval=0.5,
    notice_delay=0.1,
    webhook_grace=3.0,
    webhook_slack=0.05,
    max_jitter=0.02,
    relearn_after=0.0,
)


@dataclass
class Harness:
    db: AnyDatabase
    client: ExteriorClient
    repo: GenerationRepository
    tracker: GenerationTracker
    service: ExteriorService
    webhooks: WebhookServer
    files: FileServer
    events: list[TrackerEvent] = field(default_factory=list)

    def finished(self, row_id: int | None = None) -> list[TrackerEvent]:
        return [
            e
            for e in self.events
            if e.kind == "finished" and (row_id is None or e.generation.id == row_id)
        ]

    async def create(self, room_type: RoomType = RoomType.POOL):
        return await self.service.create(
            photo_url=f"{self.files.url}/photo.png",
            mask_url=f"{self.files.url}/mask.png",
            width=96,
            height=64,
            room_type=room_type,
            origin=Origin(source="cli"),
        )


@asynccontextmanager
async def harness(
    db_path: Path | str,
    sandbox: RunningSandbox,
    files: FileServer,
    *,
    webhooks: bool,
    policy: PollPolicy = FAST_POLICY,
    deadline: float = 60.0,
    resume: bool = True,
    lease: Lease | None = None,
) -> AsyncIterator[Harness]:
    """`db_path`: a SQLite file or a PostgreSQL URL; `lease`: this "process"'s lease."""
    files.add("photo.png", png_bytes(photo((96, 64))))
    files.add("mask.png", png_bytes(mask((96, 64))))
    db = await open_database(db_path)
    async with aiohttp.ClientSession() as session:
        cfg = sandbox.state.config
        client = ExteriorClient(
            session,
            base_url=sandbox.url,
            api_key=cfg.api_key,
            user_id=cfg.user_id,
            backoff_base=0.01,
        )
        repo = GenerationRepository(db, lease=lease)
        leases = Leases(db, lease) if lease is not None else None
        tracker = GenerationTracker(
            client, repo, policy=policy, deadline=deadline, webhooks=webhooks, leases=leases
        )
        key = await signing_keys(None, MetaRepository(db))
        callbacks = Callbacks(tracker, client, repo, PendingCallbackRepository(db), key=key)
        await callbacks.start()
        server = WebhookServer(tracker, callbacks, host="127.0.0.1", port=0)
        await server.start()
        service = ExteriorService(
            client,
            repo,
            UsageRepository(db),
            tracker,
            callbacks,
            callback_url=server.callback_url if webhooks else None,
        )
        h = Harness(db, client, repo, tracker, service, server, files)

        async def record(event: TrackerEvent) -> None:
            h.events.append(event)

        tracker.subscribe(record)
        await tracker.start(resume=resume)
        try:
            yield h
        finally:
            await tracker.stop()
            await server.stop()
            await db.close()
