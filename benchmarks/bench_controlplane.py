"""Control-plane benchmarks: ``register_tenant``, ``forwarding``, ``provision_1000_tenants``.

All run against a platform started for the benchmark (real PostgreSQL, OpenBao, uvicorn).

register_tenant: p50 of ``POST /auth/register`` end to end (HTTP → global rows → provisioner over
HTTP → schema + tables + admin → active) vs the same work done directly in this process: the
tenant DDL (tenant migrations), the global and regional inserts and one Argon2id hash.

forwarding: p50 of a GET through the central API's forwarding vs the same GET sent straight to
the regional API (with a valid forwarding credential), same client, same tenant.

provision_1000_tenants: provisions 1,000 tenants into one region through the provisioner and
reports the per-tenant time (no baseline in the issue; the first 100 tenants' per-tenant time is
the baseline, so the ratio shows how provisioning scales), then checks the invariants at that
count: every tenant has its schema, its ``regional.tenants`` row and exactly one admin user; the
region holds no schema without a row and no row without a schema; and provisioning a tenant again
(the saga's retry) changes none of that.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

from benchmarks._report import emit, paired_p50_ms
from chalkops.crypto import Passwords
from chalkops.db.migrations import MigrationSet, migrate
from chalkops.db.roles import DatabaseRoles
from chalkops.db.tenancy import tenant_schema
from chalkops.ids import new_id
from chalkops.local.platform import Infrastructure, LocalPlatform
from chalkops.observability import get_logger
from chalkops.secrets.vault import VaultKeyValue, VaultSession
from chalkops.tokens.forwarding import ForwardingSigner
from tests.conftest import platform_ports, vault_settings_for

PASSWORD = "benchmark passphrase 1"  # noqa: S105  (a throwaway account of a throwaway platform)


def _register(client: httpx.Client, prefix: str = "b") -> dict[str, str]:
    name = f"{prefix}-{uuid.uuid4().hex[:12]}"
    response = client.post(
        "/auth/register",
        json={
            "tenant_name": name,
            "region": "local-1",
            "admin_email": f"a@{name}.test",
            "admin_password": PASSWORD,
        },
    )
    if response.status_code != 201:
        raise RuntimeError(response.text)
    registered: dict[str, str] = response.json()
    return registered


def _direct(infra: Infrastructure, passwords: Passwords) -> None:
    tenant_id = new_id()
    hashed = passwords.hash(PASSWORD)
    roles = DatabaseRoles("chalkops_local_1")
    with psycopg.connect(infra.postgres.conninfo("chalkops_global")) as conn:
        conn.execute(
            "INSERT INTO chalkops.tenants (id, name, region, status)"
            " VALUES (%s, %s, 'local-1', 'active')",
            (tenant_id, f"d-{tenant_id.hex[:12]}"),
        )
        conn.execute(
            "INSERT INTO chalkops.global_system_users (id, tenant_id, email, email_lower,"
            " password_hash) VALUES (%s, %s, 'a@d.test', 'a@d.test', %s)",
            (new_id(), tenant_id, hashed),
        )
    schema = tenant_schema(tenant_id)
    with (
        psycopg.connect(infra.postgres.conninfo("chalkops_local_1")) as conn,
        conn.transaction(),
    ):
        migrate(conn, MigrationSet.TENANT, schema, owner_role=roles.owner, usage_roles=(roles.app,))
        conn.execute(
            "INSERT INTO regional.tenants (id, name, schema_name, status)"
            " VALUES (%s, %s, %s, 'active')",
            (tenant_id, schema, schema),
        )
        conn.execute(
            psycopg.sql.SQL(
                "INSERT INTO {}.users (id, email, email_lower, password_hash, roles,"
                " webauthn_handle) VALUES (%s, 'a@d.test', 'a@d.test', %s, ARRAY['admin'], %s)"
            ).format(psycopg.sql.Identifier(schema)),
            (new_id(), hashed, new_id().bytes),
        )


def register_tenant(central: str, infra: Infrastructure, runs: int = 30) -> None:
    passwords = Passwords()
    with httpx.Client(base_url=central, timeout=60) as client:
        value, baseline = paired_p50_ms(
            lambda: _register(client), lambda: _direct(infra, passwords), runs=runs, warmup=3
        )
    emit("register_tenant", value, "ms", "direct_ddl_inserts_and_argon2id_hash", baseline)


def forwarding(
    central: str, platform: LocalPlatform, infra: Infrastructure, runs: int = 1500
) -> None:
    with httpx.Client(base_url=central, timeout=60) as client:
        tenant = _register(client, "fwd")
    name = tenant["tenant_name"]
    signing = VaultKeyValue(VaultSession(vault_settings_for(infra, "central-api"))).read(
        "forwarding/signing"
    )
    signer = ForwardingSigner(signing["private_pem"], signing["kid"])
    regional = f"http://127.0.0.1:{platform.ports.regional(0)}"
    with httpx.Client(timeout=30) as via_central, httpx.Client(timeout=30) as direct:

        def through_central() -> None:
            via_central.get(f"{central}/tenants/{name}/tenant").raise_for_status()

        def straight() -> None:
            credential = signer.sign(
                tenant_id=tenant["tenant_id"],
                tenant_name=name,
                region="local-1",
                method="GET",
                path="/tenant",
            )
            direct.get(
                f"{regional}/tenant", headers={"x-chalkops-forwarded": credential}
            ).raise_for_status()

        value, baseline = paired_p50_ms(through_central, straight, runs=runs, warmup=50)
    emit("forwarding", value, "ms", "direct_regional_get", baseline)


def _check_invariants(infra: Infrastructure, ids: list[uuid.UUID]) -> None:
    count = len(ids)
    with psycopg.connect(infra.postgres.conninfo("chalkops_local_1")) as conn:
        schemas = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = ANY(%s)",
            ([tenant_schema(t) for t in ids],),
        ).fetchone()
        rows = conn.execute(
            "SELECT count(*) FROM regional.tenants WHERE id = ANY(%s) AND status = 'active'", (ids,)
        ).fetchone()
        orphans = conn.execute(
            "SELECT (SELECT count(*) FROM pg_namespace n WHERE n.nspname LIKE 't\\_%'"
            "  AND NOT EXISTS (SELECT 1 FROM regional.tenants t WHERE t.schema_name = n.nspname)),"
            " (SELECT count(*) FROM regional.tenants t WHERE NOT EXISTS"
            "  (SELECT 1 FROM pg_namespace n WHERE n.nspname = t.schema_name))"
        ).fetchone()
        admins = [
            conn.execute(
                psycopg.sql.SQL("SELECT count(*) FROM {}.users").format(
                    psycopg.sql.Identifier(tenant_schema(t))
                )
            ).fetchone()
            for t in ids
        ]
    if schemas != (count,) or rows != (count,) or orphans != (0, 0) or set(admins) != {(1,)}:
        raise RuntimeError(
            f"invariants broken at {count} tenants: schemas={schemas} rows={rows}"
            f" orphans(schemas, rows)={orphans} admins per tenant={sorted(set(admins))}"
        )


def provision_1000(platform: LocalPlatform, infra: Infrastructure, count: int = 1000) -> None:
    from chalkops.provisioning.http import HttpProvisioningClient  # noqa: PLC0415
    from chalkops.provisioning.models import ProvisionRequest  # noqa: PLC0415

    signing = VaultKeyValue(VaultSession(vault_settings_for(infra, "central-api"))).read(
        "forwarding/signing"
    )
    signer = ForwardingSigner(signing["private_pem"], signing["kid"])
    client = HttpProvisioningClient(
        {"local-1": f"http://127.0.0.1:{platform.ports.provisioner(0)}"},
        lambda region, request: signer.sign(
            tenant_id=str(request.tenant_id),
            tenant_name=request.tenant_name,
            region=region,
            method="POST",
            path="/invoke",
        ),
    )
    hashed = Passwords().hash(PASSWORD)
    durations, ids = [], []
    for index in range(count):
        tenant_id = new_id()
        start = time.perf_counter()
        client.invoke(
            "local-1",
            ProvisionRequest(
                tenant_id=tenant_id,
                tenant_name=f"p{index}-{tenant_id.hex[:8]}",
                admin_email=f"admin{index}@p.test",
                admin_password_hash=hashed,
            ),
        )
        durations.append((time.perf_counter() - start) * 1000)
        ids.append(tenant_id)
    _check_invariants(infra, ids)
    # The saga retries provisioning: running it again on a provisioned tenant changes nothing.
    client.invoke(
        "local-1",
        ProvisionRequest(
            tenant_id=ids[0],
            tenant_name=f"p0-{ids[0].hex[:8]}",
            admin_email="admin0@p.test",
            admin_password_hash=hashed,
        ),
    )
    _check_invariants(infra, ids)
    emit(
        "provision_1000_tenants",
        statistics.median(durations[-100:]),
        "ms/tenant",
        "first_100_tenants_per_tenant",
        statistics.median(durations[:100]),
    )


def main() -> None:
    # stdout carries the benchmark lines only: the library's own INFO lines stay quiet here.
    get_logger("chalkops.vault_config").setLevel("WARNING")
    with tempfile.TemporaryDirectory(prefix="chalkops-bench-") as folder:
        platform = LocalPlatform(state_root=Path(folder) / "state", ports=platform_ports())
        infra = platform.start(services=True)
        central = f"http://127.0.0.1:{platform.ports.central}"
        try:
            register_tenant(central, infra)
            forwarding(central, platform, infra)
            provision_1000(platform, infra)
        finally:
            platform.stop()


if __name__ == "__main__":
    main()
