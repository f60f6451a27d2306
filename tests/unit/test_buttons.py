"""Old messages keep their buttons for ever: every kind's custom_id, as posted before, still
reads back to the same button (id, label, style) and a click runs the action it always did."""

from __future__ import annotations

from types import SimpleNamespace

import discord
import pytest

from bot.domain import RoomType
from cogs.shared.actions import NAMES, Actions
from cogs.shared.buttons import DYNAMIC_ITEMS, VaryButton, history_view, is_ours

PRIMARY, SECONDARY, SUCCESS = (
    discord.ButtonStyle.primary,
    discord.ButtonStyle.secondary,
    discord.ButtonStyle.success,
)
DANGER = discord.ButtonStyle.danger
# custom_id as old messages carry it, its English label and style, the action and its values
OLD = [
    ("exterior:vary:12:POOL", "Vary as POOL", PRIMARY, "vary", (12, RoomType.POOL)),
    ("exterior:vary:12:TERRACE", "Vary as TERRACE", PRIMARY, "vary", (12, RoomType.TERRACE)),
    ("exterior:vary:7:PETANQUE", "Vary as PETANQUE", PRIMARY, "vary", (7, RoomType.PETANQUE)),
    ("exterior:retry:5", "Retry", SECONDARY, "retry", (5,)),
    ("exterior:check:9", "Check again", SECONDARY, "check", (9,)),
    ("exterior:history:0:prev", "◀", SECONDARY, "history", (0, "")),
    ("exterior:history:2:next:u5.tPOOL", "▶", SECONDARY, "history", (2, "u5.tPOOL")),
    ("exterior:preview:abcdefgh:go", "Generate (1 credit)", SUCCESS, "preview_go", ("abcdefgh",)),
    ("exterior:preview:Ab_-cdef:cancel", "Cancel", SECONDARY, "preview_cancel", ("Ab_-cdef",)),
    ("exterior:studio:4", "Edit mask & vary", SECONDARY, "studio", (4,)),
    ("exterior:share:3", "Share", SUCCESS, "share", (3,)),
    ("exterior:card:compare:8", "Before / after", SECONDARY, "card_compare", (8,)),
    ("exterior:card:share:8", "Post to channel", SUCCESS, "card_share", (8,)),
    ("exterior:card:newmask:8", "New mask…", SECONDARY, "card_newmask", (8,)),
    ("exterior:card:family:8", "History", SECONDARY, "card_family", (8,)),
    ("exterior:client:8", "Share with client", SECONDARY, "client", (8,)),
    ("exterior:clientlink:Ab_-cd12:refresh", "Refresh", SECONDARY, "client_refresh", ("Ab_-cd12",)),
    ("exterior:clientlink:Ab_-cd12:revoke", "Revoke", DANGER, "client_revoke", ("Ab_-cd12",)),
    ("exterior:cancel:6", "Cancel", SECONDARY, "cancel", (6,)),
]  # fmt: skip


async def parse(custom_id: str):
    matches = [
        (kind, found)
        for kind in DYNAMIC_ITEMS
        if (found := kind.__discord_ui_compiled_template__.fullmatch(custom_id))
    ]
    assert len(matches) == 1, f"{custom_id}: {[kind.__name__ for kind, _ in matches]}"
    kind, found = matches[0]
    return await kind.from_custom_id(None, None, found)


SELECTS = ["exterior:share-to:8"]  # menus: no label or style to compare


def test_every_kind_has_an_old_custom_id_here():
    covered = {
        kind
        for kind in DYNAMIC_ITEMS
        for custom_id in [*(c for c, *_ in OLD), *SELECTS]
        if kind.__discord_ui_compiled_template__.fullmatch(custom_id)
    }
    assert covered == set(DYNAMIC_ITEMS)
    assert all(is_ours(custom_id) for custom_id, *_ in OLD)
    assert all(is_ours(custom_id) for custom_id in SELECTS)


@pytest.mark.asyncio
async def test_shares_channel_menu_runs_share_to_with_the_chosen_channel():
    chosen = []
    actions = Actions()

    async def handler(interaction, *given):
        chosen.append(given)

    actions.offer("a cog", share_to=handler)
    menu = await parse("exterior:share-to:8")
    menu.item._values = ["1234"]  # what discord.py's _refresh_state fills from the click
    interaction = SimpleNamespace(client=SimpleNamespace(actions=actions), data={})
    await menu.callback(interaction)
    assert chosen == [(8, 1234)]


@pytest.mark.asyncio
@pytest.mark.parametrize(("custom_id", "label", "style", "action", "values"), OLD)
async def test_an_old_custom_id_reads_back_to_the_same_button(
    custom_id, label, style, action, values
):
    button = await parse(custom_id)
    item = button.item
    assert (item.custom_id, item.label, item.style) == (custom_id, label, style)
    assert button.action() == (action, values)
    assert action in NAMES


@pytest.mark.asyncio
@pytest.mark.parametrize(("custom_id", "label", "style", "action", "values"), OLD[:4])
async def test_a_click_runs_its_action_with_the_interaction_first(
    custom_id, label, style, action, values
):
    clicks = []
    actions = Actions()

    async def handler(interaction, *given):
        clicks.append((interaction, given))

    actions.offer("a cog", **{action: handler})
    interaction = SimpleNamespace(client=SimpleNamespace(actions=actions), data={})
    await (await parse(custom_id)).callback(interaction)
    assert clicks == [(interaction, values)]


def test_history_pages_leave_out_empty_filters_and_disable_the_ends():
    first, following = (b.item for b in history_view(0, 2).children)
    assert (first.custom_id, first.disabled) == ("exterior:history:0:prev", True)
    assert (following.custom_id, following.disabled) == ("exterior:history:1:next", False)
    last = history_view(1, 2, "u5").children[1].item
    assert (last.custom_id, last.disabled) == ("exterior:history:1:next:u5", True)


def test_a_french_label_comes_from_the_catalogue():
    assert VaryButton(12, RoomType.POOL, locale="fr").item.label == "Varier en PISCINE"


@pytest.mark.asyncio
async def test_the_registry_refuses_unknown_and_doubled_names_and_runs_both_kinds():
    actions, cog = Actions(), object()
    with pytest.raises(KeyError):
        actions.offer(cog, varry=print)
    actions.offer(cog, card_watch=lambda row: row * 2)
    with pytest.raises(ValueError):
        actions.offer(object(), card_watch=print)
    assert await actions.run("card_watch", 21) == 42

    async def later(row):
        return row + 1

    actions.offer(cog, card_edited=later)
    assert await actions.run("card_edited", 1) == 2
    actions.withdraw(cog)
    assert actions.offered() == frozenset()
    with pytest.raises(LookupError, match="not loaded"):
        await actions.run("card_watch", 1)
