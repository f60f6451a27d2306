"""Use cases of a team's settings: the policy, limits' early answer, credits and history.

The rules are in policy.py; the binding limit check is the intent's own (bot.service).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.domain import Generation, RoomType, Status
from bot.teams.credentials import Credentials
from bot.teams.policy import LimitReachedError, Policy, caps, month_start, resets_at
from storage import GuildSettingsRepository, HistoryFilter, ReportRepository, SpendReport

LOW_CREDIT_WARNED = "low_credit_warned"  # the credential set (or "global") last warned about
# /exterior history status:<choice>
STATUS_CHOICES: dict[str, tuple[Status, ...]] = {
    "done": (Status.SUCCEEDED,),
    "failed": (Status.FAILED, Status.REJECTED),
    "running": (Status.QUEUED, Status.PENDING, Status.STARTING, Status.PROCESSING),
    "unknown": (Status.UNKNOWN, Status.TIMED_OUT),
}


def encode_filters(user_id: int | None, room_type: RoomType | None, status: str | None) -> str:
    """History filters as a custom_id part (`u<id>.t<TYPE>.s<status>`), so pages keep them."""
    parts = [f"u{user_id}" if user_id else "", f"t{room_type.value}" if room_type else ""]
    parts.append(f"s{status}" if status in STATUS_CHOICES else "")
    return ".".join(p for p in parts if p)


def decode_filters(text: str) -> tuple[int | None, RoomType | None, str | None]:
    user_id, room_type, status = None, None, None
    for part in filter(None, (text or "").split(".")):
        kind, value = part[0], part[1:]
        if kind == "u" and value.isdigit():
            user_id = int(value)
        elif kind == "t" and value in RoomType.__members__:
            room_type = RoomType(value)
        elif kind == "s" and value in STATUS_CHOICES:
            status = value
    return user_id, room_type, status


@dataclass(frozen=True)
class HistoryPage:
    generations: list[Generation]
    page: int
    pages: int


class TeamService:
    def __init__(
        self,
        settings: GuildSettingsRepository,
        reports: ReportRepository,
        credentials: Credentials,
    ) -> None:
        self.settings = settings
        self.reports = reports
        self.credentials = credentials

    async def policy(self, guild_id: int | None) -> Policy:
        return Policy.from_settings(await self.settings.get(guild_id) if guild_id else {})

    async def change(self, guild_id: int, **values: Any) -> Policy:
        """Set settings (None forgets one, back to its default); returns the new policy."""
        current: dict[str, Any] = {}
        for key, value in values.items():
            if value is None:
                current = await self.settings.delete(guild_id, key)
            else:
                current = await self.settings.set(guild_id, key, value)
        return Policy.from_settings(current)

    async def check_limits(self, policy: Policy, guild_id: int | None, user_id: int) -> None:
        """An early answer (before any card is posted); the intent's check is the binding one."""
        now = datetime.now(UTC)
        for cap in caps(policy, guild_id, user_id, now):
            if await self.reports.spent(cap) >= cap.limit:
                raise LimitReachedError(cap.scope, cap.limit, resets_at(cap.scope, now))

    async def save_credentials(self, guild_id: int, api_key: str, user_id: str) -> str:
        """Check, seal and use a server's own key; returns its masked hint."""
        stored = await self.credentials.save(guild_id, api_key, user_id)
        await self.settings.set(guild_id, "credential_set", stored.id)
        return stored.key_hint

    async def forget_credentials(self, guild_id: int) -> None:
        await self.settings.delete(guild_id, "credential_set")

    async def credits(self, guild_id: int) -> tuple[Policy, SpendReport, str | None]:
        policy = await self.policy(guild_id)
        report = await self.reports.spend_report(
            guild_id, month_start(datetime.now(UTC)), policy.credential_set
        )
        return policy, report, await self.credentials.hint(policy.credential_set)

    async def low_credit(self, gen: Generation, policy: Policy) -> int | None:
        """After a generate: the remaining photos when the channel should be warned now, once
        per dip below the threshold (not once per generation); None otherwise."""
        if gen.remaining_photos is None or not gen.origin.guild_id:
            return None
        ref = str(gen.credential_set or "global")
        below = gen.remaining_photos < policy.warn_below
        claimed = await self.settings.claim(
            gen.origin.guild_id, LOW_CREDIT_WARNED, ref if below else None
        )
        return gen.remaining_photos if below and claimed else None

    async def history(
        self,
        channel_id: int,
        page: int,
        *,
        user_id: int | None = None,
        room_type: RoomType | None = None,
        status: str | None = None,
        per_page: int = 5,
    ) -> HistoryPage:
        f = HistoryFilter(channel_id, user_id, room_type, STATUS_CHOICES.get(status or "", ()))
        total = await self.reports.count_history(f)
        pages = max(1, -(-total // per_page))
        page = min(max(page, 0), pages - 1)
        gens = await self.reports.history(f, offset=page * per_page, limit=per_page)
        return HistoryPage(gens, page, pages)
