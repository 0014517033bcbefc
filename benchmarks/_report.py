"""The one output format of ``make bench``."""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable


def emit(
    name: str, value: float, unit: str, baseline: str, baseline_value: float
) -> dict[str, object]:
    """Print one benchmark line; ratio = value / baseline_value."""
    ratio = value / baseline_value if baseline_value else float("inf")
    line: dict[str, object] = {
        "name": name,
        "value": round(value, 6),
        "unit": unit,
        "baseline": baseline,
        "baseline_value": round(baseline_value, 6),
        "ratio": round(ratio, 4),
    }
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()
    return line


def paired_p50_ms(
    subject: Callable[[], object], baseline: Callable[[], object], *, runs: int, warmup: int = 20
) -> tuple[float, float]:
    """Median ms of ``subject`` and ``baseline``, calls interleaved so drift hits both alike."""
    for _ in range(warmup):
        subject()
        baseline()
    subject_samples, baseline_samples = [], []
    for _ in range(runs):
        start = time.perf_counter()
        subject()
        middle = time.perf_counter()
        baseline()
        end = time.perf_counter()
        subject_samples.append((middle - start) * 1000.0)
        baseline_samples.append((end - middle) * 1000.0)
    return statistics.median(subject_samples), statistics.median(baseline_samples)


def p50_ms(fn: Callable[[], object], *, runs: int, warmup: int = 3) -> float:
    """Median wall time of ``fn`` in milliseconds over ``runs`` calls after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(samples)
