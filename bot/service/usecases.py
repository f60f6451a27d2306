"""Use cases shared by the Discord cogs and the CLI: create, vary, refresh, history, credits.

The credit rule lives here: the intent is written before a paid call; a refusal the API certainly
did not act on is REJECTED (no credit spent); an ambiguous failure is UNKNOWN and never retried.
Past a server's cap on work running at once the request is written QUEUED and `send` makes its
paid call in its turn (bot/service/queue.py): the same path, never a second one.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.api import errors
from bot.api.client import ExteriorClient
from bot.domain import Generation, Kind, Origin, RoomType, Status
from bot.service import lineage
from bot.service.errors import NotStartedError
from bot.service.paid import PaidCalls
from bot.teams.credentials import Credentials
from bot.teams.policy import LimitReachedError, Policy, caps, resets_at
from bot.tracking.callbacks import Callbacks
from bot.tracking.tracker import GenerationTracker
from storage import (
    CapReached,
    DuplicateRequest,
    GenerationRepository,
    UsageRepository,
)

log = logging.getLogger(__name__)
# Longer than any paid call can take (connect + read timeouts, 429 retries), so another process's
# call in flight is not mistaken for a crash.
RECOVER_AFTER = timedelta(minutes=10)


class ExteriorService(PaidCalls):
    def __init__(
        self,
        client: ExteriorClient,
        generations: GenerationRepository,
        usage: UsageRepository,
        tracker: GenerationTracker,
        callbacks: Callbacks,
        *,
        callback_url: Callable[[int], str] | None = None,
        credentials: Credentials | None = None,
    ):
        self.client = client
        self.generations = generations
        self.usage = usage
        self.tracker = tracker
        self.callbacks = callbacks
        self.callback_url = callback_url
        self.credentials = credentials
        super().__init__()

    async def create(
        self,
        *,
        photo_url: str,
        mask_url: str,
        width: int,
        height: int,
        room_type: RoomType,
        origin: Origin,
        request_key: str | None = None,
        source: tuple[int, int] | None = None,
        card_message_id: int | None = None,
        dedupe_within: float = 0,
        policy: Policy | None = None,
    ) -> Generation:
        """`policy`: the server's limits (checked with the intent) and credential set."""
        credential_set = policy.credential_set if policy else None
        client = await self._client(credential_set)
        gen = await self._intent(
            Generation(
                id=None,
                card_message_id=card_message_id,
                credential_set=credential_set,
                kind=Kind.CREATE,
                room_type=room_type,
                status=Status.PENDING,
                origin=origin,
                photo_url=photo_url,
                mask_url=mask_url,
                width=width,
                height=height,
                source_channel_id=source[0] if source else None,
                source_message_id=source[1] if source else None,
            ),
            request_key,
            dedupe_within,
            policy,
        )
        if gen.status is Status.QUEUED:  # behind the server's cap: nothing sent, nothing spent
            return gen
        return await self.send(gen, client, photo_url=photo_url, mask_url=mask_url)

    async def vary(
        self,
        parent: Generation,
        *,
        room_type: RoomType,
        original_url: str,
        origin: Origin,
        mask_url: str | None = None,
        request_key: str | None = None,
        card_message_id: int | None = None,
        dedupe_within: float = 0,
        policy: Policy | None = None,
    ) -> Generation:
        """A variation is asked of the account that made its parent (the API knows the
        parent only there): the parent's credential set, whatever the server uses now."""
        if not parent.generation_id:
            raise ValueError(f"generation {parent.id} was never accepted by the API")
        client = await self._client(parent.credential_set)
        gen = await self._intent(
            Generation(
                id=None,
                card_message_id=card_message_id,
                credential_set=parent.credential_set,
                kind=Kind.VARIATION,
                room_type=room_type,
                status=Status.PENDING,
                origin=origin,
                parent_id=parent.id,
                project_id=parent.project_id,
                photo_url=original_url,
                mask_url=mask_url or parent.mask_url,
                width=parent.width,
                height=parent.height,
                # a variation shows the same photo: the parent's copy serves it
                source_channel_id=parent.source_channel_id,
                source_message_id=parent.source_message_id,
            ),
            request_key,
            dedupe_within,
            policy,
        )
        if gen.status is Status.QUEUED:
            return gen
        return await self.send(
            gen, client, photo_url=original_url, mask_url=mask_url, parent=parent
        )

    async def refresh(self, gen: Generation) -> Generation:
        """Ask the API now (status command; TIMED_OUT generations stay checkable)."""
        if not gen.generation_id:
            return gen
        return await self.tracker.check_now(gen)

    async def check_again(self, gen: Generation) -> Generation:
        """A user asks about an unconfirmed or unfinished generation: adopt the API id a
        callback named for it (confirmed by `get`), then ask the API. Never re-sends."""
        if gen.status is Status.UNKNOWN and not gen.generation_id:
            await self.callbacks.adopt(gen)
            gen = await self.generations.get(gen.id) or gen
        if gen.generation_id and gen.status is not Status.SUCCEEDED:
            gen = await self.refresh(gen)
        return gen

    async def recover(self) -> list[Generation]:
        """Intents left PENDING by a crash become UNKNOWN and are reported (at start and
        periodically); calls still in flight here or, likely, in another process are spared."""
        # A callback may have named the API id of an interrupted call: then nothing is lost.
        adopted = await self.callbacks.adopt_waiting(in_flight=self._in_flight)
        lost = await self.generations.recover_interrupted(
            older_than=RECOVER_AFTER, exclude=self._in_flight | adopted
        )
        for gen in lost:
            log.error(
                "generation %s (%s, %s) was interrupted before the API answered: outcome "
                "unknown, a credit may have been spent; not retried",
                gen.id,
                gen.kind,
                gen.room_type,
            )
        return lost

    async def check_api_key(self, timeout: float = 20.0) -> bool | None:
        """At start, one `get` of an id nobody has: 404 means the key works. True, False
        (refused, logged in one sentence), or None when the API could not say."""
        try:
            async with asyncio.timeout(timeout):
                await self.client.get(str(uuid.uuid4()))
        except (errors.NotFoundError, errors.InvalidRequestError):
            return True
        except errors.AuthenticationError as exc:
            log.error(
                "The API refused IACREA_API_KEY / IACREA_USER_ID (HTTP %s): every paid command "
                "will fail until an admin fixes them.",
                exc.status,
            )
            return False
        except (errors.ApiError, TimeoutError) as exc:
            log.warning("could not check the API key at start: %r", exc)
            return None
        return True

    # -- reads and Discord bookkeeping (SQL stays in storage/) ---------------------------------

    async def get(self, row_id: int) -> Generation | None:
        return await self.generations.get(row_id)

    async def find(self, ident: str) -> Generation | None:
        """By our number (`12` or `#12`) or by the API's generation id."""
        ident = ident.strip().lstrip("#")
        if ident.isdigit():
            number = int(ident)
            # beyond SQLite's 64-bit integers no row exists (and the driver would raise)
            return await self.generations.get(number) if number < 2**63 else None
        return await self.generations.by_generation_id(ident)

    async def family(self, gen: Generation) -> list[lineage.Member]:
        return await lineage.family(self.generations, gen)

    async def typical_duration(self, room_type: RoomType, kind: Kind) -> float | None:
        """Median seconds a generation of this kind takes; None without enough history."""
        return await self.tracker.typical_duration(room_type, kind)

    async def recent_duplicate(self, gen: Generation, within: float) -> Generation | None:
        return await self.generations.recent_duplicate(gen, within)

    async def mark_delivered(self, row_id: int, message_id: int) -> bool:
        """Record where the outcome was posted; False if another poster already did."""
        return await self.generations.set_result_message(row_id, message_id)

    async def undelivered(self) -> list[Generation]:
        """Finished results never recorded as posted that this process may post (with several
        processes: the ones it holds the lease of, so no two processes post the same one)."""
        leases = self.tracker.leases
        if leases is not None:
            return await leases.claim_undelivered()
        return await self.generations.undelivered()

    async def running(self) -> list[Generation]:
        """Generations the API is still working on (their cards show it live)."""
        return await self.generations.pending()

    # -- helpers -----------------------------------------------------------------------------

    async def client_for(self, credential_set: int | None) -> ExteriorClient:
        """The API client of a credential set (None: the bot's own)."""
        return await self._client(credential_set)

    async def _client(self, credential_set: int | None) -> ExteriorClient:
        if self.credentials is None or credential_set is None:
            return self.client
        return await self.credentials.client_for(credential_set)

    async def _intent(
        self,
        gen: Generation,
        request_key: str | None,
        dedupe_within: float,
        policy: Policy | None = None,
    ) -> Generation:
        now = datetime.now(UTC)
        limits = caps(policy, gen.origin.guild_id, gen.origin.user_id, now) if policy else []
        gen.callback_sent = self.callback_url is not None  # recorded: callbacks are checked on
        try:
            return await self.generations.create_intent(
                gen, request_key, dedupe_within=dedupe_within, caps=limits,
                concurrent=policy.concurrent if policy and gen.origin.guild_id else 0,
            )  # fmt: skip
        except CapReached as exc:
            resets = resets_at(exc.cap.scope, now)
            raise LimitReachedError(exc.cap.scope, exc.cap.limit, resets) from None
        except DuplicateRequest:
            raise
        except Exception as exc:  # nothing recorded, so nothing may be sent
            log.exception("could not record a %s intent", gen.kind)
            raise NotStartedError(gen, exc) from exc
