"""Benchmark: ``basket.frequent_itemsets`` against pyfim's FP-growth (and mlxtend's apriori).

The data are synthetic baskets made here with NumPy (seeded): 100,000 baskets over 1,000
items (``sku0000`` ...) with Zipf-like popularity (item of rank r drawn with weight 1/r), a
mean of 8 distinct items per basket, and a planted pair: 4% of baskets also hold ``beer``
and ``diapers`` (two otherwise rare items).

At each support of ``SUPPORTS`` (0.005, 0.001, 0.0005): crmlib's time from the list of
baskets (encoding included) over pyfim's C ``fpgrowth`` on the same list (target <= 1.5),
whether both find the same itemsets with the same counts, and crmlib's peak memory against
a 150 MB budget. Times are the best of three runs; ``ratio`` = crmlib / reference.

Peak memory is measured in a fresh subprocess: after the baskets exist, the kernel's
resident-set high-water mark is reset (``/proc/self/clear_refs``), the call runs, and the
peak is ``VmHWM`` minus the resident size before the call: everything the call allocates,
NumPy, SciPy and pandas included.

mlxtend's default ``apriori`` on a dense one-hot frame is compared at the quick size
(20,000 baskets over 400 items, ``--quick``) only: at full size its dense candidate matrices
pass 6 GB in seconds.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from common import best_of, row

FULL = {"n_baskets": 100_000, "n_items": 1_000, "mean_size": 8, "min_support": 0.005}
QUICK = {"n_baskets": 20_000, "n_items": 400, "mean_size": 8, "min_support": 0.005}
MLXTEND_LIMIT_S = {"full": 1800, "quick": 300}
MLXTEND_LIMIT_GB = 6  # address-space cap for mlxtend's subprocess, to spare a shared machine


def make_baskets(
    n_baskets: int, n_items: int, mean_size: float, *, planted: float = 0.04, seed: int = 3
) -> list[list[str]]:
    """Zipf-like baskets of distinct items with a planted beer-and-diapers pair."""
    rng = np.random.default_rng(seed)
    labels = np.array([f"sku{i:04d}" for i in range(n_items)], dtype=object)
    beer, diapers = n_items // 2, n_items // 2 + 1  # rare on their own
    labels[beer], labels[diapers] = "beer", "diapers"
    weight = 1.0 / np.arange(1, n_items + 1)
    sizes = np.minimum(rng.poisson(mean_size - 1, n_baskets) + 1, n_items // 4)
    # Draw with replacement, then keep the first `size` distinct items of each basket.
    draws = rng.choice(n_items, size=(n_baskets, 4 * int(sizes.max())), p=weight / weight.sum())
    pair = rng.random(n_baskets) < planted
    baskets = []
    for draw, size, both in zip(draws, sizes, pair, strict=True):
        items = list(dict.fromkeys(draw.tolist()))[:size]
        if both:
            items = list(dict.fromkeys([*items, beer, diapers]))
        baskets.append(labels[items].tolist())
    return baskets


# --------------------------------------------------------------------------------------------
# Subprocess workers: one tool each, on freshly made data, with peak memory
# --------------------------------------------------------------------------------------------


def _rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size in MB, from /proc/self/status."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _measure(call) -> dict:
    gc.collect()
    before, _ = _rss_mb()
    Path("/proc/self/clear_refs").write_text("5")  # reset the high-water mark
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    _, peak = _rss_mb()
    del result
    gc.collect()
    tracemalloc.start()
    call()
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {"seconds": seconds, "peak_mb": peak - before, "traced_mb": traced}


def _worker(tool: str, params: dict) -> dict:
    baskets = make_baskets(params["n_baskets"], params["n_items"], params["mean_size"])
    if tool == "crmlib":
        from crmlib.basket import frequent_itemsets

        out = _measure(lambda: frequent_itemsets(baskets, params["min_support"]))
        found = frequent_itemsets(baskets, params["min_support"])
        out["itemsets"] = [
            [sorted(s), c] for s, c in zip(found["itemsets"], found["count"], strict=True)
        ]
        return out
    if tool == "mlxtend":
        import pandas as pd
        from mlxtend.frequent_patterns import apriori

        from crmlib.basket import encode

        matrix, labels = encode(baskets)
        frame = pd.DataFrame(matrix.toarray(), columns=list(labels))
        del matrix, baskets
        gc.collect()
        before, _ = _rss_mb()
        Path("/proc/self/clear_refs").write_text("5")
        start = time.perf_counter()
        try:
            found = apriori(frame, min_support=params["min_support"])  # default call, as taught
        except MemoryError:
            return {"seconds": time.perf_counter() - start, "error": "MemoryError"}
        seconds = time.perf_counter() - start
        _, peak = _rss_mb()
        n = len(frame)
        itemsets = [
            [sorted(labels[list(s)]), int(round(v * n))]
            for s, v in zip(found["itemsets"], found["support"], strict=True)
        ]
        return {"seconds": seconds, "peak_mb": peak - before, "itemsets": itemsets}
    raise ValueError(f"unknown tool {tool!r}")


def _in_subprocess(
    tool: str, params: dict, timeout: float, memory_gb: float | None = None
) -> dict | None:
    code = (
        f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        f"import bench_basket as b; print(json.dumps(b._worker({tool!r}, {params!r})))"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=None if memory_gb is None else lambda: _limit_memory(memory_gb),
        )
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        raise RuntimeError(f"{tool} worker failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def _limit_memory(gigabytes: float) -> None:
    import resource

    limit = int(gigabytes * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


# --------------------------------------------------------------------------------------------
# Benchmark
# --------------------------------------------------------------------------------------------


def same_row(benchmark: str, reference_name: str, ours: dict, theirs: dict) -> dict:
    same = ours == theirs
    return {
        "benchmark": benchmark,
        "metric": f"itemsets+counts = {reference_name}",
        "crmlib": len(ours),
        "reference": len(theirs),
        "ratio": 1.0 if same else 0.0,
        "target": "identical",
        "ok": same,
    }


SUPPORTS = (0.005, 0.001, 0.0005)


def run(quick: bool = False) -> list[dict]:
    """crmlib against pyfim's FP-growth at each support of ``SUPPORTS`` (time, identical
    itemsets, peak memory against the 150 MB budget), then against mlxtend at the quick
    size, where mlxtend finishes."""
    from fim import fpgrowth

    from crmlib.basket import frequent_itemsets

    params = QUICK if quick else FULL
    size = f"{params['n_baskets'] // 1000}k baskets"
    baskets = make_baskets(params["n_baskets"], params["n_items"], params["mean_size"])
    rows = []
    for min_support in SUPPORTS:
        label = f"basket {size}, support {min_support:g}"
        ours_s, ours = best_of(lambda s=min_support: frequent_itemsets(baskets, s))
        min_count = int(ours["count"].min())  # pyfim takes a basket count (negative = absolute)
        fim_s, fim = best_of(lambda c=min_count: fpgrowth(baskets, target="s", supp=-c, report="a"))
        ours_sets = dict(zip(ours["itemsets"], ours["count"], strict=True))
        fim_sets = {frozenset(items): count for items, count in fim}
        rows.append(row(label, "time vs pyfim fpgrowth", ours_s, fim_s, 1.5))
        rows.append(same_row(label, "pyfim", ours_sets, fim_sets))
        memory = _in_subprocess("crmlib", params | {"min_support": min_support}, timeout=900)
        rows.append(row(label, "peak MB (RSS) vs budget", memory["peak_mb"], 150, 1.0))
    if quick:
        reference = _in_subprocess(
            "mlxtend", QUICK, timeout=MLXTEND_LIMIT_S["quick"], memory_gb=MLXTEND_LIMIT_GB
        )
        if reference is not None and "error" not in reference:
            ours_s, _ = best_of(lambda: frequent_itemsets(baskets, QUICK["min_support"]))
            rows.append(
                row(f"basket {size}", "time vs mlxtend apriori", ours_s, reference["seconds"], 0.1)
            )
    return rows


if __name__ == "__main__":
    for r in run(quick="--quick" in sys.argv):
        print(r)
