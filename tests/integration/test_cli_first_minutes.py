"""What a new user hits in the first minutes, through the installed CLI in a subprocess: busy
ports, a place to save that cannot be written, a mistyped id, a doctor that fails fast."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid

import pytest

from tests.integration.test_cli import cli, example_pair
from tests.support.proc import clean_env, free_port, start


def held_port() -> socket.socket:
    """A port something else listens on, as a second bot or a forgotten server would."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def one_sentence(err: str) -> str:
    assert "Traceback" not in err and "Unclosed" not in err, err
    (line,) = [line for line in err.splitlines() if line.startswith("error:")]
    return line


@pytest.mark.asyncio
async def test_run_and_sandbox_on_a_busy_port_say_which_port_and_what_moves_it(tmp_path):
    with held_port() as sock:
        port = sock.getsockname()[1]
        env = {"DISCORD_TOKEN": "x.y.z", "EXTERIOR_WEBHOOK_PORT": str(port)}
        code, _, err = await cli(tmp_path, "run", env=env)
        assert code == 2
        line = one_sentence(err)
        assert f"port {port}" in line and "EXTERIOR_WEBHOOK_PORT" in line

        code, _, err = await cli(tmp_path, "sandbox", "--port", str(port))
        assert code == 2
        line = one_sentence(err)
        assert f"port {port}" in line and "--port" in line


@pytest.mark.asyncio
async def test_doctor_checks_the_webhook_port_and_ends_with_its_summary(tmp_path):
    with held_port() as sock:
        port = sock.getsockname()[1]
        code, _, err = await cli(tmp_path, "doctor", env={"EXTERIOR_WEBHOOK_PORT": str(port)})
    assert code == 1, err
    lines = err.splitlines()
    assert any(
        line.startswith("[FAIL] webhook server: port") and str(port) in line for line in lines
    )
    assert lines[-1] == "[FAIL] 1 problem(s)"


@pytest.mark.asyncio
async def test_doctor_against_an_unreachable_api_says_it_once_and_fast(tmp_path):
    base = f"http://127.0.0.1:{free_port()}"
    env = {
        "IACREA_API_KEY": "k",
        "IACREA_USER_ID": "u",
        "IACREA_BASE_URL": base,
        "EXTERIOR_WEBHOOK_PORT": "0",
    }
    code, _, err = await cli(tmp_path, "doctor", env=env)
    assert code == 1
    lines = err.splitlines()
    # one line per check, nothing from the log in between (no retries to announce)
    assert all(line.startswith(("[ok  ]", "[FAIL]", "[note]")) for line in lines), err
    api = [line for line in lines if base in line]
    assert len(api) == 1 and api[0].startswith("[FAIL]"), err


@pytest.mark.asyncio
async def test_doctor_with_a_bad_database_path_still_runs_the_other_checks(tmp_path):
    (tmp_path / "notes.txt").write_text("a file")
    env = {"EXTERIOR_DB_PATH": "notes.txt/db", "EXTERIOR_WEBHOOK_PORT": "0"}
    code, _, err = await cli(tmp_path, "doctor", env=env)
    assert code == 1
    lines = err.splitlines()
    assert "built-in sandbox API answering" in err and "webhook port" in err
    assert lines[-1] == "[FAIL] 1 problem(s)"


@pytest.mark.asyncio
@pytest.mark.parametrize("where", ["a-file", "a-file/below"])
async def test_an_unwritable_out_is_refused_before_anything_is_spent(tmp_path, where):
    (tmp_path / "a-file").write_text("not a directory")
    photo, mask = example_pair(tmp_path)
    code, out, err = await cli(tmp_path, "generate", photo, mask, "--type", "POOL", "--out", where)
    assert code == 2 and out == ""
    line = one_sentence(err)
    assert "--out" in line and "nothing was spent" in line
    assert "submitting" not in err  # the API was never asked


@pytest.mark.asyncio
async def test_a_save_that_fails_after_the_paid_call_still_prints_the_json(tmp_path):
    photo, mask = example_pair(tmp_path)
    env = clean_env(
        EXTERIOR_DB_PATH=str(tmp_path / "cli.sqlite3"),
        EXTERIOR_SANDBOX_STARTING_SECONDS="0.05",
        EXTERIOR_SANDBOX_PROCESSING_SECONDS="3",
    )
    proc = await start(
        tmp_path, "generate", photo, mask, "--type", "POOL", "--out", "shots/x", env=env
    )
    said = b""
    while b"accepted" not in said:  # paid: now the place to save goes away
        said += await asyncio.wait_for(proc.stderr.readline(), 30)
    (tmp_path / "shots").write_text("a file where the directory was")
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 1
    report = json.loads(out)
    assert report["status"] == "SUCCEEDED" and report["urls"] and report["files"] == []
    line = one_sentence(err.decode())
    assert f"exterior-bot status {report['generation_id']} --out DIR" in line

    code, out, err = await cli(tmp_path, "status", report["generation_id"], "--out", "later")
    assert code == 0, err
    (saved,) = json.loads(out)["files"]
    assert (tmp_path / saved).is_file()


@pytest.mark.asyncio
async def test_the_json_says_the_embedded_sandbox_urls_die_with_the_command(tmp_path):
    photo, mask = example_pair(tmp_path)
    code, out, _ = await cli(tmp_path, "generate", photo, mask, "--type", "POOL", "--no-wait")
    assert code == 0 and json.loads(out)["urls_expire"] is True


@pytest.mark.asyncio
async def test_a_mistyped_id_is_told_so_without_asking_the_api(tmp_path):
    for command in (["status", "b7705fdc-typo"], ["vary", "b7705fdc-typo", "--type", "POOL"]):
        code, _, err = await cli(tmp_path, *command)
        assert code == 2
        assert "no generation b7705fdc-typo here" in one_sentence(err)
    # a well-formed id the API does not know still asks it, and says so
    code, _, err = await cli(tmp_path, "status", str(uuid.uuid4()))
    assert code == 2 and "unknown generation" in err


@pytest.mark.asyncio
async def test_verbose_is_accepted_after_the_command(tmp_path):
    code, _, err = await cli(tmp_path, "doctor", "-v", env={"EXTERIOR_WEBHOOK_PORT": "0"})
    assert code == 0 and "DEBUG" in err
