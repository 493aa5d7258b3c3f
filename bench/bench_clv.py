"""Benchmark crmlib.btyd against lifetimes 0.11.3 on the full CDNOW master file.

Rows (``ratio`` is always reference / crmlib, so higher is better for crmlib):

- ``BetaGeo.fit`` wall time (best of several runs) on the 23,570-customer summary with a
  39-week calibration period, against ``lifetimes.BetaGeoFitter.fit`` on the same arrays.
  Target: under 0.3 s and at least 2x faster than lifetimes.
- whether both reach the same parameters (largest relative difference) and log-likelihood.
- peak memory of the fit, measured with tracemalloc (Python and numpy allocations) in a
  separate, untimed run.
- ``ParetoNBD.fit`` wall time against ``lifetimes.ParetoNBDFitter.fit`` on the same arrays.
  Target: at least 2x faster than lifetimes, same parameters to 3 significant digits.
- ``ModifiedBetaGeo.fit``: same parameters as ``lifetimes.ModifiedBetaGeoFitter`` (and time).
- ``summarize`` wall time on the master transaction log against lifetimes'
  ``calibration_and_holdout_data`` (informative; no target from the brief).

Run with the benchmark environment: ``.venv-bench/bin/python bench/bench_clv.py``.
"""

from __future__ import annotations

import time
import tracemalloc
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from crmlib.btyd import BetaGeo, ModifiedBetaGeo, ParetoNBD, summarize
from crmlib.datasets import fetch_cdnow

CAL_END, OBS_END = "1997-09-30", "1998-06-30"


def _lifetimes():
    """Import lifetimes 0.11.3, or return the reason it cannot be imported."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import lifetimes
            import lifetimes.utils
    except Exception as exc:  # report, do not hide, why the reference is missing
        return None, f"{type(exc).__name__}: {exc}"
    return lifetimes, ""


def _best_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _peak_mib(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _row(benchmark, metric, crmlib, reference, target, ok, ratio=None) -> dict:
    if ratio is None:
        ratio = reference / crmlib if crmlib else float("nan")
    return {
        "benchmark": benchmark,
        "metric": metric,
        "crmlib": float(crmlib),
        "reference": float(reference),
        "ratio": float(ratio),
        "target": target,
        "ok": bool(ok),
    }


def run(quick: bool = False) -> list[dict]:
    """Time crmlib's BG/NBD fit and summary against lifetimes; see the module docstring."""
    repeat = 3 if quick else 7
    tx = fetch_cdnow(download_if_missing=False)  # the full master file, from the data home

    def crm_summary() -> pd.DataFrame:
        return summarize(
            tx,
            customer="customer_id",
            date="date",
            amount="dollar_value",
            unit="W",
            calibration_end=CAL_END,
            observation_end=OBS_END,
        )

    summary = crm_summary()
    columns = ("repeat_purchases", "age_at_last_purchase", "age")
    x, t_x, T = (summary[c].to_numpy() for c in columns)
    crm_model = BetaGeo().fit(summary)
    crm_fit = _best_time(lambda: BetaGeo().fit(summary), repeat)
    crm_summary_time = _best_time(crm_summary, repeat)
    crm_mem = _peak_mib(lambda: BetaGeo().fit(summary))

    lifetimes, why = _lifetimes()
    rows: list[dict] = []
    if lifetimes is None:
        print(f"lifetimes could not be imported, so no reference timings: {why}")
        nan = float("nan")
        rows.append(
            _row("BetaGeo.fit CDNOW master", "seconds", crm_fit, nan, "< 0.3 s", crm_fit < 0.3)
        )
        return rows

    def ref_fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return lifetimes.BetaGeoFitter().fit(x, t_x, T)

    ref_model = ref_fit()
    ref_time = _best_time(ref_fit, max(2, repeat // 2))
    ref_mem = _peak_mib(ref_fit)
    ref_params = ref_model.params_[["r", "alpha", "a", "b"]].to_numpy()
    crm_params = crm_model.params_[["r", "alpha", "a", "b"]].to_numpy()
    # lifetimes stores a per-customer log-likelihood on a rescaled time axis; evaluate its own
    # likelihood at its parameters on the original axis to get the paper's scale.
    ones = np.ones(len(x))
    ref_ll = -len(x) * float(
        lifetimes.BetaGeoFitter._negative_log_likelihood(np.log(ref_params), x, t_x, T, ones, 0.0)
    )
    param_gap = float(np.max(np.abs(crm_params / ref_params - 1)))

    ratio = ref_time / crm_fit
    rows.append(
        _row(
            "BetaGeo.fit CDNOW master (23,570 customers)",
            "seconds (best of runs)",
            crm_fit,
            ref_time,
            "< 0.3 s and >= 2x faster than lifetimes",
            crm_fit < 0.3 and ratio >= 2,
        )
    )
    rows.append(
        _row(
            "BetaGeo.fit CDNOW master: same parameters",
            "max relative parameter difference",
            param_gap,
            0.0,
            "< 1e-3 (both at the same maximum)",
            param_gap < 1e-3,
            ratio=float("nan"),
        )
    )
    rows.append(
        _row(
            "BetaGeo.fit CDNOW master: log-likelihood",
            "total log-likelihood",
            crm_model.log_likelihood_,
            ref_ll,
            "crmlib >= lifetimes - 0.01",
            crm_model.log_likelihood_ >= ref_ll - 0.01,
            ratio=crm_model.log_likelihood_ / ref_ll,
        )
    )
    rows.append(
        _row(
            "BetaGeo.fit CDNOW master: peak memory",
            "MiB (tracemalloc)",
            crm_mem,
            ref_mem,
            "no more than lifetimes",
            crm_mem <= ref_mem,
        )
    )

    rows += _pareto_and_mbg_rows(lifetimes, summary, x, t_x, T, repeat)

    def ref_summary():
        return lifetimes.utils.calibration_and_holdout_data(
            tx,
            "customer_id",
            "date",
            calibration_period_end=CAL_END,
            observation_period_end=OBS_END,
            freq="D",
            freq_multiplier=7,
            monetary_value_col="dollar_value",
        )

    try:
        ref_sum = ref_summary()
        ref_sum_time = _best_time(ref_summary, max(2, repeat // 2))
        same = np.allclose(
            ref_sum.loc[summary.index, ["frequency_cal", "recency_cal", "T_cal"]].to_numpy(),
            summary[list(columns)].to_numpy(),
        )
        rows.append(
            _row(
                "summarize CDNOW master (69,659 rows)",
                "seconds (best of runs)",
                crm_summary_time,
                ref_sum_time,
                "faster than lifetimes; same frequency/recency/T",
                crm_summary_time < ref_sum_time and same,
            )
        )
    except Exception as exc:  # lifetimes' pandas code may not run under pandas 3
        print(f"lifetimes.utils.calibration_and_holdout_data failed: {type(exc).__name__}: {exc}")
    return rows


def _same_to_3_digits(ours: np.ndarray, theirs: np.ndarray) -> bool:
    return bool(np.all([f"{a:.3g}" == f"{b:.3g}" for a, b in zip(ours, theirs, strict=True)]))


def _pareto_and_mbg_rows(lifetimes, summary, x, t_x, T, repeat) -> list[dict]:
    """Pareto/NBD (time and parameters) and MBG/NBD (parameters and time) against lifetimes."""
    rows = []
    for name, ours, theirs, names, target in [
        ("ParetoNBD", ParetoNBD, lifetimes.ParetoNBDFitter, ["r", "alpha", "s", "beta"], 2.0),
        ("ModifiedBetaGeo", ModifiedBetaGeo, lifetimes.ModifiedBetaGeoFitter,
         ["r", "alpha", "a", "b"], 1.0),
    ]:  # fmt: skip

        def ref_fit(theirs=theirs):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return theirs().fit(x, t_x, T)

        crm_model = ours().fit(summary)
        crm_time = _best_time(lambda ours=ours: ours().fit(summary), max(2, repeat // 2))
        ref_model = ref_fit()
        ref_time = _best_time(ref_fit, 2 if name == "ParetoNBD" else max(2, repeat // 2))
        crm_params = crm_model.params_[names].to_numpy()
        ref_params = ref_model.params_[names].to_numpy()
        same = _same_to_3_digits(crm_params, ref_params)
        ratio = ref_time / crm_time
        rows.append(
            _row(
                f"{name}.fit CDNOW master (23,570 customers)",
                "seconds (best of runs)",
                crm_time,
                ref_time,
                f">= {target:g}x faster than lifetimes",
                ratio >= target,
            )
        )
        rows.append(
            _row(
                f"{name}.fit CDNOW master: same parameters",
                "max relative parameter difference",
                float(np.max(np.abs(crm_params / ref_params - 1))),
                0.0,
                "equal to 3 significant digits",
                same,
                ratio=float("nan"),
            )
        )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
