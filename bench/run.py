"""Run every benchmark (bench/bench_*.py) and print one table of ratios.

Each module's ``run(quick)`` measures crmlib and its reference tool in the same run and
returns rows; a ratio is crmlib's figure over the reference's, so the numbers stay
comparable on a noisy machine. ``--quick`` uses smaller inputs.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller inputs")
    parser.add_argument("names", nargs="*", help="only these benchmarks, e.g. rfm clv")
    args = parser.parse_args()
    rows, failed = [], []
    for path in sorted(HERE.glob("bench_*.py")):
        if args.names and path.stem.removeprefix("bench_") not in args.names:
            continue
        print(f"running {path.stem} ...", file=sys.stderr, flush=True)
        try:
            rows += load(path).run(quick=args.quick)
        except Exception as err:  # one broken benchmark must not hide the others
            failed.append(f"{path.stem}: {type(err).__name__}: {err}")
    header = f"{'benchmark':34s} {'metric':22s} {'crmlib':>10s} {'reference':>10s} "
    print(header + f"{'ratio':>8s}  {'target':18s} ok")
    for r in rows:
        print(
            f"{r['benchmark'][:34]:34s} {r['metric'][:22]:22s} {r['crmlib']:10.4g} "
            f"{r['reference']:10.4g} {r['ratio']:8.3g}  {r['target'][:18]:18s} "
            f"{'yes' if r['ok'] else 'NO'}"
        )
    for line in failed:
        print("FAILED", line)
    return 1 if failed or not all(r["ok"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
