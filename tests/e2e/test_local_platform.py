"""``chalkops dev`` end to end: up, healthy, down on Ctrl-C, data kept, clear one-line errors."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import hvac
import psycopg
import pytest

from chalkops.local.postgres import socket_dir_for
from tests.conftest import free_port_block
from tests.e2e.platform_process import DevRun, run_once, wait_for_no_processes

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def dev_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dev") / "state"


@pytest.fixture(scope="module")
def base_port() -> int:
    return free_port_block(201)


def superuser_conn(state: Path, dbname: str) -> psycopg.Connection[tuple[object, ...]]:
    password = (state / "secrets" / "postgres-superuser").read_text().strip()
    socket_dir = socket_dir_for(state / "postgres" / "data")
    return psycopg.connect(
        host=str(socket_dir), dbname=dbname, user="postgres", password=password, connect_timeout=3
    )


def root_vault(state: Path, base_port: int) -> hvac.Client:
    saved = json.loads((state / "secrets" / "openbao-init.json").read_text())
    return hvac.Client(url=f"http://127.0.0.1:{base_port + 200}", token=saved["root_token"])


@pytest.fixture(scope="module")
def first_run(dev_state: Path, base_port: int) -> Iterator[DevRun]:
    run = DevRun(dev_state, base_port).start()
    yield run
    if run.process and run.process.poll() is None:
        run.interrupt()


def test_every_service_answers_health_and_urls_are_printed(
    first_run: DevRun, base_port: int
) -> None:
    urls = first_run.urls()
    assert urls["web UI + central API"] == f"http://localhost:{base_port}"
    services = [name for name in urls if name.startswith(("regional-api-", "provisioner-"))]
    assert sorted(services) == [
        "provisioner-local-1",
        "provisioner-local-2",
        "regional-api-local-1",
        "regional-api-local-2",
    ]
    for name, url in urls.items():
        if name.startswith(("web UI", "regional-api-", "provisioner-")):
            response = httpx.get(f"{url}/health", timeout=5)
            assert response.status_code == 200, name
            assert response.json() == {"status": "ok"}


def test_a_second_platform_on_the_same_state_is_refused_in_one_line(
    first_run: DevRun, dev_state: Path, base_port: int
) -> None:
    result = run_once(dev_state, base_port + 1000)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "another ChalkOps platform" in lines[0]
    assert "Traceback" not in result.stdout + result.stderr


def test_ctrl_c_stops_everything_and_a_restart_keeps_the_data(
    first_run: DevRun, dev_state: Path, base_port: int
) -> None:
    with superuser_conn(dev_state, "chalkops_global") as conn:
        conn.execute(
            "INSERT INTO chalkops.regions (code, name) VALUES ('kept-1', 'kept') "
            "ON CONFLICT DO NOTHING"
        )
        conn.commit()
    root_vault(dev_state, base_port).secrets.kv.v2.create_or_update_secret(
        path="e2e/kept", secret={"value": "still-here"}, mount_point="chalkops-kv"
    )
    assert first_run.interrupt() == 0
    assert "chalkops: stopped" in first_run.output
    assert wait_for_no_processes(str(dev_state), f"--port {base_port}") == []

    second = DevRun(dev_state, base_port).start()
    try:
        with superuser_conn(dev_state, "chalkops_global") as conn:
            kept = conn.execute(
                "SELECT name FROM chalkops.regions WHERE code = 'kept-1'"
            ).fetchone()
        secret = root_vault(dev_state, base_port).secrets.kv.v2.read_secret_version(
            path="e2e/kept", mount_point="chalkops-kv", raise_on_deleted_version=True
        )
        assert second.seconds_to_up is not None
        # Recorded for the closing note; speed is measured in `make bench`, not asserted here.
        print(f"warm start: every health endpoint up after {second.seconds_to_up:.1f} s")  # noqa: T201
    finally:
        second.kill()  # SIGKILL the supervisor: its children must still go (no orphans)
    assert kept == ("kept",)
    assert secret["data"]["data"] == {"value": "still-here"}
    assert wait_for_no_processes(str(dev_state), f"--port {base_port}") == []


def test_a_killed_run_leaves_nothing_that_blocks_the_next(dev_state: Path, base_port: int) -> None:
    # The previous test SIGKILLed the supervisor: stale postmaster.pid and lock must not matter.
    run = DevRun(dev_state, base_port).start()
    assert run.interrupt() == 0


def test_reset_wipes_the_state(dev_state: Path, base_port: int) -> None:
    run = DevRun(dev_state, base_port, args=("--reset",)).start()
    try:
        with superuser_conn(dev_state, "chalkops_global") as conn:
            kept = conn.execute("SELECT 1 FROM chalkops.regions WHERE code = 'kept-1'").fetchone()
    finally:
        run.interrupt()
    assert kept is None


def test_a_port_in_use_is_one_clear_line_and_loses_nothing(dev_state: Path, base_port: int) -> None:
    before = sorted(str(path) for path in dev_state.rglob("*"))
    with socket.socket() as blocker:
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        blocker.bind(("127.0.0.1", base_port))
        blocker.listen()
        result = run_once(dev_state, base_port)
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0
    assert len(lines) == 1, result.stderr
    assert f"port {base_port}" in lines[0]
    assert "already in use" in lines[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert sorted(str(path) for path in dev_state.rglob("*")) == before


def test_a_half_written_state_folder_is_reported_and_kept(tmp_path: Path) -> None:
    state = tmp_path / "state"
    data = state / "postgres" / "data"
    data.mkdir(parents=True)
    (data / "base").mkdir()
    (data / "precious.txt").write_text("do not delete")
    result = run_once(state, free_port_block(201))
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0
    assert len(lines) == 1, result.stderr
    assert "half-written state folder" in lines[0]
    assert (data / "precious.txt").read_text() == "do not delete"
    assert not (state / "secrets").exists() or not os.listdir(state / "secrets")
