"""Every code the bot can show has its text in every catalogue, and no catalogue text is dead.

Codes come from four places: the `code` of every `UserError` subclass (found by importing every
module of bot/ and cogs/), the string literals handed to `t`, `tr`, `render`, `Message` and
`Refusal` (an AST scan), the studio page's `{{code}}` markers, and the slash commands' own keys.
A key built at run time (`f"room.{kind.value}"`) must belong to one of the families below.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from discord import app_commands

from bot.domain import RoomType, Status, UserError
from bot.images.errors import NOUNS
from cogs.i18n import REFERENCE, catalogues

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "cogs").rglob("*.py")])
PAGES = [
    ROOT / "bot" / "service" / "studio" / "static" / "studio.html",
    ROOT / "bot" / "service" / "client" / "static" / "client.html",
]
PAGE_OWN = {"lang", "what"}  # filled by each routes.page_html itself
# keys built at run time, and what builds them
FAMILIES = {
    "room.": "RoomType values (cards, previews)",
    "status.": "Status values (history, jobs)",
    "card.status.": "Status values (job cards)",
    "choice.": "command choices (the Translator) and RoomType values (buttons)",
    "preview.source.": "where a draft's mask came from (Draft.source)",
    "preview.found.": "what a suggestion found (Found.kind: lawn, ground)",
    "button.card.": "a result card's actions (cogs/cards/card.py)",
    "admin.show.": "the settings card's rows (cogs/admin/commands.py)",
    "refused.": "a limit's scope (LimitReachedError)",
    "button.clientlink.": "under a client link: refresh or revoke (cogs/shared/buttons.py)",
    "noun.": "the pictures an ImageError names (bot.images.errors.NOUNS)",
}
KEYED = {"t": 1, "tr": 1, "render": 1, "Message": 0, "Refusal": 0}  # callee -> key argument


def _modules() -> list[str]:
    names = []
    for package in ("bot", "cogs"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            names.append(info.name)
    return names


def _subclasses(kind: type) -> set[type]:
    found = set()
    for sub in kind.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def class_codes() -> set[str]:
    for name in _modules():
        if name != "bot.__main__":
            importlib.import_module(name)
    return {kind.code for kind in _subclasses(UserError) if kind.code}


def _callee(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def scanned() -> tuple[set[str], set[str], set[str]]:
    """(literal keys handed to t/tr/render/Message/Refusal, prefixes of built keys,
    every string literal in the code)."""
    keys, prefixes, literals = set(), set(), set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
            if not isinstance(node, ast.Call) or _callee(node) not in KEYED:
                continue
            index = KEYED[_callee(node)]
            if len(node.args) <= index:
                continue
            key = node.args[index]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                keys.add(key.value)
            elif isinstance(key, ast.JoinedStr):
                head = key.values[0]
                prefixes.add(head.value if isinstance(head, ast.Constant) else "")
    return keys, prefixes, literals


def page_keys() -> set[str]:
    found = {k for page in PAGES for k in re.findall(r"\{\{([a-z_.]+)\}\}", page.read_text())}
    return found - PAGE_OWN


def _command_keys(item, found: set[str]) -> None:
    path = item.qualified_name.replace(" ", ".")
    found |= {f"cmd.{path}.name", f"cmd.{path}.description"}
    for child in getattr(item, "commands", []):
        _command_keys(child, found)
    for param in getattr(item, "parameters", []):
        name = param.display_name
        found |= {f"cmd.{path}.{name}.name", f"cmd.{path}.{name}.description"}
        found |= {f"choice.{choice.value}" for choice in param.choices}


def command_keys() -> set[str]:
    from cogs.admin.commands import AdminCog
    from cogs.commands.exterior import ExteriorCog

    found: set[str] = set()
    for cog in (ExteriorCog, AdminCog):
        for item in cog.__cog_app_commands__:
            assert isinstance(item, app_commands.Group | app_commands.Command)
            _command_keys(item, found)
    return found


def family_keys() -> set[str]:
    """The members of the families whose values the code enumerates."""
    return (
        {f"room.{kind.value}" for kind in RoomType}
        | {f"choice.{kind.value}" for kind in RoomType}
        | {f"status.{status.value}" for status in Status}
        | {f"card.status.{status.value}" for status in Status}
        | {"noun." + noun.replace(" ", "_") for noun in NOUNS}
    )


def needed() -> set[str]:
    keys, _, _ = scanned()
    return class_codes() | keys | page_keys() | command_keys() | family_keys()


@pytest.mark.parametrize("lang", [REFERENCE, "fr"])
def test_every_code_in_use_has_its_text(lang) -> None:
    missing = sorted(needed() - set(catalogues()[lang]))
    assert not missing, f"{lang}.json lacks {missing}"


def test_keys_built_at_run_time_belong_to_a_known_family() -> None:
    _, prefixes, _ = scanned()
    unknown = sorted(p for p in prefixes if p not in FAMILIES)
    assert not unknown, f"keys built from {unknown}: add the family to FAMILIES (and say why)"


def test_no_catalogue_text_is_dead() -> None:
    _, _, literals = scanned()
    used = needed() | literals
    for lang, book in catalogues().items():
        dead = sorted(k for k in book if k not in used and not k.startswith(tuple(FAMILIES)))
        assert not dead, f"{lang}.json has texts nothing uses: {dead}"


def test_the_scan_sees_what_it_should() -> None:
    """Guards the test itself: if these go missing, the scan is looking at nothing."""
    keys, prefixes, _ = scanned()
    assert {"image.too_many_pixels", "draft.used"} <= class_codes() | keys
    assert {"jobs.started", "studio.choose_type"} <= keys and "room." in prefixes
    assert {
        "studio.heading",
        "client.heading",
    } <= page_keys() and "cmd.exterior.create.photo.name" in command_keys()
