"""Mapping between `generations` rows and bot.domain.Generation."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.domain import Generation, Kind, Origin, RoomType, Status

from ._time import from_ts


def to_generation(row: Mapping[str, Any]) -> Generation:
    # columns added by later migrations are absent while the upgrade tests write older schemas
    keys = set(row.keys())
    return Generation(
        id=row["id"],
        kind=Kind(row["kind"]),
        room_type=RoomType(row["room_type"]),
        status=Status(row["status"]),
        origin=Origin(
            source=row["origin_source"],
            guild_id=row["guild_id"],
            channel_id=row["channel_id"],
            user_id=row["user_id"],
            user_name=row["user_name"],
            locale=row["locale"] if "locale" in keys else None,
        ),
        generation_id=row["generation_id"],
        project_id=row["project_id"],
        parent_id=row["parent_id"],
        photo_url=row["photo_url"],
        mask_url=row["mask_url"],
        width=row["width"],
        height=row["height"],
        source_channel_id=row["source_channel_id"],
        source_message_id=row["source_message_id"],
        result_urls=json.loads(row["result_urls"] or "[]"),
        variation_number=row["variation_number"],
        remaining_photos=row["remaining_photos"],
        error=row["error"],
        created_at=from_ts(row["created_at"]),
        updated_at=from_ts(row["updated_at"]),
        finished_at=from_ts(row["finished_at"]),
        next_check_at=from_ts(row["next_check_at"]),
        check_count=row["check_count"],
        card_message_id=row["card_message_id"],
        result_message_id=row["result_message_id"],
        webhook_secret=row["webhook_secret"],
        # absent before migration 0007 (the upgrade tests write through older schemas)
        credential_set=row["credential_set"] if "credential_set" in keys else None,
        queued_at=from_ts(row["queued_at"]) if "queued_at" in keys else None,
        callback_sent=bool(row["callback_sent"]) if "callback_sent" in keys else False,
    )


def intent_row(
    gen: Generation, request_key: str | None, now: float | None, *, queued: bool = False
) -> dict[str, Any]:
    """Column values of a new intent: PENDING (or QUEUED, behind the server's cap on work
    running at once), whatever status `gen` carries."""
    o = gen.origin
    row = {
        "generation_id": gen.generation_id,
        "project_id": gen.project_id,
        "parent_id": gen.parent_id,
        "kind": Kind(gen.kind).value,
        "room_type": RoomType(gen.room_type).value,
        "status": (Status.QUEUED if queued else Status.PENDING).value,
        "origin_source": o.source,
        "guild_id": o.guild_id,
        "channel_id": o.channel_id,
        "user_id": o.user_id,
        "user_name": o.user_name,
        "photo_url": gen.photo_url,
        "mask_url": gen.mask_url,
        "source_channel_id": gen.source_channel_id,
        "source_message_id": gen.source_message_id,
        "width": gen.width,
        "height": gen.height,
        "result_urls": json.dumps(list(gen.result_urls)),
        "variation_number": gen.variation_number,
        "created_at": now,
        "updated_at": now,
        "card_message_id": gen.card_message_id,
        "webhook_secret": gen.webhook_secret,
        "request_key": request_key,
    } | _since_0007(gen)
    if queued:  # only then: the upgrade tests write through schemas older than 0008
        row["queued_at"] = now
    return row


def _since_0007(gen: Generation) -> dict[str, Any]:
    # only when set: the upgrade tests write through schemas older than migrations 0007, 0008, 0010
    extra = {
        "credential_set": gen.credential_set,
        "locale": gen.origin.locale,
        "callback_sent": 1 if gen.callback_sent else None,  # since 0010
    }
    return {k: v for k, v in extra.items() if v is not None}
