"""The one state folder of the local platform, and the lock that keeps two runs off it."""

from __future__ import annotations

import fcntl
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from chalkops.local.exceptions import LocalPlatformError


def project_root() -> Path:
    """The repository root (``layers/chalkops/local/state.py`` → three levels up)."""
    return Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class StateLayout:
    root: Path

    @property
    def postgres(self) -> Path:
        return self.root / "postgres"

    @property
    def openbao(self) -> Path:
        return self.root / "openbao"

    @property
    def secrets(self) -> Path:
        return self.root / "secrets"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def lock_file(self) -> Path:
        return self.root.parent / f".{self.root.name}.lock"


class StateLock:
    """An exclusive ``flock`` on the state folder: released by the kernel if the holder dies,
    so a killed run never leaves a lock that blocks the next one."""

    def __init__(self, layout: StateLayout) -> None:
        self._path = layout.lock_file
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        handle = self._path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise LocalPlatformError(
                f"another ChalkOps platform (pid {holder}) is using {self._path.parent}; "
                "stop it first (Ctrl-C in its terminal)"
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def wipe(layout: StateLayout) -> None:
    """Delete all local state (``--reset``). Only ever called while holding the lock."""
    if layout.root.exists():
        shutil.rmtree(layout.root)
