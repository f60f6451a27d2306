"""Persistent buttons. Their state lives in the custom_id, so they work after restarts and days.

Templates are namespaced `exterior:<action>:...` and stay far below Discord's 100 characters.
Each callback hands over to the Exterior cog, which answers within Discord's 3 seconds.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import discord

from bot.domain import RoomType
from cogs.check_again import CheckAgainButton
from cogs.errors import guarded

if TYPE_CHECKING:
    from cogs.exterior import ExteriorCog

_TYPES = "|".join(t.value for t in RoomType)


def _cog(interaction: discord.Interaction) -> ExteriorCog:
    return interaction.client.get_cog("Exterior")  # type: ignore[return-value]


class VaryButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"exterior:vary:(?P<id>[0-9]+):(?P<type>{_TYPES})",
):
    def __init__(self, generation: int, room_type: RoomType):
        super().__init__(
            discord.ui.Button(
                label=f"Vary as {room_type.value}",
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
    def __init__(self, generation: int):
        super().__init__(
            discord.ui.Button(
                label="Retry",
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
    template=r"exterior:history:(?P<page>[0-9]+):(?P<dir>prev|next)",
):
    def __init__(self, page: int, direction: str, *, disabled: bool = False):
        super().__init__(
            discord.ui.Button(
                label="◀ Newer" if direction == "prev" else "Older ▶",
                style=discord.ButtonStyle.secondary,
                custom_id=f"exterior:history:{page}:{direction}",
                disabled=disabled,
            )
        )
        self.page = page

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]) -> HistoryButton:
        return cls(int(match["page"]), match["dir"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, _cog(interaction).history_page(interaction, self.page))


DYNAMIC_ITEMS = (VaryButton, RetryButton, HistoryButton, CheckAgainButton)


def is_ours(custom_id: str) -> bool:
    """A custom_id one of our persistent buttons will answer."""
    return any(item.__discord_ui_compiled_template__.fullmatch(custom_id) for item in DYNAMIC_ITEMS)


def vary_view(generation: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for room_type in (RoomType.POOL, RoomType.TERRACE, RoomType.PETANQUE):
        view.add_item(VaryButton(generation, room_type))
    return view


def retry_view(generation: int) -> discord.ui.View:
    return discord.ui.View(timeout=None).add_item(RetryButton(generation))


def history_view(page: int, pages: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(HistoryButton(max(page - 1, 0), "prev", disabled=page <= 0))
    view.add_item(HistoryButton(min(page + 1, pages - 1), "next", disabled=page >= pages - 1))
    return view
