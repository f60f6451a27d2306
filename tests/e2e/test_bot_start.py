"""exterior-bot starts, logs in, registers its commands; also as the real `exterior-bot run`."""

from __future__ import annotations

import asyncio
import signal

import pytest

from tests.support.canary import found_in
from tests.support.proc import clean_env, free_port, run, start

from .exterior_env import exterior_bot, settings_for

SUBCOMMANDS = {"create", "vary", "history", "show", "queue", "client-link", "credits"}


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
        # At the default log level (INFO) it says what README promises.
        said = await read_until(proc, "logged in as")
        assert "invite: https://discord.com/oauth2/authorize?client_id=" in said
        assert synced_subcommands(emulator) == SUBCOMMANDS
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 15)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    said += err.decode()
    assert proc.returncode == 0, said
    assert "Traceback" not in said
    assert not found_in(said), "a secret appeared in the process's log"
    assert "PyNaCl" not in said and "davey" not in said  # no voice here: no voice warnings


async def read_until(proc, words: str, timeout: float = 20) -> str:
    said = ""
    async with asyncio.timeout(timeout):
        while words not in said:
            line = await proc.stderr.readline()
            assert line, f"exited before saying {words!r}: {said}"
            said += line.decode()
    return said


@pytest.mark.asyncio
async def test_run_without_network_says_which_host_and_retries_until_stopped(tmp_path):
    port = free_port()  # nothing listens there: connection refused, as with no network
    env = clean_env(
        DISCORD_TOKEN="t",
        DISCORD_API_BASE_URL=f"http://127.0.0.1:{port}/api/v10",
        EXTERIOR_DB_PATH=str(tmp_path / "t.sqlite3"),
        EXTERIOR_WEBHOOK_PORT="0",
    )
    proc = await start(tmp_path, "run", env=env)
    try:
        said = await read_until(proc, "attempt 1, retrying in 2 s")
        assert f"cannot reach Discord at 127.0.0.1:{port} (connection refused)" in said
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 15)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    said += err.decode()
    assert proc.returncode == 0, said
    assert "Traceback" not in said and "Unclosed" not in said


@pytest.mark.asyncio
async def test_doctor_checks_the_token_with_discord(emulator, tmp_path):
    base = clean_env(EXTERIOR_DB_PATH=str(tmp_path / "d.sqlite3"), EXTERIOR_WEBHOOK_PORT="0")
    code, _, err = await run(tmp_path, "doctor", env={**base, **emulator.env()}, timeout=30)
    assert code == 0, err
    assert f"[ok  ] DISCORD_TOKEN accepted: the bot is {emulator.bot_user.username}" in err
    garbage = {**emulator.env(), "DISCORD_TOKEN": "garbage"}
    code, _, err = await run(tmp_path, "doctor", env={**base, **garbage}, timeout=30)
    assert code == 1 and "[FAIL] Discord refused DISCORD_TOKEN" in err
    assert "garbage" not in err and "Traceback" not in err


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
