"""Global admin sign-in (throttled, enumeration-proof) and the IP blacklist on every request."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import jwt
import pytest
from argon2 import PasswordHasher, Type

from chalkops.local.platform import Infrastructure
from chalkops.security.throttle import LoginThrottle
from tests.support.platform import (
    client_from,
    create_operator,
    most_admitted_in_a_burst,
    superuser,
)

pytestmark = pytest.mark.e2e
PASSWORD = "operator passphrase for tests"


def test_global_admin_token_has_the_global_audience_and_claims(
    platform_infra: Infrastructure, central_url: str
) -> None:
    email = f"ops-{uuid.uuid4().hex[:8]}@chalkops.test"
    create_operator(platform_infra, email, PASSWORD)
    with client_from("127.0.1.1", central_url) as client:
        response = client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 900
    header = jwt.get_unverified_header(body["access_token"])
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert header["alg"] == "ES256"
    assert header["typ"] == "admin+jwt"
    assert header["kid"].startswith("central-jwt-v")
    assert claims["aud"] == "chalkops-global"
    assert claims["roles"] == ["operator"]
    assert {"iss", "sub", "iat", "exp", "jti"} <= claims.keys()


def test_unknown_user_and_wrong_password_answer_identically(
    platform_infra: Infrastructure, central_url: str
) -> None:
    email = f"ops-{uuid.uuid4().hex[:8]}@chalkops.test"
    create_operator(platform_infra, email, PASSWORD)
    with client_from("127.0.1.2", central_url) as client:
        wrong = client.post("/auth/login", json={"email": email, "password": "not it at all"})
        unknown = client.post("/auth/login", json={"email": f"x{email}", "password": "whatever1"})
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda body: {k: v for k, v in body.items() if k != "instance"}  # noqa: E731
    assert strip(wrong.json()) == strip(unknown.json())
    assert wrong.json()["code"] == "invalid_credentials"


def set_global_block(infra: Infrastructure, email: str, interval: str) -> None:
    """Move the account's current block to now() + ``interval``: the first real block lasts
    2 s, shorter than a slow Argon2id on a busy machine, so tests pin it instead of racing it."""
    with superuser(infra, "chalkops_global") as conn:
        changed = conn.execute(
            "UPDATE chalkops.login_throttle SET blocked_until = now() + %s::interval"
            " WHERE key = %s AND blocked_until IS NOT NULL",
            (interval, f"account:{email.lower()}"),
        ).rowcount
    assert changed == 1, "the failures set no block"


def test_repeated_failures_throttle_the_account_with_retry_after(
    platform_infra: Infrastructure, central_url: str
) -> None:
    email = f"ops-{uuid.uuid4().hex[:8]}@chalkops.test"
    create_operator(platform_infra, email, PASSWORD)
    with client_from("127.0.1.3", central_url) as client:
        statuses = [
            client.post(
                "/auth/login", json={"email": email, "password": f"wrong-{i}-pass"}
            ).status_code
            for i in range(5)
        ]
        set_global_block(platform_infra, email, "10 minutes")
        throttled = client.post("/auth/login", json={"email": email, "password": "wrong-x-pass"})
        # Even the right password is refused while the account is throttled …
        right = client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert statuses == [401] * 5
    assert throttled.status_code == right.status_code == 429
    assert throttled.json()["code"] == "account_locked"
    assert 1 <= int(throttled.headers["retry-after"]) <= 900
    # … and the block is temporary: once it has passed, the right password works again.
    set_global_block(platform_infra, email, "-1 second")
    with client_from("127.0.1.3", central_url) as client:
        again = client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert again.status_code == 200, again.text


def test_parallel_guesses_at_a_global_admin_get_no_more_than_the_free_failures(
    platform_infra: Infrastructure, central_url: str
) -> None:
    email = f"ops-{uuid.uuid4().hex[:8]}@chalkops.test"
    create_operator(platform_infra, email, PASSWORD)
    guesses = [f"parallel guess {i} {uuid.uuid4().hex}" for i in range(12)]
    with (
        client_from("127.0.1.8", central_url) as client,
        ThreadPoolExecutor(max_workers=12) as pool,
    ):
        statuses = list(
            pool.map(
                lambda guess: (
                    client.post("/auth/login", json={"email": email, "password": guess}).status_code
                ),
                guesses,
            )
        )
    # Each attempt is counted before its password is verified, so a burst cannot slip past
    # (12 of 12 were verified before); the client's 60 s timeout bounds the burst's length.
    assert statuses.count(401) <= most_admitted_in_a_burst(LoginThrottle(), 60), statuses
    assert statuses.count(429) == len(statuses) - statuses.count(401)


def test_a_throttled_account_does_not_affect_another(
    platform_infra: Infrastructure, central_url: str
) -> None:
    victim = f"ops-{uuid.uuid4().hex[:8]}@chalkops.test"
    other = f"ops-{uuid.uuid4().hex[:8]}@chalkops.test"
    create_operator(platform_infra, other, PASSWORD)
    with client_from("127.0.1.4", central_url) as client:
        for i in range(7):
            client.post("/auth/login", json={"email": victim, "password": f"guess-{i}-pw"})
        fine = client.post("/auth/login", json={"email": other, "password": PASSWORD})
    assert fine.status_code == 200


@pytest.fixture
def operator(platform_infra: Infrastructure, central_url: str) -> dict[str, str]:
    email = f"ops-{uuid.uuid4().hex[:8]}@chalkops.test"
    create_operator(platform_infra, email, PASSWORD)
    with client_from("127.0.1.5", central_url) as client:
        token = client.post("/auth/login", json={"email": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_a_blacklisted_address_is_refused_everywhere_and_xff_cannot_dodge_it(
    central_url: str, operator: dict[str, str]
) -> None:
    with client_from("127.0.1.5", central_url) as admin:
        entry = admin.post(
            "/admin/blacklist", headers=operator, json={"cidr": "127.0.2.0/24", "reason": "test"}
        )
        assert entry.status_code == 201, entry.text
        try:
            with client_from("127.0.2.7", central_url) as blocked:
                for path in ("/health", "/regions", "/tenants/anything", "/nope"):
                    response = blocked.get(path, headers={"X-Forwarded-For": "198.51.100.1"})
                    assert response.status_code == 403, path
                    assert response.json()["code"] == "ip_blocked"
                posted = blocked.post(
                    "/auth/login",
                    json={"email": "a@b.c", "password": "x"},
                    headers={"X-Forwarded-For": "198.51.100.1"},
                )
                assert posted.status_code == 403
            with client_from("127.0.3.7", central_url) as fine:
                # A forged header naming a blocked address does not block an innocent client.
                assert (
                    fine.get("/health", headers={"X-Forwarded-For": "127.0.2.7"}).status_code == 200
                )
        finally:
            removed = admin.delete(f"/admin/blacklist/{entry.json()['id']}", headers=operator)
            assert removed.status_code == 204
    with client_from("127.0.2.7", central_url) as unblocked:
        assert unblocked.get("/health").status_code == 200


def test_expired_entries_do_not_block(central_url: str, operator: dict[str, str]) -> None:
    with client_from("127.0.1.5", central_url) as admin:
        entry = admin.post(
            "/admin/blacklist",
            headers=operator,
            json={"cidr": "127.0.4.1", "expires_at": "2020-01-01T00:00:00Z"},
        )
        try:
            with client_from("127.0.4.1", central_url) as client:
                assert client.get("/health").status_code == 200
        finally:
            admin.delete(f"/admin/blacklist/{entry.json()['id']}", headers=operator)


def test_blacklist_management_needs_an_operator(central_url: str) -> None:
    with client_from("127.0.1.6", central_url) as client:
        assert client.get("/admin/blacklist").status_code == 401
        assert client.post("/admin/blacklist", json={"cidr": "10.0.0.0/8"}).status_code == 401


def test_sign_in_rehashes_a_password_stored_with_older_parameters(
    platform_infra: Infrastructure, central_url: str
) -> None:
    email = f"ops-{uuid.uuid4().hex[:8]}@chalkops.test"
    create_operator(platform_infra, email, PASSWORD)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID)
    with superuser(platform_infra, "chalkops_global") as conn:
        conn.execute(
            "UPDATE chalkops.global_system_users SET password_hash = %s WHERE email_lower = %s",
            (weak.hash(PASSWORD), email),
        )
    with client_from("127.0.1.7", central_url) as client:
        assert client.post("/auth/login", json={"email": email, "password": PASSWORD}).is_success
    with superuser(platform_infra, "chalkops_global") as conn:
        stored = conn.execute(
            "SELECT password_hash FROM chalkops.global_system_users WHERE email_lower = %s",
            (email,),
        ).fetchone()
    assert stored is not None
    assert str(stored[0]).startswith("$argon2id$v=19$m=65536,t=3,p=4$")
