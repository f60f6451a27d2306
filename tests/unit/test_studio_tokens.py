"""Studio links: signed, expiring, and any change to them is refused."""

from __future__ import annotations

import pytest

from bot.service.studio.tokens import Claims, TokenError, sign, verify
from bot.teams.secrets import Keyring

KEY = Keyring.of(b"k" * 32)
CLAIMS = Claims("draft-123456", 42, 7, "ab" * 32, 2_000_000_000)


def test_a_genuine_token_gives_its_claims_back():
    assert verify(KEY, sign(KEY, CLAIMS), now=1_900_000_000) == Claims(
        "draft-123456", 42, 7, "ab" * 16, 2_000_000_000
    )


def test_expired_is_410_and_says_so():
    with pytest.raises(TokenError) as caught:
        verify(KEY, sign(KEY, CLAIMS), now=2_000_000_001)
    assert caught.value.status == 410 and "expired" in str(caught.value)


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature altered
        lambda t: ("A" if t[0] != "A" else "B") + t[1:],  # claims altered
        lambda t: t.split(".")[0],  # signature cut off
        lambda t: t + "x",
        lambda t: "",
        lambda t: "..",
        lambda t: "%%%.%%%",
    ],
)
def test_any_change_is_403(change):
    with pytest.raises(TokenError) as caught:
        verify(KEY, change(sign(KEY, CLAIMS)), now=0)
    assert caught.value.status == 403


def test_another_key_is_403():
    with pytest.raises(TokenError) as caught:
        verify(Keyring.of(b"other" * 8), sign(KEY, CLAIMS), now=0)
    assert caught.value.status == 403


def test_a_later_expiry_cannot_be_forged_by_re_encoding_claims():
    token = sign(KEY, CLAIMS)
    forged = sign(Keyring.of(b"attacker"), Claims("draft-123456", 42, 7, "ab" * 32, 4_000_000_000))
    mixed = forged.split(".")[0] + "." + token.split(".")[1]
    with pytest.raises(TokenError):
        verify(KEY, mixed, now=0)
