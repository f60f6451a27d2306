"""How the queue reads: a queued job card's place, and `/exterior queue`'s list.

"Queued: 2 ahead of you, starts in about 1 min": `ahead` is how many must end before this one
starts (its place in line); the time is learnt (bot/service/queue.py), never promised without
history. The list shows only what the reader may see (generations of channels they cannot view
are counted, not shown).
"""

from __future__ import annotations

from collections.abc import Callable

import discord

from bot.domain import Generation
from bot.service.queue import Snapshot
from cogs.cards import render
from cogs.cards.card import duration
from cogs.i18n import t

MAX_LINES = 15  # per section: an embed field holds 1024 characters


def queued_text(ahead: int, wait: float | None, locale=None) -> str:
    if wait is None:
        return t(locale, "queue.place", ahead=ahead)
    return t(locale, "queue.place_wait", ahead=ahead, wait=duration(max(1.0, wait)))


def _since(gen: Generation, queued: bool) -> str:
    when = gen.queued_at if queued else gen.created_at
    return f"<t:{int(when.timestamp())}:R>" if when else "?"


def _what(gen: Generation, locale) -> str:
    who = f"<@{gen.origin.user_id}>" if gen.origin.user_id else "CLI"
    kind = t(locale, f"room.{gen.room_type.value}")
    return f"#{gen.id} {render.ICONS[gen.room_type]} {kind} · {who}"


def _left(seconds: float | None, locale) -> str:
    if seconds is None:
        return t(locale, "queue.left_unknown")
    if seconds < 1:
        return t(locale, "queue.left_soon")
    return t(locale, "queue.left", left=duration(seconds))


def queue_embed(found: Snapshot, shown: Callable[[Generation], bool], locale) -> discord.Embed:
    embed = discord.Embed(title=t(locale, "queue.title"), colour=discord.Colour.blurple())
    cap = t(locale, "queue.cap", cap=found.cap) if found.cap else t(locale, "queue.no_cap")
    hidden = sum(not shown(g) for g, _ in found.running) + sum(
        not shown(g) for g, _ in found.queued
    )
    embed.description = cap + ("\n" + t(locale, "queue.hidden", count=hidden) if hidden else "")
    running = [
        f"{_what(g, locale)} · {t(locale, 'queue.since', when=_since(g, False))} · "
        f"{_left(left, locale)}"
        for g, left in found.running
        if shown(g)
    ]
    queued = [
        f"**{place.ahead}.** {_what(g, locale)} · "
        f"{t(locale, 'queue.queued_since', when=_since(g, True))} · "
        + (
            t(locale, "queue.starts", wait=duration(max(1.0, place.wait)))
            if place.wait is not None
            else t(locale, "queue.starts_unknown")
        )
        for g, place in found.queued
        if shown(g)
    ]
    for key, lines, count in (
        ("queue.running", running, len(found.running)),
        ("queue.waiting", queued, len(found.queued)),
    ):
        text = "\n".join(lines[:MAX_LINES]) or t(locale, "queue.none")
        if len(lines) > MAX_LINES:
            text += "\n" + t(locale, "queue.more", count=len(lines) - MAX_LINES)
        embed.add_field(name=t(locale, key, count=count), value=text[:1024], inline=False)
    return embed
