"""The house's import rules (docs/architecture.md): each room imports only rooms below it, and
no circle exists between modules, imports under TYPE_CHECKING and inside functions included.

Read from the source with `ast`, so a test fails the moment a layer reaches up.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "cogs", "storage")

# Bottom first. A module belongs to the longest room name that prefixes it; it may import its
# own room and any room with a lower rank. Rooms of one rank do not import each other.
RANKS: dict[str, int] = {
    "bot.domain": 0,
    "storage": 1,
    "bot.api": 2,
    "bot.images": 3,
    "bot.api.sandbox": 4,
    "bot.teams": 4,
    "bot.tracking": 5,
    "bot.service": 6,
    "cogs.i18n": 7,
    "cogs.shared": 8,
    "cogs.cards": 9,
    "cogs.commands": 10,
    "cogs.preview": 11,
    "cogs.admin": 11,
    "cogs": 12,  # the package's own front door only
    "bot.runtime.emulator": 13,  # a stand-in for Discord: it imports no room of ours at all
    "bot.runtime": 14,
    "bot.cli": 15,
    "bot": -1,  # bot/__init__.py: the version, nothing else
    "bot.__main__": 16,  # `python -m bot`
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found[module_name(path)] = path
    return found


def imported(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """Every module of ours that `name` imports, wherever the import statement stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            # `from bot.images import masks` imports the module bot.images.masks (Python runs
            # bot/images/__init__.py first anyway: that is no dependency on its contents)
            subs = [f"{module}.{alias.name}" for alias in node.names]
            names = [alias.name for alias in node.names if f"{module}.{alias.name}" not in known]
            targets = subs + ([module] if names else [])
        else:
            continue
        for target in targets:
            if target in known and target != name:
                yield target


def room(name: str) -> str:
    candidates = [r for r in RANKS if name == r or name.startswith(r + ".")]
    assert candidates, f"{name} belongs to no room: add it to RANKS and docs/architecture.md"
    return max(candidates, key=len)


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: set(imported(name, path, known)) for name, path in known.items()}


def test_every_module_belongs_to_a_room():
    for name in modules():
        room(name)


def test_no_room_imports_a_room_above_it():
    wrong = []
    for name, targets in graph().items():
        mine = room(name)
        for target in targets:
            theirs = room(target)
            # a package's own front door may re-export its modules
            if theirs == mine or target.startswith(name + "."):
                continue
            if RANKS[theirs] >= RANKS[mine]:
                wrong.append(f"{name} ({mine}) imports {target} ({theirs})")
    assert not wrong, "imports that reach up or sideways:\n" + "\n".join(sorted(wrong))


def test_no_import_circle():
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert not circles, f"import circles: {circles}"


PACKAGE_FRONT_DOORS = sorted(n for n, p in modules().items() if p.name == "__init__.py")


@pytest.mark.parametrize("package", PACKAGE_FRONT_DOORS)
def test_every_package_says_what_it_is_for(package):
    path = modules()[package]
    docstring = ast.get_docstring(ast.parse(path.read_text("utf-8")))
    assert docstring and docstring.strip(), f"{path} has no docstring saying what it is for"


def test_bot_top_level_shows_the_rooms():
    """The listing of bot/ is the architecture: at most 8 rooms (dunder files and the example
    pictures aside)."""
    rooms = [
        entry.name
        for entry in (ROOT / "bot").iterdir()
        if not entry.name.startswith("__")
        and entry.name != "examples"
        and (entry.suffix == ".py" or (entry / "__init__.py").exists())
    ]
    assert len(rooms) <= 8, sorted(rooms)


def test_the_emulator_knows_nothing_of_the_bot():
    """The Discord emulator stands in for Discord: like Discord, it knows no room of ours (so
    the tests of the bot against it prove something, and the playground only shows it)."""
    known = graph()
    wrong = sorted(
        f"{name} imports {target}"
        for name, targets in known.items()
        if room(name) == "bot.runtime.emulator"
        for target in targets
        if room(target) != "bot.runtime.emulator"
    )
    assert not wrong, wrong


def test_only_the_discord_client_knows_discord_in_the_core():
    """The core never imports discord (docs/architecture.md): only bot/runtime/app.py does."""
    knowing = set()
    for name, path in modules().items():
        if not name.startswith("bot"):
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            found = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )  # fmt: skip
            if any(module.split(".")[0] == "discord" for module in found):
                knowing.add(name)
    assert knowing == {"bot.runtime.app"}
