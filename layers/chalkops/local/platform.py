"""The whole platform on one machine: PostgreSQL, OpenBao, and every API process.

Start order: lock the state folder → PostgreSQL → databases, roles, migrations → OpenBao →
Vault configuration (the same code production uses) → provisioners, regional APIs, central API →
wait for every ``/health``. Stop order is the reverse, and a killed supervisor takes its children
with it (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from pydantic import SecretStr

from chalkops.config import CentralSettings
from chalkops.local.databases import prepare_databases
from chalkops.local.exceptions import LocalPlatformError
from chalkops.local.openbao import EmbeddedOpenBao, OpenBaoLocation
from chalkops.local.postgres import SUPERUSER, EmbeddedPostgres, PostgresLocation
from chalkops.local.processes import require_free_port, spawn, stop, uvicorn_argv
from chalkops.local.state import StateLayout, StateLock, project_root, wipe
from chalkops.vault_config.apply import AppRoleLogin, apply_plan
from chalkops.vault_config.plan import (
    GLOBAL_DATABASE_NAME,
    DatabaseTarget,
    VaultPlan,
    region_database_name,
    regional_signing_key,
    standard_services,
)

DEFAULT_REGIONS: tuple[tuple[str, str], ...] = (
    ("local-1", "Local region 1"),
    ("local-2", "Local region 2"),
)


@dataclass(frozen=True)
class Ports:
    central: int = 8000
    openbao: int = 8200
    regional_base: int = 8101
    provisioner_base: int = 8111

    @classmethod
    def from_base(cls, base: int) -> Ports:
        return cls(
            central=base, openbao=base + 200, regional_base=base + 101, provisioner_base=base + 111
        )

    def regional(self, index: int) -> int:
        return self.regional_base + index

    def provisioner(self, index: int) -> int:
        return self.provisioner_base + index


@dataclass
class Infrastructure:
    """What a started platform exposes to its services and to tests."""

    postgres: PostgresLocation
    openbao: OpenBaoLocation
    logins: dict[str, AppRoleLogin]
    regions: tuple[tuple[str, str], ...]


@dataclass
class ServiceProcess:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path


@dataclass
class LocalPlatform:
    state_root: Path
    ports: Ports = field(default_factory=Ports)
    regions: tuple[tuple[str, str], ...] = DEFAULT_REGIONS
    web_root: Path | None = None
    extra_env: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.layout = StateLayout(self.state_root)
        self._lock = StateLock(self.layout)
        self._postgres = EmbeddedPostgres(
            self.layout.postgres / "data", self.layout.secrets, self.layout.logs / "postgres.log"
        )
        self._openbao = EmbeddedOpenBao(
            self.layout.openbao,
            self.layout.secrets,
            self.layout.logs / "openbao.log",
            self.ports.openbao,
        )
        self.services: list[ServiceProcess] = []
        self.infrastructure: Infrastructure | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self, *, reset: bool = False, services: bool = True) -> Infrastructure:
        self._lock.acquire()
        try:
            if reset:
                wipe(self.layout)
            self.layout.root.mkdir(parents=True, exist_ok=True)
            self._check_ports(services)
            infrastructure = self._start_infrastructure()
            if services:
                self._start_services(infrastructure)
                self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return infrastructure

    def stop(self) -> None:
        for service in reversed(self.services):
            stop(service.process)
        self.services.clear()
        self._openbao.stop()
        self._postgres.stop()
        self._lock.release()

    def watch(self, stop_requested: threading.Event) -> str | None:
        """Block until asked to stop or a service dies; returns the dead service's name."""
        while not stop_requested.wait(0.5):
            for service in self.services:
                if service.process.poll() is not None:
                    return service.name
        return None

    # -- steps -----------------------------------------------------------------------------------

    def _check_ports(self, services: bool) -> None:
        require_free_port(self.ports.openbao, "OpenBao")
        if not services:
            return
        require_free_port(self.ports.central, "the central API")
        for index, (code, _) in enumerate(self.regions):
            require_free_port(self.ports.regional(index), f"the {code} regional API")
            require_free_port(self.ports.provisioner(index), f"the {code} provisioner")

    def _start_infrastructure(self) -> Infrastructure:
        postgres = self._postgres.start()
        prepare_databases(postgres, self.regions)
        openbao = self._openbao.start()
        logins = self._configure_vault(postgres, openbao)
        self.infrastructure = Infrastructure(postgres, openbao, logins, self.regions)
        return self.infrastructure

    def _configure_vault(
        self, postgres: PostgresLocation, openbao: OpenBaoLocation
    ) -> dict[str, AppRoleLogin]:
        import hvac  # noqa: PLC0415

        codes = tuple(code for code, _ in self.regions)
        databases = {"global": self._target("global", GLOBAL_DATABASE_NAME, postgres)}
        for code in codes:
            databases[f"region-{code}"] = self._target(
                f"region-{code}", region_database_name(code), postgres
            )
        plan = VaultPlan(regions=codes, databases=databases, services=standard_services(codes))
        client = hvac.Client(url=openbao.addr, token=openbao.root_token, timeout=10)
        return apply_plan(client, plan)

    @staticmethod
    def _target(connection: str, dbname: str, postgres: PostgresLocation) -> DatabaseTarget:
        url = (
            "postgresql://{{username}}:{{password}}@localhost/"
            f"{dbname}?host={postgres.socket_dir}&sslmode=disable"
        )
        return DatabaseTarget(
            connection, dbname, url, SUPERUSER, SecretStr(postgres.superuser_password)
        )

    def _start_services(self, infra: Infrastructure) -> None:
        regions_json = json.dumps(regions_config(self.ports, self.regions))
        for index, (code, _) in enumerate(self.regions):
            dbname = region_database_name(code)
            self._launch(
                f"provisioner-{code}",
                "functions.provisioner.local_app:create_app",
                self.ports.provisioner(index),
                self._service_env(infra, f"provisioner-{code}", dbname, CHALKOPS_REGION=code),
            )
            self._launch(
                f"regional-api-{code}",
                "functions.regional_api.app:create_app",
                self.ports.regional(index),
                self.regional_api_env(infra, index),
            )
        central_env = self._service_env(
            infra, "central-api", GLOBAL_DATABASE_NAME, CHALKOPS_REGIONS=regions_json
        )
        if self.web_root is not None:
            central_env["CHALKOPS_WEB_ROOT"] = str(self.web_root)
        self._launch(
            "central-api", "functions.central_api.app:create_app", self.ports.central, central_env
        )

    def regional_api_env(self, infra: Infrastructure, index: int) -> dict[str, str]:
        """The environment a regional API process of region ``index`` runs with."""
        code = self.regions[index][0]
        return self._service_env(
            infra,
            f"regional-api-{code}",
            region_database_name(code),
            CHALKOPS_REGION=code,
            CHALKOPS_SIGNING_KEY=regional_signing_key(code),
            # The web UI is served by the central API: that origin is the WebAuthn one.
            CHALKOPS_WEBAUTHN_RP_ID="localhost",
            CHALKOPS_WEBAUTHN_ORIGINS=f"http://localhost:{self.ports.central}",
        )

    def _service_env(
        self, infra: Infrastructure, service: str, dbname: str, **extra: str
    ) -> dict[str, str]:
        login = infra.logins[service]
        env = {key: value for key, value in os.environ.items() if not key.startswith("CHALKOPS_")}
        env.update(
            {
                "CHALKOPS_ENVIRONMENT": "development",
                "CHALKOPS_VAULT__ADDR": infra.openbao.addr,
                "CHALKOPS_VAULT__AUTH_METHOD": "approle",
                "CHALKOPS_VAULT__ROLE_ID": login.role_id,
                "CHALKOPS_VAULT__SECRET_ID": login.secret_id,
                "CHALKOPS_DATABASE__HOST": str(infra.postgres.socket_dir),
                "CHALKOPS_DATABASE__DBNAME": dbname,
                "CHALKOPS_DATABASE__CREDENTIALS": "vault",
                "CHALKOPS_DATABASE__VAULT_ROLE": service,
                "CHALKOPS_DATABASE__SSLMODE": "disable",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(extra)
        env.update(self.extra_env)
        return env

    def _launch(self, name: str, factory: str, port: int, env: dict[str, str]) -> None:
        log_path = self.layout.logs / f"{name}.log"
        argv = uvicorn_argv(factory, port)
        process = spawn(argv, log_path=log_path, env=env, cwd=project_root())
        self.services.append(ServiceProcess(name, f"http://127.0.0.1:{port}", process, log_path))

    def _wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        pending = list(self.services)
        with httpx.Client(timeout=2) as client:
            while pending:
                for service in list(pending):
                    if service.process.poll() is not None:
                        raise LocalPlatformError(
                            f"{service.name} exited at start (code {service.process.returncode}); "
                            f"see {service.log_path}"
                        )
                    try:
                        if client.get(f"{service.url}/health").status_code == 200:
                            pending.remove(service)
                    except httpx.HTTPError:
                        pass
                if pending and time.monotonic() > deadline:
                    names = ", ".join(service.name for service in pending)
                    raise LocalPlatformError(f"{names} did not become healthy in {timeout:.0f} s")
                time.sleep(0.1)


def install_stop_handlers(event: threading.Event) -> None:
    def _request_stop(_signum: int, _frame: object) -> None:
        event.set()

    signal.signal(signal.SIGINT, _request_stop)
    signal.signal(signal.SIGTERM, _request_stop)


def regions_config(ports: Ports, regions: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [
        {
            "code": code,
            "name": name,
            "api_url": f"http://127.0.0.1:{ports.regional(index)}",
            "provisioner_url": f"http://127.0.0.1:{ports.provisioner(index)}",
        }
        for index, (code, name) in enumerate(regions)
    ]


def local_central_settings(state_root: Path, base_port: int) -> CentralSettings:
    """Central API settings for an operator command against a running local platform."""
    from chalkops.local.postgres import socket_dir_for  # noqa: PLC0415

    layout = StateLayout(state_root)
    init_file = layout.secrets / "openbao-init.json"
    if not init_file.exists():
        raise LocalPlatformError(f"{state_root} holds no local platform (no {init_file.name})")
    ports = Ports.from_base(base_port)
    root_token = json.loads(init_file.read_text())["root_token"]
    return CentralSettings.model_validate(
        {
            "vault": {
                "addr": f"http://127.0.0.1:{ports.openbao}",
                "auth_method": "token",
                "token": root_token,
            },
            "database": {
                "host": str(socket_dir_for(layout.postgres / "data")),
                "dbname": GLOBAL_DATABASE_NAME,
                "vault_role": "central-api",
                "sslmode": "disable",
            },
            "regions": regions_config(ports, DEFAULT_REGIONS),
        }
    )
