"""What "Check again" does on a card whose outcome is unknown: it asks, it never re-sends.

A paid call that failed ambiguously (5xx, timeout, broken answer) may have spent a credit, so it is
never repeated. The button adopts the API id a callback named for it, if any (once `get`
confirms it), and asks the API when the id is known; the card and the user learn the answer.
"""

from __future__ import annotations

import logging

import discord

from bot.domain import Status
from cogs.cards import render
from cogs.i18n import tr
from cogs.shared.buttons import check_view
from cogs.shared.visibility import visible

log = logging.getLogger(__name__)


async def check_again(interaction: discord.Interaction, row_id: int) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    bot = interaction.client
    gen = await visible(bot.core, interaction, str(row_id))
    if gen is None:
        return
    gen = await bot.core.service.check_again(gen)
    still_unknown = gen.status is Status.UNKNOWN and not gen.generation_id
    if interaction.message is not None:
        try:
            await interaction.message.edit(
                embed=render.job_card(gen, sandbox=bot.core.sandbox is not None),
                view=check_view(gen.id, interaction.locale) if still_unknown else None,
            )
        except discord.HTTPException:
            log.warning("could not update the card of generation %s", gen.id, exc_info=True)
    if still_unknown:
        text = tr(interaction, "check.still_unknown", id=gen.id)
    else:
        text = f"#{gen.id}: {render.status_text(gen.status, interaction.locale)}"
        if gen.status is Status.SUCCEEDED:
            text += tr(interaction, "check.posted")
    await interaction.followup.send(text, ephemeral=True)
