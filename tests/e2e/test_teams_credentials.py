"""A server's own API key: checked, sealed, never readable, and used to follow its generations."""

from __future__ import annotations

import logging

import pytest

from .exterior_env import exterior_bot
from .flow import create, is_result_of, started_id
from .teams_support import admin, answer_text

KEY_A = "team-a-key-5b1d0c9e7f3a4e21"
KEY_B = "team-b-key-0e4c2a9d8b7f6a13"
USER_A = "11111111-1111-4111-8111-111111111111"
USER_B = "22222222-2222-4222-8222-222222222222"


async def set_credentials(emulator, api_key: str, user_id: str) -> str:
    opened, _ = await admin_modal(emulator)
    submitted = await emulator.submit_modal(opened, {"api_key": api_key, "user_id": user_id})
    return await answer_text(submitted)


async def admin_modal(emulator):
    handle = await emulator.slash_command(
        "exterior-admin", {}, subcommand="credentials", user=emulator.owner
    )
    first = await handle.wait_response(timeout=10)
    return handle, first


def api_keys_of(sandbox, generation_id: str, endpoint: str = "get") -> set[str]:
    return {k for e, k, g in sandbox.state.keys_used if e == endpoint and g == generation_id}


@pytest.mark.asyncio
async def test_no_secret_key_no_saving(emulator, bot_runner, sandbox, polling_settings):
    sandbox.state.add_account(KEY_A, USER_A)
    async with exterior_bot(bot_runner, polling_settings, secret_key=None):
        handle, first = await admin_modal(emulator)
        assert handle.modal is None  # told at once: no key is pasted for nothing
        assert "EXTERIOR_SECRET_KEY is not set" in first.data["content"]
        _, shown = await admin(emulator, "show")
        assert "the bot's own (global)" in shown


@pytest.mark.asyncio
async def test_server_key_is_checked_sealed_and_follows_its_generations(
    emulator, bot_runner, sandbox, polling_settings, caplog
):
    caplog.set_level(logging.DEBUG)
    sandbox.state.add_account(KEY_A, USER_A)
    sandbox.state.add_account(KEY_B, USER_B)
    settings = polling_settings
    async with exterior_bot(
        bot_runner, settings, secret_key="s3cret-for-tests-at-least-32-characters"
    ) as (_, core):
        assert "refused" in await set_credentials(emulator, "wrong-key-123456789", USER_A)
        text = await set_credentials(emulator, KEY_A, USER_A)
        assert "accepted" in text and "••••4e21" in text
        _, shown = await admin(emulator, "show")
        assert "••••4e21" in shown

        row_a = started_id(await (await create(emulator, "POOL")).wait_followup(timeout=10))
        await emulator.wait_for_message(predicate=is_result_of(row_a), timeout=10)
        gen_a = await core.generations.get(row_a)
        assert gen_a.credential_set is not None
        assert api_keys_of(sandbox, gen_a.generation_id, "generate") == set()  # body has none
        assert api_keys_of(sandbox, gen_a.generation_id) == {KEY_A}
        assert sandbox.state.credits[USER_A] == 99

        # the server switches to key B: the older generation is still asked with key A
        await set_credentials(emulator, KEY_B, USER_B)
        row_b = started_id(await (await create(emulator, "TERRACE")).wait_followup(timeout=10))
        await emulator.wait_for_message(predicate=is_result_of(row_b), timeout=10)
        gen_b = await core.generations.get(row_b)
        assert api_keys_of(sandbox, gen_b.generation_id) == {KEY_B}
        show = await emulator.slash_command(
            "exterior", {"generation": str(row_a)}, subcommand="show"
        )
        await show.wait_followup(timeout=10)
        assert api_keys_of(sandbox, gen_a.generation_id) == {KEY_A}
        # a variation is asked of the account that made its parent
        result = await emulator.wait_for_message(predicate=is_result_of(row_a), timeout=10)
        click = await emulator.click_button(result, f"exterior:vary:{row_a}:PETANQUE")
        started_id(await click.wait_followup(timeout=10))
        assert [k for e, k, _ in sandbox.state.keys_used if e == "generate-variation"] == [KEY_A]

    # the keys are nowhere in clear: database files, log, anything the bot sent Discord
    for key in (KEY_A, KEY_B):
        for path in settings.db_path.parent.glob(settings.db_path.name + "*"):
            assert key.encode() not in path.read_bytes(), path
        leaked = [r.name for r in caplog.records if key in r.getMessage()]
        assert not leaked
        for request in emulator.requests:
            assert key not in repr(request.json) and key not in repr(request.files)
        assert all(key not in repr(m) for m in emulator.messages_in())
