"""The API's webhook callbacks, one protocol in one place: verify -> record -> hint.

The API's callback is unauthenticated and its body may not name the generation, so each
generation has its own unguessable callback path: an HMAC of its row id, checked before anything
is read, so forged or malformed paths cost nothing and reveal nothing. A verified callback is
only a hint: the tracker asks the API (`get`) before believing anything. When the callback names
the API id of a row whose paid call has not answered (PENDING) or never will (UNKNOWN), that id
is the only trace of a spent credit: it is kept in the database (a restart must not lose it)
and adopted once `get` confirms it.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from bot.api import errors
from bot.api.client import ExteriorClient
from bot.domain import Generation, Status
from bot.teams.secrets import Keyring, matches
from bot.tracking.tracker import GenerationTracker
from storage import GenerationRepository, LeaseLost, PendingCallbackRepository

log = logging.getLogger(__name__)
MAX_ROW_ID = 2**63 - 1  # SQLite's INTEGER: anything larger names no row
PURPOSE = "callback"


class Callbacks:
    def __init__(
        self,
        tracker: GenerationTracker,
        client: ExteriorClient,
        generations: GenerationRepository,
        pending: PendingCallbackRepository,
        *,
        key: Keyring,
    ):
        self.tracker = tracker
        self.client = client
        self.generations = generations
        self.pending_callbacks = pending
        self._key = key
        # Secrets stored per row by earlier versions, for rows that may still be called back.
        self._stored: dict[int, str] = {}

    async def start(self) -> None:
        """Load the stored secrets of rows created before secrets were derived (upgrades)."""
        self._stored = await self.generations.stored_callback_secrets()

    def secret_for(self, row_id: int) -> str:
        return self._key.derive(PURPOSE, str(row_id))

    def verify(self, row: str, secret: str) -> int | None:
        """The row id if `/callbacks/<row>/<secret>` is genuine; checked without storage."""
        if not row.isdigit() or len(row) > 19 or int(row) > MAX_ROW_ID or len(secret) > 100:
            return None
        row_id = int(row)
        if self._key.verifies(secret, PURPOSE, str(row_id)):
            return row_id
        stored = self._stored.get(row_id)
        return row_id if stored is not None and matches(secret, stored) else None

    async def receive(self, row: str, secret: str, named_id: str | None) -> bool:
        """One callback on `/callbacks/<row>/<secret>`: verify, then record, then hint.
        False if it is not genuine (nothing was read or written then)."""
        row_id = self.verify(row, secret)
        if row_id is None:
            return False
        gen = await self.generations.get(row_id)
        if gen is None:
            return True  # genuine path of a row that is gone: nothing to do
        if gen.callback_sent and await self.generations.note_callback(gen.id):
            self.tracker.health.forget()  # callbacks arrive: the tracker may trust them again
        if gen.status in (Status.PENDING, Status.UNKNOWN) and not gen.generation_id:
            # The API calls this row's path although our paid call has not (PENDING) or never
            # (UNKNOWN: ambiguous failure) told us its id: it did act.
            if named_id and await self.generations.by_generation_id(named_id) is None:
                await self.pending_callbacks.record(gen.id, named_id)
                # Read again: the paid call may have failed since, and looked for this record
                # before it was written. Writes are serialised, so one side sees the other.
                gen = await self.generations.get(gen.id) or gen
                if gen.status is Status.UNKNOWN and not gen.generation_id:
                    await self.adopt(gen)
                else:  # the call in flight may still answer; if not, its failure adopts it
                    await self.tracker.hint_anywhere(gen.id)
        elif gen.status is Status.TIMED_OUT:
            self.tracker.recheck(gen)  # we gave up waiting, the API did not
        elif not gen.status.is_terminal:
            await self.tracker.hint_anywhere(gen.id)
        return True

    async def adopt(self, gen: Generation) -> bool:
        """Give `gen` the API id a callback named for it, once `get` confirms the API knows it.
        False when there is none or the API could not confirm it (kept for the next try)."""
        named_id = await self.pending_callbacks.get(gen.id)
        if named_id is None:
            return False
        try:
            await (await self.tracker.client_for(gen)).get(named_id)
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
            except LeaseLost:  # its process is alive and will record the answer itself
                continue
            except Exception:  # one row must not stop the others; the next sweep retries
                log.exception("could not adopt the callback's id for row %s", gen.id)
        return adopted
