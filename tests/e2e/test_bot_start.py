"""exterior-bot starts, logs in, registers its commands; also as the real `exterior-bot run`."""

from __future__ import annotations

import asyncio
import signal

import pytest

from tests.support.canary import found_in
from tests.support.proc import clean_env, run, start

from .exterior_env import exterior_bot, settings_for

SUBCOMMANDS = {"create", "vary", "history", "show", "credits"}


def synced_subcommands(emulator) -> set[str]:
    guild_id, body = emulator.commands.syncs[-1]
    assert guild_id == emulator.guild.id
    group = next(c for c in body if c["name"] == "exterior")
    return {o["name"] for o in group["options"]}


@pytest.mark.asyncio
async def test_starts_logs_in_and_registers_commands_once(emulator, bot_runner, sandbox, tmp_path):
    settings = settings_for(emulator, sandbox, tmp_path / "bot.sqlite3")
    async with exterior_bot(bot_runner, settings) as (bot, _):
        assert bot.user.id == emulator.bot_user.id
        assert bot.synced is True
        assert synced_subcommands(emulator) == SUBCOMMANDS
        group = next(c for c in emulator.commands.syncs[-1][1] if c["name"] == "exterior")
        create = next(o for o in group["options"] if o["name"] == "create")
        options = {o["name"]: o for o in create["options"]}
        assert options["photo"]["type"] == 11 and options["mask"]["type"] == 11
        assert [c["value"] for c in options["type"]["choices"]] == ["TERRACE", "POOL", "PETANQUE"]
        assert "applications.commands" in bot.invite_url()
    # the same tree again: no second sync
    async with exterior_bot(bot_runner, settings) as (bot, _):
        assert bot.synced is False
    assert len(emulator.commands.syncs) == 1


@pytest.mark.asyncio
async def test_exterior_bot_run_as_a_process(emulator, sandbox, tmp_path):
    cfg = sandbox.state.config
    env = clean_env(
        **emulator.env(),
        IACREA_API_KEY=cfg.api_key,
        IACREA_USER_ID=cfg.user_id,
        IACREA_BASE_URL=sandbox.url,
        EXTERIOR_DB_PATH=str(tmp_path / "run.sqlite3"),
        EXTERIOR_WEBHOOK_PORT="0",
        EXTERIOR_WEBHOOK_HOST="127.0.0.1",
    )
    proc = await start(tmp_path, "run", env=env)
    try:
        async with asyncio.timeout(20):
            while not emulator.commands.syncs:  # noqa: ASYNC110 - the emulator records it
                await asyncio.sleep(0.05)
        assert synced_subcommands(emulator) == SUBCOMMANDS
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 15)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
    assert not found_in(err), "a secret appeared in the process's log"


@pytest.mark.asyncio
async def test_run_without_or_with_a_bad_token_is_one_sentence(emulator, tmp_path):
    base = clean_env(EXTERIOR_DB_PATH=str(tmp_path / "t.sqlite3"), EXTERIOR_WEBHOOK_PORT="0")
    for extra, words in (
        ({}, "DISCORD_TOKEN is not set"),
        ({**emulator.env(), "DISCORD_TOKEN": "wrong"}, "refused DISCORD_TOKEN"),
    ):
        code, _, err = await run(tmp_path, "run", env={**base, **extra}, timeout=20)
        assert code == 2
        assert words in err and "Traceback" not in err
