"""Discord's side of the catalogues: command localisations and the interaction's language.

The catalogues are the core's (`bot/domain/catalogues/<language>.json`, see bot.domain.messages):
one set for the core's codes and for the texts only Discord shows. Command names, descriptions,
options and choices are localised through discord.py's Translator with keys derived from where
the string sits (`cmd.exterior.create.description`, `cmd.exterior.create.photo.name`,
`choice.POOL`); messages use the interaction's locale. English is the reference: every other
catalogue must have all of its keys (a test checks).
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.domain.messages import REFERENCE, catalogues, language, render

__all__ = ["REFERENCE", "Translator", "catalogues", "command_key", "language", "t", "tr"]
Where = app_commands.TranslationContextLocation


def t(locale: discord.Locale | str | None, key: str, **values: Any) -> str:
    """The text of `key` in the user's language (English when that language lacks it)."""
    return render(locale, key, **values)


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
        # the name Discord shows (an option renamed `revoke-all` is keyed so, not `revoke_all`)
        return f"cmd.{data.command.qualified_name.replace(' ', '.')}.{data.display_name}.{field}"
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
