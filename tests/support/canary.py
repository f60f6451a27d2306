"""Canary secrets: the e2e suite runs with these as the API key and bot token, and a guard fails
any test after which either shows up in a log record (our own loggers at DEBUG, everything at
INFO, exception texts included), a Discord message, embed, component or uploaded file, a request
body the bot sent, or any file the test's bot wrote (database, WAL, process logs)."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

CANARY_API_KEY = f"CANARY-API-KEY-{secrets.token_hex(12)}"
CANARY_BOT_TOKEN = f"CANARY-BOT-TOKEN-{secrets.token_hex(12)}"
CANARIES = (CANARY_API_KEY, CANARY_BOT_TOKEN)
OUR_LOGGERS = ("bot", "cogs", "storage")


class Capture(logging.Handler):
    """Keeps every record, formatted as a log file would show it (traceback included)."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception as exc:  # a record that cannot format is itself worth seeing
            self.lines.append(f"unformattable record {record.msg!r}: {exc!r}")


def found_in(text: str | bytes) -> list[str]:
    data = text if isinstance(text, bytes) else text.encode("utf-8", "replace")
    return [c for c in CANARIES if c.encode() in data]


def scan_lines(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        for canary in found_in(line):
            yield f"log record: {canary[:14]}… in {line[:200]!r}"


def scan_emulator(emulator) -> Iterator[str]:
    for message in emulator.state.messages.values():
        shown = json.dumps([message.content, message.embeds, message.components])
        for canary in found_in(shown):
            yield f"message {message.id}: {canary[:14]}…"
        for attachment in message.attachments:
            for canary in found_in(attachment.data + attachment.filename.encode()):
                yield f"file {attachment.filename} of message {message.id}: {canary[:14]}…"
    for request in emulator.state.requests:
        sent = json.dumps([request.path, request.query, request.json], default=str)
        for canary in found_in(sent):
            yield f"request {request.method} {request.path}: {canary[:14]}…"


def scan_files(root: Path) -> Iterator[str]:
    for path in root.rglob("*"):
        if path.is_file():
            for canary in found_in(path.read_bytes()):
                yield f"file {path.name}: {canary[:14]}…"


@pytest.fixture(autouse=True)
def canary_guard(request):
    """Fails the test if a canary secret leaked anywhere it can see."""
    capture = Capture()
    root = logging.getLogger()
    saved = root.level, {name: logging.getLogger(name).level for name in OUR_LOGGERS}
    root.setLevel(min(root.level or logging.INFO, logging.INFO))
    for name in OUR_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.addHandler(capture)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(saved[0])
        for name, level in saved[1].items():
            logging.getLogger(name).setLevel(level)
    leaks = list(scan_lines(capture.lines))
    values = request.node.funcargs
    if "emulator" in values:
        leaks += scan_emulator(values["emulator"])
    if "tmp_path" in values:
        leaks += scan_files(values["tmp_path"])
    assert not leaks, "a secret leaked:\n" + "\n".join(leaks[:20])
