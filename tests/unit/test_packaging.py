"""What no test can run here (no Docker engine): the image's files, read as docker would."""

from __future__ import annotations

from pathlib import Path

from bot.cli.main import build_parser
from bot.runtime.config import load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_container_keeps_its_data_in_data_even_with_a_relative_database_path():
    lines = [line.split() for line in (ROOT / "Dockerfile").read_text().splitlines() if line]
    instructions = [(words[0], words[1:]) for words in lines if words[0].isupper()]
    user = instructions.index(("USER", ["exterior"]))
    workdirs = [i for i, (name, _) in enumerate(instructions) if name == "WORKDIR"]
    # relative paths (a .env's EXTERIOR_DB_PATH, results/) resolve in the volume, owned by us
    assert instructions[workdirs[-1]] == ("WORKDIR", ["/data"]) and workdirs[-1] > user
    assert ("VOLUME", ['["/data"]']) in instructions
    # the example .env leaves the path to the default (the image's /data/exterior-bot.sqlite3)
    example = load_settings(env=None, dotenv=ROOT / ".env.example")
    assert example.db_path == Path("exterior-bot.sqlite3") or example.db_path.is_absolute()
    assert "\nEXTERIOR_DB_PATH=" not in (ROOT / ".env.example").read_text()


def test_build_context_leaves_out_secrets_and_local_state():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".venv/", ".git/", "results/", "*.sqlite3*"} <= ignored


def test_every_sandbox_option_says_what_it_does():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    sandbox = sub.choices["sandbox"]
    options = [a for a in sandbox._actions if a.option_strings and a.dest != "help"]
    assert {a.dest for a in options} >= {"host", "port", "allow_remote_urls"}
    assert all(a.help for a in options), [a.dest for a in options if not a.help]
