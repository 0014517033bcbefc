"""The passkey ceremony rules against the in-memory repository (no network, no database)."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import datetime

import pytest

from chalkops.errors import ConfigurationError
from chalkops.identity.passkeys import PasskeyService, SignCountRegressed
from chalkops.ids import new_id
from tests.support.authenticator import SoftAuthenticator
from tests.unit.passkeys.contract import (
    ORIGIN,
    RP_ID,
    TTL_SECONDS,
    PasskeyCeremonyContract,
    World,
    make_service,
    register,
    sign_in,
)
from tests.unit.passkeys.fakes import FakeClock, InMemoryPasskeyRepository


@pytest.fixture
def repository() -> InMemoryPasskeyRepository:
    return InMemoryPasskeyRepository()


@pytest.fixture
def world(repository: InMemoryPasskeyRepository) -> World:
    clock = FakeClock()
    return World(
        service=make_service(repository, clock),
        repository=repository,
        clock=clock,
        alice=repository.add_user("alice@example.com", "Alice"),
        bob=repository.add_user("bob@example.com"),
        new_email=lambda name: f"{name}-{new_id().hex[:12]}@example.com",
    )


class TestCeremoniesInMemory(PasskeyCeremonyContract):
    """Every ceremony rule, against the fake repository."""


def test_abandoned_challenges_are_purged_when_new_ones_are_issued(
    world: World, repository: InMemoryPasskeyRepository
) -> None:
    for _ in range(3):
        world.service.authentication_options(None)
    world.service.registration_options(world.alice.id)
    world.clock.advance(TTL_SECONDS + 1)

    world.service.authentication_options(world.alice.email)

    assert len(repository.challenges) == 1


def test_an_email_first_challenge_remembers_that_it_named_a_user(
    world: World, repository: InMemoryPasskeyRepository
) -> None:
    known = world.service.authentication_options(world.alice.email)
    unknown = world.service.authentication_options("nobody@example.com")
    discoverable = world.service.authentication_options(None)

    stored = {c.id: (c.email_first, c.user_id) for c in repository.challenges.values()}
    assert stored[known.ceremony_id] == (True, world.alice.id)
    assert stored[unknown.ceremony_id] == (True, None)
    assert stored[discoverable.ceremony_id] == (False, None)


def test_a_blank_email_means_a_discoverable_ceremony(world: World) -> None:
    register(world, world.alice, SoftAuthenticator(ORIGIN))

    options = json.loads(world.service.authentication_options("  ").options_json)

    assert options["allowCredentials"] == []


def test_decoys_depend_on_the_configured_key(repository: InMemoryPasskeyRepository) -> None:
    def decoy_ids(key: bytes) -> list[str]:
        service = PasskeyService(
            repository, rp_id=RP_ID, rp_name="ChalkOps", origins=[ORIGIN], decoy_key=key
        )
        options = json.loads(service.authentication_options("nobody@example.com").options_json)
        return [item["id"] for item in options["allowCredentials"]]

    # Nobody without the key can predict the decoy, so nobody can tell it from a real id.
    assert decoy_ids(b"a" * 32) != decoy_ids(b"b" * 32)
    assert decoy_ids(b"a" * 32) == decoy_ids(b"a" * 32)


@pytest.mark.parametrize(
    "settings",
    [
        {"rp_id": "", "rp_name": "ChalkOps", "origins": [ORIGIN]},
        {"rp_id": RP_ID, "rp_name": "", "origins": [ORIGIN]},
        {"rp_id": RP_ID, "rp_name": "ChalkOps", "origins": []},
        {"rp_id": RP_ID, "rp_name": "ChalkOps", "origins": [""]},
        {"rp_id": RP_ID, "rp_name": "ChalkOps", "origins": [ORIGIN], "challenge_ttl_seconds": 0},
    ],
    ids=["no rp id", "no rp name", "no origins", "blank origin", "no lifetime"],
)
def test_a_service_without_a_usable_relying_party_refuses_to_start(
    repository: InMemoryPasskeyRepository, settings: dict[str, object]
) -> None:
    with pytest.raises(ConfigurationError):
        PasskeyService(repository, **settings)  # type: ignore[arg-type]


class CounterBlindRepository(InMemoryPasskeyRepository):
    """A repository that stores whatever counter it is given (no compare-and-set)."""

    def record_use(
        self, passkey_id: uuid.UUID, *, sign_count: int, backup_state: bool, used_at: datetime
    ) -> bool:
        self.passkeys[passkey_id] = replace(
            self.passkeys[passkey_id], sign_count=sign_count, last_used_at=used_at
        )
        return True


@pytest.mark.parametrize("reported", [3, 5, 0], ids=["went back", "stood still", "reset"])
def test_the_service_itself_refuses_a_counter_that_does_not_advance_11(reported: int) -> None:
    # The PostgreSQL adapter guards the counter too; this shows the service does not rely on it.
    repository = CounterBlindRepository()
    clock = FakeClock()
    world = World(
        service=make_service(repository, clock),
        repository=repository,
        clock=clock,
        alice=repository.add_user("alice@example.com"),
        bob=repository.add_user("bob@example.com"),
        new_email=lambda name: f"{name}@example.com",
    )
    device = SoftAuthenticator(ORIGIN)
    register(world, world.alice, device)
    sign_in(world, device, world.alice.email, sign_count=5)

    with pytest.raises(SignCountRegressed):
        sign_in(world, device, world.alice.email, sign_count=reported)
    assert repository.list_credentials(world.alice.id)[0].sign_count == 5
