"""Passkey ceremonies against the real PostgreSQL, as the regional API's Vault-issued login.

The whole ceremony contract runs again here over :class:`PostgresPasskeyRepository`, then the
properties only a real database can show: single use under concurrency, tenant isolation and
the privileges the service runs with.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from chalkops.db.postgres import Database
from chalkops.db.roles import DatabaseRoles
from chalkops.identity.passkeys import (
    AuthenticatedUser,
    ChallengeExpired,
    ChallengePurpose,
    InvalidPasskeyAssertion,
    PasskeyUser,
    StoredChallenge,
)
from chalkops.identity.passkeys.postgres import PostgresPasskeyRepository
from chalkops.ids import new_id
from chalkops.local.platform import Infrastructure
from chalkops.vault_config.plan import region_database_name
from tests.support.authenticator import Counter, SoftAuthenticator
from tests.support.platform import migrated_tenants, regional_app_database
from tests.unit.passkeys.contract import (
    ORIGIN,
    PasskeyCeremonyContract,
    World,
    make_service,
    register,
    sign_in,
)
from tests.unit.passkeys.fakes import FakeClock

pytestmark = pytest.mark.integration
REGION = "local-1"
DB = region_database_name(REGION)


@pytest.fixture(scope="module")
def tenants(platform_infra: Infrastructure) -> tuple[str, str]:
    first, second = migrated_tenants(platform_infra, REGION, count=2)
    return first, second


@pytest.fixture(scope="module")
def app_db(platform_infra: Infrastructure) -> Iterator[Database]:
    """The regional API's pool, logged in with Vault dynamic credentials (not the superuser)."""
    db = regional_app_database(platform_infra, REGION)
    db.open(wait=False)
    yield db
    db.close()


def add_user(db: Database, tenant: str, email: str, display_name: str | None = None) -> PasskeyUser:
    user = PasskeyUser(new_id(), email, display_name, new_id().bytes)
    with db.tenant_transaction(tenant) as conn:
        conn.execute(
            "INSERT INTO users (id, email, email_lower, display_name, webauthn_handle) "
            "VALUES (%s, %s, %s, %s, %s)",
            (user.id, email, email.lower(), display_name, user.webauthn_handle),
        )
    return user


def unique_email(name: str) -> str:
    return f"{name}-{new_id().hex[-12:]}@example.com"


def make_world(db: Database, tenant: str) -> World:
    repository = PostgresPasskeyRepository(db, tenant)
    clock = FakeClock(datetime.now(UTC))
    return World(
        service=make_service(repository, clock),
        repository=repository,
        clock=clock,
        alice=add_user(db, tenant, unique_email("Alice"), "Alice"),
        bob=add_user(db, tenant, unique_email("bob")),
        new_email=unique_email,
    )


@pytest.fixture
def world(app_db: Database, tenants: tuple[str, str]) -> World:
    return make_world(app_db, tenants[0])


class TestCeremoniesOnPostgres(PasskeyCeremonyContract):
    """Every ceremony rule, against PostgreSQL through ``Database.tenant_transaction``."""


def test_the_service_runs_as_the_app_role_not_an_owner_or_superuser(
    app_db: Database, tenants: tuple[str, str]
) -> None:
    with app_db.tenant_transaction(tenants[0]) as conn:
        me = conn.execute(
            "SELECT rolsuper, rolbypassrls, pg_has_role(current_user, %s, 'member') AS app, "
            "pg_has_role(current_user, %s, 'member') AS owner FROM pg_roles "
            "WHERE rolname = current_user",
            (DatabaseRoles(DB).app, DatabaseRoles(DB).owner),
        ).fetchone()

    assert me == {"rolsuper": False, "rolbypassrls": False, "app": True, "owner": False}


def test_a_verified_challenge_is_gone_from_the_database_6(
    app_db: Database, tenants: tuple[str, str], world: World
) -> None:
    device = SoftAuthenticator(ORIGIN)
    register(world, world.alice, device)
    ceremony = world.service.authentication_options(world.alice.email)

    def stored() -> int:
        with app_db.tenant_transaction(tenants[0]) as conn:
            row = conn.execute(
                "SELECT count(*) AS n FROM webauthn_challenges WHERE id = %s",
                (ceremony.ceremony_id,),
            ).fetchone()
        assert row is not None
        return int(row["n"])

    before = stored()
    world.service.verify_authentication(device.get(ceremony.options_json), ceremony.ceremony_id)

    assert (before, stored()) == (1, 0)


def test_concurrent_replays_of_one_response_sign_in_exactly_once_6(world: World) -> None:
    # Counter-less passkey: only the single-use challenge stands between the replays.
    device = SoftAuthenticator(ORIGIN, counter=Counter.ZERO)
    register(world, world.alice, device)
    ceremony = world.service.authentication_options(world.alice.email)
    response = device.get(ceremony.options_json)

    def attempt(_: int) -> AuthenticatedUser | Exception:
        try:
            return world.service.verify_authentication(response, ceremony.ceremony_id)
        except (ChallengeExpired, InvalidPasskeyAssertion) as exc:
            return exc

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(attempt, range(4)))

    assert sum(isinstance(outcome, AuthenticatedUser) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, ChallengeExpired) for outcome in outcomes) == 3


def test_a_counter_is_stored_by_compare_and_set_11(world: World) -> None:
    passkey = register(world, world.alice, SoftAuthenticator(ORIGIN))
    used_at = world.clock.now
    repository = world.repository

    first = repository.record_use(passkey.id, sign_count=7, backup_state=False, used_at=used_at)
    replayed = repository.record_use(passkey.id, sign_count=7, backup_state=False, used_at=used_at)
    older = repository.record_use(passkey.id, sign_count=6, backup_state=False, used_at=used_at)

    assert (first, replayed, older) == (True, False, False)
    assert repository.list_credentials(world.alice.id)[0].sign_count == 7


def test_expired_challenges_are_purged_in_bounded_batches(world: World) -> None:
    expired_at = world.clock.now - timedelta(seconds=1)
    for _ in range(3):
        world.repository.store_challenge(
            StoredChallenge(
                new_id(), ChallengePurpose.AUTHENTICATION, new_id().bytes, expired_at, None
            )
        )

    purged = [world.repository.purge_expired_challenges(world.clock.now, limit=2) for _ in "ab"]

    assert purged[0] == 2
    assert purged[1] >= 1


def test_a_passkey_of_one_tenant_is_unknown_in_another(
    app_db: Database, tenants: tuple[str, str]
) -> None:
    home = make_world(app_db, tenants[0])
    elsewhere = make_world(app_db, tenants[1])
    device = SoftAuthenticator(ORIGIN)
    register(home, home.alice, device)

    with pytest.raises(InvalidPasskeyAssertion):
        sign_in(elsewhere, device, None)
    assert sign_in(home, device, None).user_id == home.alice.id
