"""/exterior-admin and the spending policies, end to end through the emulator."""

from __future__ import annotations

import pytest

from .exterior_env import exterior_bot
from .flow import create, custom_ids, is_result_of, started_id
from .teams_support import MANAGE_GUILD, add_member_with_role, admin, answer_text


@pytest.mark.asyncio
async def test_admin_is_hidden_and_checked_again(emulator, bot_runner, sandbox, polling_settings):
    async with exterior_bot(bot_runner, polling_settings):
        # a plain member calls it directly (the client hid it; the bot must refuse too)
        _, text = await admin(emulator, "limits", {"per_user_day": 1}, user=emulator.user)
        assert "Manage Server" in text
        _, text = await admin(emulator, "show")
        assert "no limit" in text  # the refused change did not land
        _, text = await admin(emulator, "limits", {"per_user_day": 3, "per_server_month": 50})
        assert "Saved." in text and "Per member per day: 3" in text
        assert "Server per month: 50" in text
    synced = {c["name"]: c for _, body in emulator.commands.syncs for c in body}
    assert int(synced["exterior-admin"]["default_member_permissions"]) == MANAGE_GUILD


@pytest.mark.asyncio
async def test_spenders_role(emulator, bot_runner, sandbox, polling_settings):
    designer, role = add_member_with_role(emulator, "designer", "designers")
    async with exterior_bot(bot_runner, polling_settings):
        _, text = await admin(emulator, "spenders", {"who": "role"})
        assert "role" in text  # no role given: asked for it, nothing changed
        await admin(emulator, "spenders", {"who": "role", "role": role})
        refused = await create(emulator, "POOL")
        assert f"<@&{role.id}>" in (await refused.wait_followup(timeout=10))["content"]
        assert sandbox.state.calls["generate"] == 0
        allowed = await create(emulator, "POOL", user=designer)
        row = started_id(await allowed.wait_followup(timeout=10))
        result = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
        # the button path: alice may not spend through Vary either; the designer may
        click = await emulator.click_button(result, f"exterior:vary:{row}:TERRACE")
        assert (await click.wait_ack()).type == 5
        assert f"<@&{role.id}>" in (await click.wait_followup(timeout=10))["content"]
        assert sandbox.state.calls["generate-variation"] == 0
        click = await emulator.click_button(result, f"exterior:vary:{row}:TERRACE", user=designer)
        started_id(await click.wait_followup(timeout=10))
        assert sandbox.state.calls["generate-variation"] == 1


@pytest.mark.asyncio
async def test_buttons_requester_and_role(emulator, bot_runner, sandbox, polling_settings):
    helper, role = add_member_with_role(emulator, "helper", "helpers")
    async with exterior_bot(bot_runner, polling_settings):
        other = await emulator.add_user("other")
        await admin(emulator, "buttons", {"who": "requester"})
        row = started_id(await (await create(emulator, "POOL")).wait_followup(timeout=10))
        result = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
        click = await emulator.click_button(result, f"exterior:vary:{row}:POOL", user=other)
        assert f"Only <@{emulator.user.id}>" in (await click.wait_followup(timeout=10))["content"]
        assert sandbox.state.calls["generate-variation"] == 0
        click = await emulator.click_button(result, f"exterior:vary:{row}:POOL")
        started_id(await click.wait_followup(timeout=10))

        await admin(emulator, "buttons", {"who": "role", "role": role})
        click = await emulator.click_button(result, f"exterior:vary:{row}:TERRACE")
        assert f"<@&{role.id}>" in (await click.wait_followup(timeout=10))["content"]
        click = await emulator.click_button(result, f"exterior:vary:{row}:TERRACE", user=helper)
        started_id(await click.wait_followup(timeout=10))
        assert sandbox.state.calls["generate-variation"] == 2


@pytest.mark.asyncio
async def test_channels_allow_and_forbid(emulator, bot_runner, sandbox, polling_settings):
    async with exterior_bot(bot_runner, polling_settings):
        studio = await emulator.add_channel("studio")
        await admin(emulator, "channels", {"action": "forbid", "channel": emulator.channel})
        refused = await create(emulator, "POOL")
        assert "not allowed in this channel" in (await refused.wait_followup(timeout=10))["content"]
        await admin(emulator, "channels", {"action": "allow", "channel": studio})
        allowed = await create(emulator, "POOL", channel=studio)
        started_id(await allowed.wait_followup(timeout=10))
        _, text = await admin(emulator, "channels", {"action": "all"})
        assert "Allowed channels: all" in text
        again = await create(emulator, "POOL")
        started_id(await again.wait_followup(timeout=10))
        assert sandbox.state.calls["generate"] == 2
        assert await answer_text(await emulator.slash_command(
            "exterior-admin", {}, subcommand="show", user=emulator.owner
        ))  # fmt: skip


@pytest.mark.asyncio
async def test_preview_required_and_limits_on_the_preview_button(
    emulator, bot_runner, sandbox, polling_settings
):
    async with exterior_bot(bot_runner, polling_settings):
        _, text = await admin(emulator, "preview", {"required": True})
        assert "Preview before spending: yes" in text
        preview = await (await create(emulator, "POOL")).wait_followup(timeout=10)
        go = next(c for c in custom_ids(preview) if c.endswith(":go"))
        assert sandbox.state.calls["generate"] == 0  # a mask was attached, still a preview
        await admin(emulator, "spenders", {"who": "role", "role": emulator.bot_role})
        click = await emulator.click_button(preview, go)
        assert "may start paid work" in (await click.wait_followup(timeout=10))["content"]
        await admin(emulator, "spenders", {"who": "anyone"})
        click = await emulator.click_button(preview, go)  # refused before: the draft is intact
        started_id(await click.wait_followup(timeout=10))
        assert sandbox.state.calls["generate"] == 1


@pytest.mark.asyncio
async def test_retry_obeys_the_buttons_policy(emulator, bot_runner, sandbox, polling_settings):
    async with exterior_bot(bot_runner, polling_settings):
        other = await emulator.add_user("other")
        await admin(emulator, "buttons", {"who": "requester"})
        sandbox.state.fail_next()
        row = started_id(await (await create(emulator, "POOL")).wait_followup(timeout=10))

        def retry_card(message):
            return f"exterior:retry:{row}" in custom_ids(message)

        card = await emulator.wait_for_message(predicate=retry_card, timeout=10)
        click = await emulator.click_button(card, f"exterior:retry:{row}", user=other)
        assert f"Only <@{emulator.user.id}>" in (await click.wait_followup(timeout=10))["content"]
        assert sandbox.state.calls["generate"] == 1
        click = await emulator.click_button(card, f"exterior:retry:{row}")
        started_id(await click.wait_followup(timeout=10))
        assert sandbox.state.calls["generate"] == 2
