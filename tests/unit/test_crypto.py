from __future__ import annotations

from argon2 import PasswordHasher, Type

from chalkops.crypto import (
    OWASP_MINIMUM,
    Argon2Profile,
    Passwords,
    constant_time_equals,
    hash_token,
    new_token,
)


def test_new_hashes_are_argon2id_with_the_configured_profile() -> None:
    passwords = Passwords(OWASP_MINIMUM)
    stored = passwords.hash("correct horse battery staple")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify(stored, "correct horse battery staple")
    assert not passwords.verify(stored, "correct horse battery stapl")


def test_default_profile_is_rfc9106_low_memory() -> None:
    stored = Passwords().hash("x" * 12)
    assert "$m=65536,t=3,p=4$" in stored


def test_older_parameters_are_flagged_for_rehash() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1, type=Type.ID)
    passwords = Passwords(OWASP_MINIMUM)
    old_hash = weak.hash("pw-123456789")
    assert passwords.needs_rehash(old_hash)
    assert not passwords.needs_rehash(passwords.hash("pw-123456789"))


def test_unknown_account_still_costs_a_verify_and_fails() -> None:
    passwords = Passwords(Argon2Profile.owasp_minimum())
    assert passwords.verify(None, "anything") is False


def test_garbage_hash_fails_closed() -> None:
    passwords = Passwords(OWASP_MINIMUM)
    assert passwords.verify("not-a-hash", "pw") is False
    assert passwords.needs_rehash("not-a-hash")


def test_tokens_are_random_and_stored_only_as_hashes() -> None:
    token = new_token()
    assert len(token) >= 43
    assert token != new_token()
    digest = hash_token(token)
    assert token not in digest
    assert len(digest) == 64
    assert constant_time_equals(digest, hash_token(token))
    assert not constant_time_equals(digest, hash_token(token + "x"))
