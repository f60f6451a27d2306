"""Embeds the bot posts: job cards, results, history pages, credits."""

from __future__ import annotations

from datetime import UTC, datetime

import discord

from bot.domain import Generation, Kind, RoomType, Status
from cogs.i18n import t
from storage import SpendReport

ICONS = {RoomType.TERRACE: "🪵", RoomType.POOL: "🏊", RoomType.PETANQUE: "🎯"}
COLOURS = {
    Status.PENDING: discord.Colour.light_grey(),
    Status.STARTING: discord.Colour.blurple(),
    Status.PROCESSING: discord.Colour.blurple(),
    Status.SUCCEEDED: discord.Colour.green(),
    Status.FAILED: discord.Colour.red(),
    Status.REJECTED: discord.Colour.red(),
    Status.TIMED_OUT: discord.Colour.orange(),
    Status.UNKNOWN: discord.Colour.orange(),
    Status.QUEUED: discord.Colour.light_grey(),
    Status.CANCELLED: discord.Colour.dark_grey(),
}
MARKER = "generation #"  # every card and result names its generation: a restart finds them


def status_text(status: Status, locale=None) -> str:
    return t(locale, f"card.status.{status.value}")


def title(gen: Generation, locale=None) -> str:
    what = t(locale, f"room.{gen.room_type.value}").capitalize()
    if gen.id is None:  # never recorded: no number to give
        return f"{ICONS[gen.room_type]} {what}"
    return f"{ICONS[gen.room_type]} {what} — {t(locale, 'card.marker')}{gen.id}"


def _elapsed(gen: Generation) -> str:
    start = gen.created_at or datetime.now(UTC)
    end = gen.finished_at or datetime.now(UTC)
    seconds = max(0, int((end - start).total_seconds()))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def _footer(gen: Generation) -> str:
    # MARKER stays English whatever the language: a restart finds cards and results by it
    return "exterior-bot" if gen.id is None else f"exterior-bot · {MARKER}{gen.id}"


def job_card(
    gen: Generation,
    *,
    sandbox: bool,
    note: str | None = None,
    status: str | None = None,
    estimate: str | None = None,
    result_url: str | None = None,
    locale=None,
) -> discord.Embed:
    """In `locale`, else in the language of whoever asked for it."""
    loc = locale or gen.origin.locale
    embed = discord.Embed(title=title(gen, loc), colour=COLOURS[gen.status])
    if gen.kind is Kind.VARIATION:
        number = gen.variation_number if gen.variation_number is not None else "…"
        project = (gen.project_id or "?")[:8]
        embed.description = t(loc, "card.variation", number=number, project=project)
    embed.add_field(name=t(loc, "card.type"), value=t(loc, f"choice.{gen.room_type.value}"))
    requester = f"<@{gen.origin.user_id}>" if gen.origin.user_id else "CLI"
    embed.add_field(name=t(loc, "card.requested_by"), value=requester)
    embed.add_field(
        name=t(loc, "card.status"), value=status or status_text(gen.status, loc), inline=False
    )
    waiting = gen.status is Status.QUEUED
    embed.add_field(name=t(loc, "card.waiting" if waiting else "card.elapsed"), value=_elapsed(gen))
    if estimate and not gen.status.is_terminal and not waiting:
        embed.add_field(name=t(loc, "card.time_left"), value=estimate)
    if result_url:
        label = t(loc, "card.its_card" if gen.status is Status.FAILED else "card.the_result")
        embed.add_field(
            name=t(loc, "card.result_field"),
            value=t(loc, "card.jump", what=label, url=result_url),
            inline=False,
        )
    if gen.remaining_photos is not None and gen.status is not Status.FAILED:
        # after a refund the number from the start is one short: better none than wrong
        embed.add_field(name=t(loc, "card.credits_left"), value=str(gen.remaining_photos))
    if gen.status is Status.TIMED_OUT:
        embed.add_field(
            name=t(loc, "card.check_later"),
            value=t(loc, "card.check_later_text", id=gen.id),
            inline=False,
        )
    if note:
        embed.add_field(name=t(loc, "card.note"), value=note, inline=False)
    footer = _footer(gen)
    if sandbox:
        footer += " · " + t(loc, "card.sandbox")
    embed.set_footer(text=footer)
    return embed


def history_embed(
    gens: list[Generation], page: int, pages: int, guild_id: int | None, locale=None
) -> discord.Embed:
    embed = discord.Embed(title=t(locale, "history.title"), colour=discord.Colour.blurple())
    if not gens:
        embed.description = t(locale, "history.empty")
    for gen in gens:
        when = discord.utils.format_dt(gen.created_at, "R") if gen.created_at else "?"
        by = f"<@{gen.origin.user_id}>" if gen.origin.user_id else "CLI"
        line = f"{t(locale, f'status.{gen.status.value}')} · {by} · {when}"
        if gen.variation_number:
            line += " · " + t(locale, "history.variation", number=gen.variation_number)
        if gen.result_message_id and gen.origin.channel_id and guild_id:
            link = f"https://discord.com/channels/{guild_id}/{gen.origin.channel_id}/{gen.result_message_id}"
            # a failed generation's outcome is its card (with the Retry button)
            what = t(locale, "history.card" if gen.status is Status.FAILED else "history.result")
            line += f" · [{what}]({link})"
        embed.add_field(name=f"#{gen.id} {gen.room_type.value}", value=line, inline=False)
    embed.set_footer(text=t(locale, "history.page", page=page + 1, pages=max(pages, 1)))
    return embed


def credits_embed(locale, report: SpendReport, hint: str | None, *, sandbox: bool) -> discord.Embed:
    """What is left with this server's credentials, this month's spend and its refunds."""
    embed = discord.Embed(title=t(locale, "credits.title"), colour=discord.Colour.gold())
    left = report.remaining_photos
    embed.add_field(
        name=t(locale, "credits.left"),
        value=t(locale, "credits.unknown") if left is None else str(left),
    )
    embed.add_field(name=t(locale, "credits.key"), value=hint or t(locale, "admin.show.global_key"))
    total = sum(n for _, _, n in report.by_member)
    embed.add_field(name=t(locale, "credits.month"), value=str(total))
    members = "\n".join(f"<@{uid}> ({name}): {n}" for uid, name, n in report.by_member)
    channels = "\n".join(f"<#{cid}>: {n}" for cid, n in report.by_channel)
    none = t(locale, "credits.none")
    embed.add_field(name=t(locale, "credits.members"), value=members[:1024] or none, inline=False)
    embed.add_field(name=t(locale, "credits.channels"), value=channels[:1024] or none, inline=False)
    embed.add_field(name=t(locale, "credits.refunds"), value=str(report.refunds))
    if sandbox:
        embed.set_footer(text=t(locale, "credits.sandbox"))
    return embed
