"""Fixtures shared by every test layer.

Integration tests run against the real embedded PostgreSQL and OpenBao, started once per test
run by :func:`platform_infra` from the same code ``make dev`` uses (never mocks of them).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import hvac
import pytest

from chalkops.config import DatabaseSettings, VaultSettings
from chalkops.local.platform import Infrastructure, LocalPlatform, Ports
from chalkops.local.processes import port_is_free
from chalkops.local.state import project_root


def free_port_block(width: int) -> int:
    """A base port such that base .. base+width are all free on loopback."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
        if base + width < 65000 and all(port_is_free(base + i) for i in range(width + 1)):
            return base
    raise RuntimeError("no free port block")


def platform_ports() -> Ports:
    base = free_port_block(0)
    bao = free_port_block(1)
    regional = free_port_block(4)
    return Ports(central=base, openbao=bao, regional_base=regional, provisioner_base=regional + 2)


@pytest.fixture(scope="session")
def platform_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("platform") / "state"


@pytest.fixture(scope="session")
def local_platform(platform_state: Path) -> Iterator[LocalPlatform]:
    """The whole platform (databases, OpenBao, every API process), once per test run."""
    web_root = project_root() / "web" / "dist" / "chalkops-web" / "browser"
    platform = LocalPlatform(
        state_root=platform_state,
        ports=platform_ports(),
        web_root=web_root if (web_root / "index.html").is_file() else None,
    )
    platform.start(services=True)
    yield platform
    platform.stop()


@pytest.fixture(scope="session")
def central_url(local_platform: LocalPlatform) -> str:
    return f"http://127.0.0.1:{local_platform.ports.central}"


@pytest.fixture(scope="session")
def platform_infra(local_platform: LocalPlatform) -> Infrastructure:
    assert local_platform.infrastructure is not None
    return local_platform.infrastructure


@pytest.fixture(scope="session")
def vault_root(platform_infra: Infrastructure) -> hvac.Client:
    return hvac.Client(url=platform_infra.openbao.addr, token=platform_infra.openbao.root_token)


def vault_settings_for(infra: Infrastructure, service: str) -> VaultSettings:
    login = infra.logins[service]
    return VaultSettings.model_validate(
        {"addr": infra.openbao.addr, "role_id": login.role_id, "secret_id": login.secret_id}
    )


def database_settings_for(infra: Infrastructure, dbname: str, vault_role: str) -> DatabaseSettings:
    return DatabaseSettings(
        host=str(infra.postgres.socket_dir),
        dbname=dbname,
        vault_role=vault_role,
        sslmode="disable",
        pool_min_size=0,
        pool_max_size=4,
    )
