"""Sentences for people as codes and values: the core says what happened, each edge (Discord,
the studio page, the CLI) says it in its reader's language.

A catalogue (`catalogues/<language>.json`) maps codes to `str.format` text. `render` fills it
for a locale: a number without a format spec is written the language's way (Babel: `12 000`,
`0,5`), `{x:percent}` is a share written as a percentage with one decimal (`0,3 %`),
`{x:whole_percent}` without (`40 %`), `{x!s}` keeps a value as it is (an identifier: `#1234`,
never `#1 234`), any other spec is Python's (`{width:d}`), `{x:cap}` starts the value with a
capital letter. A value that is itself a
`Message` (a noun such as "the photo") or a `UserError` is rendered in the same language first,
so every language can put its own words, articles included, around it. A language lacking a
code falls back to English, the reference: `str()` of a `UserError` is its English sentence.
"""

from __future__ import annotations

import json
import logging
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any, ClassVar

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_decimal, format_percent

log = logging.getLogger(__name__)
REFERENCE = "en"


@dataclass(frozen=True)
class Message:
    """A sentence (or a noun) to be written in someone's language: its code and its values."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, locale: object = None) -> str:
        return render(locale, self.code, **self.params)

    def __str__(self) -> str:
        return self.render(REFERENCE)


class UserError(Exception):
    """A failure someone can read about: a catalogue `code` (one per subclass) and the values
    its sentence needs, as keywords (`TooManyPixels(what=..., width=..., height=..., limit=25)`).

    Where the sentence is chosen at the raise site (a draft's state, a limit's scope), pass a
    `Message` first instead: its code then stands for the class's."""

    code: ClassVar[str] = ""

    def __init__(self, message: Message | None = None, /, **params: Any) -> None:
        if message is not None:
            self.code = message.code  # type: ignore[misc]
            params = {**message.params, **params}
        super().__init__(self.code)
        self.params: dict[str, Any] = params

    @property
    def message(self) -> Message:
        return Message(self.code, self.params)

    def render(self, locale: object = None) -> str:
        return render(locale, self.code, **self.params)

    def __str__(self) -> str:
        return self.render(REFERENCE)


@cache
def catalogues() -> dict[str, dict[str, str]]:
    found = {}
    for entry in resources.files("bot.domain").joinpath("catalogues").iterdir():
        if entry.name.endswith(".json"):
            found[entry.name.removesuffix(".json")] = json.loads(entry.read_text("utf-8"))
    return found


def language(locale: object) -> str:
    """`fr` for fr and fr-FR, `en` for en-US, the reference for anything without a catalogue."""
    code = str(locale or REFERENCE).lower().replace("_", "-")
    books = catalogues()
    if code in books:
        return code
    base = code.split("-")[0]
    return base if base in books else REFERENCE


def render(locale: object, code: str, **params: Any) -> str:
    """The sentence of `code` in the language of `locale` (a Discord locale, `fr-FR`, None)."""
    lang = language(locale)
    for tongue in dict.fromkeys((lang, REFERENCE)):
        text = catalogues()[tongue].get(code)
        if text is None:
            continue
        try:
            return _Formatter(tongue).vformat(text, (), params)
        except (KeyError, IndexError, ValueError, TypeError):
            log.exception("cannot fill %r (%s) with %r", code, tongue, params)
    log.error("no text for %r", code)
    return code


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        # `!s` is "as it is": mark it so format_field does not write it the language's way
        return _Raw(str(value)) if conversion == "s" else super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, UserError):
            value = value.message
        if isinstance(value, Message):
            value = render(self.lang, value.code, **value.params)
        if isinstance(value, _Raw):
            return format(str(value), format_spec)
        if format_spec == "cap":
            text = str(value)
            return text[:1].upper() + text[1:]
        if format_spec == "percent":
            return format_percent(value, _one_decimal(self.lang), locale=self.lang)
        if format_spec == "whole_percent":
            return format_percent(value, locale=self.lang)
        if not format_spec and isinstance(value, int | float) and not isinstance(value, bool):
            return format_decimal(value, locale=self.lang)
        if not format_spec and isinstance(value, datetime):
            return format_datetime(value, "medium", tzinfo=UTC, locale=self.lang) + " UTC"
        return format(value, format_spec)


class _Raw(str):
    pass


@cache
def _one_decimal(lang: str) -> str:
    """The language's percent pattern (`#,##0 %`) with one decimal (`#,##0.0 %`)."""
    pattern = Locale.parse(lang).percent_formats[None].pattern
    return re.sub(r"0(?=[^0]*$)", "0.0", pattern, count=1)
