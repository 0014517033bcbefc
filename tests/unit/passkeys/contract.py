"""The passkey ceremony rules as one test suite, run against every repository.

:class:`PasskeyCeremonyContract` holds the tests; a subclass provides a ``world`` fixture (the
in-memory fake in ``tests/unit``, PostgreSQL with Vault credentials in ``tests/integration``).
Each negative test changes one thing in an otherwise honest ceremony (the honest one is tested
too), so it fails if, and only if, the rule it names stops being enforced. Numbers in brackets
are the security checklist items a test demonstrates.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from chalkops.errors import ChalkOpsError, ValidationFailed
from chalkops.identity.passkeys import (
    AuthenticatedUser,
    ChallengeExpired,
    CredentialExists,
    InvalidPasskeyAssertion,
    InvalidPasskeyRegistration,
    PasskeyNotFound,
    PasskeyRepository,
    PasskeyService,
    PasskeyUser,
    PasskeyUserNotFound,
    SignCountRegressed,
    StoredPasskey,
)
from chalkops.ids import new_id
from tests.support.authenticator import Counter, SoftAuthenticator, b64url, from_b64url
from tests.unit.passkeys.fakes import FakeClock

RP_ID = "localhost"
ORIGIN = "http://localhost:8000"
OTHER_ALLOWED_ORIGIN = "http://127.0.0.1:8000"
TTL_SECONDS = 300
DECOY_KEY = b"k" * 32


def make_service(repository: PasskeyRepository, clock: FakeClock) -> PasskeyService:
    return PasskeyService(
        repository,
        rp_id=RP_ID,
        rp_name="ChalkOps",
        origins=[ORIGIN, OTHER_ALLOWED_ORIGIN],
        challenge_ttl_seconds=TTL_SECONDS,
        clock=clock,
        decoy_key=DECOY_KEY,
    )


@dataclass
class World:
    service: PasskeyService
    repository: PasskeyRepository
    clock: FakeClock
    alice: PasskeyUser
    bob: PasskeyUser
    new_email: Callable[[str], str]
    """An email address nobody in this tenant has yet."""


def register(
    world: World,
    user: PasskeyUser,
    device: SoftAuthenticator,
    nickname: str | None = None,
    **knobs: Any,
) -> StoredPasskey:
    options = world.service.registration_options(user.id)
    return world.service.verify_registration(user.id, device.create(options, **knobs), nickname)


def sign_in(
    world: World, device: SoftAuthenticator, email: str | None = None, **knobs: Any
) -> AuthenticatedUser:
    ceremony = world.service.authentication_options(email)
    response = device.get(ceremony.options_json, **knobs)
    return world.service.verify_authentication(response, ceremony.ceremony_id)


def options_shape(options_json: str) -> dict[str, Any]:
    """What an observer sees of sign-in options once random values are blanked out."""
    options = json.loads(options_json)
    return {
        "keys": sorted(options),
        "rpId": options["rpId"],
        "timeout": options["timeout"],
        "userVerification": options["userVerification"],
        "challenge_length": len(from_b64url(options["challenge"])),
        "allowCredentials": [
            {"keys": sorted(item), "type": item["type"], "transports": item.get("transports")}
            for item in options["allowCredentials"]
        ],
    }


# The knobs each break exactly one sign-in rule.
SIGN_IN_TAMPERING = {
    "wrong origin [7]": {"origin": "https://evil.example"},
    "origin on another port [7]": {"origin": "http://localhost:8001"},
    "wrong RP id [7]": {"rp_id": "evil.example"},
    "crossOrigin true [7]": {"cross_origin": True},
    "no user verification [8]": {"user_verified": False},
    "tampered signature": {"tamper_signature": True},
}
REGISTRATION_TAMPERING = {
    "wrong origin [7]": {"origin": "https://evil.example"},
    "wrong RP id [7]": {"rp_id": "evil.example"},
    "crossOrigin true [7]": {"cross_origin": True},
    "no user verification [8]": {"user_verified": False},
}


class PasskeyCeremonyContract:
    """Subclasses provide ``world``; every test here runs against their repository."""

    # Registration -------------------------------------------------------------------------
    def test_registration_options_ask_for_a_discoverable_user_verified_passkey(
        self, world: World
    ) -> None:
        options = json.loads(world.service.registration_options(world.alice.id))

        assert options["rp"] == {"id": RP_ID, "name": "ChalkOps"}
        assert from_b64url(options["user"]["id"]) == world.alice.webauthn_handle
        assert options["user"]["name"] == world.alice.email
        assert options["authenticatorSelection"]["residentKey"] == "required"
        assert options["authenticatorSelection"]["userVerification"] == "required"
        assert options["attestation"] == "none"
        assert len(from_b64url(options["challenge"])) >= 32
        assert -7 in [param["alg"] for param in options["pubKeyCredParams"]]

    def test_registration_options_exclude_only_the_users_own_passkeys(self, world: World) -> None:
        alices = register(world, world.alice, SoftAuthenticator(ORIGIN))
        register(world, world.bob, SoftAuthenticator(ORIGIN))

        options = json.loads(world.service.registration_options(world.alice.id))

        assert options["excludeCredentials"] == [
            {
                "id": b64url(alices.credential_id),
                "type": "public-key",
                "transports": ["hybrid", "internal"],
            }
        ]

    def test_a_registered_passkey_keeps_everything_sign_in_and_the_user_need_12(
        self, world: World
    ) -> None:
        aaguid = uuid.UUID("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4")
        device = SoftAuthenticator(
            ORIGIN,
            backup_eligible=True,
            backed_up=True,
            aaguid=aaguid.bytes,
            transports=("hybrid", "internal", "usb"),
        )

        returned = register(world, world.alice, device, nickname="Phone")
        [stored] = world.service.list_passkeys(world.alice.id)

        held = device.credentials[-1]
        assert stored == returned
        assert stored.user_id == world.alice.id
        assert stored.credential_id == held.credential_id
        assert stored.public_key == held.cose_public_key
        assert stored.sign_count == 0
        assert stored.transports == ("hybrid", "internal", "usb")
        assert stored.aaguid == str(aaguid)
        assert (stored.backup_eligible, stored.backup_state) == (True, True)
        assert stored.created_at == world.clock.now
        assert stored.last_used_at is None
        assert stored.nickname == "Phone"
        assert stored.id.version == 7

    def test_a_single_device_passkey_is_stored_as_not_backed_up_12(self, world: World) -> None:
        stored = register(world, world.alice, SoftAuthenticator(ORIGIN))

        assert (stored.backup_eligible, stored.backup_state) == (False, False)

    def test_a_nickname_is_normalised_and_bounded(self, world: World) -> None:
        options = world.service.registration_options(world.alice.id)
        response = SoftAuthenticator(ORIGIN).create(options)

        with pytest.raises(ValidationFailed):
            world.service.verify_registration(world.alice.id, response, "x" * 65)
        # The refused nickname was checked before the challenge was touched: it still works.
        stored = world.service.verify_registration(world.alice.id, response, "  Work \n laptop ")

        assert stored.nickname == "Work laptop"

    def test_a_registration_challenge_is_single_use_6(self, world: World) -> None:
        options = world.service.registration_options(world.alice.id)
        response = SoftAuthenticator(ORIGIN).create(options)
        world.service.verify_registration(world.alice.id, response)

        with pytest.raises(ChallengeExpired):
            world.service.verify_registration(world.alice.id, response)

    def test_a_registration_challenge_expires_6(self, world: World) -> None:
        options = world.service.registration_options(world.alice.id)
        response = SoftAuthenticator(ORIGIN).create(options)
        world.clock.advance(TTL_SECONDS + 1)

        with pytest.raises(ChallengeExpired):
            world.service.verify_registration(world.alice.id, response)
        assert world.service.list_passkeys(world.alice.id) == []

    def test_a_registration_just_inside_the_lifetime_is_accepted_6(self, world: World) -> None:
        options = world.service.registration_options(world.alice.id)
        response = SoftAuthenticator(ORIGIN).create(options)
        world.clock.advance(TTL_SECONDS - 1)

        assert world.service.verify_registration(world.alice.id, response).user_id == world.alice.id

    @pytest.mark.parametrize("knobs", REGISTRATION_TAMPERING.values(), ids=REGISTRATION_TAMPERING)
    def test_a_tampered_registration_is_refused(self, world: World, knobs: dict[str, Any]) -> None:
        options = world.service.registration_options(world.alice.id)
        response = SoftAuthenticator(ORIGIN).create(options, **knobs)

        with pytest.raises(InvalidPasskeyRegistration):
            world.service.verify_registration(world.alice.id, response)
        assert world.service.list_passkeys(world.alice.id) == []

    def test_a_refused_registration_still_uses_up_its_challenge_6(self, world: World) -> None:
        options = world.service.registration_options(world.alice.id)
        device = SoftAuthenticator(ORIGIN)
        with pytest.raises(InvalidPasskeyRegistration):
            world.service.verify_registration(
                world.alice.id, device.create(options, origin="https://evil.example")
            )

        with pytest.raises(ChallengeExpired):
            world.service.verify_registration(world.alice.id, device.create(options))

    def test_any_allowed_origin_may_register(self, world: World) -> None:
        stored = register(world, world.alice, SoftAuthenticator(OTHER_ALLOWED_ORIGIN))

        assert stored.user_id == world.alice.id

    def test_a_registration_answering_another_users_challenge_is_refused(
        self, world: World
    ) -> None:
        alices_options = world.service.registration_options(world.alice.id)
        response = SoftAuthenticator(ORIGIN).create(alices_options)

        with pytest.raises(InvalidPasskeyRegistration):
            world.service.verify_registration(world.bob.id, response)
        assert world.service.list_passkeys(world.bob.id) == []

    @pytest.mark.parametrize("second_owner", ["same user", "another user"])
    def test_registering_an_existing_credential_id_is_refused_10(
        self, world: World, second_owner: str
    ) -> None:
        first = register(world, world.alice, SoftAuthenticator(ORIGIN))
        user = world.alice if second_owner == "same user" else world.bob

        with pytest.raises(CredentialExists):
            register(
                world,
                user,
                SoftAuthenticator(ORIGIN),
                credential_id=first.credential_id,
            )
        assert world.service.list_passkeys(world.alice.id) == [first]
        assert len(world.service.list_passkeys(world.bob.id)) == 0

    def test_registration_for_a_user_that_does_not_exist_is_not_found(self, world: World) -> None:
        with pytest.raises(PasskeyUserNotFound):
            world.service.registration_options(new_id())

    @pytest.mark.parametrize(
        "mangle",
        [
            lambda r: "not json",
            lambda r: [],
            lambda r: {**r, "rawId": 42},
            lambda r: {**r, "rawId": "%%%"},
            lambda r: {**r, "response": {**r["response"], "clientDataJSON": b64url(b"\xff\xfe")}},
            lambda r: {**r, "response": {**r["response"], "clientDataJSON": b64url(b"[]")}},
            lambda r: {**r, "response": {**r["response"], "attestationObject": b64url(b"\x00")}},
            lambda r: {**r, "type": "password"},
        ],
        ids=[
            "not json",
            "not an object",
            "rawId not text",
            "rawId not base64url",
            "clientDataJSON not utf-8",
            "clientDataJSON not an object",
            "attestationObject not cbor",
            "wrong type",
        ],
    )
    def test_malformed_registration_responses_are_refused_cleanly(
        self, world: World, mangle: Callable[[dict[str, Any]], Any]
    ) -> None:
        options = world.service.registration_options(world.alice.id)
        response = SoftAuthenticator(ORIGIN).create(options)

        with pytest.raises((InvalidPasskeyRegistration, ChallengeExpired)):
            world.service.verify_registration(world.alice.id, mangle(response))

    # Sign-in ------------------------------------------------------------------------------
    def test_email_first_sign_in_offers_the_users_passkeys_and_signs_them_in(
        self, world: World
    ) -> None:
        device = SoftAuthenticator(ORIGIN)
        passkey = register(world, world.alice, device)
        ceremony = world.service.authentication_options(world.alice.email.upper())
        options = json.loads(ceremony.options_json)

        signed_in = world.service.verify_authentication(
            device.get(ceremony.options_json), ceremony.ceremony_id
        )

        assert [item["id"] for item in options["allowCredentials"]] == [
            b64url(passkey.credential_id)
        ]
        assert options["userVerification"] == "required"
        assert options["rpId"] == RP_ID
        assert signed_in == AuthenticatedUser(user_id=world.alice.id, passkey_id=passkey.id)

    def test_discoverable_sign_in_finds_the_user_from_the_passkey(self, world: World) -> None:
        register(world, world.bob, SoftAuthenticator(ORIGIN))
        device = SoftAuthenticator(ORIGIN)
        passkey = register(world, world.alice, device)
        ceremony = world.service.authentication_options(None)

        signed_in = world.service.verify_authentication(device.get(ceremony.options_json))

        assert json.loads(ceremony.options_json)["allowCredentials"] == []
        assert signed_in == AuthenticatedUser(user_id=world.alice.id, passkey_id=passkey.id)

    def test_sign_in_records_the_counter_and_the_time_of_use_11_12(self, world: World) -> None:
        device = SoftAuthenticator(ORIGIN, backup_eligible=True)
        register(world, world.alice, device)
        device.backed_up = True  # the passkey got synced since it was registered
        world.clock.advance(60)

        sign_in(world, device, world.alice.email)
        sign_in(world, device, world.alice.email)

        [stored] = world.service.list_passkeys(world.alice.id)
        assert stored.sign_count == 2
        assert stored.last_used_at == world.clock.now
        assert stored.backup_state is True

    def test_a_sign_in_challenge_is_single_use_6(self, world: World) -> None:
        # A counter-less passkey, so only the challenge rule can stop the replay.
        device = SoftAuthenticator(ORIGIN, counter=Counter.ZERO)
        register(world, world.alice, device)
        ceremony = world.service.authentication_options(world.alice.email)
        response = device.get(ceremony.options_json)
        world.service.verify_authentication(response, ceremony.ceremony_id)

        with pytest.raises(ChallengeExpired):
            world.service.verify_authentication(response, ceremony.ceremony_id)

    def test_a_sign_in_challenge_expires_6(self, world: World) -> None:
        device = SoftAuthenticator(ORIGIN, counter=Counter.ZERO)
        register(world, world.alice, device)
        ceremony = world.service.authentication_options(None)
        response = device.get(ceremony.options_json)
        world.clock.advance(TTL_SECONDS)

        with pytest.raises(ChallengeExpired):
            world.service.verify_authentication(response, ceremony.ceremony_id)

    def test_a_refused_sign_in_still_uses_up_its_challenge_6(self, world: World) -> None:
        device = SoftAuthenticator(ORIGIN, counter=Counter.ZERO)
        register(world, world.alice, device)
        ceremony = world.service.authentication_options(None)
        with pytest.raises(InvalidPasskeyAssertion):
            world.service.verify_authentication(
                device.get(ceremony.options_json, user_verified=False)
            )

        with pytest.raises(ChallengeExpired):
            world.service.verify_authentication(device.get(ceremony.options_json))

    def test_a_registration_challenge_cannot_be_used_to_sign_in_6(self, world: World) -> None:
        device = SoftAuthenticator(ORIGIN, counter=Counter.ZERO)
        register(world, world.alice, device)
        registration = json.loads(world.service.registration_options(world.alice.id))
        borrowed = {"challenge": registration["challenge"], "rpId": RP_ID, "allowCredentials": []}

        with pytest.raises(ChallengeExpired):
            world.service.verify_authentication(device.get(borrowed))

    def test_an_honest_sign_in_from_another_allowed_origin_succeeds(self, world: World) -> None:
        device = SoftAuthenticator(OTHER_ALLOWED_ORIGIN)
        register(world, world.alice, device)

        assert sign_in(world, device, world.alice.email).user_id == world.alice.id

    @pytest.mark.parametrize("knobs", SIGN_IN_TAMPERING.values(), ids=SIGN_IN_TAMPERING)
    @pytest.mark.parametrize("by_email", [True, False], ids=["email-first", "discoverable"])
    def test_a_tampered_sign_in_is_refused(
        self, world: World, knobs: dict[str, Any], by_email: bool
    ) -> None:
        device = SoftAuthenticator(ORIGIN, counter=Counter.ZERO)
        register(world, world.alice, device)

        with pytest.raises(InvalidPasskeyAssertion):
            sign_in(world, device, world.alice.email if by_email else None, **knobs)
        [stored] = world.service.list_passkeys(world.alice.id)
        assert stored.last_used_at is None

    @pytest.mark.parametrize("omit_user_handle", [True, False], ids=["no handle", "bob's handle"])
    def test_an_email_first_ceremony_refuses_another_users_passkey_9(
        self, world: World, omit_user_handle: bool
    ) -> None:
        register(world, world.alice, SoftAuthenticator(ORIGIN))
        bobs_device = SoftAuthenticator(ORIGIN)
        register(world, world.bob, bobs_device)
        ceremony = world.service.authentication_options(world.alice.email)
        # Bob's authenticator answers Alice's ceremony with Bob's own, correctly signed passkey
        # (without a userHandle, only the ownership rule can tell).
        response = bobs_device.get(
            ceremony.options_json,
            credential=bobs_device.credentials[0],
            omit_user_handle=omit_user_handle,
        )

        with pytest.raises(InvalidPasskeyAssertion):
            world.service.verify_authentication(response, ceremony.ceremony_id)

    @pytest.mark.parametrize("by_email", [True, False], ids=["email-first", "discoverable"])
    def test_a_user_handle_that_is_not_the_owners_is_refused_9(
        self, world: World, by_email: bool
    ) -> None:
        device = SoftAuthenticator(ORIGIN)
        register(world, world.alice, device)
        register(world, world.bob, SoftAuthenticator(ORIGIN))

        with pytest.raises(InvalidPasskeyAssertion):
            sign_in(
                world,
                device,
                world.alice.email if by_email else None,
                user_handle=world.bob.webauthn_handle,
            )

    def test_a_discoverable_sign_in_must_carry_a_user_handle_9(self, world: World) -> None:
        device = SoftAuthenticator(ORIGIN)
        register(world, world.alice, device)

        with pytest.raises(InvalidPasskeyAssertion):
            sign_in(world, device, None, omit_user_handle=True)

    def test_an_email_first_sign_in_may_omit_the_user_handle(self, world: World) -> None:
        device = SoftAuthenticator(ORIGIN)
        register(world, world.alice, device)

        assert sign_in(world, device, world.alice.email, omit_user_handle=True).user_id == (
            world.alice.id
        )

    def test_an_unregistered_passkey_is_refused(self, world: World) -> None:
        device = SoftAuthenticator(ORIGIN)
        register(world, world.alice, device)
        stranger = SoftAuthenticator(ORIGIN)
        stranger.create(world.service.registration_options(world.alice.id))  # never verified

        with pytest.raises(InvalidPasskeyAssertion):
            sign_in(world, stranger, None)

    def test_a_response_for_another_ceremony_id_is_refused(self, world: World) -> None:
        device = SoftAuthenticator(ORIGIN)
        register(world, world.alice, device)
        first = world.service.authentication_options(world.alice.email)
        second = world.service.authentication_options(world.alice.email)

        with pytest.raises(InvalidPasskeyAssertion):
            world.service.verify_authentication(device.get(first.options_json), second.ceremony_id)

    def test_the_ceremony_id_may_arrive_as_text(self, world: World) -> None:
        device = SoftAuthenticator(ORIGIN)
        register(world, world.alice, device)
        ceremony = world.service.authentication_options(world.alice.email)

        signed_in = world.service.verify_authentication(
            device.get(ceremony.options_json), str(ceremony.ceremony_id)
        )

        assert signed_in.user_id == world.alice.id

    @pytest.mark.parametrize("reported", [3, 5, 0], ids=["went back", "stood still", "reset"])
    def test_a_counter_that_does_not_advance_is_refused_11(
        self, world: World, reported: int
    ) -> None:
        device = SoftAuthenticator(ORIGIN)
        register(world, world.alice, device)
        sign_in(world, device, world.alice.email, sign_count=5)

        with pytest.raises(SignCountRegressed):
            sign_in(world, device, world.alice.email, sign_count=reported)
        [stored] = world.service.list_passkeys(world.alice.id)
        assert stored.sign_count == 5

    def test_a_counter_that_advances_by_more_than_one_is_accepted_11(self, world: World) -> None:
        device = SoftAuthenticator(ORIGIN)
        register(world, world.alice, device)
        sign_in(world, device, world.alice.email, sign_count=5)

        sign_in(world, device, world.alice.email, sign_count=9)

        [stored] = world.service.list_passkeys(world.alice.id)
        assert stored.sign_count == 9

    def test_a_constant_zero_counter_is_accepted_11(self, world: World) -> None:
        device = SoftAuthenticator(ORIGIN, counter=Counter.ZERO, backup_eligible=True)
        passkey = register(world, world.alice, device)

        for email in (world.alice.email, None, world.alice.email):
            assert sign_in(world, device, email).passkey_id == passkey.id
        [stored] = world.service.list_passkeys(world.alice.id)
        assert stored.sign_count == 0

    # No account enumeration ---------------------------------------------------------------
    def test_an_unknown_email_gets_options_of_the_same_shape(self, world: World) -> None:
        register(world, world.alice, SoftAuthenticator(ORIGIN))
        unknown = world.new_email("nobody")

        known = world.service.authentication_options(world.alice.email).options_json
        stranger = world.service.authentication_options(unknown).options_json
        without_passkeys = world.service.authentication_options(world.bob.email).options_json

        assert options_shape(stranger) == options_shape(known)
        assert options_shape(without_passkeys) == options_shape(known)

    def test_an_unknown_email_gets_the_same_decoys_every_time(self, world: World) -> None:
        unknown = world.new_email("nobody")

        def allowed(email: str) -> list[str]:
            options = json.loads(world.service.authentication_options(email).options_json)
            return [item["id"] for item in options["allowCredentials"]]

        # A real account answers with the same credential ids each time; so must a decoy.
        assert allowed(unknown) == allowed(unknown.upper())
        assert allowed(unknown) != allowed(world.new_email("someone-else"))

    def test_an_unknown_email_ceremony_accepts_no_passkey_at_all_9(self, world: World) -> None:
        # Else a stranger could test emails: their own passkey would work for unknown ones only.
        device = SoftAuthenticator(ORIGIN)
        register(world, world.alice, device)
        ceremony = world.service.authentication_options(world.new_email("nobody"))
        response = device.get(ceremony.options_json, credential=device.credentials[0])

        with pytest.raises(InvalidPasskeyAssertion):
            world.service.verify_authentication(response, ceremony.ceremony_id)

    def test_sign_in_failures_all_say_the_same_thing(self, world: World) -> None:
        device = SoftAuthenticator(ORIGIN)
        register(world, world.alice, device)
        register(world, world.bob, SoftAuthenticator(ORIGIN))
        sign_in(world, device, world.alice.email)  # the stored counter is now 1
        failures: list[ChalkOpsError] = []
        for knobs in (
            {"origin": "https://evil.example"},
            {"tamper_signature": True},
            {"user_handle": world.bob.webauthn_handle},
            {"sign_count": 0},
        ):
            with pytest.raises(InvalidPasskeyAssertion) as caught:
                sign_in(world, device, world.alice.email, **knobs)
            failures.append(caught.value)

        assert {(f.status, f.code, f.detail) for f in failures} == {
            (401, "passkey_invalid", "the passkey could not be verified")
        }

    @pytest.mark.parametrize(
        "mangle",
        [
            lambda r: "{",
            lambda r: 7,
            lambda r: {**r, "response": {**r["response"], "userHandle": "!!AA!!"}},
            lambda r: {**r, "response": {**r["response"], "userHandle": 12}},
            lambda r: {**r, "response": {**r["response"], "signature": "@@"}},
            lambda r: {**r, "response": {**r["response"], "signature": b64url(b"short")}},
            lambda r: {**r, "response": {**r["response"], "authenticatorData": b64url(b"x")}},
            lambda r: {**r, "response": {**r["response"], "clientDataJSON": b64url(b"{}")}},
            lambda r: {**r, "id": "not-the-raw-id"},
        ],
        ids=[
            "not json",
            "not an object",
            "userHandle garbage",
            "userHandle not text",
            "signature not base64url",
            "signature not DER",
            "authenticatorData truncated",
            "clientDataJSON without fields",
            "id differs from rawId",
        ],
    )
    def test_malformed_sign_in_responses_are_refused_cleanly(
        self, world: World, mangle: Callable[[dict[str, Any]], Any]
    ) -> None:
        device = SoftAuthenticator(ORIGIN)
        register(world, world.alice, device)
        ceremony = world.service.authentication_options(world.alice.email)
        response = device.get(ceremony.options_json)

        with pytest.raises((InvalidPasskeyAssertion, ChallengeExpired)):
            world.service.verify_authentication(mangle(response), ceremony.ceremony_id)

    # Managing one's own passkeys ----------------------------------------------------------
    def test_users_list_only_their_own_passkeys(self, world: World) -> None:
        first = register(world, world.alice, SoftAuthenticator(ORIGIN))
        world.clock.advance(1)
        second = register(world, world.alice, SoftAuthenticator(ORIGIN))
        register(world, world.bob, SoftAuthenticator(ORIGIN))

        assert [p.id for p in world.service.list_passkeys(world.alice.id)] == [first.id, second.id]

    def test_a_deleted_passkey_can_no_longer_sign_in(self, world: World) -> None:
        device = SoftAuthenticator(ORIGIN)
        passkey = register(world, world.alice, device)

        world.service.delete_passkey(world.alice.id, passkey.id)

        assert world.service.list_passkeys(world.alice.id) == []
        with pytest.raises(InvalidPasskeyAssertion):
            sign_in(world, device, None)

    def test_another_users_passkey_cannot_be_deleted(self, world: World) -> None:
        bobs = register(world, world.bob, SoftAuthenticator(ORIGIN))

        with pytest.raises(PasskeyNotFound):
            world.service.delete_passkey(world.alice.id, bobs.id)
        with pytest.raises(PasskeyNotFound):
            world.service.delete_passkey(world.alice.id, new_id())
        assert world.service.list_passkeys(world.bob.id) == [bobs]
