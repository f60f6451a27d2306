"""The paid call: the one path from a written intent to the API's answer, recorded.

Work started at once (`ExteriorService.create` / `vary`) and queued work in its turn
(bot/service/queue.py) both come through `send`. From the call until its answer is written the
row is "in flight" (recovery spares it, shutdown waits for it); a failure becomes REJECTED (the
API certainly did not act: nothing spent) or UNKNOWN (it may have: never re-sent); the API's id
is logged and written right after the call, retried while the database is busy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from bot.api import errors
from bot.api.client import ExteriorClient
from bot.domain import Generation
from bot.service.errors import OutcomeUnknownError, RejectedError
from bot.tracking.callbacks import Callbacks
from bot.tracking.tracker import GenerationTracker
from storage import GenerationRepository, StorageError

log = logging.getLogger(__name__)
# Recording the API's answer: each try may itself wait busy_timeout (5 s) for the database.
RECORD_ATTEMPTS = 3
RECORD_RETRY_SECONDS = 1.0


class PaidCalls:
    """What ExteriorService holds for its paid calls (set in its __init__)."""

    generations: GenerationRepository
    tracker: GenerationTracker
    callbacks: Callbacks
    callback_url: Callable[[int], str] | None

    def __init__(self) -> None:
        self._in_flight: set[int] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    async def send(
        self,
        gen: Generation,
        client: ExteriorClient,
        *,
        photo_url: str,
        mask_url: str | None,
        parent: Generation | None = None,
    ) -> Generation:
        """The paid call of an intent (PENDING, written already) and its answer recorded: the
        one path for work started at once and for queued work in its turn (bot/service/
        queue.py). `parent`: a variation's (then `mask_url` is its new mask, or None)."""
        async with self._in_flight_until_recorded(gen):
            async with self._paid_call(gen):
                if parent is None:
                    result = await client.generate(
                        image_url=photo_url,
                        mask_url=mask_url or "",
                        room_type=gen.room_type,
                        width=gen.width or 0,
                        height=gen.height or 0,
                        webhook=self._webhook(gen),
                    )
                else:
                    result = await client.generate_variation(
                        generation_id=parent.generation_id or "",
                        original_url=photo_url,
                        room_type=gen.room_type,
                        mask_url=mask_url,
                        webhook=self._webhook(gen),
                    )
            if parent is not None:  # the API says nothing of a variation's project or credits
                return await self._submitted(gen, result.generation_id, parent.project_id, None)
            return await self._submitted(
                gen, result.generation_id, result.project_id, result.remaining_photos
            )

    def _webhook(self, gen: Generation) -> str | None:
        return self.callback_url(gen.id) if self.callback_url else None

    @asynccontextmanager
    async def _in_flight_until_recorded(self, gen: Generation) -> AsyncIterator[None]:
        """From the paid call until its answer is written, the row is "in flight": crash
        recovery spares it and shutdown waits for it (see `drain`)."""
        self._in_flight.add(gen.id)
        self._idle.clear()
        try:
            yield
        finally:
            self._in_flight.discard(gen.id)
            if not self._in_flight:
                self._idle.set()

    @asynccontextmanager
    async def _paid_call(self, gen: Generation) -> AsyncIterator[None]:
        """Turns the failure of a paid call into REJECTED or UNKNOWN on the intent row."""
        try:
            yield
        except errors.ApiError as exc:
            if exc.certainly_not_acted:
                gen = await self.generations.mark_rejected(gen.id, str(exc))
                raise RejectedError(gen, exc) from exc
            gen = await self.generations.mark_unknown(gen.id, f"no confirmation: {exc}")
            with contextlib.suppress(Exception):  # its callback may have named it: not lost
                await self.callbacks.adopt(gen)
            raise OutcomeUnknownError(gen, exc) from exc
        except Exception as exc:
            # a bug or a failing database around the call: the outcome is unknown, say so
            log.exception("paid call of generation %s failed unexpectedly", gen.id)
            with contextlib.suppress(Exception):
                gen = await asyncio.shield(self.generations.mark_unknown(gen.id, repr(exc)[:500]))
            raise OutcomeUnknownError(gen, exc) from exc
        except BaseException:
            # cancellation: the outcome is unknown; the row must say so
            await asyncio.shield(self.generations.mark_unknown(gen.id, "interrupted"))
            raise

    async def drain(self, timeout: float) -> None:
        """At shutdown: give paid calls in flight the chance to record their answer."""
        if self._in_flight:
            log.info("waiting for %d paid call(s) to be answered", len(self._in_flight))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._idle.wait()

    async def _submitted(
        self, gen: Generation, api_id: str, project_id: str | None, remaining: int | None
    ) -> Generation:
        # Logged before anything else can fail: the API id of a spent credit is never lost.
        log.info("API accepted generation %s as %s", gen.id, api_id)
        for attempt in range(1, RECORD_ATTEMPTS + 1):
            try:
                first = datetime.fromtimestamp(await self.tracker.first_check_at(gen), UTC)
                # Shielded: a cancellation (shutdown) must not leave a paid generation unrecorded.
                recorded = await asyncio.shield(
                    self.generations.mark_submitted(
                        gen.id,
                        generation_id=api_id,
                        project_id=project_id,
                        remaining_photos=remaining,
                        next_check_at=first,
                    )
                )
                break
            except StorageError:
                raise  # a contradiction (another id already recorded), not a passing fault
            except Exception:
                # a busy database must not lose a spent credit's id: try again, then say so
                log.exception(
                    "could not record generation %s as API generation %s (attempt %d of %d)",
                    gen.id,
                    api_id,
                    attempt,
                    RECORD_ATTEMPTS,
                )
                if attempt == RECORD_ATTEMPTS:
                    raise
                await asyncio.sleep(RECORD_RETRY_SECONDS)
        await self.tracker.track(recorded)
        return recorded
