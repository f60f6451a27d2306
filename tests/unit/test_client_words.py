"""Client links' tokens (their own purpose), the page in the reader's language, and how the
private reply and a queued card say things ("opened 3 times, last yesterday", "Queued: 2 ahead
of you, starts in about 1 min")."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import ClientLink
from bot.service.client import tokens
from bot.service.client.routes import page_html
from bot.service.studio import tokens as studio
from bot.teams.secrets import Keyring
from cogs.cards.client import opened_text
from cogs.cards.queue_view import queued_text

KEY = Keyring.of(b"k" * 32)
NOW = datetime(2026, 3, 12, 15, 0, tzinfo=UTC)


def test_a_client_token_verifies_and_nothing_else_passes_for_one():
    token = tokens.sign(KEY, tokens.ClientClaims("link-1", int(time.time()) + 60, "fr"))
    assert tokens.verify(KEY, token).link_id == "link-1"
    assert tokens.peek_locale(token) == "fr"
    body, signature = token.split(".")
    for altered in (f"{body}.{signature[::-1]}", f"{body}x.{signature}", "", "a.b"):
        with pytest.raises(tokens.ClientLinkError) as refused:
            tokens.verify(KEY, altered)
        assert refused.value.status == 403
    with pytest.raises(tokens.ClientLinkError):  # another key
        tokens.verify(Keyring.of(b"o" * 32), token)
    # a studio link signed with the very same key is never a client link
    claims = studio.Claims("draft", 1, 2, "ab" * 16, int(time.time()) + 60)
    with pytest.raises(tokens.ClientLinkError):
        tokens.verify(KEY, studio.sign(KEY, claims))
    old = tokens.sign(KEY, tokens.ClientClaims("link-1", int(time.time()) - 1))
    with pytest.raises(tokens.ClientLinkError) as expired:
        tokens.verify(KEY, old)
    assert expired.value.status == 410


def test_the_page_speaks_its_links_language():
    french = page_html("fr")
    assert '<html lang="fr">' in french and "Télécharger ce projet" in french
    assert 'data-of="{n} sur {total}"' in french and "{{" not in french
    assert "Download this design" in page_html("en-US")


def link(count: int, ago: timedelta | None) -> ClientLink:
    return ClientLink(
        "l", 1, 2, 2, 3, NOW - timedelta(days=2), NOW + timedelta(days=28),
        opened_count=count, last_opened_at=NOW - ago if ago is not None else None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("count", "ago", "text"),
    [
        (0, None, "not opened yet"),
        (1, timedelta(seconds=20), "opened once, just now"),
        (2, timedelta(minutes=12), "opened 2 times, last 12 min ago"),
        (3, timedelta(hours=30), "opened 3 times, last yesterday"),
        (4, timedelta(days=5, hours=1), "opened 4 times, last 5 days ago"),
    ],
)
def test_openings_are_told_as_people_say_them(count, ago, text):
    assert opened_text(link(count, ago), NOW, "en") == text


def test_openings_in_french():
    assert opened_text(link(3, timedelta(hours=30)), NOW, "fr") == "ouvert 3 fois, la dernière hier"


def test_a_queued_card_says_where_it_stands():
    assert queued_text(2, 61) == "Queued: 2 ahead of you, starts in about 60 s"
    assert queued_text(2, 95) == "Queued: 2 ahead of you, starts in about 2 min"
    assert queued_text(1, None) == "Queued: 1 ahead of you"
    assert queued_text(1, 0.2, "fr") == "En attente : 1 avant vous, départ dans environ 1 s"
