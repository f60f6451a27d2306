"""/exterior history filters, and the Share button (a private channel choice)."""

from __future__ import annotations

import pytest

from bot.runtime.emulator import permissions as perms

from .exterior_env import exterior_bot
from .flow import card_text, create, custom_ids, embed_text, is_result_of, started_id


def rows_listed(reply) -> set[int]:
    return {int(f["name"].split()[0][1:]) for e in reply["embeds"] for f in e.get("fields", [])}


@pytest.mark.asyncio
async def test_history_filters(emulator, bot_runner, sandbox, polling_settings):
    async with exterior_bot(bot_runner, polling_settings):
        other = await emulator.add_user("other")
        mine = started_id(await (await create(emulator, "POOL")).wait_followup(timeout=10))
        theirs = started_id(
            await (await create(emulator, "TERRACE", user=other)).wait_followup(timeout=10)
        )
        sandbox.state.fail_next()
        failed = started_id(await (await create(emulator, "POOL")).wait_followup(timeout=10))

        def failed_card(m):
            return f"generation #{failed}" in embed_text(m) and "Failed" in embed_text(m)

        await emulator.wait_for_message(predicate=failed_card, timeout=10)

        async def history(options):
            handle = await emulator.slash_command("exterior", options, subcommand="history")
            return await handle.wait_followup(timeout=10)

        assert rows_listed(await history({})) == {mine, theirs, failed}
        only_mine = await history({"mine": True})
        assert rows_listed(only_mine) == {mine, failed}
        assert any(c.endswith(f":u{emulator.user.id}") for c in custom_ids(only_mine))
        assert rows_listed(await history({"type": "TERRACE"})) == {theirs}
        assert rows_listed(await history({"status": "failed"})) == {failed}
        assert rows_listed(await history({"mine": True, "status": "failed"})) == {failed}
        assert rows_listed(await history({"type": "PETANQUE"})) == set()


@pytest.mark.asyncio
async def test_share_posts_the_result_where_both_can_post(
    emulator, bot_runner, sandbox, polling_settings
):
    async with exterior_bot(bot_runner, polling_settings):
        team = await emulator.add_channel("team")
        secret = await emulator.add_channel("secret")
        await emulator.set_member_permissions(secret, emulator.user, deny=perms.VIEW_CHANNEL)
        row = started_id(await (await create(emulator, "POOL")).wait_followup(timeout=10))
        result = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)

        click = await emulator.click_button(result, f"exterior:share:{row}")
        menu = await click.wait_followup(timeout=10)
        assert menu["flags"] & 64  # answered privately
        select = menu["components"][0]["components"][0]
        offered = {o["value"] for o in select["options"]}
        assert offered == {str(team.id)}  # not here, not where alice cannot see
        chosen = await emulator.select_option(menu, select["custom_id"], [str(team.id)])
        done = await chosen.wait_followup(timeout=10)
        assert done["flags"] & 64 and "Shared" in done["content"]
        shared = await emulator.wait_for_message(team, predicate=is_result_of(row), timeout=10)
        assert f"Shared by <@{emulator.user.id}>" in card_text(shared)
        assert f"exterior:vary:{row}:TERRACE" in custom_ids(shared)
        assert not any(is_result_of(row)(m) for m in emulator.messages_in(secret))
