"""Child processes that die with their parent (no orphan postgres or bao after a kill)."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from chalkops.local.exceptions import LocalPlatformError

_PR_SET_PDEATHSIG = 1


def _die_with_parent(sig: int) -> None:
    # Linux only: the kernel sends ``sig`` to the child when the parent goes away, even on SIGKILL.
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, sig)
    except OSError:
        pass


def spawn(
    argv: Sequence[str],
    *,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    user: str | None = None,
    stop_signal: int = signal.SIGTERM,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("ab")
    try:
        return subprocess.Popen(  # noqa: S603  (argv is built by this package, never from input)
            list(argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            # Drop root's groups too: with only the uid changed, group bits of root's folders apply.
            user=user,
            group=_primary_group(user),
            extra_groups=[] if user else None,
            cwd=cwd,
            # Own process group: Ctrl-C reaches the supervisor only, which stops children in order.
            start_new_session=True,
            preexec_fn=lambda: _die_with_parent(stop_signal),  # noqa: PLW1509
        )
    except FileNotFoundError as exc:
        raise LocalPlatformError(f"cannot run {argv[0]}: not found; run `make env` first") from exc
    finally:
        log.close()


def _primary_group(user: str | None) -> int | None:
    if user is None:
        return None
    import pwd  # noqa: PLC0415

    return pwd.getpwnam(user).pw_gid


def stop(
    process: subprocess.Popen[bytes], *, sig: int = signal.SIGTERM, timeout: float = 15
) -> None:
    if process.poll() is not None:
        return
    try:
        process.send_signal(sig)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def require_free_port(port: int, what: str) -> None:
    if not port_is_free(port):
        raise LocalPlatformError(
            f"port {port} (for {what}) is already in use; stop whatever holds it "
            f"(`ss -ltnp 'sport = :{port}'`) or choose other ports with --base-port"
        )


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_until(check: object, *, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(check) and check():
            return True
        time.sleep(interval)
    return False


def uvicorn_argv(factory: str, port: int) -> list[str]:
    """The command that serves an ASGI app factory on loopback, as every local service runs."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        "--no-proxy-headers",  # the client address is the socket peer, never X-Forwarded-For
        "--timeout-graceful-shutdown",
        "5",
    ]
