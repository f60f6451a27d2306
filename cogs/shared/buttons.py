"""Persistent buttons. Their state lives in the custom_id, so they work after restarts and days.

Templates are namespaced `exterior:<action>:...` and stay far below Discord's 100 characters.
Each callback hands over to the Exterior cog, which answers within Discord's 3 seconds.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

import discord

from bot.domain import RoomType
from cogs.cards.check_again import CheckAgainButton
from cogs.i18n import t
from cogs.i18n.errors import guarded

if TYPE_CHECKING:
    from cogs.cards.actions import CardsCog
    from cogs.commands.exterior import ExteriorCog
    from cogs.preview.previews import PreviewCog

_TYPES = "|".join(t.value for t in RoomType)


def _cog(interaction: discord.Interaction) -> ExteriorCog:
    return interaction.client.get_cog("Exterior")  # type: ignore[return-value]


def _cards(interaction: discord.Interaction) -> CardsCog:
    return interaction.client.get_cog("Cards")  # type: ignore[return-value]


def _previews(interaction: discord.Interaction) -> PreviewCog:
    return interaction.client.get_cog("Preview")  # type: ignore[return-value]


class VaryButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"exterior:vary:(?P<id>[0-9]+):(?P<type>{_TYPES})",
):
    def __init__(self, generation: int, room_type: RoomType, locale=None):
        kind = t(locale, f"choice.{room_type.value}")
        super().__init__(
            discord.ui.Button(
                label=t(locale, "button.vary", type=kind),
                style=discord.ButtonStyle.primary,
                custom_id=f"exterior:vary:{generation}:{room_type.value}",
            )
        )
        self.generation, self.room_type = generation, room_type

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]) -> VaryButton:
        return cls(int(match["id"]), RoomType(match["type"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(
            interaction,
            _cog(interaction).vary_from_button(interaction, self.generation, self.room_type),
        )


class RetryButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"exterior:retry:(?P<id>[0-9]+)"
):
    def __init__(self, generation: int, locale=None):
        super().__init__(
            discord.ui.Button(
                label=t(locale, "button.retry"),
                style=discord.ButtonStyle.secondary,
                custom_id=f"exterior:retry:{generation}",
            )
        )
        self.generation = generation

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]) -> RetryButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(
            interaction, _cog(interaction).retry_from_button(interaction, self.generation)
        )


class HistoryButton(
    discord.ui.DynamicItem[discord.ui.Button],
    # filters (optional, older pages had none): u<user id>, t<TYPE>, s<status choice>
    template=r"exterior:history:(?P<page>[0-9]+):(?P<dir>prev|next)(?::(?P<filters>[\w.]{0,60}))?",
):
    def __init__(self, page: int, direction: str, *, disabled: bool = False, filters: str = ""):
        super().__init__(
            discord.ui.Button(
                label="◀" if direction == "prev" else "▶",
                style=discord.ButtonStyle.secondary,
                custom_id=f"exterior:history:{page}:{direction}"
                + (f":{filters}" if filters else ""),
                disabled=disabled,
            )
        )
        self.page, self.filters = page, filters

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]) -> HistoryButton:
        return cls(int(match["page"]), match["dir"], filters=match["filters"] or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(
            interaction, _cog(interaction).history_page(interaction, self.page, self.filters)
        )


class PreviewButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"exterior:preview:(?P<id>[A-Za-z0-9_-]{8,40}):(?P<action>go|cancel)",
):
    """ "Generate (1 credit)" or "Cancel" on a private preview; the draft id is persisted."""

    def __init__(self, draft: str, action: str, locale=None):
        go = action == "go"
        super().__init__(
            discord.ui.Button(
                label=t(locale, "button.generate" if go else "button.cancel"),
                style=discord.ButtonStyle.success if go else discord.ButtonStyle.secondary,
                custom_id=f"exterior:preview:{draft}:{action}",
            )
        )
        self.draft, self.action = draft, action

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]) -> PreviewButton:
        return cls(match["id"], match["action"])

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = _previews(interaction)
        work = cog.generate(interaction, self.draft) if self.action == "go" else None
        await guarded(interaction, work or cog.cancel(interaction, self.draft))


class StudioButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"exterior:studio:(?P<id>[0-9]+)"
):
    """ "Edit mask & vary": a link button sends no interaction, so this one answers privately
    with a fresh signed studio link for the person who clicked."""

    def __init__(self, generation: int, locale=None):
        super().__init__(
            discord.ui.Button(
                label=t(locale, "button.studio"),
                style=discord.ButtonStyle.secondary,
                custom_id=f"exterior:studio:{generation}",
            )
        )
        self.generation = generation

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]) -> StudioButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, _previews(interaction).studio_for(interaction, self.generation))


class ShareButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"exterior:share:(?P<id>[0-9]+)"
):
    """Post a result (with its Vary buttons) to another channel; the channel is chosen privately."""

    def __init__(self, generation: int, locale=None):
        super().__init__(
            discord.ui.Button(
                label=t(locale, "button.share"),
                style=discord.ButtonStyle.success,
                custom_id=f"exterior:share:{generation}",
            )
        )
        self.generation = generation

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]) -> ShareButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        share = interaction.client.get_cog("Share")
        await guarded(interaction, share.choose(interaction, self.generation))


class CardButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"exterior:card:(?P<action>compare|share|newmask|family):(?P<id>[0-9]+)",
):
    """The result card's other buttons: Before / after (and its Post to channel), New mask…,
    History. One template, so old cards keep working whatever the card's layout becomes."""

    STYLES: ClassVar[dict[str, discord.ButtonStyle]] = {
        "compare": discord.ButtonStyle.secondary,
        "share": discord.ButtonStyle.success,
        "newmask": discord.ButtonStyle.secondary,
        "family": discord.ButtonStyle.secondary,
    }

    def __init__(self, action: str, generation: int, locale=None):
        label, style = t(locale, f"button.card.{action}"), self.STYLES[action]
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"exterior:card:{action}:{generation}"
            )
        )
        self.action, self.generation = action, generation

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]) -> CardButton:
        return cls(match["action"], int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        cards = _cards(interaction)
        if self.action == "newmask":  # a modal must be the first answer: no guard's defer
            await guarded(interaction, cards.open_new_mask(interaction, self.generation))
            return
        handler = {"compare": cards.before_after, "share": cards.share, "family": cards.family}
        await guarded(interaction, handler[self.action](interaction, self.generation))


DYNAMIC_ITEMS = (
    VaryButton,
    RetryButton,
    HistoryButton,
    CheckAgainButton,
    PreviewButton,
    StudioButton,
    CardButton,
    ShareButton,
)


def is_ours(custom_id: str) -> bool:
    """A custom_id one of our persistent buttons will answer."""
    return any(item.__discord_ui_compiled_template__.fullmatch(custom_id) for item in DYNAMIC_ITEMS)


def preview_view(
    draft: str, studio_link: str | None, *, generate: bool = True, locale=None
) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if generate:
        view.add_item(PreviewButton(draft, "go", locale))
    if studio_link:
        view.add_item(discord.ui.Button(label=t(locale, "button.edit_in_studio"), url=studio_link))
    return view.add_item(PreviewButton(draft, "cancel", locale))


def studio_link_view(link: str, locale=None) -> discord.ui.View:
    return discord.ui.View(timeout=None).add_item(
        discord.ui.Button(label=t(locale, "button.open_studio"), url=link)
    )


def retry_view(generation: int, locale=None) -> discord.ui.View:
    return discord.ui.View(timeout=None).add_item(RetryButton(generation, locale))


def history_view(page: int, pages: int, filters: str = "") -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(HistoryButton(max(page - 1, 0), "prev", disabled=page <= 0, filters=filters))
    view.add_item(
        HistoryButton(min(page + 1, pages - 1), "next", disabled=page >= pages - 1, filters=filters)
    )
    return view
