"""The tracker's due list: which generation to ask about next, in O(log n) per change.

A heap of (time, sequence, row) with lazy deletion: moving a row earlier (a callback) or
later pushes a new entry and leaves the old one to be skipped when it surfaces, so neither a
hint nor a reschedule ever scans the other rows. The supervisor sleeps until `earliest()` and
takes only what `pop_due(now)` hands it; with 10,000 generations followed, a wake-up costs a
few heap operations, not a pass over 10,000 entries.
"""

from __future__ import annotations

import heapq
import itertools


class DueQueue:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, int]] = []
        self._when: dict[int, tuple[float, int]] = {}  # row -> its live entry (time, sequence)
        self._sequence = itertools.count()

    def __len__(self) -> int:
        return len(self._when)

    def __contains__(self, row: object) -> bool:
        return row in self._when

    def get(self, row: int, default: float | None = None) -> float | None:
        entry = self._when.get(row)
        return entry[0] if entry is not None else default

    def set(self, row: int, when: float) -> None:
        """Due at `when` (replacing any earlier plan for the row)."""
        entry = (when, next(self._sequence))
        self._when[row] = entry
        heapq.heappush(self._heap, (when, entry[1], row))
        # Stale entries are skipped lazily; rebuild once they outnumber the live ones, so the
        # heap stays O(live rows) however often rows are moved.
        if len(self._heap) > 2 * len(self._when) + 64:
            self._heap = [(w, s, r) for r, (w, s) in self._when.items()]
            heapq.heapify(self._heap)

    def discard(self, row: int) -> None:
        self._when.pop(row, None)

    def earliest(self) -> float | None:
        """The time of the soonest live entry, or None when nothing is due at all."""
        heap = self._heap
        while heap:
            when, sequence, row = heap[0]
            if self._when.get(row) == (when, sequence):
                return when
            heapq.heappop(heap)
        return None

    def pop_due(self, now: float) -> list[int]:
        """Remove and return every row due at or before `now`, soonest first."""
        due = []
        heap = self._heap
        while heap and heap[0][0] <= now:
            when, sequence, row = heapq.heappop(heap)
            if self._when.get(row) == (when, sequence):
                del self._when[row]
                due.append(row)
        return due
