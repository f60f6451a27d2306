"""A server's spending rules: who may spend, press result buttons, where, and how much.

Plain rules over plain values (role ids, channel ids): the cogs gather them from Discord, the
service applies the limits inside the intent's transaction (storage.Cap).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from bot.domain import Message, UserError
from storage import Cap

ANYONE, ROLE, REQUESTER = "anyone", "role", "requester"
DEFAULT_WARN_BELOW = 20


@dataclass(frozen=True)
class Policy:
    per_user_day: int = 0  # 0 = no limit
    per_server_month: int = 0
    concurrent: int = 0  # generations running at once (more wait in the queue); 0 = no cap
    spenders: str = ANYONE  # anyone | role
    spender_role: int | None = None
    buttons: str = ANYONE  # anyone | requester | role
    button_role: int | None = None
    allowed_channels: tuple[int, ...] = ()  # empty = every channel
    forbidden_channels: tuple[int, ...] = ()
    always_preview: bool = False  # the studio's guild setting of the same name
    warn_below: int = DEFAULT_WARN_BELOW
    credential_set: int | None = None  # None = the global credentials

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Policy:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in settings.items() if k in known}
        for name in ("allowed_channels", "forbidden_channels"):
            if name in values:
                values[name] = tuple(int(c) for c in values[name])
        return cls(**values)


class LimitReachedError(UserError):
    """A spending limit is full: nothing was recorded nor sent. `resets_at` is when it frees;
    the sentence is `refused.<scope>` (`resets`: a datetime, each edge writes it its way)."""

    def __init__(self, scope: str, limit: int, resets: datetime):
        super().__init__(Message(f"refused.{scope}"), limit=limit, resets=resets)
        self.scope, self.limit, self.resets_at = scope, limit, resets


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused: a catalogue key and its values (the cog translates it)."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


def may_spend(policy: Policy, role_ids: set[int]) -> Refusal | None:
    if policy.spenders == ROLE and policy.spender_role not in role_ids:
        return Refusal("refused.spenders", {"role": policy.spender_role})
    return None


def may_press(
    policy: Policy, user_id: int, requester_id: int | None, role_ids: set[int]
) -> Refusal | None:
    """Vary / Retry / Edit on someone's result."""
    if policy.buttons == REQUESTER and user_id != requester_id:
        return Refusal("refused.buttons_requester", {"user": requester_id})
    if policy.buttons == ROLE and policy.button_role not in role_ids:
        return Refusal("refused.buttons_role", {"role": policy.button_role})
    return None


def channel_allowed(policy: Policy, channel_ids: tuple[int | None, ...]) -> Refusal | None:
    """`channel_ids`: the channel and, for a thread, its parent (a rule on either applies)."""
    ids = {c for c in channel_ids if c}
    if ids & set(policy.forbidden_channels):
        return Refusal("refused.channel")
    if policy.allowed_channels and not ids & set(policy.allowed_channels):
        return Refusal("refused.channel")
    return None


def day_start(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def month_start(now: datetime) -> datetime:
    return day_start(now).replace(day=1)


def resets_at(scope: str, now: datetime) -> datetime:
    """When a cap of `scope` starts counting from zero again (UTC day or month)."""
    if scope == "per_user_day":
        start = day_start(now)
        return start.fromtimestamp(start.timestamp() + 86400, UTC)
    start = month_start(now)
    return (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )


def caps(policy: Policy, guild_id: int | None, user_id: int | None, now: datetime) -> list[Cap]:
    found = []
    if policy.per_user_day > 0 and user_id is not None:
        found.append(Cap("per_user_day", policy.per_user_day, guild_id, day_start(now), user_id))
    if policy.per_server_month > 0:
        found.append(Cap("per_server_month", policy.per_server_month, guild_id, month_start(now)))
    return found
