"""README's two sandbox paths as a user takes them, one real process per command:
the embedded sandbox across commands, and `exterior-bot sandbox` with its three variables."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import aiohttp
import pytest

from tests.support.proc import clean_env, free_port, start

from .test_cli import cli, example_pair

PREFIX = "/api/create_exterior"


async def status_until_done(tmp_path: Path, generation_id: str, *extra: str, env=None):
    """`exterior-bot status` until the generation is terminal (each call is a new process)."""
    for _ in range(20):
        code, out, err = await cli(tmp_path, "status", generation_id, *extra, env=env)
        assert code in (0, 3), err
        report = json.loads(out)
        if report["status"] in ("SUCCEEDED", "FAILED"):
            return report, err
    raise AssertionError(f"{generation_id} never finished: {report}")


@pytest.mark.asyncio
async def test_generate_then_status_and_vary_in_later_commands_on_the_embedded_sandbox(tmp_path):
    photo_path, mask_path = example_pair(tmp_path)
    code, out, err = await cli(
        tmp_path, "generate", photo_path, mask_path, "--type", "POOL", "--no-wait"
    )
    assert code == 0, err
    first = json.loads(out)
    assert first["remaining_photos"] == 99
    assert f"exterior-bot status {first['generation_id']}" in err

    # a later command: the same sandbox state (the generation, its result, the credits)
    done, err = await status_until_done(tmp_path, first["generation_id"], "--out", "saved")
    assert done["status"] == "SUCCEEDED", err
    assert done["files"] and (tmp_path / done["files"][0]).stat().st_size > 1000

    code, out, err = await cli(tmp_path, "vary", first["generation_id"], "--type", "TERRACE")
    assert code == 0, err
    varied = json.loads(out)
    assert varied["status"] == "SUCCEEDED" and varied["variation_number"] == 1
    assert varied["project_id"] == first["project_id"]
    assert "remaining_photos" in varied  # the JSON contract keeps the field ...
    assert "None" not in err and "photos left" not in err  # ... no line says an unknown count
    assert "Traceback" not in err

    code, out, err = await cli(tmp_path, "generate", photo_path, mask_path, "--type", "PETANQUE")
    assert code == 0, err
    assert json.loads(out)["remaining_photos"] == 97  # two photos spent before, across commands


@pytest.mark.asyncio
async def test_readme_sandbox_workflow_with_the_three_variables(tmp_path):
    photo_path, mask_path = example_pair(tmp_path)
    port = free_port()
    proc = await start(
        tmp_path, "sandbox", "--port", str(port), "--processing-seconds", "0.3", env=clean_env()
    )
    try:
        printed = ""
        async with asyncio.timeout(20):
            while "IACREA_USER_ID=" not in printed:
                printed += (await proc.stderr.readline()).decode()
        variables = dict(re.findall(r"(IACREA_\w+)=(\S+)", printed))
        assert set(variables) == {"IACREA_BASE_URL", "IACREA_API_KEY", "IACREA_USER_ID"}
        code, out, err = await cli(
            tmp_path, "generate", photo_path, mask_path, "--type", "POOL", "--no-wait",
            env=variables,
        )  # fmt: skip
        assert code == 0, err
        generation_id = json.loads(out)["generation_id"]
        done, err = await status_until_done(tmp_path, generation_id, "--out", "r", env=variables)
        assert done["status"] == "SUCCEEDED" and done["files"], err

        # out of the box it reaches this machine only (issue 9): nothing else is fetched
        async with aiohttp.ClientSession() as session:
            body = {
                "user_id": variables["IACREA_USER_ID"],
                "image_url": "http://0.0.0.0:1/photo.png",  # not loopback, yet stays here
                "mask_url": "http://0.0.0.0:1/mask.png",
                "room_type": "POOL",
                "width": 64,
                "height": 48,
            }
            headers = {"x-api-key": variables["IACREA_API_KEY"]}
            url = f"{variables['IACREA_BASE_URL']}{PREFIX}/generate"
            async with session.post(url, json=body, headers=headers) as resp:
                assert resp.status == 400
                assert "only reaches URLs on this machine" in (await resp.json())["message"]
            body["webhook"] = "http://0.0.0.0:1/hook"
            body["image_url"] = f"{variables['IACREA_BASE_URL']}/healthz"
            async with session.post(url, json=body, headers=headers) as resp:
                message = (await resp.json())["message"]
                assert resp.status == 400 and message.startswith("webhook:"), message
        proc.terminate()
        assert await asyncio.wait_for(proc.wait(), 10) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
