"""Helpers shared by the benchmark modules: best-of timing and a result row."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(call: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """The fastest of ``repeat`` runs in seconds (the least disturbed by a noisy machine)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - start)
    return best, result


def row(benchmark: str, metric: str, ours: float, ref: float, target: float | None) -> dict:
    """A result row with ratio = ours / ref; ``target`` None marks an informational row."""
    ratio = ours / ref
    return {
        "benchmark": benchmark,
        "metric": metric,
        "crmlib": round(ours, 4),
        "reference": round(ref, 4),
        "ratio": round(ratio, 3),
        "target": "none (info)" if target is None else f"<= {target:.3g}",
        "ok": target is None or bool(ratio <= target),
    }
