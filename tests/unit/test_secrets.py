"""Signing and sealing keys: strong enough, never used raw, and rotated without breaking what
was signed or sealed before."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.fernet import Fernet, InvalidToken

from bot.runtime.config import ConfigError, load_settings
from bot.teams.secrets import Keyring, derive, sealing

OLD, NEW = "o" * 32, "n" * 40


def test_a_weak_secret_key_is_refused_with_how_to_make_one():
    for value in ("short", f"{NEW},short"):
        with pytest.raises(ConfigError, match=r"at least 32 characters.*token_urlsafe"):
            load_settings({"EXTERIOR_SECRET_KEY": value})
    assert load_settings({"EXTERIOR_SECRET_KEY": f"{NEW}, {OLD}"}).secret_key


def test_keys_are_derived_not_used_raw():
    ring = Keyring.of(NEW.encode())
    assert ring.derive("callback", "7") != derive(NEW.encode(), "callback", "7")
    # each purpose its own secret
    assert ring.derive("callback", "7") != ring.derive("studio", "7")


def test_rotation_signs_with_the_newest_and_still_verifies_the_older():
    old_ring, rotated = Keyring.of(OLD.encode()), Keyring.of(NEW.encode(), OLD.encode())
    signed_before = old_ring.derive("studio", "body")
    assert rotated.verifies(signed_before, "studio", "body")
    signed_now = rotated.derive("studio", "body")
    assert signed_now != signed_before
    assert not old_ring.verifies(signed_now, "studio", "body")
    assert not rotated.verifies(signed_before, "callback", "body")


def test_what_earlier_versions_signed_with_the_raw_key_still_verifies():
    legacy = derive(OLD.encode(), "callback", "12")
    assert Keyring.of(OLD.encode()).verifies(legacy, "callback", "12")
    assert not Keyring.of(NEW.encode()).verifies(legacy, "callback", "12")


def test_sealed_server_keys_survive_rotation_and_the_upgrade():
    sealed_old = sealing(OLD).encrypt(b"api-key")
    with pytest.raises(InvalidToken):
        sealing(NEW).decrypt(sealed_old)
    assert sealing(f"{NEW},{OLD}").decrypt(sealed_old) == b"api-key"
    # sealed by a version before HKDF: sha256 of a fixed prefix and the raw key
    digest = hashlib.sha256(b"exterior-bot credentials:" + OLD.encode()).digest()
    legacy = Fernet(base64.urlsafe_b64encode(digest)).encrypt(b"api-key")
    assert sealing(OLD).decrypt(legacy) == b"api-key"
    # new seals use the derived key, which the legacy form cannot open
    with pytest.raises(InvalidToken):
        Fernet(base64.urlsafe_b64encode(digest)).decrypt(sealing(OLD).encrypt(b"x"))
    assert sealing(None) is None
