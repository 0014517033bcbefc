"""Run every benchmark module (``bench_*.py``) in this folder, each in its own process.

A module that fails prints its error on stderr and the run goes on, so one broken benchmark
does not hide the others' figures; the exit code says whether any failed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).parent
    only = set(sys.argv[1:])
    failed = []
    for path in sorted(here.glob("bench_*.py")):
        if only and path.stem.removeprefix("bench_") not in only:
            continue
        result = subprocess.run([sys.executable, "-m", f"benchmarks.{path.stem}"], check=False)
        if result.returncode != 0:
            failed.append(path.stem)
    if failed:
        sys.stderr.write(f"benchmarks failed: {', '.join(failed)}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
