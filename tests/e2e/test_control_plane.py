"""The central API on the running platform: registration saga, routing, admins, blacklist."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest

from chalkops.db.tenancy import tenant_schema
from chalkops.local.platform import Infrastructure
from tests.support.platform import client_from, create_operator, superuser, tenant_schemas

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def api(central_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=central_url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def operator_token(platform_infra: Infrastructure, central_url: str) -> str:
    email = f"{unique('ops')}@chalkops.test"
    create_operator(platform_infra, email, PASSWORD)
    with client_from("127.0.0.9", central_url) as client:
        response = client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def register(
    api: httpx.Client, name: str, region: str = "local-1", **extra: object
) -> httpx.Response:
    body = {
        "tenant_name": name,
        "region": region,
        "admin_email": f"admin@{name}.test",
        "admin_password": PASSWORD,
        **extra,
    }
    return api.post("/auth/register", json=body)


def test_health_and_regions(api: httpx.Client) -> None:
    assert api.get("/health").json() == {"status": "ok"}
    assert [region["code"] for region in api.get("/regions").json()] == ["local-1", "local-2"]


def test_registration_creates_global_rows_schema_and_initial_admin(
    api: httpx.Client, platform_infra: Infrastructure
) -> None:
    name = unique("acme")
    response = register(api, name, region="local-2", display_name="Acme Inc")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "active"
    assert body["region"] == "local-2"
    assert uuid.UUID(body["tenant_id"]).version == 7
    schema = tenant_schema(body["tenant_id"])
    assert schema in tenant_schemas(platform_infra, "chalkops_local_2")
    assert schema not in tenant_schemas(platform_infra, "chalkops_local_1")
    with superuser(platform_infra, "chalkops_local_2") as conn:
        user = conn.execute(
            psycopg.sql.SQL("SELECT email, roles, password_hash FROM {}.users").format(
                psycopg.sql.Identifier(schema)
            )
        ).fetchall()
    assert len(user) == 1
    email, roles, password_hash = user[0]
    assert email == f"admin@{name}.test"
    assert roles == ["admin"]
    assert str(password_hash).startswith("$argon2id$")
    with superuser(platform_infra, "chalkops_global") as conn:
        owner = conn.execute(
            "SELECT u.email FROM chalkops.global_system_users u JOIN chalkops.tenants t"
            " ON t.id = u.tenant_id WHERE t.name = %s",
            (name,),
        ).fetchall()
        events = {
            row[0]
            for row in conn.execute(
                "SELECT event || ':' || outcome FROM chalkops.audit_events WHERE tenant_id = %s",
                (body["tenant_id"],),
            ).fetchall()
        }
    assert owner == [(f"admin@{name}.test",)]
    assert {"tenant.registered:accepted", "tenant.provisioned:success"} <= events
    assert api.get(f"/tenants/{name}").json()["status"] == "active"


def test_unknown_tenant_is_404_problem(api: httpx.Client) -> None:
    response = api.get(f"/tenants/{unique('nobody')}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "tenant_not_found"


@pytest.mark.parametrize("name", ["Acme", "ab", "1acme", "acme_corp", "a" * 64, "acme corp"])
def test_invalid_tenant_names_are_422_naming_the_field(api: httpx.Client, name: str) -> None:
    response = register(api, name)
    assert response.status_code == 422, response.text
    assert "tenant_name" in [error["field"] for error in response.json()["errors"]]


def test_unknown_region_is_422_naming_the_field(api: httpx.Client) -> None:
    response = register(api, unique("acme"), region="mars-1")
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["region"]


@pytest.mark.parametrize("password", ["short", "password123", "qwertyuiop"])
def test_short_or_common_passwords_are_refused(api: httpx.Client, password: str) -> None:
    response = register(api, unique("acme"), admin_password=password)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["admin_password"]


def test_long_passwords_of_any_composition_are_accepted(api: httpx.Client) -> None:
    response = register(api, unique("acme"), admin_password="ü" * 40 + " 😀 " + "x" * 40)
    assert response.status_code == 201, response.text


def test_fifty_concurrent_registrations_of_one_name_one_wins(
    central_url: str, platform_infra: Infrastructure
) -> None:
    name = unique("race")
    before = tenant_schemas(platform_infra, "chalkops_local_1")
    barrier = threading.Barrier(50)

    def attempt(_: int) -> int:
        with httpx.Client(base_url=central_url, timeout=120) as client:
            barrier.wait()
            return register(client, name).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(attempt, range(50)))
    assert sorted(statuses) == [201] + [409] * 49
    created = tenant_schemas(platform_infra, "chalkops_local_1") - before
    assert len(created) == 1
    with superuser(platform_infra, "chalkops_global") as conn:
        rows = conn.execute(
            "SELECT count(*) FROM chalkops.tenants WHERE name = %s", (name,)
        ).fetchone()
    assert rows == (1,)


def test_taken_name_is_409_tenant_name_taken(api: httpx.Client) -> None:
    name = unique("taken")
    assert register(api, name).status_code == 201
    response = register(api, name)
    assert response.status_code == 409
    assert response.json()["code"] == "tenant_name_taken"


def _wait_for_lock_wait(infra: Infrastructure, application: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    with superuser(infra, "postgres") as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
                " AND wait_event_type = 'Lock'",
                (application,),
            ).fetchone()
            if waiting and waiting[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the provisioner never reached the region database")


def test_region_database_lost_mid_registration_leaves_a_failed_tenant_without_orphans(
    api: httpx.Client, platform_infra: Infrastructure, operator_token: str
) -> None:
    name = unique("fault")
    before = tenant_schemas(platform_infra, "chalkops_local_2")
    blocker = superuser(platform_infra, "chalkops_local_2")
    blocker.execute("BEGIN")
    blocker.execute("LOCK TABLE regional.tenants IN ACCESS EXCLUSIVE MODE")
    result: dict[str, httpx.Response] = {}
    worker = threading.Thread(target=lambda: result.update(r=register(api, name, "local-2")))
    worker.start()
    admin = superuser(platform_infra, "postgres")
    try:
        # The provisioner has created the schema and waits on the registry row: stop the
        # region's database now — no new connections, every session killed.
        _wait_for_lock_wait(platform_infra, "chalkops-provisioner-local-2")
        admin.execute("ALTER DATABASE chalkops_local_2 ALLOW_CONNECTIONS false")
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = 'chalkops_local_2' AND pid <> pg_backend_pid()"
        )
        worker.join(timeout=120)
    finally:
        admin.execute("ALTER DATABASE chalkops_local_2 ALLOW_CONNECTIONS true")
        admin.close()
        blocker.close()
    response = result["r"]
    assert response.status_code == 502, response.text
    problem = response.json()
    assert problem["code"] == "provisioning_failed"
    assert problem["tenant_status"] == "failed"
    tenant = api.get(f"/tenants/{name}").json()
    assert tenant["status"] == "failed"
    assert tenant["status_reason"]
    assert tenant_schemas(platform_infra, "chalkops_local_2") == before, "no orphan schema"
    with superuser(platform_infra, "chalkops_local_2") as conn:
        orphans = conn.execute(
            "SELECT count(*) FROM regional.tenants WHERE name = %s", (name,)
        ).fetchone()
    assert orphans == (0,)

    again = api.post(
        f"/admin/tenants/{name}/reprovision", headers={"Authorization": f"Bearer {operator_token}"}
    )
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "active"
    assert tenant_schema(tenant["tenant_id"]) in tenant_schemas(platform_infra, "chalkops_local_2")
    assert api.get(f"/tenants/{name}/tenant").json()["tenant_name"] == name


def test_reprovisioning_needs_an_operator(api: httpx.Client) -> None:
    response = api.post("/admin/tenants/whatever/reprovision")
    assert response.status_code == 401
    response = api.post(
        "/admin/tenants/whatever/reprovision", headers={"Authorization": "Bearer not-a-token"}
    )
    assert response.status_code == 401
