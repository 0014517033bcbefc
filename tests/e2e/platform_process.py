"""Drive ``chalkops dev`` as a user would: a real process, its output, signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

CHALKOPS = Path(sys.executable).with_name("chalkops")
UP_LINE = "the platform is up"


@dataclass
class DevRun:
    state_dir: Path
    base_port: int
    args: tuple[str, ...] = ()
    process: subprocess.Popen[str] | None = None
    output: list[str] = field(default_factory=list)
    seconds_to_up: float | None = None

    def start(self, *, timeout: float = 180) -> DevRun:
        argv = [
            str(CHALKOPS),
            "dev",
            "--state-dir",
            str(self.state_dir),
            "--base-port",
            str(self.base_port),
            *self.args,
        ]
        started = time.monotonic()
        self.process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        deadline = started + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.output.append(line.rstrip("\n"))
            if UP_LINE in line:
                self.seconds_to_up = time.monotonic() - started
                # keep reading the URL lines printed with the banner
                while not self.output[-1].startswith("Press Ctrl-C"):
                    self.output.append(self.process.stdout.readline().rstrip("\n"))
                return self
        raise AssertionError("chalkops dev did not come up:\n" + "\n".join(self.output))

    def urls(self) -> dict[str, str]:
        found = {}
        for line in self.output:
            parts = line.split()
            if len(parts) >= 2 and parts[-1].startswith("http://"):
                found[" ".join(parts[:-1])] = parts[-1]
        return found

    def interrupt(self, *, timeout: float = 60) -> int:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        rest, _ = self.process.communicate(timeout=timeout)
        self.output.extend(rest.splitlines())
        return self.process.returncode

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)


def run_once(
    state_dir: Path, base_port: int, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHALKOPS), "dev", "--state-dir", str(state_dir), "--base-port", str(base_port), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def processes_mentioning(*needles: str) -> list[int]:
    """PIDs whose command line names any of ``needles`` (our state dir, our ports)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(needle in cmdline for needle in needles):
            found.append(int(entry.name))
    return found


def wait_for_no_processes(*needles: str, timeout: float = 30) -> list[int]:
    deadline = time.monotonic() + timeout
    remaining = processes_mentioning(*needles)
    while remaining and time.monotonic() < deadline:
        time.sleep(0.2)
        remaining = processes_mentioning(*needles)
    return remaining
