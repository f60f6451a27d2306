"""English and French (and any language one catalogue file adds): commands and messages.

Each `<language>.json` in this folder maps keys to text (str.format placeholders). Command
names, descriptions, options and choices are localised through discord.py's Translator with
keys derived from where the string sits (`cmd.exterior.create.description`,
`cmd.exterior.create.photo.name`, `choice.POOL`); messages use the interaction's locale.
English is the reference: every other catalogue must have all of its keys (a test checks).
"""

from __future__ import annotations

import json
import logging
from functools import cache
from importlib import resources
from typing import Any

import discord
from discord import app_commands

log = logging.getLogger(__name__)
REFERENCE = "en"
Where = app_commands.TranslationContextLocation


@cache
def catalogues() -> dict[str, dict[str, str]]:
    found = {}
    for entry in resources.files("cogs.i18n").iterdir():
        if entry.name.endswith(".json"):
            found[entry.name.removesuffix(".json")] = json.loads(entry.read_text("utf-8"))
    return found


def language(locale: discord.Locale | str | None) -> str:
    """`fr` for fr, `en` for en-US / en-GB, the reference for anything without a catalogue."""
    code = str(locale or REFERENCE).lower()
    books = catalogues()
    if code in books:
        return code
    base = code.split("-")[0]
    return base if base in books else REFERENCE


def t(locale: discord.Locale | str | None, key: str, **values: Any) -> str:
    """The text of `key` in the user's language (English when that language lacks it)."""
    text = catalogues()[language(locale)].get(key) or catalogues()[REFERENCE].get(key)
    if text is None:
        log.error("no text for %r", key)
        return key
    return text.format(**values) if values else text


@cache
def _by_english() -> dict[str, str]:
    """English sentence -> key, for sentences the core rooms raise as plain text (`core.*`)."""
    return {v: k for k, v in catalogues()[REFERENCE].items() if k.startswith("core.")}


def tx(locale: discord.Locale | str | None, english: str) -> str:
    """A fixed English sentence from the core (e.g. an ImageError) in the user's language; the
    sentence itself when the catalogue does not list it (those with values inside stay English)."""
    key = _by_english().get(english)
    return t(locale, key) if key else english


def tr(interaction: discord.Interaction, key: str, **values: Any) -> str:
    return t(getattr(interaction, "locale", None), key, **values)


def command_key(string: app_commands.locale_str, context: app_commands.TranslationContext) -> str:
    """Where a command string sits, as a catalogue key (see the module docstring)."""
    loc, data = context.location, context.data
    if "key" in string.extras:
        return string.extras["key"]
    if loc in (Where.command_name, Where.group_name):
        return f"cmd.{data.qualified_name.replace(' ', '.')}.name"
    if loc in (Where.command_description, Where.group_description):
        return f"cmd.{data.qualified_name.replace(' ', '.')}.description"
    if loc in (Where.parameter_name, Where.parameter_description):
        field = "name" if loc is Where.parameter_name else "description"
        return f"cmd.{data.command.qualified_name.replace(' ', '.')}.{data.name}.{field}"
    if loc is Where.choice_name:
        return f"choice.{data.value}"
    return f"other.{string.message}"


class Translator(app_commands.Translator):
    """Command localisations for every catalogue but English (the commands' own text)."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContext,
    ) -> str | None:
        lang = language(locale)
        if lang == REFERENCE or str(locale).lower().split("-")[0] != lang:
            return None
        return catalogues()[lang].get(command_key(string, context))
