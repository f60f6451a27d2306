"""Catalogues: every language has every key English has, with the same placeholders."""

from __future__ import annotations

import string

import pytest

from cogs.i18n import REFERENCE, catalogues, language, t


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", sorted(set(catalogues()) - {REFERENCE}))
def test_every_catalogue_has_every_english_key(lang) -> None:
    english, other = catalogues()[REFERENCE], catalogues()[lang]
    missing = sorted(set(english) - set(other))
    assert not missing, f"{lang}.json misses {missing}"
    for key, text in english.items():
        assert placeholders(other[key]) == placeholders(text), key
        if key.startswith("cmd.") and key.endswith(".name"):
            assert other[key] == other[key].lower() and " " not in other[key], key
            assert 1 <= len(other[key]) <= 32, key
        elif key.startswith("cmd."):
            assert 1 <= len(other[key]) <= 100, key


def test_languages_fall_back_to_english() -> None:
    assert language("fr") == "fr" and language("en-GB") == "en" and language("ja") == "en"
    assert t("fr", "refused.channel") != t("en-US", "refused.channel")
    assert t("ja", "refused.channel") == t("en-US", "refused.channel")


def test_the_core_sentences_listed_are_the_ones_it_raises() -> None:
    from PIL import Image

    from bot.images.decode import ImageError, check_mask
    from cogs.i18n import tx

    for fill in (0, 255):  # empty, then whole
        try:
            check_mask(Image.new("L", (64, 64), fill))
        except ImageError as exc:
            english = str(exc)
        assert tx("fr", english) != english and tx("en-US", english) == english
