"""Finding cards and results in the emulator, and the invariants every fault test checks."""

from __future__ import annotations

from typing import Any

from tests.e2e.flow import custom_ids, embed_text, is_result_of


def cards(emulator) -> list[dict[str, Any]]:
    """Job cards (not results) of the default channel, oldest first."""
    return [
        m
        for m in emulator.messages_in()
        if "generation #" in embed_text(m)
        and not any(c.startswith("exterior:vary:") for c in custom_ids(m))
    ]


def row_of(card: dict[str, Any]) -> int:
    title = card["embeds"][0]["title"]
    return int(title.rsplit("#", 1)[1])


def results_of(emulator, row: int) -> list[dict[str, Any]]:
    return [m for m in emulator.messages_in() if is_result_of(row)(m)]


def all_results(emulator) -> dict[int, int]:
    """Row -> how many result messages carry its buttons (read from the store, unrendered:
    tests poll this, and rendering every message signs every attachment URL)."""
    counts: dict[int, int] = {}
    for message in list(emulator.state.messages.values()):
        if message.deleted:
            continue
        for custom_id in custom_ids({"components": message.components}):
            if custom_id.startswith("exterior:vary:") and custom_id.endswith(":POOL"):
                row = int(custom_id.split(":")[2])
                counts[row] = counts.get(row, 0) + 1
    return counts
