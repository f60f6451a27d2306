"""What the reliability tests survived, counted during a real run and written out at its end.

Each test records a figure only after its assertions passed, so a figure is a fact of this run.
With ``RELIABILITY_FIGURES=<path>`` the session writes them as JSON; ``report.py`` turns that
file into RELIABILITY.md.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Figures:
    survived: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    counters: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    maxima: dict[str, float] = field(default_factory=dict)

    def passed(self, section: str, case: str) -> None:
        self.survived[section].append(case)

    def add(self, name: str, amount: float = 1) -> None:
        self.counters[name] += amount

    def peak(self, name: str, value: float) -> None:
        self.maxima[name] = max(self.maxima.get(name, value), value)

    def as_json(self) -> dict:
        return {
            "survived": {k: sorted(v) for k, v in self.survived.items()},
            "counters": dict(self.counters),
            "maxima": self.maxima,
        }

    def write_if_asked(self) -> Path | None:
        target = os.environ.get("RELIABILITY_FIGURES")
        if not target:
            return None
        path = Path(target)
        path.write_text(json.dumps(self.as_json(), indent=2, sort_keys=True))
        return path


FIGURES = Figures()
