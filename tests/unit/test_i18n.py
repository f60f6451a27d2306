"""Catalogues: every language has every key English has, with the same placeholders."""

from __future__ import annotations

import string

import pytest

from bot.domain import render
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


def test_a_core_failure_speaks_the_readers_language_numbers_included() -> None:
    from PIL import Image

    from bot.images.decode import ImageError, check_mask
    from bot.images.errors import MaskTooSmall, TooManyPixels

    for fill in (0, 255):  # empty, then whole: fixed sentences
        with pytest.raises(ImageError) as caught:
            check_mask(Image.new("L", (64, 64), fill))
        assert caught.value.render("fr") != str(caught.value) == caught.value.render("en-US")
    big = TooManyPixels(what="photo", width=12000, height=12000, limit=25)
    assert str(big) == "The photo is 12000x12000; the limit is 25 megapixels."
    assert spaced(big.render("fr")) == (
        "La photo fait 12 000 × 12 000 pixels ; la limite est de 25 mégapixels."
    )
    assert big.render("fr-FR") == big.render("fr") and big.render("ja") == str(big)
    thin = MaskTooSmall(coverage=0.003)
    assert "(0.3% of the photo)" in str(thin)
    assert "(0,3 % de la photo)" in spaced(thin.render("fr"))


def test_a_noun_is_written_in_the_sentences_language() -> None:
    from bot.images.errors import TooManyBytes

    painted = TooManyBytes(what="painted photo", limit=20)
    assert str(painted) == "The painted photo is larger than 20 MiB."
    assert painted.render("fr") == "La photo peinte dépasse 20 Mio."


def test_identifiers_are_written_as_they_are() -> None:
    assert "#1234 " in t("en", "jobs.started", id=1234, type="pool", link="x")
    assert "#1234 " in t("fr", "jobs.started", id=1234, type="piscine", link="x")
    for lang, book in catalogues().items():
        for key, text in book.items():
            for _, name, _, conversion in string.Formatter().parse(text):
                if name in ("id", "ident", "parent"):
                    assert conversion == "s", f"{lang}:{key} writes {name} as a number"


def test_a_language_missing_a_code_falls_back_to_english(monkeypatch) -> None:
    books = {lang: dict(book) for lang, book in catalogues().items()}
    del books["fr"]["image.empty_mask"]
    monkeypatch.setattr("bot.domain.messages.catalogues", lambda: books)
    assert render("fr", "image.empty_mask") == books["en"]["image.empty_mask"]
    assert render("fr", "no.such.code") == "no.such.code"


def spaced(text: str) -> str:
    """Babel's French spaces (narrow and no-break) as plain ones, for readable comparisons."""
    return text.replace("\u202f", " ").replace("\xa0", " ")
