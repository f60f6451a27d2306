"""`/exterior-admin`: a server's spending rules, its queue's cap, its own API key, its client
pages, and the settings card.

Hidden from members without Manage Server (default_member_permissions), and checked again
here: a server owner can override who sees a command, not who may run this one.
"""

from __future__ import annotations

import logging
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.teams.credentials import CredentialsError, NoSecretKeyError
from bot.teams.policy import ROLE, Policy
from cogs.i18n import tr

log = logging.getLogger(__name__)


class AdminGroup(app_commands.Group):
    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        perms = interaction.permissions
        if perms.manage_guild or perms.administrator:
            return True
        await interaction.response.send_message(tr(interaction, "admin.refused"), ephemeral=True)
        log.info("user %s tried /exterior-admin without Manage Server", interaction.user.id)
        return False


class CredentialsModal(discord.ui.Modal):
    def __init__(self, cog: AdminCog, interaction: discord.Interaction) -> None:
        super().__init__(title=tr(interaction, "admin.credentials.title"), timeout=600)
        self.cog = cog
        # labels on ui.Label: a TextInput's own label is deprecated in discord.py 2.6+
        self.api_key = discord.ui.TextInput(
            custom_id="api_key",
            required=False,
            placeholder=tr(interaction, "admin.credentials.key_placeholder"),
        )
        self.user_id = discord.ui.TextInput(custom_id="user_id", required=False)
        key_label = tr(interaction, "admin.credentials.key_label")
        user_label = tr(interaction, "admin.credentials.user_label")
        self.add_item(discord.ui.Label(text=key_label, component=self.api_key))
        self.add_item(discord.ui.Label(text=user_label, component=self.user_id))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        teams, guild_id = self.cog.teams, interaction.guild_id
        key, user = self.api_key.value.strip(), self.user_id.value.strip()
        if not key:
            await teams.forget_credentials(guild_id)
            await interaction.followup.send(tr(interaction, "admin.credentials.global"))
            return
        if not user:
            await interaction.followup.send(tr(interaction, "admin.credentials.need_user"))
            return
        try:
            hint = await teams.save_credentials(guild_id, key, user)
        except CredentialsError as exc:
            await interaction.followup.send(exc.render(interaction.locale))
            return
        await interaction.followup.send(tr(interaction, "admin.credentials.saved", hint=hint))


class AdminCog(commands.Cog, name="Admin"):
    admin = AdminGroup(
        name="exterior-admin",
        description="Who may spend, how much, where, and with which API key",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot) -> None:
        self.bot = bot
        self.teams = bot.core.teams

    async def _done(self, interaction: discord.Interaction, policy: Policy) -> None:
        await interaction.followup.send(
            tr(interaction, "admin.saved"), embed=await self.card(interaction, policy)
        )

    async def card(self, interaction: discord.Interaction, policy: Policy) -> discord.Embed:
        def who(mode: str, role: int | None) -> str:
            return f"<@&{role}>" if mode == ROLE and role else tr(interaction, f"choice.{mode}")

        def limit(n: int) -> str:
            return str(n) if n else tr(interaction, "admin.show.no_limit")

        def channels(ids: tuple[int, ...]) -> str:
            return " ".join(f"<#{c}>" for c in ids) or "—"

        hint = await self.teams.credentials.hint(policy.credential_set)
        client = await self.bot.core.client_links.settings(interaction.guild_id)
        line = client.presented_by or tr(
            interaction,
            "admin.show.client_no_name" if client.hide_name else "admin.show.client_name",
        )
        rows = [
            ("per_user_day", limit(policy.per_user_day)),
            ("per_server_month", limit(policy.per_server_month)),
            ("concurrent", limit(policy.concurrent)),
            ("spenders", who(policy.spenders, policy.spender_role)),
            ("buttons", who(policy.buttons, policy.button_role)),
            ("allowed_channels", channels(policy.allowed_channels)
             if policy.allowed_channels else tr(interaction, "admin.show.all_channels")),
            ("forbidden_channels", channels(policy.forbidden_channels)),
            ("preview", tr(interaction, "yes" if policy.always_preview else "no")),
            ("warn_below", str(policy.warn_below)),
            ("credentials", hint or tr(interaction, "admin.show.global_key")),
            ("client_days", str(client.days)),
            ("client_line", line),
        ]  # fmt: skip
        embed = discord.Embed(title=tr(interaction, "admin.show.title"), colour=0x5865F2)
        for key, value in rows:
            embed.add_field(name=tr(interaction, f"admin.show.{key}"), value=value)
        return embed

    @admin.command(name="show", description="Every setting of this server in one card")
    async def show(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        policy = await self.teams.policy(interaction.guild_id)
        await interaction.followup.send(embed=await self.card(interaction, policy))

    @admin.command(name="limits", description="Generations allowed (0 = no limit)")
    @app_commands.describe(
        per_user_day="Per member and UTC day",
        per_server_month="For the server per UTC month",
        concurrent="Running at once in the server; more wait in a queue",
    )
    async def limits(
        self,
        interaction: discord.Interaction,
        per_user_day: app_commands.Range[int, 0, 100000] | None = None,
        per_server_month: app_commands.Range[int, 0, 10000000] | None = None,
        concurrent: app_commands.Range[int, 0, 1000] | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True)
        values = {
            "per_user_day": per_user_day,
            "per_server_month": per_server_month,
            "concurrent": concurrent,
        }
        values = {k: v for k, v in values.items() if v is not None}
        policy = await self.teams.change(interaction.guild_id, **values)
        if concurrent is not None:  # a raised (or removed) cap starts what waits
            await self.bot.actions.run("queue_pump", interaction.guild_id)
        await self._done(interaction, policy)

    @admin.command(name="client-links", description="Client pages: how long links last, what shows")
    @app_commands.rename(
        revoke_all="revoke-all", presented_by="presented-by", hide_name="hide-name"
    )
    @app_commands.describe(
        days="Days a new client link stays valid (default 30)",
        presented_by="A short line on client pages instead of the server's name (- removes it)",
        hide_name="true: client pages never show the server's name",
        revoke_all="true: every client link of this server stops working now",
    )
    async def client_links(
        self,
        interaction: discord.Interaction,
        days: app_commands.Range[int, 1, 365] | None = None,
        presented_by: app_commands.Range[str, 1, 80] | None = None,
        hide_name: bool | None = None,
        revoke_all: bool = False,
    ) -> None:
        await interaction.response.defer(ephemeral=True)
        links = self.bot.core.client_links
        line = (
            None if presented_by is None else ("" if presented_by.strip() == "-" else presented_by)
        )
        await links.change(interaction.guild_id, days=days, presented_by=line, hide_name=hide_name)
        said = tr(interaction, "admin.saved")
        if revoke_all:
            count = await links.revoke_all(interaction.guild_id)
            said = tr(interaction, "admin.client_revoked", count=count)
        policy = await self.teams.policy(interaction.guild_id)
        await interaction.followup.send(said, embed=await self.card(interaction, policy))

    @admin.command(name="spenders", description="Who may start paid work")
    @app_commands.describe(who="Everyone, or members with a role", role="The role")
    async def spenders(
        self,
        interaction: discord.Interaction,
        who: Literal["anyone", "role"],
        role: discord.Role | None = None,
    ) -> None:
        await self._who(interaction, "spenders", "spender_role", who, role)

    @admin.command(name="buttons", description="Who may press Vary / Retry / Edit on a result")
    @app_commands.describe(
        who="Everyone, the requester only, or members with a role", role="The role"
    )
    async def buttons(
        self,
        interaction: discord.Interaction,
        who: Literal["anyone", "requester", "role"],
        role: discord.Role | None = None,
    ) -> None:
        await self._who(interaction, "buttons", "button_role", who, role)

    async def _who(self, interaction, setting: str, role_setting: str, who: str, role) -> None:
        if who == ROLE and role is None:
            await interaction.response.send_message(
                tr(interaction, "admin.need_role"), ephemeral=True
            )
            return
        await interaction.response.defer(ephemeral=True)
        policy = await self.teams.change(
            interaction.guild_id, **{setting: who, role_setting: role.id if who == ROLE else None}
        )
        await self._done(interaction, policy)

    @admin.command(name="channels", description="Allow or forbid a channel (default: all)")
    @app_commands.describe(
        action="allow: only allowed channels; forbid: never there; all: reset",
        channel="The channel (not needed for all)",
    )
    async def channels(
        self,
        interaction: discord.Interaction,
        action: Literal["allow", "forbid", "all"],
        channel: discord.TextChannel | None = None,
    ) -> None:
        if action != "all" and channel is None:
            await interaction.response.send_message(
                tr(interaction, "admin.need_channel"), ephemeral=True
            )
            return
        await interaction.response.defer(ephemeral=True)
        policy = await self.teams.policy(interaction.guild_id)
        allowed, forbidden = set(policy.allowed_channels), set(policy.forbidden_channels)
        if action == "all":
            allowed, forbidden = set(), set()
        elif action == "allow":
            allowed.add(channel.id)
            forbidden.discard(channel.id)
        else:
            forbidden.add(channel.id)
            allowed.discard(channel.id)
        policy = await self.teams.change(
            interaction.guild_id,
            allowed_channels=sorted(allowed) or None,
            forbidden_channels=sorted(forbidden) or None,
        )
        await self._done(interaction, policy)

    @admin.command(name="preview", description="Always preview before spending")
    @app_commands.describe(required="true: every generation is previewed first")
    async def preview(self, interaction: discord.Interaction, required: bool) -> None:
        await interaction.response.defer(ephemeral=True)
        policy = await self.teams.change(interaction.guild_id, always_preview=required)
        await self._done(interaction, policy)

    @admin.command(name="warn-below", description="Warn the channel when credits fall below")
    @app_commands.describe(photos="Photos left that trigger one warning")
    async def warn_below(
        self, interaction: discord.Interaction, photos: app_commands.Range[int, 0, 1000000]
    ) -> None:
        await interaction.response.defer(ephemeral=True)
        policy = await self.teams.change(interaction.guild_id, warn_below=photos)
        await self._done(interaction, policy)

    @admin.command(name="credentials", description="This server's own API key and user id")
    async def credentials(self, interaction: discord.Interaction) -> None:
        if not self.teams.credentials.can_seal:  # say so before anyone pastes a key
            await interaction.response.send_message(
                NoSecretKeyError().render(interaction.locale), ephemeral=True
            )
            return
        await interaction.response.send_modal(CredentialsModal(self, interaction))


async def setup(bot) -> None:
    await bot.add_cog(AdminCog(bot))
