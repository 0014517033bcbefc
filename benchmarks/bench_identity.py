"""Regional identity benchmarks (issue 4), against a platform started for the benchmark.

password_login: p50 of ``POST /tenants/{t}/auth/login`` through the central API (forwarding,
throttle check, Argon2id verify, session row, token signed in Vault transit) vs one raw Argon2id
verify of the very hash the tenant user has stored (so the same parameters), calls interleaved.
Goal: ratio <= 1.3.

passkey_login: p50 of the regional API's ``PasskeyService.verify_authentication`` called in this
process on the region's real database (consume the challenge, find the credential and its owner,
verify, record the use) vs a raw ``webauthn.verify_authentication_response`` of an assertion from
the same authenticator. The options call and the authenticator's signing are outside the timing.
Goal: ratio <= 2. ``passkey_login_via_api`` is the whole sign-in as a browser sees it (login/options
+ login/verify through the central API, tokens included) against the same raw verify: a figure to
watch, not the goal.

users_me_throughput: authenticated ``GET /users/me`` per second straight at the regional API's
uvicorn process (one worker; the forwarding credential the central API would attach is minted
once per round), vs a bare FastAPI endpoint that does nothing (``async def``, returns ``{}``)
served by one uvicorn worker with the same options, the same keep-alive client and concurrency.
Rounds alternate between the two; the best round of each counts (the machine is shared).
Goal: ratio >= 0.5.

login_1000_tenants: password sign-in p50 through the central API, spread over tenants of a region
that holds 1,000 tenants (local-1; provisioned through the provisioner, the fast path), vs the
sign-in of the only tenant of the other region (local-2), calls interleaved.
Goal: ratio <= 1.2.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
from argon2 import PasswordHasher
from fastapi import FastAPI
from webauthn import verify_authentication_response
from webauthn.helpers import bytes_to_base64url

from benchmarks._report import emit, paired_p50_ms
from chalkops.crypto import Passwords
from chalkops.db.postgres import Database
from chalkops.db.tenancy import tenant_schema
from chalkops.identity.passkeys.postgres import PostgresPasskeyRepository
from chalkops.identity.passkeys.service import PasskeyService
from chalkops.ids import new_id
from chalkops.local.platform import Infrastructure, LocalPlatform
from chalkops.local.processes import free_port, spawn, stop, uvicorn_argv
from chalkops.local.state import project_root
from chalkops.observability import get_logger
from chalkops.secrets.vault import VaultDatabaseCredentials, VaultKeyValue, VaultSession
from chalkops.tokens.forwarding import ForwardingSigner
from chalkops.vault_config.plan import FORWARDING_SIGNING_PATH, region_database_name
from tests.conftest import database_settings_for, platform_ports, vault_settings_for
from tests.support.authenticator import SoftAuthenticator

PASSWORD = "benchmark passphrase 1"  # noqa: S105  (a throwaway account of a throwaway platform)
RP_ID = "localhost"
TENANT_COUNT = 1000


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    name: str
    region: str
    email: str


@dataclass
class Bench:
    platform: LocalPlatform
    infra: Infrastructure
    central: httpx.Client
    signer: ForwardingSigner

    @property
    def origin(self) -> str:
        # The web UI is served by the central API: its origin is the one WebAuthn accepts.
        return f"http://localhost:{self.platform.ports.central}"

    def register(self, region: str = "local-1") -> Tenant:
        name = f"i-{uuid.uuid4().hex[:12]}"
        email = f"admin@{name}.test"
        response = self.central.post(
            "/auth/register",
            json={
                "tenant_name": name,
                "region": region,
                "admin_email": email,
                "admin_password": PASSWORD,
            },
        )
        _ok(response, 201)
        return Tenant(response.json()["tenant_id"], name, region, email)

    def login(self, tenant: Tenant) -> dict[str, Any]:
        response = self.central.post(
            f"/tenants/{tenant.name}/auth/login", json={"email": tenant.email, "password": PASSWORD}
        )
        _ok(response, 200)
        body: dict[str, Any] = response.json()
        return body


def _ok(response: httpx.Response, status: int) -> None:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.url} -> {response.status_code} {response.text}")


# -- password_login --------------------------------------------------------------------------


def _stored_hash(infra: Infrastructure, tenant: Tenant) -> str:
    with psycopg.connect(infra.postgres.conninfo(region_database_name(tenant.region))) as conn:
        row = conn.execute(
            psycopg.sql.SQL("SELECT password_hash FROM {}.users WHERE email_lower = %s").format(
                psycopg.sql.Identifier(tenant_schema(tenant.tenant_id))
            ),
            (tenant.email.lower(),),
        ).fetchone()
    if row is None:
        raise RuntimeError("the tenant's admin user is missing")
    return str(row[0])


def password_login(bench: Bench, runs: int = 40) -> None:
    tenant = bench.register()
    bench.login(tenant)  # a hash made with other parameters is upgraded on the first sign-in
    stored = _stored_hash(bench.infra, tenant)
    hasher = PasswordHasher()  # verify() takes m, t and p from the stored hash itself

    value, baseline = paired_p50_ms(
        lambda: bench.login(tenant), lambda: hasher.verify(stored, PASSWORD), runs=runs, warmup=3
    )
    emit("password_login", value, "ms", "raw_argon2id_verify_same_parameters", baseline)


# -- passkey_login ---------------------------------------------------------------------------


def _register_passkey(bench: Bench, tenant: Tenant, authenticator: SoftAuthenticator) -> None:
    bearer = {"Authorization": f"Bearer {bench.login(tenant)['access_token']}"}
    base = f"/tenants/{tenant.name}/auth/passkeys"
    options = bench.central.post(f"{base}/register/options", json={}, headers=bearer)
    _ok(options, 200)
    verified = bench.central.post(
        f"{base}/register/verify",
        json={"credential": authenticator.create(options.json()), "nickname": "bench"},
        headers=bearer,
    )
    _ok(verified, 201)


@contextmanager
def _region_database(infra: Infrastructure, region: str) -> Iterator[Database]:
    role = f"regional-api-{region}"
    db = Database(
        database_settings_for(infra, region_database_name(region), role),
        VaultDatabaseCredentials(VaultSession(vault_settings_for(infra, role)), role),
    )
    db.open(wait=True)
    try:
        yield db
    finally:
        db.close()


def _raw_verify(authenticator: SoftAuthenticator, origin: str) -> Callable[[], object]:
    """A fresh assertion (untimed) and then the timed raw library verify of it."""
    credential = authenticator.credentials[-1]

    def prepare() -> tuple[bytes, dict[str, Any]]:
        challenge = new_id().bytes + new_id().bytes
        options = {"challenge": bytes_to_base64url(challenge), "rpId": RP_ID}
        return challenge, authenticator.get(options, credential=credential)

    def verify(challenge: bytes, assertion: dict[str, Any]) -> object:
        return verify_authentication_response(
            credential=assertion,
            expected_challenge=challenge,
            expected_rp_id=RP_ID,
            expected_origin=origin,
            credential_public_key=credential.cose_public_key,
            credential_current_sign_count=0,
            require_user_verification=True,
        )

    def timed() -> float:
        challenge, assertion = prepare()
        start = time.perf_counter()
        verify(challenge, assertion)
        return (time.perf_counter() - start) * 1000

    return timed


def _paired_samples(
    subject: Callable[[], float], baseline: Callable[[], float], *, runs: int, warmup: int
) -> tuple[float, float]:
    """Like ``paired_p50_ms`` for callables that time only their own measured part."""
    for _ in range(warmup):
        subject()
        baseline()
    pairs = [(subject(), baseline()) for _ in range(runs)]
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def passkey_login(bench: Bench, runs: int = 200, api_runs: int = 60) -> None:
    tenant = bench.register()
    authenticator = SoftAuthenticator(origin=bench.origin)
    _register_passkey(bench, tenant, authenticator)
    raw = _raw_verify(authenticator, bench.origin)

    with _region_database(bench.infra, tenant.region) as db:
        service = PasskeyService(
            PostgresPasskeyRepository(db, tenant.tenant_id),
            rp_id=RP_ID,
            rp_name="ChalkOps",
            origins=[bench.origin],
        )

        def service_verify() -> float:
            ceremony = service.authentication_options(None)  # discoverable sign-in
            assertion = authenticator.get(ceremony.options_json)
            start = time.perf_counter()
            service.verify_authentication(assertion, ceremony.ceremony_id)
            return (time.perf_counter() - start) * 1000

        value, baseline = _paired_samples(service_verify, raw, runs=runs, warmup=10)
    emit("passkey_login", value, "ms", "raw_verify_authentication_response", baseline)

    base = f"/tenants/{tenant.name}/auth/passkeys/login"

    def through_api() -> float:
        start = time.perf_counter()
        options = bench.central.post(f"{base}/options", json={})
        _ok(options, 200)
        signed_at = time.perf_counter()
        assertion = authenticator.get(options.json())  # the browser's part, not timed
        resumed = time.perf_counter()
        verified = bench.central.post(
            f"{base}/verify",
            json={"credential": assertion, "ceremony_id": options.json()["ceremony_id"]},
        )
        _ok(verified, 200)
        return (signed_at - start + time.perf_counter() - resumed) * 1000

    value, baseline = _paired_samples(through_api, raw, runs=api_runs, warmup=5)
    emit("passkey_login_via_api", value, "ms", "raw_verify_authentication_response", baseline)


# -- users_me_throughput ---------------------------------------------------------------------


def bare_app() -> FastAPI:
    """The baseline server: one endpoint that does nothing (``uvicorn --factory``)."""
    app = FastAPI()

    @app.get("/users/me")
    async def nothing() -> dict[str, str]:
        return {}

    return app


async def _keep_alive_worker(port: int, request: bytes, deadline: float, counts: list[int]) -> None:
    """One connection sending ``request`` back to back until ``deadline`` (HTTP/1.1 keep-alive).

    A few lines of asyncio rather than an HTTP library: the client shares the machine with the
    server, and a heavier client would flatten the difference being measured.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < deadline:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = head[9:12]
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            if status != b"200":
                raise RuntimeError(f"GET /users/me answered {status.decode()}")
            counts[0] += 1
    finally:
        writer.close()


def _requests_per_second(port: int, request: bytes, seconds: float, concurrency: int) -> float:
    async def run() -> int:
        counts = [0]
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(_keep_alive_worker(port, request, deadline, counts) for _ in range(concurrency))
        )
        return counts[0]

    start = time.perf_counter()
    done = asyncio.run(run())
    return done / (time.perf_counter() - start)


def _me_request(headers: dict[str, str]) -> bytes:
    lines = ["GET /users/me HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@contextmanager
def _bare_server(log_folder: Path) -> Iterator[int]:
    port = free_port()
    argv = uvicorn_argv("benchmarks.bench_identity:bare_app", port)
    process = spawn(argv, log_path=log_folder / "bare-fastapi.log", cwd=project_root())
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/users/me", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the bare FastAPI server did not start")
            time.sleep(0.1)
        yield port
    finally:
        stop(process)


def users_me_throughput(
    bench: Bench, log_folder: Path, *, seconds: float = 4.0, rounds: int = 3, concurrency: int = 8
) -> None:
    tenant = bench.register()
    token = bench.login(tenant)["access_token"]
    regional_port = bench.platform.ports.regional(0)

    def me_request() -> bytes:
        credential = bench.signer.sign(
            tenant_id=tenant.tenant_id,
            tenant_name=tenant.name,
            region=tenant.region,
            method="GET",
            path="/users/me",
        )
        return _me_request({"Authorization": f"Bearer {token}", "x-chalkops-forwarded": credential})

    bare_request = _me_request({"Authorization": f"Bearer {token}"})
    with _bare_server(log_folder) as bare_port:
        _requests_per_second(regional_port, me_request(), 1.0, concurrency)  # warm both
        _requests_per_second(bare_port, bare_request, 1.0, concurrency)
        value = baseline = 0.0
        for _ in range(rounds):
            value = max(
                value, _requests_per_second(regional_port, me_request(), seconds, concurrency)
            )
            baseline = max(
                baseline, _requests_per_second(bare_port, bare_request, seconds, concurrency)
            )
    emit("users_me_throughput", value, "req/s", "bare_fastapi_endpoint_throughput", baseline)


# -- login_1000_tenants ----------------------------------------------------------------------


def _provision(bench: Bench, region: str, count: int) -> list[Tenant]:
    """``count`` tenants through the region's provisioner, each with a global row so the central
    API routes to it, and an admin whose password is ``PASSWORD``."""
    from chalkops.provisioning.http import HttpProvisioningClient  # noqa: PLC0415
    from chalkops.provisioning.models import ProvisionRequest  # noqa: PLC0415

    index = [code for code, _ in bench.platform.regions].index(region)
    client = HttpProvisioningClient(
        {region: f"http://127.0.0.1:{bench.platform.ports.provisioner(index)}"},
        lambda code, request: bench.signer.sign(
            tenant_id=str(request.tenant_id),
            tenant_name=request.tenant_name,
            region=code,
            method="POST",
            path="/invoke",
        ),
    )
    hashed = Passwords().hash(PASSWORD)
    tenants = []
    for number in range(count):
        tenant_id = new_id()
        name = f"m{number}-{tenant_id.hex[:8]}"
        email = f"admin{number}@{name}.test"
        client.invoke(
            region,
            ProvisionRequest(
                tenant_id=tenant_id, tenant_name=name, admin_email=email, admin_password_hash=hashed
            ),
        )
        tenants.append(Tenant(str(tenant_id), name, region, email))
    with (
        psycopg.connect(bench.infra.postgres.conninfo("chalkops_global")) as conn,
        conn.cursor() as cursor,
    ):
        cursor.executemany(
            "INSERT INTO chalkops.tenants (id, name, region, status) VALUES (%s, %s, %s, 'active')",
            [(t.tenant_id, t.name, t.region) for t in tenants],
        )
    return tenants


def _tenant_count(infra: Infrastructure, region: str) -> int:
    with psycopg.connect(infra.postgres.conninfo(region_database_name(region))) as conn:
        row = conn.execute(
            "SELECT count(*) FROM regional.tenants WHERE status = 'active'"
        ).fetchone()
    return int(row[0]) if row else 0


def login_1000_tenants(bench: Bench, runs: int = 60) -> None:
    alone = bench.register("local-2")
    if _tenant_count(bench.infra, "local-2") != 1:
        raise RuntimeError("local-2 must hold exactly one tenant for the baseline")
    missing = TENANT_COUNT - _tenant_count(bench.infra, "local-1")
    crowd = _provision(bench, "local-1", missing)
    if _tenant_count(bench.infra, "local-1") != TENANT_COUNT:
        raise RuntimeError("local-1 does not hold the 1,000 tenants the benchmark needs")
    for tenant in crowd[:3]:  # each provisioned hash is upgraded on its first sign-in
        bench.login(tenant)
    # Sign-ins spread over tenants never signed in to before (cold per-tenant caches), like
    # traffic across a full region; the baseline signs in to the region's only tenant.
    crowd_logins = iter(crowd[3:])

    value, baseline = paired_p50_ms(
        lambda: bench.login(next(crowd_logins)), lambda: bench.login(alone), runs=runs, warmup=3
    )
    emit("login_1000_tenants", value, "ms", "login_region_with_one_tenant", baseline)


def main() -> None:
    # stdout carries the benchmark lines only: the library's own INFO lines stay quiet here.
    for service in ("chalkops.vault_config", "chalkops.secrets"):
        get_logger(service).setLevel("WARNING")
    with tempfile.TemporaryDirectory(prefix="chalkops-bench-") as folder:
        platform = LocalPlatform(state_root=Path(folder) / "state", ports=platform_ports())
        infra = platform.start(services=True)
        try:
            signing = VaultKeyValue(VaultSession(vault_settings_for(infra, "central-api"))).read(
                FORWARDING_SIGNING_PATH
            )
            with httpx.Client(
                base_url=f"http://127.0.0.1:{platform.ports.central}", timeout=60
            ) as central:
                bench = Bench(
                    platform,
                    infra,
                    central,
                    ForwardingSigner(signing["private_pem"], signing["kid"]),
                )
                password_login(bench)
                passkey_login(bench)
                users_me_throughput(bench, Path(folder))
                login_1000_tenants(bench)
        finally:
            platform.stop()


if __name__ == "__main__":
    main()
