"""Persistent buttons. Their state lives in the custom_id, so they work after restarts and days.

A custom_id is `exterior:<kind>:<value>:…`, far below Discord's 100 characters. Messages keep
theirs for ever, so a template may only ever accept more. A click runs the action its kind names
on `bot.actions` (cogs/shared/actions.py), offered by the cog that answers within 3 seconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum

import discord

from bot.domain import RoomType
from cogs.i18n import t
from cogs.i18n.errors import guarded

_TYPES = "|".join(t.value for t in RoomType)
_SECONDARY = discord.ButtonStyle.secondary


def _text(value: object) -> str:
    return value.value if isinstance(value, Enum) else str(value)


class PersistentButton(discord.ui.DynamicItem[discord.ui.Button], template=r"(?!)"):
    """A kind gives its template (the class keyword), `kind`, `fields` (the template's groups in
    custom_id order, each with its parser) and its label: `label_key`, or `label()` itself.
    It is built from its values in that order; an empty last value is left out of the id."""

    kind = ""
    label_key = ""  # spelt out, so the catalogue test sees every key in use
    fields: tuple[tuple[str, Callable[[str], object]], ...] = (("id", int),)
    style = _SECONDARY

    def __init__(self, *values: object, locale=None, disabled: bool = False) -> None:
        self.values = dict(zip((name for name, _ in self.fields), values, strict=True))
        parts = [self.kind, *(_text(v) for v in values if v != "")]
        super().__init__(
            discord.ui.Button(
                label=self.label(locale),
                style=self.button_style(),
                custom_id="exterior:" + ":".join(parts),
                disabled=disabled,
            )
        )

    def label(self, locale) -> str:
        return t(locale, self.label_key)

    def button_style(self) -> discord.ButtonStyle:
        return self.style

    def action(self) -> tuple[str, tuple[object, ...]]:
        """The action a click runs, and what it is given after the interaction."""
        return self.kind, tuple(self.values.values())

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]) -> PersistentButton:
        return cls(*(parse(match[name]) for name, parse in cls.fields))

    async def callback(self, interaction: discord.Interaction) -> None:
        name, values = self.action()
        await guarded(interaction, interaction.client.actions.run(name, interaction, *values))


class VaryButton(PersistentButton, template=rf"exterior:vary:(?P<id>[0-9]+):(?P<type>{_TYPES})"):
    kind, style = "vary", discord.ButtonStyle.primary
    fields = (("id", int), ("type", RoomType))

    def label(self, locale) -> str:
        return t(locale, "button.vary", type=t(locale, f"choice.{self.values['type'].value}"))


class RetryButton(PersistentButton, template=r"exterior:retry:(?P<id>[0-9]+)"):
    kind, label_key = "retry", "button.retry"


class CheckAgainButton(PersistentButton, template=r"exterior:check:(?P<id>[0-9]{1,19})"):
    """On a card whose outcome is unknown: asks the API, never re-sends (cards/check_again.py)."""

    kind, label_key = "check", "button.check"


class HistoryButton(
    PersistentButton,
    # filters (optional, older pages had none): u<user id>, t<TYPE>, s<status choice>
    template=r"exterior:history:(?P<page>[0-9]+):(?P<dir>prev|next)(?::(?P<filters>[\w.]{0,60}))?",
):
    kind = "history"
    fields = (("page", int), ("dir", str), ("filters", lambda found: found or ""))

    def label(self, locale) -> str:
        return "◀" if self.values["dir"] == "prev" else "▶"

    def action(self) -> tuple[str, tuple[object, ...]]:
        return self.kind, (self.values["page"], self.values["filters"])


class PreviewButton(
    PersistentButton,
    template=r"exterior:preview:(?P<id>[A-Za-z0-9_-]{8,40}):(?P<action>go|cancel)",
):
    """ "Generate (1 credit)" or "Cancel" on a private preview; the draft id is persisted."""

    kind, fields = "preview", (("id", str), ("action", str))

    def label(self, locale) -> str:
        return t(locale, "button.generate" if self.values["action"] == "go" else "button.cancel")

    def button_style(self) -> discord.ButtonStyle:
        return discord.ButtonStyle.success if self.values["action"] == "go" else _SECONDARY

    def action(self) -> tuple[str, tuple[object, ...]]:
        return f"preview_{self.values['action']}", (self.values["id"],)


class StudioButton(PersistentButton, template=r"exterior:studio:(?P<id>[0-9]+)"):
    """ "Edit mask & vary": a link button sends no interaction, so this one answers privately
    with a fresh signed studio link for the person who clicked."""

    kind, label_key = "studio", "button.studio"


class ShareButton(PersistentButton, template=r"exterior:share:(?P<id>[0-9]+)"):
    """Post a result (with its Vary buttons) to another channel; the channel is chosen privately."""

    kind, label_key, style = "share", "button.share", discord.ButtonStyle.success


class ClientButton(PersistentButton, template=r"exterior:client:(?P<id>[0-9]+)"):
    """ "Share with client": a private answer with a signed link to the design's client page
    (cogs/cards/client.py); shown only when the bot has a public address."""

    kind, label_key = "client", "button.client"


class ClientLinkButton(
    PersistentButton,
    template=r"exterior:clientlink:(?P<link>[A-Za-z0-9_-]{8,40}):(?P<action>revoke|refresh)",
):
    """Under a private client link: Revoke it, or Refresh how often it was opened."""

    kind, fields = "clientlink", (("link", str), ("action", str))

    def label(self, locale) -> str:
        return t(locale, f"button.clientlink.{self.values['action']}")

    def button_style(self) -> discord.ButtonStyle:
        revoke = self.values["action"] == "revoke"
        return discord.ButtonStyle.danger if revoke else _SECONDARY

    def action(self) -> tuple[str, tuple[object, ...]]:
        return f"client_{self.values['action']}", (self.values["link"],)


class CancelButton(PersistentButton, template=r"exterior:cancel:(?P<id>[0-9]+)"):
    """On a queued generation's job card: its requester takes it out (nothing was spent)."""

    kind, label_key = "cancel", "button.cancel"


class CardButton(
    PersistentButton,
    template=r"exterior:card:(?P<action>compare|share|newmask|family):(?P<id>[0-9]+)",
):
    """The result card's other buttons: Before / after (and its Post to channel), New mask…,
    History. One template, so old cards keep working whatever the card's layout becomes."""

    kind, fields = "card", (("action", str), ("id", int))

    def label(self, locale) -> str:
        return t(locale, f"button.card.{self.values['action']}")

    def button_style(self) -> discord.ButtonStyle:
        return discord.ButtonStyle.success if self.values["action"] == "share" else _SECONDARY

    def action(self) -> tuple[str, tuple[object, ...]]:
        return f"card_{self.values['action']}", (self.values["id"],)


class ShareToSelect(
    discord.ui.DynamicItem[discord.ui.Select], template=r"exterior:share-to:(?P<id>[0-9]+)"
):
    """Share's channel menu. Persistent like the buttons, so a choice made late (or after a
    restart) is still answered by exactly one handler, never also as an "old button"."""

    def __init__(self, generation: int, options=(), locale=None) -> None:
        super().__init__(
            discord.ui.Select(
                placeholder=t(locale, "share.placeholder"),
                options=list(options),
                custom_id=f"exterior:share-to:{generation}",
            )
        )
        self.generation = generation

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]) -> ShareToSelect:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        chosen = int(self.item.values[0]) if self.item.values else 0
        run = interaction.client.actions.run("share_to", interaction, self.generation, chosen)
        await guarded(interaction, run)


DYNAMIC_ITEMS = (
    ShareToSelect,
    VaryButton,
    RetryButton,
    HistoryButton,
    CheckAgainButton,
    PreviewButton,
    StudioButton,
    CardButton,
    ShareButton,
    ClientButton,
    ClientLinkButton,
    CancelButton,
)


def is_ours(custom_id: str) -> bool:
    """A custom_id one of our persistent buttons will answer."""
    return any(item.__discord_ui_compiled_template__.fullmatch(custom_id) for item in DYNAMIC_ITEMS)


def preview_view(
    draft: str,
    studio_link: str | None,
    *,
    generate: bool = True,
    studio_first: bool = False,
    locale=None,
) -> discord.ui.View:
    """Generate, Edit in studio, Cancel; the studio leads when the suggestion is unsure."""
    view = discord.ui.View(timeout=None)
    studio = studio_link and discord.ui.Button(
        label=t(locale, "button.edit_in_studio"), url=studio_link
    )
    if studio and studio_first:
        view.add_item(studio)
    if generate:
        view.add_item(PreviewButton(draft, "go", locale=locale))
    if studio and not studio_first:
        view.add_item(studio)
    return view.add_item(PreviewButton(draft, "cancel", locale=locale))


def studio_link_view(link: str, locale=None) -> discord.ui.View:
    return discord.ui.View(timeout=None).add_item(
        discord.ui.Button(label=t(locale, "button.open_studio"), url=link)
    )


def retry_view(generation: int, locale=None) -> discord.ui.View:
    return discord.ui.View(timeout=None).add_item(RetryButton(generation, locale=locale))


def check_view(generation: int, locale=None) -> discord.ui.View:
    return discord.ui.View(timeout=None).add_item(CheckAgainButton(generation, locale=locale))


def cancel_view(generation: int, locale=None) -> discord.ui.View:
    return discord.ui.View(timeout=None).add_item(CancelButton(generation, locale=locale))


def client_link_view(link_id: str, url: str, locale=None) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label=t(locale, "button.open_client_page"), url=url))
    view.add_item(ClientLinkButton(link_id, "refresh", locale=locale))
    return view.add_item(ClientLinkButton(link_id, "revoke", locale=locale))


def history_view(page: int, pages: int, filters: str = "") -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    last = pages - 1
    view.add_item(HistoryButton(max(page - 1, 0), "prev", filters, disabled=page <= 0))
    return view.add_item(HistoryButton(min(page + 1, last), "next", filters, disabled=page >= last))
