"""The server's rules at the door of every paid action, commands and buttons alike.

Called after the interaction is deferred, so a refusal is always an answer (never "This
interaction failed"). Limits are answered early here; the intent's transaction decides.
"""

from __future__ import annotations

import discord

from bot.domain import Generation, render
from bot.teams.policy import (
    LimitReachedError,
    Policy,
    Refusal,
    channel_allowed,
    may_press,
    may_spend,
)
from cogs.i18n import tr
from cogs.shared.visibility import visible


def role_ids(interaction: discord.Interaction) -> set[int]:
    user = interaction.user
    return {r.id for r in user.roles} if isinstance(user, discord.Member) else set()


def channel_ids(interaction: discord.Interaction) -> tuple[int | None, ...]:
    channel = interaction.channel
    parent = getattr(channel, "parent_id", None) if isinstance(channel, discord.Thread) else None
    return (interaction.channel_id, parent)


def refusal_text(interaction: discord.Interaction, refusal: Refusal) -> str:
    values = dict(refusal.values)
    if "role" in values:
        values["role"] = f"<@&{values['role']}>"
    if "user" in values:
        values["user"] = f"<@{values['user']}>"
    return tr(interaction, refusal.key, **values)


def limit_text(interaction: discord.Interaction, exc: LimitReachedError) -> str:
    stamp = int(exc.resets_at.timestamp())
    # Discord writes a timestamp in the reader's own language and time zone
    shown = {**exc.params, "resets": f"<t:{stamp}:f> (<t:{stamp}:R>)"}
    return render(interaction.locale, exc.code, **shown)


async def spend_gate(
    interaction: discord.Interaction, *, button_of: int | None = None, pressed: bool = False
) -> Policy | None:
    """The policy when this user may spend here now; None once the refusal is sent.
    `pressed`: a Vary / Retry / Edit button on a result requested by `button_of`."""
    teams = interaction.client.core.teams
    policy = await teams.policy(interaction.guild_id)
    roles = role_ids(interaction)
    refusal = channel_allowed(policy, channel_ids(interaction)) or may_spend(policy, roles)
    if refusal is None and pressed:
        refusal = may_press(policy, interaction.user.id, button_of, roles)
    if refusal is not None:
        await interaction.followup.send(refusal_text(interaction, refusal), ephemeral=True)
        return None
    try:
        await teams.check_limits(policy, interaction.guild_id, interaction.user.id)
    except LimitReachedError as exc:
        await interaction.followup.send(limit_text(interaction, exc), ephemeral=True)
        return None
    return policy


async def button_gate(
    interaction: discord.Interaction, generation: int
) -> tuple[Generation, Policy] | None:
    """A paid button on a result (Vary, Retry, New mask…, Edit mask & vary): the result if
    this user may see it, with the policy if they may press it; None once refused (answered)."""
    gen = await visible(interaction.client.core, interaction, str(generation))
    if gen is None:
        return None
    policy = await spend_gate(interaction, button_of=gen.origin.user_id, pressed=True)
    return None if policy is None else (gen, policy)
