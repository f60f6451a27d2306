"""The cogs' import rules (cogs/__init__.py): each package imports only its own and those
below it, and no module comes back round to itself. Every import counts, TYPE_CHECKING and
function-local ones too: read from the source, nothing is imported."""

from __future__ import annotations

import ast
from pathlib import Path

import cogs

ROOT = Path(cogs.__file__).parent
RANK = {package: rank for rank, layer in enumerate(cogs.LAYERS) for package in layer}


def module_of(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def exists(module: str) -> bool:
    relative = Path(*module.split("."))
    base = ROOT.parent / relative
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports_of(path: Path) -> set[str]:
    """The cogs modules `path` imports (`from cogs.x import y` is cogs.x.y when y is one)."""
    found = set()
    package = module_of(path) if path.name == "__init__.py" else module_of(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}".rstrip(".")
            for alias in node.names:
                whole = f"{base}.{alias.name}"
                found.add(whole if exists(whole) else base)
    return {name for name in found if name == "cogs" or name.startswith("cogs.")}


GRAPH = {module_of(p): imports_of(p) for p in sorted(ROOT.rglob("*.py"))}


def package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_every_package_has_a_layer():
    packages = {package_of(m) for m in GRAPH} - {None}
    assert packages == set(RANK), "add the package to cogs.LAYERS (and its docstring)"


def test_no_module_imports_a_higher_layer():
    wrong = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if package_of(module)
        for target in targets
        if package_of(target) and RANK[package_of(target)] > RANK[package_of(module)]
    ]
    assert wrong == []


def test_no_import_comes_back_round():
    seen: dict[str, str] = {}  # module -> "open" while on the path, "done" after

    def visit(module: str, path: list[str]) -> list[str] | None:
        seen[module] = "open"
        for target in sorted(GRAPH.get(module, ())):
            if seen.get(target) == "open":
                return [*path, module, target]
            if target not in seen and (circle := visit(target, [*path, module])):
                return circle
        seen[module] = "done"
        return None

    for module in GRAPH:
        if module not in seen:
            circle = visit(module, [])
            assert circle is None, " -> ".join(circle[circle.index(circle[-1]) :])
