"""`exterior-bot` end to end: the installed console script in a subprocess, against the sandbox."""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from pathlib import Path

import aiohttp
import pytest
from PIL import Image

from bot.api.sandbox.server import running_sandbox
from bot.api.sandbox.state import SandboxConfig
from bot.domain import Generation, Kind, Origin, RoomType, Status
from bot.tracking.health import missing_sentence
from storage import GenerationRepository, open_database
from tests.support.files import file_server, mask, photo, png_bytes
from tests.support.proc import clean_env, free_port, run, start

EXAMPLES = Path(__file__).resolve().parents[2] / "bot" / "examples"
FAST = {
    "EXTERIOR_SANDBOX_STARTING_SECONDS": "0.05",
    "EXTERIOR_SANDBOX_PROCESSING_SECONDS": "0.3",
    "EXTERIOR_WEBHOOK_PORT": "0",  # doctor listens on it: never a fixed port other runs hold
}


async def cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None):
    db = str(tmp_path / "cli.sqlite3")
    return await run(
        tmp_path, *args, env=clean_env(**{"EXTERIOR_DB_PATH": db, **FAST, **(env or {})})
    )


def example_pair(tmp_path: Path) -> tuple[str, str]:
    shutil.copy(EXAMPLES / "camera.png", tmp_path / "photo.png")
    shutil.copy(EXAMPLES / "camera-mask.png", tmp_path / "mask.png")
    return str(tmp_path / "photo.png"), str(tmp_path / "mask.png")


@pytest.mark.asyncio
async def test_generate_on_the_embedded_sandbox(tmp_path):
    photo_path, mask_path = example_pair(tmp_path)
    code, out, err = await cli(
        tmp_path, "generate", photo_path, mask_path, "--type", "pool", "--out", "shots"
    )
    assert code == 0, err
    assert "sandbox" in err and "Traceback" not in err
    report = json.loads(out)
    assert set(report) >= {
        "generation_id",
        "project_id",
        "remaining_photos",
        "status",
        "urls",
        "files",
        "variation_number",
    }
    assert report["status"] == "SUCCEEDED" and report["remaining_photos"] == 99
    saved = tmp_path / report["files"][0]
    assert saved.parent.name == "shots"
    with Image.open(saved) as result, Image.open(EXAMPLES / "camera.png") as original:
        assert result.size == original.size
        # the masked lawn became water: blue dominates there
        r, _g, b = result.convert("RGB").getpixel((460, 400))
        assert b > r + 30

    code, out, err = await cli(tmp_path, "status", report["generation_id"])
    assert code == 0, err
    assert json.loads(out)["status"] == "SUCCEEDED"


@pytest.mark.asyncio
async def test_failed_generation_exits_3_and_says_refunded(tmp_path):
    photo_path, mask_path = example_pair(tmp_path)
    code, out, err = await cli(
        tmp_path,
        "generate",
        photo_path,
        mask_path,
        "--type",
        "TERRACE",
        env={"EXTERIOR_SANDBOX_FAILURE_RATIO": "1"},
    )
    assert code == 3
    assert "refunded" in err and "Traceback" not in err
    assert json.loads(out)["status"] == "FAILED"


@pytest.mark.parametrize(
    ("args", "env", "words"),
    [
        (["generate", "missing.png", "mask.png", "--type", "POOL"], {}, "does not exist"),
        (["generate", "photo.png", "blank.png", "--type", "POOL"], {}, "mask is empty"),
        (["generate", "photo.png", "tall.png", "--type", "POOL"], {}, "same size"),
        (["generate", "photo.png", "notes.txt", "--type", "POOL"], {}, "JPG, PNG, WebP or HEIC"),
        (["generate", "photo.png", "mask.png", "--type", "GARAGE"], {}, "unknown room type"),
        (
            ["generate", "photo.png", "mask.png", "--type", "POOL"],
            {"IACREA_API_KEY": "k"},
            "IACREA_USER_ID",
        ),
        (
            ["generate", "photo.png", "mask.png", "--type", "POOL"],
            {"IACREA_API_KEY": "k", "IACREA_USER_ID": "u"},
            "EXTERIOR_PUBLIC_URL",
        ),
        (
            [
                "vary",
                "0b9d5c52-1111-4222-8333-444455556666",
                "--type",
                "POOL",
                "--photo",
                "photo.png",
            ],
            {"IACREA_API_KEY": "k", "IACREA_USER_ID": "u"},
            "cannot fetch --photo photo.png: pass http(s) URLs, or set EXTERIOR_PUBLIC_URL",
        ),
        (
            ["generate", "photo.png", "mask.png", "--type", "POOL"],
            {"EXTERIOR_DB_PATH": "notes.txt/bot.sqlite3"},
            "set EXTERIOR_DB_PATH to a file this user can create and write",
        ),
        (["status", "x"], {"EXTERIOR_DB_PATH": "notes.txt/db"}, "notes.txt is not a directory"),
        (["run"], {"EXTERIOR_DB_PATH": "notes.txt/db", "DISCORD_TOKEN": "t"}, "EXTERIOR_DB_PATH"),
    ],
)
@pytest.mark.asyncio
async def test_bad_input_or_configuration_exits_2(tmp_path, args, env, words):
    example_pair(tmp_path)
    (tmp_path / "notes.txt").write_text("hello")
    Image.new("L", (512, 512), 0).save(tmp_path / "blank.png")
    mask((100, 300)).save(tmp_path / "tall.png")
    code, _, err = await cli(tmp_path, *args, env=env)
    assert code == 2, err
    assert words in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if "error" in line]) == 1, err


@pytest.mark.asyncio
async def test_doctor_says_the_database_path_is_unwritable_in_one_line(tmp_path):
    (tmp_path / "notes.txt").write_text("a file, not a directory")
    code, _, err = await cli(tmp_path, "doctor", env={"EXTERIOR_DB_PATH": "notes.txt/db"})
    assert code == 1 and "Traceback" not in err
    failed, summary = [line for line in err.splitlines() if line.startswith("[FAIL]")]
    assert summary == err.splitlines()[-1] == "[FAIL] 1 problem(s)"
    assert "cannot open or write the database notes.txt/db" in failed
    assert "EXTERIOR_DB_PATH" in failed


@pytest.mark.asyncio
async def test_unreachable_api_exits_1_without_traceback(tmp_path):
    async with file_server() as files:
        photo_url = files.add("p.png", png_bytes(photo((96, 64))))
        mask_url = files.add("m.png", png_bytes(mask((96, 64))))
        code, _, err = await cli(
            tmp_path,
            "generate",
            photo_url,
            mask_url,
            "--type",
            "POOL",
            env={
                "IACREA_API_KEY": "secret-key-xyz",
                "IACREA_USER_ID": "u",
                "IACREA_BASE_URL": f"http://127.0.0.1:{free_port()}",
            },
        )
    assert code == 1
    assert "cannot connect" in err and "no credit spent" in err
    assert "Traceback" not in err and "secret-key-xyz" not in err


@pytest.mark.asyncio
async def test_generate_vary_and_status_against_a_remote_api(tmp_path):
    """A standalone API (the sandbox) plus EXTERIOR_PUBLIC_URL: local files served to it."""
    photo_path, mask_path = example_pair(tmp_path)
    config = SandboxConfig(starting_seconds=0.05, processing_seconds=0.3)
    async with running_sandbox(config) as sandbox:
        port = free_port()
        env = {
            "IACREA_API_KEY": config.api_key,
            "IACREA_USER_ID": config.user_id,
            "IACREA_BASE_URL": sandbox.url,
            "EXTERIOR_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "EXTERIOR_WEBHOOK_PORT": str(port),
            "EXTERIOR_WEBHOOK_HOST": "127.0.0.1",
        }
        code, out, err = await cli(
            tmp_path, "generate", photo_path, mask_path, "--type", "TERRACE", env=env
        )
        assert code == 0, err
        assert "sandbox" not in err.split("\n")[0]
        first = json.loads(out)
        code, out, err = await cli(
            tmp_path,
            "vary",
            first["generation_id"],
            "--type",
            "PETANQUE",
            "--photo",
            photo_path,
            env=env,
        )
        assert code == 0, err
        varied = json.loads(out)
        assert varied["variation_number"] == 1 and varied["project_id"] == first["project_id"]
        assert sandbox.state.calls["generate"] == 1
        assert sandbox.state.calls["generate-variation"] == 1
        # webhooks reached us, so the tracker needed at most one `get` per generation
        assert sandbox.state.calls["get"] <= 2
        code, out, _ = await cli(tmp_path, "status", varied["generation_id"], env=env)
        assert code == 0 and json.loads(out)["status"] == "SUCCEEDED"
        code, _, err = await cli(tmp_path, "status", str(uuid.uuid4()), env=env)
        assert code == 2 and "unknown generation" in err


@pytest.mark.asyncio
async def test_doctor_names_each_check(tmp_path):
    code, _, err = await cli(tmp_path, "doctor")
    assert code == 0, err  # CLI-only use: no token, no key is a working setup
    assert "[ok  ] IACREA_API_KEY not set" in err
    assert "[ok  ] built-in sandbox API answering" in err and "key accepted" not in err
    assert "[note] DISCORD_TOKEN not set: the bot is not configured yet" in err
    assert "run on the built-in sandbox" in err and "[ok  ] all good" in err
    code, _, err = await cli(
        tmp_path,
        "doctor",
        env={
            "DISCORD_TOKEN": "x.y.z",
            "IACREA_API_KEY": "wrong",
            "IACREA_USER_ID": "u",
            "IACREA_BASE_URL": f"http://127.0.0.1:{free_port()}",
        },
    )
    assert code == 1 and "[FAIL] API not usable" in err and "wrong" not in err
    async with running_sandbox(SandboxConfig()) as sandbox:
        code, _, err = await cli(
            tmp_path,
            "doctor",
            env={
                "DISCORD_TOKEN": "x.y.z",
                "IACREA_API_KEY": "bad-key",
                "IACREA_USER_ID": "u",
                "IACREA_BASE_URL": sandbox.url,
            },
        )
    assert code == 1 and "refused IACREA_API_KEY" in err


@pytest.mark.asyncio
async def test_sandbox_command_serves_until_sigterm(tmp_path):
    port = free_port()
    proc = await start(tmp_path, "sandbox", "--port", str(port), env=clean_env())
    try:
        line = await asyncio.wait_for(proc.stderr.readline(), 20)
        assert f"http://127.0.0.1:{port}" in line.decode()
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/healthz") as resp,
        ):
            assert resp.status == 200
        proc.terminate()
        assert await asyncio.wait_for(proc.wait(), 10) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


@pytest.mark.asyncio
async def test_unreachable_postgres_is_one_sentence_without_the_password(tmp_path):
    url = f"postgresql://exterior:hunter2@127.0.0.1:{free_port()}/exterior"
    code, _, err = await cli(tmp_path, "status", "1", env={"EXTERIOR_DATABASE_URL": url})
    assert code == 1
    assert "cannot open the PostgreSQL database" in err and "EXTERIOR_DATABASE_URL" in err
    assert "Traceback" not in err and "hunter2" not in err


async def finished_with_callback_asked(db_path: Path, came: list[bool]) -> None:
    """Generations that gave the API a callback URL and finished, oldest first; `came`:
    whether each one's callback arrived."""
    db = await open_database(db_path)
    try:
        repo = GenerationRepository(db)
        for arrived in came:
            gen = Generation(
                id=None, kind=Kind.CREATE, room_type=RoomType.POOL, status=Status.PENDING,
                origin=Origin(source="cli"), callback_sent=True,
            )  # fmt: skip
            gen = await repo.create_intent(gen)
            await repo.mark_submitted(
                gen.id, generation_id=str(uuid.uuid4()), project_id="p", remaining_photos=None,
                next_check_at=None,
            )  # fmt: skip
            if arrived:
                assert await repo.note_callback(gen.id)
            await repo.record_check(gen.id, status=Status.SUCCEEDED, next_check_at=None)
    finally:
        await db.close()


@pytest.mark.asyncio
async def test_doctor_says_when_callbacks_are_not_arriving(tmp_path):
    public = {"EXTERIOR_PUBLIC_URL": "https://bot.example"}
    await finished_with_callback_asked(tmp_path / "cli.sqlite3", [True, False, False])
    _, _, err = await cli(tmp_path, "doctor", env=public)
    assert "[ok  ] callbacks to https://bot.example/callbacks/ are arriving" in err
    await finished_with_callback_asked(tmp_path / "cli.sqlite3", [False])  # three in a row
    code, _, err = await cli(tmp_path, "doctor", env=public)
    assert code == 1
    said = [line for line in err.splitlines() if "are not arriving" in line]
    assert said == ["[FAIL] " + missing_sentence("https://bot.example/callbacks/")]
