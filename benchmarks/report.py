"""Rows of the benchmark table: what was measured, the issue's target, and whether it held."""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Row:
    section: str
    what: str
    result: str  # human-readable figures
    target: str = "–"  # the target, verbatim in spirit; "–" for baselines
    ok: bool | None = None  # None: a baseline, or nothing to judge
    figures: dict[str, Any] = field(default_factory=dict)  # the raw numbers for results.json
    key: str = ""  # which `python -m benchmarks --only` section measured it

    @property
    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: "–"}[self.ok]


def pending(section: str, what: str, why: str, target: str = "–") -> Row:
    return Row(section, what, f"pending: {why}", target, None, {"pending": why})


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile, q in 0..100."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    """Start measuring peak RSS afresh (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def rss_mb(field: str = "VmHWM") -> float:
    """VmHWM (peak since the last reset) or VmRSS (now) in MB; ru_maxrss where /proc is absent."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        memory = "?"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": sys.version.split()[0],
        "system": f"{platform.system()} {platform.release()}",
    }


def table(rows: Sequence[Row]) -> str:
    header = ["section", "what", "result", "target", "verdict"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for r in rows:
        cells = [r.section, r.what, r.result, r.target, r.verdict]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def write_json(
    path: Path, rows: Sequence[Row], extra: dict[str, Any], *, replace: Sequence[str] = ()
) -> None:
    """Write the rows; with `replace` (section names run again), keep the file's other rows."""
    fresh = [{**asdict(r), "verdict": r.verdict, "run": extra.get("when")} for r in rows]
    if replace and path.exists():
        kept = [r for r in json.loads(path.read_text())["rows"] if r["key"] not in replace]
        fresh = kept + fresh
    data = {**extra, "machine": machine(), "rows": fresh}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
