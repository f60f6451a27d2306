"""The API's webhook callbacks, one protocol in one place: verify -> record -> hint.

The API's callback is unauthenticated and its body may not name the generation, so each
generation has its own unguessable callback path. A verified callback is only a hint: the
tracker asks the API (`get`) before believing anything. When the callback names the API id of
a row whose paid call has not answered (PENDING) or never will (UNKNOWN), that id is the only
trace of a spent credit: it is kept in the database (a restart must not lose it) and adopted
once `get` confirms it.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Collection

from bot.api import errors
from bot.api.client import ExteriorClient
from bot.domain import Generation, Status
from bot.tracker import GenerationTracker
from storage import GenerationRepository, PendingCallbackRepository

log = logging.getLogger(__name__)
MAX_ID_LENGTH = 100


def new_secret() -> str:
    return secrets.token_urlsafe(24)


class Callbacks:
    def __init__(
        self,
        tracker: GenerationTracker,
        client: ExteriorClient,
        generations: GenerationRepository,
        pending: PendingCallbackRepository,
    ):
        self.tracker = tracker
        self.client = client
        self.generations = generations
        self.pending_callbacks = pending

    async def receive(self, row_id: int, secret: str, named_id: str | None) -> bool:
        """One callback on `/callbacks/<row_id>/<secret>`; False if it is not genuine."""
        gen = await self.generations.get(row_id)
        if (
            gen is None
            or not gen.webhook_secret
            or not secrets.compare_digest(secret.encode(), gen.webhook_secret.encode())
        ):
            return False
        if gen.status in (Status.PENDING, Status.UNKNOWN) and not gen.generation_id:
            # The API calls this row's path although our paid call has not (PENDING) or never
            # (UNKNOWN: ambiguous failure) told us its id: it did act.
            if named_id and await self.generations.by_generation_id(named_id) is None:
                await self.pending_callbacks.record(gen.id, named_id)
                if gen.status is Status.UNKNOWN:
                    await self.adopt(gen)
                else:  # the call in flight may still answer; if not, its failure adopts it
                    self.tracker.hint_row(gen.id)
        elif gen.status is Status.TIMED_OUT:
            self.tracker.recheck(gen)  # we gave up waiting, the API did not
        elif not gen.status.is_terminal:
            self.tracker.hint_row(gen.id)
        return True

    async def adopt(self, gen: Generation) -> bool:
        """Give `gen` the API id a callback named for it, once `get` confirms the API knows it.
        False when there is none or the API could not confirm it (kept for the next try)."""
        named_id = await self.pending_callbacks.get(gen.id)
        if named_id is None:
            return False
        try:
            await self.client.get(named_id)
        except errors.NotFoundError:
            log.warning(
                "callback for row %s named %s, which the API does not know", gen.id, named_id
            )
            await self.pending_callbacks.discard(gen.id)
            return False
        except errors.ApiError as exc:
            log.warning("could not confirm %s for row %s yet: %s", named_id, gen.id, exc)
            return False
        log.warning("generation %s is API generation %s, as its callback said", gen.id, named_id)
        await self.tracker.adopt(gen, named_id)
        return True

    async def adopt_waiting(self, in_flight: Collection[int] = ()) -> set[int]:
        """At recovery: adopt every row a callback named an id for, except those whose paid
        call this process is still waiting for. Returns the adopted row ids."""
        adopted = set()
        for gen, _ in await self.pending_callbacks.waiting():
            if gen.id in in_flight:
                continue
            try:
                if await self.adopt(gen):
                    adopted.add(gen.id)
            except Exception:  # one row must not stop the others; the next sweep retries
                log.exception("could not adopt the callback's id for row %s", gen.id)
        return adopted
