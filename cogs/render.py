"""Embeds the bot posts: job cards, results, history pages, credits."""

from __future__ import annotations

from datetime import UTC, datetime

import discord

from bot.domain import Generation, Kind, RoomType, Status
from bot.service import Spend

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
}
STATUS_TEXT = {
    Status.PENDING: "Sending to the API…",
    Status.STARTING: "Starting…",
    Status.PROCESSING: "Processing…",
    Status.SUCCEEDED: "Done ✅",
    Status.FAILED: "Failed ❌ — the photo credit was refunded",
    Status.REJECTED: "Refused by the API — no credit was spent",
    Status.TIMED_OUT: "Still not finished — the bot stopped waiting",
    Status.UNKNOWN: "Outcome unknown — the API did not confirm the request",
}
MARKER = "generation #"  # every card and result names its generation: a restart finds them


def title(gen: Generation) -> str:
    what = gen.room_type.label.capitalize()
    if gen.id is None:  # never recorded: no number to give
        return f"{ICONS[gen.room_type]} {what}"
    return f"{ICONS[gen.room_type]} {what} — {MARKER}{gen.id}"


def _elapsed(gen: Generation) -> str:
    start = gen.created_at or datetime.now(UTC)
    end = gen.finished_at or datetime.now(UTC)
    seconds = max(0, int((end - start).total_seconds()))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def job_card(
    gen: Generation,
    *,
    sandbox: bool,
    note: str | None = None,
    status: str | None = None,
    estimate: str | None = None,
    result_url: str | None = None,
) -> discord.Embed:
    embed = discord.Embed(title=title(gen), colour=COLOURS[gen.status])
    if gen.kind is Kind.VARIATION:
        number = gen.variation_number if gen.variation_number is not None else "…"
        project = (gen.project_id or "?")[:8]
        embed.description = f"Variation {number} of project `{project}`"
    embed.add_field(name="Type", value=gen.room_type.value)
    requester = f"<@{gen.origin.user_id}>" if gen.origin.user_id else "CLI"
    embed.add_field(name="Requested by", value=requester)
    embed.add_field(name="Status", value=status or STATUS_TEXT[gen.status], inline=False)
    embed.add_field(name="Elapsed", value=_elapsed(gen))
    if estimate and not gen.status.is_terminal:
        embed.add_field(name="Time left", value=estimate)
    if result_url:
        label = "its card" if gen.status is Status.FAILED else "the result"
        embed.add_field(name="Result", value=f"[Jump to {label}]({result_url})", inline=False)
    if gen.remaining_photos is not None and gen.status is not Status.FAILED:
        # after a refund the number from the start is one short: better none than wrong
        embed.add_field(name="Credits left", value=str(gen.remaining_photos))
    if gen.status is Status.TIMED_OUT:
        embed.add_field(
            name="Check later",
            value=f"`/exterior show generation:{gen.id}` asks the API again.",
            inline=False,
        )
    if note:
        embed.add_field(name="Note", value=note, inline=False)
    footer = "exterior-bot" if gen.id is None else f"exterior-bot · {MARKER}{gen.id}"
    if sandbox:
        footer += " · SANDBOX (fake results, no API key)"
    embed.set_footer(text=footer)
    return embed


def history_embed(
    gens: list[Generation], page: int, pages: int, guild_id: int | None
) -> discord.Embed:
    embed = discord.Embed(title="Generations in this channel", colour=discord.Colour.blurple())
    if not gens:
        embed.description = "Nothing yet. Start with `/exterior create`."
    for gen in gens:
        when = discord.utils.format_dt(gen.created_at, "R") if gen.created_at else "?"
        by = f"<@{gen.origin.user_id}>" if gen.origin.user_id else "CLI"
        line = f"{gen.status.value.lower()} · {by} · {when}"
        if gen.variation_number:
            line += f" · variation {gen.variation_number}"
        if gen.result_message_id and gen.origin.channel_id and guild_id:
            link = f"https://discord.com/channels/{guild_id}/{gen.origin.channel_id}/{gen.result_message_id}"
            # a failed generation's outcome is its card (with the Retry button)
            line += f" · [{'card' if gen.status is Status.FAILED else 'result'}]({link})"
        embed.add_field(name=f"#{gen.id} {gen.room_type.value}", value=line, inline=False)
    embed.set_footer(text=f"Page {page + 1} of {max(pages, 1)}")
    return embed


def credits_embed(spend: Spend, *, sandbox: bool) -> discord.Embed:
    embed = discord.Embed(title="Credits", colour=discord.Colour.gold())
    left = "unknown yet" if spend.remaining_photos is None else str(spend.remaining_photos)
    embed.add_field(name="Photos left (last known)", value=left, inline=False)
    embed.add_field(name="This server today", value=str(spend.today))
    embed.add_field(name="This server this month", value=str(spend.month))
    if sandbox:
        embed.set_footer(text="SANDBOX: no API key, nothing is charged")
    return embed
