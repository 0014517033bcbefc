"""Foundation benchmarks: ``cold_start`` and ``tenant_transaction``.

cold_start: wall time of a fresh Python process that imports the regional API's Lambda handler and
answers its first request (an API Gateway event through Mangum), against a fresh process that
imports only fastapi + mangum and answers a hello request the same way. Median of several runs.
The regional process runs with a real regional API environment on the embedded platform, so its
first request pays what a Lambda cold start pays: the Vault login, the key and secret reads and
the database pool's first dynamic credential.

tenant_transaction: the library's tenant-scoped transaction (pool checkout, transaction-local
search_path, one query, commit) against the same statements on a raw psycopg connection, both on
the embedded PostgreSQL with the same dynamic login. Median per transaction.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from benchmarks._report import emit, paired_p50_ms
from chalkops.local.platform import Infrastructure

_EVENT = (
    "{'resource': '/{proxy+}', 'path': '/health', 'httpMethod': 'GET', 'headers': {},"
    " 'multiValueHeaders': {}, 'queryStringParameters': None,"
    " 'multiValueQueryStringParameters': None,"
    " 'requestContext': {'identity': {'sourceIp': '127.0.0.1'}, 'stage': 'prod',"
    " 'resourcePath': '/{proxy+}', 'httpMethod': 'GET', 'path': '/prod/health'},"
    " 'pathParameters': None, 'stageVariables': None, 'body': None, 'isBase64Encoded': False}"
)
_REGIONAL = (
    "from functions.regional_api.handler import handler\n"
    f"r = handler({_EVENT}, None)\n"
    "assert r['statusCode'] == 200, r\n"
)
_BASELINE = (
    "from fastapi import FastAPI\nfrom mangum import Mangum\n"
    "app = FastAPI()\n"
    "@app.get('/health')\ndef hello():\n    return {'status': 'ok'}\n"
    "handler = Mangum(app, lifespan='off')\n"
    f"r = handler({_EVENT}, None)\n"
    "assert r['statusCode'] == 200, r\n"
)


def _process_seconds(code: str, runs: int, env: dict[str, str] | None = None) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=env)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def cold_start(regional_env: dict[str, str], runs: int = 7) -> None:
    _process_seconds(_BASELINE, 1)  # warm the OS file cache for both
    _process_seconds(_REGIONAL, 1, regional_env)
    baseline = _process_seconds(_BASELINE, runs)
    value = _process_seconds(_REGIONAL, runs, regional_env)
    emit("cold_start", value * 1000, "ms", "fastapi_mangum_hello_cold_start", baseline * 1000)


def tenant_transaction(infra: Infrastructure, runs: int = 2000) -> None:
    from chalkops.db.base import StaticCredentials  # noqa: PLC0415
    from chalkops.db.migrations import MigrationSet, migrate  # noqa: PLC0415
    from chalkops.db.postgres import Database  # noqa: PLC0415
    from chalkops.db.roles import DatabaseRoles  # noqa: PLC0415
    from chalkops.db.tenancy import tenant_schema  # noqa: PLC0415
    from chalkops.ids import new_id  # noqa: PLC0415
    from chalkops.secrets.vault import VaultDatabaseCredentials, VaultSession  # noqa: PLC0415
    from tests.conftest import database_settings_for, vault_settings_for  # noqa: PLC0415

    dbname, service = "chalkops_local_1", "regional-api-local-1"
    roles = DatabaseRoles(dbname)
    tenant = new_id()
    with psycopg.connect(infra.postgres.conninfo(dbname), autocommit=True) as admin:
        migrate(
            admin,
            MigrationSet.TENANT,
            tenant_schema(tenant),
            owner_role=roles.owner,
            usage_roles=(roles.app,),
        )
    login = VaultDatabaseCredentials(
        VaultSession(vault_settings_for(infra, service)), service
    ).current()
    settings = database_settings_for(infra, dbname, service).model_copy(
        update={"pool_min_size": 1, "pool_max_size": 1}
    )
    db = Database(settings, StaticCredentials(login.user, login.password))
    db.open(wait=True)

    def library() -> None:
        with db.tenant_transaction(tenant) as conn:
            conn.execute("SELECT count(*) FROM users").fetchone()

    raw_conn = psycopg.connect(
        host=settings.host, dbname=dbname, user=login.user, password=login.password
    )
    quoted = f'"{tenant_schema(tenant)}"'
    with db.tenant_transaction(tenant) as conn:
        pooled_backend = conn.execute("SELECT pg_backend_pid() AS pid").fetchone()
    raw_backend = raw_conn.execute("SELECT pg_backend_pid()").fetchone()
    raw_conn.commit()
    if pooled_backend is None or raw_backend is None:
        raise RuntimeError("PostgreSQL did not name its backend processes")
    _pin_apart(int(pooled_backend["pid"]), int(raw_backend[0]))

    def raw() -> None:
        raw_conn.execute("SELECT set_config('search_path', %s, true)", (quoted,))
        raw_conn.execute("SELECT count(*) FROM users").fetchone()
        raw_conn.commit()

    value, baseline = paired_p50_ms(library, raw, runs=runs, warmup=50)
    emit("tenant_transaction", value, "ms", "raw_psycopg_set_search_path_and_query", baseline)
    raw_conn.close()
    db.close()


def _pin_apart(*backends: int) -> None:
    """This process on one core, both PostgreSQL backends on the other.

    On two cores the scheduler otherwise moves each backend between "beside its client" and
    "on the other core"; the wake-up cost differs by ~2x and flips a run's ratio either way.
    Pinned, both sides pay the same hand-off, so the ratio measures the library alone.
    """
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return
    os.sched_setaffinity(0, {cores[0]})
    for pid in backends:
        os.sched_setaffinity(pid, {cores[1]})


def main() -> None:
    from chalkops.local.platform import LocalPlatform  # noqa: PLC0415
    from tests.conftest import platform_ports  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="chalkops-bench-") as folder:
        platform = LocalPlatform(state_root=Path(folder) / "state", ports=platform_ports())
        infra = platform.start(services=False)
        try:
            cold_start(platform.regional_api_env(infra, 0))
            tenant_transaction(infra)
        finally:
            platform.stop()


if __name__ == "__main__":
    main()
