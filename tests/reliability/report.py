"""Run the reliability suite (and the e2e suite, which runs under the same secrets guard) and
write RELIABILITY.md from what that run measured: ``python -m tests.reliability.report``.

Every figure comes from the run: the tests record what they survived (``figures.py``) and
pytest's JUnit report gives the counts and times. Nothing is typed in by hand.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUITES = ("tests/reliability", "tests/e2e")
AREAS = [
    # (section in figures, what is tested)
    ("api faults", "`generate`, `generate-variation`, `get`, result download × {429, 5xx, "
     "timeout, malformed body, connection reset}, through a fault proxy in front of the sandbox; "
     "ambiguous paid failures end UNKNOWN with **Check again**, nothing re-sent"),
    ("discord faults", "card create/edit, result create, interaction callback × {429, 5xx, "
     "timeout, malformed body, connection reset} in the Discord emulator"),
    ("webhook faults", "callbacks lost, duplicated and replayed, out of order (and before the "
     "API's answer), rescuing an UNKNOWN generation, forged paths × bodies"),
    ("crashes", "the real `exterior-bot run` SIGKILLed at five points of a generation's life, "
     "then restarted: one credit, one result, the card tells the user"),
    ("hostile input", "generated pictures and masks (truncated, bombs, huge, wrong magic, GIF, "
     "CMYK, 16-bit, EXIF rotations, mask tricks), forged buttons, options out of range"),
    ("secrets", "canary API key and bot token; provoked echoes; the real process at DEBUG"),
    ("load", "simultaneous creates and clicks through the emulator within 30 s"),
]  # fmt: skip


def run(out: Path) -> tuple[dict, ET.Element, float]:
    figures, junit = out / "figures.json", out / "junit.xml"
    env = {**os.environ, "RELIABILITY_FIGURES": str(figures)}
    started = datetime.now(UTC)
    subprocess.run(
        # -n 0: one process, so one set of figures (xdist workers would each write theirs)
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", *SUITES,
         f"--junitxml={junit}"],
        cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    seconds = (datetime.now(UTC) - started).total_seconds()
    return json.loads(figures.read_text()), ET.parse(junit).getroot(), seconds


def _suite_counts(junit: ET.Element, prefix: str) -> dict[str, int]:
    counts = {"tests": 0, "passed": 0, "failed": 0, "xfailed": 0}
    for case in junit.iter("testcase"):
        if not case.get("classname", "").startswith(prefix):
            continue
        counts["tests"] += 1
        if case.find("failure") is not None or case.find("error") is not None:
            counts["failed"] += 1
        elif case.find("skipped") is not None:
            counts["xfailed"] += 1
        else:
            counts["passed"] += 1
    return counts


def _xfails(junit: ET.Element) -> list[str]:
    out = []
    for case in junit.iter("testcase"):
        skipped = case.find("skipped")
        if skipped is not None:
            out.append(f"`{case.get('name')}`: {skipped.get('message', '').strip()}")
    return out


def render(figures: dict, junit: ET.Element, seconds: float) -> str:
    survived, counters, maxima = figures["survived"], figures["counters"], figures["maxima"]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    faults = sum(len(survived.get(k, [])) for k in ("api faults", "discord faults"))
    faults += len(survived.get("webhook faults", []))
    acks = int(counters.get("interactions acknowledged", 0))
    worst = maxima.get("worst ack seconds", float("nan"))
    rel = _suite_counts(junit, "tests.reliability")
    e2e = _suite_counts(junit, "tests.e2e")
    extra = {
        "webhook faults": f"; {int(counters.get('forged callbacks refused', 0))} forged "
        "callbacks refused",
        "hostile input": f"; {int(counters.get('hostile inputs tried', 0))} inputs tried",
        "secrets": f"; {e2e['passed'] + rel['passed']} e2e and reliability tests passed the "
        "canary guard",
        "load": f"; {acks} interactions acknowledged, worst ack {worst:.2f} s (limit 3 s); "
        f"all arrived in {maxima.get('load arrival seconds', float('nan')):.1f} s, every "
        f"result posted once after {maxima.get('load seconds', float('nan')):.1f} s",
    }
    lines = [
        "# Reliability: what is tested, and what a real run measured",
        "",
        f"**{faults} faults survived · {len(survived.get('crashes', []))} crashes survived · "
        f"{int(counters.get('hostile inputs tried', 0))} hostile inputs tried · {acks} "
        f"interactions acknowledged under load, the slowest in {worst:.2f} s (Discord allows "
        "3 s).**",
        "",
        f"Generated by `python -m tests.reliability.report` on {datetime.now(UTC):%Y-%m-%d %H:%M} "
        f"UTC at commit `{commit or '?'}` ({platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} CPUs); the run took {seconds:.0f} s. "
        "Each figure below is counted by the tests themselves after their assertions passed; "
        "run the command again to refresh this file. All of it runs in CI with `pytest -q`.",
        "",
        "| area | what is tested | survived in this run |",
        "|---|---|---|",
    ]
    for section, what in AREAS:
        cases = survived.get(section, [])
        noun = "case" if len(cases) == 1 else "cases"
        lines.append(f"| {section} | {what} | **{len(cases)}** {noun}{extra.get(section, '')} |")
    lines += [
        "",
        f"Reliability tests: {rel['passed']} passed, {rel['failed']} failed, "
        f"{rel['xfailed']} expected failures. End-to-end tests under the same secrets guard: "
        f"{e2e['passed']} passed, {e2e['failed']} failed.",
        "",
    ]
    xfails = _xfails(junit)
    if xfails:
        lines += ["Known defects still open (strict expected failures):", ""]
        lines += [f"- {x}" for x in xfails] + [""]
    lines += [
        "How: tests/reliability/ (marker `reliability`). Faults come from a proxy in front of "
        "the sandbox API (`tests/support/faulty_api.py`: refused before the API acts, or after "
        "it acted with the answer lost) and from the Discord emulator "
        "(`bot/runtime/emulator/faults.py`: status, reset, malformed, lost answer, held request). "
        "Crash points are hit by holding a request and SIGKILLing the process meanwhile; the "
        "restarted bot has to finish the story. Recovery spares intents younger than 10 "
        "minutes (another process may own them), so the crash tests age those rows in the "
        "database instead of waiting.",
        "",
        "## Cases survived",
        "",
    ]
    for section, _ in AREAS:
        cases = survived.get(section, [])
        if cases:
            lines.append(f"- **{section}** ({len(cases)}): " + "; ".join(cases))
    return "\n".join(lines) + "\n"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        figures, junit, seconds = run(Path(tmp))
    (ROOT / "RELIABILITY.md").write_text(render(figures, junit, seconds))
    print(f"wrote {ROOT / 'RELIABILITY.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
