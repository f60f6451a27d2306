"""Are callbacks arriving? A callback is a hint, never a promise.

A public URL that does not reach us (a typo, a firewall, a proxy that drops the request)
looks exactly like a generation that is still running: nothing comes. So the tracker trusts
callbacks only while the latest generations that asked for one show them arriving; until
then, and as soon as a few in a row finished without one, it polls exactly as without a
webhook (callbacks still make a check immediate). `verdict` is the one rule; the tracker
follows it and logs a change once, `exterior-bot doctor` reads it from the database.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence

from storage import GenerationRepository

log = logging.getLogger(__name__)
EVIDENCE = 3  # finished generations that asked for a callback, newest first, that decide


class CallbackState(enum.StrEnum):
    ARRIVING = "arriving"  # at least one of the latest came: trust them (polls are a safety net)
    MISSING = "missing"  # the latest EVIDENCE all finished without one: poll, and say so
    UNKNOWN = "unknown"  # too few to tell, none came yet: poll


def verdict(outcomes: Sequence[bool]) -> CallbackState:
    """`outcomes`: did a callback come, for the latest finished generations that asked for
    one (newest first)?"""
    recent = list(outcomes)[:EVIDENCE]
    if any(recent):
        return CallbackState.ARRIVING
    return CallbackState.MISSING if len(recent) >= EVIDENCE else CallbackState.UNKNOWN


def missing_sentence(where: str) -> str:
    return (
        f"callbacks to {where} are not arriving: the last {EVIDENCE} generations that asked "
        "for one finished without it, so they are followed by polling as without a webhook "
        "(check EXTERIOR_PUBLIC_URL and that the API can reach it)"
    )


class CallbackHealth:
    """The verdict for this database, cached until a generation finishes or a callback
    arrives (each can change it); logs when callbacks stop arriving, once per change."""

    def __init__(self, repo: GenerationRepository, *, where: str = "this bot") -> None:
        self.repo = repo
        self.where = where  # the callback URL's base, for the log line
        self._state: CallbackState | None = None
        self._said: CallbackState | None = None

    def forget(self) -> None:
        """Something that can change the verdict happened: read it again when next asked."""
        self._state = None

    async def state(self) -> CallbackState:
        if self._state is None:
            self._state = verdict(await self.repo.callback_outcomes(EVIDENCE))
            self._tell(self._state)
        return self._state

    async def trusted(self) -> bool:
        return await self.state() is CallbackState.ARRIVING

    def _tell(self, state: CallbackState) -> None:
        if state is CallbackState.MISSING and self._said is not CallbackState.MISSING:
            log.warning(missing_sentence(self.where))
        elif state is CallbackState.ARRIVING and self._said is CallbackState.MISSING:
            log.info("callbacks to %s are arriving again", self.where)
        if state is not CallbackState.UNKNOWN:
            self._said = state
