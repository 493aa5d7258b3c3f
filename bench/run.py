"""Run every benchmark (bench/bench_*.py) and print one table of ratios, then the scaling table.

Each module's ``run(quick)`` measures crmlib and its reference tool in the same run and
returns rows; a ratio is crmlib's figure over the reference's, so the numbers stay
comparable on a noisy machine. ``--quick`` uses smaller inputs.

The scaling table (``bench_rfm.scaling``: time and peak memory of pandas, DuckDB and Spark
at 1M, 10M and 100M lines, the last from Parquet, out of core) follows in the same run.
Names select what runs: ``run.py rfm clv`` only those ratio benchmarks, ``run.py scaling``
only the scaling table; no name runs everything (``make bench``). On two cores
``run.py rfm clv scaling`` took 7 minutes, the scaling table 5 of them (Spark on 100M
lines about 1.5); ``--spark-max 1e7`` leaves Spark out at 100M.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller inputs")
    parser.add_argument(
        "--sizes",
        default="1e6,1e7,1e8",
        help="line counts of the scaling table, comma-separated (default 1e6,1e7,1e8)",
    )
    parser.add_argument(
        "--spark-max",
        type=float,
        default=1e8,
        help="leave Spark out of the scaling table above this many lines (default 1e8)",
    )
    parser.add_argument(
        "names", nargs="*", help="only these, e.g. rfm clv, or scaling for the scaling table"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    rows, failed = [], []
    benchmarks = sorted(HERE.glob("bench_*.py"))
    for path in benchmarks:
        if args.names and path.stem.removeprefix("bench_") not in args.names:
            continue
        print(f"running {path.stem} ...", file=sys.stderr, flush=True)
        try:
            rows += load(path).run(quick=args.quick)
        except Exception as err:  # one broken benchmark must not hide the others
            failed.append(f"{path.stem}: {type(err).__name__}: {err}")
    if rows:
        header = f"{'benchmark':34s} {'metric':22s} {'crmlib':>10s} {'reference':>10s} "
        print(header + f"{'ratio':>8s}  {'target':18s} ok")
    for r in rows:
        print(
            f"{r['benchmark'][:34]:34s} {r['metric'][:22]:22s} {r['crmlib']:10.4g} "
            f"{r['reference']:10.4g} {r['ratio']:8.3g}  {r['target'][:18]:18s} "
            f"{'yes' if r['ok'] else 'NO'}"
        )
    if not args.names or "scaling" in args.names:
        print("running the scaling table ...", file=sys.stderr, flush=True)
        sizes = [int(float(n)) for n in args.sizes.split(",")]
        if args.quick:
            sizes = [n // 10 for n in sizes]
        table = load(HERE / "bench_rfm.py").scaling(sizes, spark_max=int(args.spark_max))
        print()
        print("Scaling: RFM summary + scores; seconds and peak extra resident memory (MB)")
        print(table.to_string(index=False))
        failed += [f"scaling {r.lines} {r.engine}: {r.note}" for r in table.itertuples()
                   if r.note and not r.note.startswith("warm session")]  # fmt: skip
    for line in failed:
        print("FAILED", line)
    print(f"\ntotal time {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 1 if failed or not all(r["ok"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
