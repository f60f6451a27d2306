"""The result card (Components V2), the family of a design, and the time-left wording.

A result card is one Container: a title, who asked and when, links to the card it varies and
to its job card, a MediaGallery with every image the API returned (uploaded files, shown only
through the gallery), then the buttons. Discord counts at most 40 components: this uses ~16.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.domain import Generation, Kind, RoomType
from bot.service.lineage import Member
from cogs.cards import render
from cogs.i18n import t
from cogs.shared.buttons import CardButton, ClientButton, ShareButton, StudioButton, VaryButton

MAX_FAMILY_CHARS = 1800  # room left in the card's 4000 text characters, and in a message


def message_url(guild_id: int | None, channel_id: int | None, message_id: int | None) -> str | None:
    if not (guild_id and channel_id and message_id):
        return None
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def _asked(gen: Generation) -> str:
    loc = gen.origin.locale
    who = f"<@{gen.origin.user_id}>" if gen.origin.user_id else "CLI"
    when = discord.utils.format_dt(gen.created_at, "f") if gen.created_at else ""
    what = t(loc, "cards.original")
    if gen.kind is Kind.VARIATION:
        number = gen.variation_number if gen.variation_number is not None else "?"
        what = t(loc, "cards.variation", number=number)
    kind = t(loc, f"choice.{gen.room_type.value}")
    asked = t(loc, "cards.asked_by", who=who)
    return f"**{kind}** · {what} · {asked}" + (f" · {when}" if when else "")


def _links(gen: Generation, parent: Generation | None) -> str:
    links = []
    if parent is not None:
        url = message_url(
            parent.origin.guild_id, parent.origin.channel_id, parent.result_message_id
        )
        target = f"[#{parent.id}]({url})" if url else f"#{parent.id}"
        links.append(t(gen.origin.locale, "cards.varies", target=target))
    card = message_url(gen.origin.guild_id, gen.origin.channel_id, gen.card_message_id)
    if card:
        links.append(f"[{t(gen.origin.locale, 'cards.job_card')}]({card})")
    return " · ".join(links)


def result_card(
    gen: Generation,
    filenames: Sequence[str],
    *,
    sandbox: bool,
    parent: Generation | None = None,
    family: str | None = None,
    studio: bool = False,
    client: bool = False,
) -> discord.ui.LayoutView:
    """`studio`: the mask studio is reachable, so "Edit mask & vary" joins the Vary buttons;
    `client`: client pages are (a public address), so "Share with client" ends the card."""
    loc = gen.origin.locale  # the requester's language
    view = discord.ui.LayoutView(timeout=None)
    box = discord.ui.Container(accent_colour=render.COLOURS[gen.status])
    box.add_item(discord.ui.TextDisplay(f"## {render.title(gen, loc)}"))
    box.add_item(
        discord.ui.TextDisplay("\n".join(filter(None, [_asked(gen), _links(gen, parent)])))
    )
    gallery = discord.ui.MediaGallery()
    for index, name in enumerate(filenames[:10]):
        gallery.add_item(media=f"attachment://{name}", description=f"Result {index + 1}")
    box.add_item(gallery)
    if family:
        box.add_item(discord.ui.TextDisplay(family))
    footer = f"-# exterior-bot · {render.MARKER}{gen.id}"
    box.add_item(discord.ui.TextDisplay(footer + (" · SANDBOX (fake results)" if sandbox else "")))
    vary = discord.ui.ActionRow()
    for room_type in (RoomType.POOL, RoomType.TERRACE, RoomType.PETANQUE):
        vary.add_item(VaryButton(gen.id, room_type, locale=loc))
    if studio:
        vary.add_item(StudioButton(gen.id, locale=loc))
    box.add_item(vary)
    more = discord.ui.ActionRow()
    for action in ("compare", "newmask", "family"):
        more.add_item(CardButton(action, gen.id, locale=loc))
    more.add_item(ShareButton(gen.id, locale=loc))  # to another channel (the teams issue)
    if client:
        more.add_item(ClientButton(gen.id, locale=loc))  # a page for someone outside Discord
    box.add_item(more)
    view.add_item(box)
    return view


def family_text(members: Sequence[Member], current: int, locale=None) -> str:
    """One line per design of the family, indented by generation, the current one marked."""
    lines = [t(locale, "cards.family")]
    for member in members:
        gen = member.generation
        what = "original" if gen.kind is Kind.CREATE else f"variation {gen.variation_number or '?'}"
        url = message_url(gen.origin.guild_id, gen.origin.channel_id, gen.result_message_id)
        name = f"[#{gen.id}]({url})" if url else f"#{gen.id}"
        mark = " ◀ " + t(locale, "cards.this_one") if gen.id == current else ""
        status = "" if gen.status.value == "SUCCEEDED" else f" ({gen.status.value.lower()})"
        # em spaces: Discord keeps them, where it would collapse plain ones
        indent = "\u2003" * (member.depth - 1) + "↳ " if member.depth else ""
        line = f"{indent}{name} {gen.room_type.value}"
        lines.append(f"{line} · {what}{status}{mark}")
    text = "\n".join(lines)
    if len(text) > MAX_FAMILY_CHARS:
        text = text[: MAX_FAMILY_CHARS - 2].rsplit("\n", 1)[0] + "\n…"
    return text


def duration(seconds: float) -> str:
    """Rounded the way a person says it: 3 s, 45 s, 2 min."""
    if seconds < 10:
        return f"{max(1, round(seconds))} s"
    if seconds < 90:
        return f"{max(5, round(seconds / 5) * 5)} s"
    return f"{round(seconds / 60)} min"


def estimate_text(elapsed: float, typical: float | None, locale=None) -> str | None:
    """Honest: only from history, rounded, and it says so when a run takes longer."""
    if typical is None:
        return None
    usual = duration(typical)
    if elapsed < typical:
        return t(locale, "cards.left", left=duration(typical - elapsed), usual=usual)
    return t(locale, "cards.longer", usual=usual)
