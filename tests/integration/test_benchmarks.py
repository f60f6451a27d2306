"""A tiny run of `python -m benchmarks`, so the benchmark suite cannot rot unnoticed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.proc import clean_env

ROOT = Path(__file__).resolve().parents[2]


def test_bench_smoke_run_prints_the_table_and_writes_every_row(tmp_path, postgres_server):
    out = tmp_path / "results.json"
    env = clean_env(EXTERIOR_TEST_DATABASE_URL=postgres_server)  # the shared-database rows
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| section | what | result | target | verdict |" in done.stdout
    assert "Machine:" in done.stdout
    data = json.loads(out.read_text())
    assert data["smoke"] is True and data["machine"]["cores"]
    rows = {(r["section"], r["what"]): r for r in data["rows"]}
    sections = {section for section, _ in rows}
    assert {"Discord (emulator)", "start-up"} <= sections
    assert any(s.startswith("following ") for s in sections)
    assert any(s.endswith("tracked at once") for s in sections)
    shared = {what: r for (s, what), r in rows.items() if s.endswith("PostgreSQL")}
    assert len(shared) == 3 and all(r["figures"]["generations"] for r in shared.values()
                                    if "polling" in r["what"])  # fmt: skip
    assert (
        shared["3 processes, callback → acted on (any process, LISTEN/NOTIFY)"]["figures"][
            "callbacks"
        ]
        == 6
    )
    assert any(s.startswith("images") for s in sections)
    follow = {what: r["figures"] for (s, what), r in rows.items() if s.startswith("following")}
    assert follow["webhook"]["gets_per_generation"] == 1.0  # one confirming get each
    assert (
        follow["polling, history"]["gets_per_generation"]
        < follow["polling, cold"]["gets_per_generation"]
        < follow["fixed 1-s poller"]["gets_per_generation"]
    )
    for row in data["rows"]:
        assert row["verdict"] in ("met", "MISSED", "–")
        assert row["figures"], row
