"""An embedded PostgreSQL 16 server from the ``pgserver`` wheel's binaries.

We use the wheel's binaries but not its ``get_server()`` helper: we need our own authentication
(SCRAM passwords, so Vault's dynamic logins mean something), a socket directory short enough for
``AF_UNIX`` wherever the project is cloned, and a server that is our child process so Ctrl-C and
a killed supervisor both stop it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pwd
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from chalkops.crypto import new_token
from chalkops.local.exceptions import LocalPlatformError
from chalkops.local.processes import pid_alive, spawn, stop

SUPERUSER = "postgres"
_SYSTEM_USER = "chalkops-pg"  # postgres refuses to run as root


def _bin_dir() -> Path:
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise LocalPlatformError("the pgserver wheel is not installed; run `make env`")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


@dataclass(frozen=True)
class PostgresLocation:
    socket_dir: Path
    superuser_password: str

    def conninfo(self, dbname: str = "postgres") -> str:
        return psycopg.conninfo.make_conninfo(
            host=str(self.socket_dir),
            dbname=dbname,
            user=SUPERUSER,
            password=self.superuser_password,
        )


class EmbeddedPostgres:
    def __init__(self, datadir: Path, secrets_dir: Path, log_path: Path) -> None:
        self.datadir = datadir
        self.secrets_dir = secrets_dir
        self.log_path = log_path
        self.socket_dir = socket_dir_for(datadir)
        self._process: subprocess.Popen[bytes] | None = None
        self._run_as = _SYSTEM_USER if os.geteuid() == 0 else None

    @property
    def password_file(self) -> Path:
        return self.secrets_dir / "postgres-superuser"

    def start(self) -> PostgresLocation:
        self._ensure_initialised()
        self._clear_stale_pid()
        self._prepare_socket_dir()
        self._process = spawn(
            [
                str(_bin_dir() / "postgres"),
                "-D",
                str(self.datadir),
                "-k",
                str(self.socket_dir),
                "-c",
                "listen_addresses=",
                "-c",
                "max_connections=200",
                "-c",
                "shared_buffers=64MB",
                "-c",
                "fsync=on",
            ],
            log_path=self.log_path,
            user=self._run_as,
            stop_signal=signal.SIGINT,
        )
        location = PostgresLocation(self.socket_dir, self.password_file.read_text().strip())
        self._wait_ready(location)
        return location

    def stop(self) -> None:
        if self._process is not None:
            stop(self._process, sig=signal.SIGINT, timeout=20)  # SIGINT: PostgreSQL's fast shutdown
            self._process = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def _ensure_initialised(self) -> None:
        if (self.datadir / "PG_VERSION").exists():
            if not self.password_file.exists():
                raise LocalPlatformError(
                    f"{self.password_file} is missing but {self.datadir} holds a database; "
                    "restore the file or wipe local state with `make dev ARGS=--reset`"
                )
            return
        if self.datadir.exists() and any(self.datadir.iterdir()):
            raise LocalPlatformError(
                f"{self.datadir} is not empty but holds no PostgreSQL cluster (no PG_VERSION): "
                "a half-written state folder; move it aside or run `make dev ARGS=--reset`"
            )
        self._initdb()

    def _initdb(self) -> None:
        self.datadir.mkdir(parents=True, exist_ok=True)
        self.secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        password = new_token(24)
        pwfile = self.datadir.parent / ".pg-initdb-password"
        pwfile.write_text(password + "\n")
        self._hand_over(self.datadir, pwfile)
        try:
            result = subprocess.run(  # noqa: S603
                [
                    str(_bin_dir() / "initdb"),
                    "-D",
                    str(self.datadir),
                    "-U",
                    SUPERUSER,
                    f"--pwfile={pwfile}",
                    "--auth-local=scram-sha-256",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                    "--no-instructions",
                ],
                capture_output=True,
                text=True,
                user=self._run_as,
                group=_ensure_system_user(self._run_as).pw_gid if self._run_as else None,
                extra_groups=[] if self._run_as else None,
                check=False,
                timeout=120,
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise LocalPlatformError(
                f"initdb failed for {self.datadir}: {result.stderr.strip().splitlines()[-1:]}"
            )
        # Only after initdb succeeded: a crash before this line leaves no password for a cluster.
        self.password_file.write_text(password + "\n")
        self.password_file.chmod(0o600)

    def _hand_over(self, *paths: Path) -> None:
        """As root, give the data folder to the unprivileged system user postgres runs as."""
        if self._run_as is None:
            return
        entry = _ensure_system_user(self._run_as)
        for path in paths:
            os.chown(path, entry.pw_uid, entry.pw_gid)
        _make_traversable(self.datadir.parent)
        _make_traversable(_bin_dir())

    def _prepare_socket_dir(self) -> None:
        self.socket_dir.mkdir(mode=0o755, exist_ok=True)
        if self._run_as is not None:
            entry = _ensure_system_user(self._run_as)
            os.chown(self.socket_dir, entry.pw_uid, entry.pw_gid)
            os.chown(self.datadir, entry.pw_uid, entry.pw_gid)
            self.datadir.chmod(0o700)
            _make_traversable(self.datadir.parent)

    def _clear_stale_pid(self) -> None:
        """A postmaster.pid left by a killed run: remove it only if its process is gone."""
        pid_file = self.datadir / "postmaster.pid"
        if not pid_file.exists():
            return
        first_line = pid_file.read_text().splitlines()[:1]
        pid = int(first_line[0]) if first_line and first_line[0].strip().isdigit() else None
        if pid is not None and pid_alive(pid) and _is_postgres_of(pid, self.datadir):
            raise LocalPlatformError(
                f"a PostgreSQL server (pid {pid}) is already running on {self.datadir}; "
                "stop the other `chalkops dev` first"
            )
        pid_file.unlink()

    def _wait_ready(self, location: PostgresLocation) -> None:
        deadline = time.monotonic() + 30
        last_error = ""
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise LocalPlatformError(
                    f"PostgreSQL exited at start (code {self._process.returncode}); "
                    f"see {self.log_path} — {_last_line(self.log_path)}"
                )
            try:
                with psycopg.connect(location.conninfo(), connect_timeout=2):
                    return
            except psycopg.OperationalError as exc:
                last_error = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                time.sleep(0.1)
        raise LocalPlatformError(f"PostgreSQL did not accept connections in 30 s: {last_error}")


def socket_dir_for(datadir: Path) -> Path:
    """AF_UNIX paths are limited to ~107 bytes: the socket lives in a short per-state folder."""
    digest = hashlib.sha256(str(datadir.resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"chalkops-pg-{digest}"


def _ensure_system_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(  # noqa: S603
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],  # noqa: S607
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(name)


def _make_traversable(path: Path) -> None:
    """Let the postgres system user walk down to ``path`` (o+x on it and every parent)."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & 0o001:
            folder.chmod(mode | 0o001)


def _is_postgres_of(pid: int, datadir: Path) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return (
        any(part.endswith(b"postgres") for part in cmdline[:1]) and str(datadir).encode() in cmdline
    )


def _last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1] if lines else ""
