"""Benchmark: summaries on the DuckDB engine against DuckDB's own query, and the scaling table.

The data are Online-Retail-like transaction lines made here with NumPy (seeded): 200 lines
and 10 invoices per customer, 2% cancelled invoices, invoice numbers as strings (pandas 3's
default ``str`` dtype, backed by pyarrow, as ``read_csv`` makes them), lines sorted by
invoice as in the UCI file, or shuffled ("random order").

Rows (``ratio`` = crmlib / reference, lower is better):

- ``crmlib.engines.duckdb.rfm`` (summary + quintile scores, with every check and warning of
  ``rfm.summarize``) against the query an analyst would write for the same definitions in
  DuckDB (``DUCKDB_SQL``: one GROUP BY and three NTILE windows), both on the pandas frame,
  at 1M and 10M lines, sorted and random order. Target <= 1.1.
- ``crmlib.engines.duckdb.btyd_summary`` (calibration/holdout summary) against the same
  summary written as one DuckDB query (``BTYD_SQL``). Target <= 1.1.
- the pandas path (``rfm.summarize`` + ``score``) against the same DuckDB query:
  informational, it is the readable reference, not the fast path.
- the string dtype: the engine on the same frame with invoice numbers as Python objects
  instead of pyarrow strings (informational).
- peak extra memory of the engine (resident set high-water mark in a fresh process, minus
  the resident size before the call, so DuckDB's own allocations count) against the input
  frame's ``memory_usage(deep=True)``. Target < 1.

Times are the best of several interleaved runs, so load on the machine hits both sides
alike. ``scaling()`` makes the scaling table: time and peak memory of each engine at 1M,
10M and 100M lines, the last from a Parquet file read out of core (``run.py scaling``).
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from common import row

AS_OF = pd.Timestamp("2011-12-10")
SCORES = ["r_score", "f_score", "m_score"]
HERE = Path(__file__).resolve().parent


def make_lines(
    n_lines: int,
    n_customers: int,
    n_invoices: int,
    *,
    cancel_rate: float = 0.02,
    seed: int = 0,
    offset: int = 0,
) -> pd.DataFrame:
    """Online-Retail-like transaction lines, ordered by invoice (as the UCI file is)."""
    rng = np.random.default_rng(seed)
    owner = rng.integers(12346, 12346 + n_customers, n_invoices)
    opened = np.datetime64("2010-12-01T08:00", "s").astype(np.int64)
    when = opened + np.sort(rng.integers(0, 373 * 86400, n_invoices))
    cancelled = rng.random(n_invoices) < cancel_rate
    first = 536365 + offset
    number = np.char.add(
        np.where(cancelled, "C", ""), np.arange(first, first + n_invoices).astype(str)
    )
    line = np.sort(rng.integers(0, n_invoices, n_lines))
    quantity = rng.integers(1, 25, n_lines)
    price = np.round(rng.gamma(2.0, 1.5, n_lines) + 0.1, 2)
    amount = np.round(quantity * price * np.where(cancelled[line], -1, 1), 2)
    return pd.DataFrame(
        {
            "invoice_id": pd.array(number[line].astype(object), dtype="str"),
            "date": pd.to_datetime(when[line], unit="s"),
            "customer_id": owner[line],
            "amount": amount,
        }
    )


def sizes(n_lines: int) -> tuple[int, int, int]:
    return n_lines, n_lines // 200, n_lines // 20


DUCKDB_SQL = f"""
WITH s AS (
    SELECT customer_id,
           DATE '{AS_OF.date()}' - CAST(MAX(date) FILTER (WHERE amount > 0) AS DATE) AS recency,
           COUNT(DISTINCT invoice_id) FILTER (WHERE amount > 0) AS frequency,
           SUM(amount) AS monetary
    FROM tx
    WHERE customer_id IS NOT NULL
    GROUP BY customer_id
    HAVING COUNT(*) FILTER (WHERE amount > 0) > 0
)
SELECT *,
       6 - NTILE(5) OVER (ORDER BY recency, customer_id) AS r_score,
       NTILE(5) OVER (ORDER BY frequency, customer_id) AS f_score,
       NTILE(5) OVER (ORDER BY monetary, customer_id) AS m_score
FROM s
ORDER BY customer_id
"""

CAL_END, OBS_END = "2011-09-30", "2011-12-09"
BTYD_SQL = f"""
WITH d AS (
    SELECT customer_id, CAST(date AS DATE) AS day, SUM(amount) AS value
    FROM tx
    WHERE CAST(date AS DATE) <= DATE '{OBS_END}'
    GROUP BY 1, 2
), f AS (
    SELECT *, MIN(day) OVER (PARTITION BY customer_id) AS first_day FROM d
)
SELECT customer_id,
       COUNT(*) FILTER (WHERE day <= DATE '{CAL_END}') - 1 AS repeat_purchases,
       (MAX(day) FILTER (WHERE day <= DATE '{CAL_END}') - MIN(first_day)) / 7.0
           AS age_at_last_purchase,
       (DATE '{CAL_END}' - MIN(first_day)) / 7.0 AS age,
       COALESCE(SUM(value) FILTER (WHERE day <= DATE '{CAL_END}' AND day > first_day), 0)
           / GREATEST(COUNT(*) FILTER (WHERE day <= DATE '{CAL_END}') - 1, 1)
           AS mean_repeat_spend,
       COUNT(*) FILTER (WHERE day > DATE '{CAL_END}') AS holdout_purchases,
       COALESCE(SUM(value) FILTER (WHERE day > DATE '{CAL_END}'), 0)
           / GREATEST(COUNT(*) FILTER (WHERE day > DATE '{CAL_END}'), 1) AS holdout_mean_spend
FROM f
GROUP BY customer_id
HAVING MIN(first_day) <= DATE '{CAL_END}'
ORDER BY customer_id
"""


def duckdb_query(con, tx: pd.DataFrame, query: str) -> pd.DataFrame:
    con.register("tx", tx)
    try:
        r = con.sql(query).df()
        return r.set_index(r.columns[0])
    finally:
        con.unregister("tx")


def engine_rfm(tx, con=None) -> pd.DataFrame:
    from crmlib.engines import duckdb as engine

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return engine.rfm(tx, as_of=AS_OF, con=con)


#: The DuckDB memory limit for files in the scaling table: beyond it DuckDB spills to disk.
FILE_MEMORY_LIMIT = "1GB"


def _file_connection():
    from crmlib.engines import duckdb as engine

    spill = Path(tempfile.gettempdir()) / "crmlib-bench-spill"
    return engine.connect(memory_limit=FILE_MEMORY_LIMIT, temp_directory=spill)


def engine_btyd(tx) -> pd.DataFrame:
    from crmlib.engines import duckdb as engine

    return engine.btyd_summary(
        tx,
        customer="customer_id",
        date="date",
        amount="amount",
        calibration_end=CAL_END,
        observation_end=OBS_END,
    )


def pandas_rfm(tx: pd.DataFrame) -> pd.DataFrame:
    from crmlib import rfm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rfm.score(rfm.summarize(tx, as_of=AS_OF))


def best_times(
    fns: dict[str, Callable[[], object]], repeat: int
) -> dict[str, tuple[float, object]]:
    """Best wall time and last result of each function, run in turn so load hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    results: dict[str, object] = {}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()
            start = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - start)
    return {name: (min(times[name]), results[name]) for name in fns}


def check_same(ours: pd.DataFrame, ref: pd.DataFrame, name: str, columns: list[str]) -> None:
    """Equal customers and columns (floats to 1e-9: sums added in another order)."""
    assert np.array_equal(ours.index.to_numpy(), ref.index.to_numpy()), f"{name}: customers"
    for col in columns:
        a, b = ours[col].to_numpy(), ref[col].to_numpy()
        if a.dtype.kind == "f" or b.dtype.kind == "f":
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9, err_msg=f"{name}: {col}")
        else:
            assert (a == b).all(), f"{name}: {col} differs for {(a != b).sum()} customers"


# --------------------------------------------------------------------------------------------
# Peak memory, measured in a fresh process
# --------------------------------------------------------------------------------------------


def _rss_mb() -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _memory_worker(what: str, n_lines: int, source: str | None = None) -> dict:
    """Peak extra resident memory of one call, and the input frame's size (MB).

    Spark: the session is started and a small query run first (both timed and reported
    apart: ``startup_s``, ``first_query_s``), so ``seconds`` is the call on a warm session;
    ``jvm_peak_mb`` is the largest resident size of the JVM during the call (its heap grows
    and is kept, so this includes the warm-up's).
    """
    tx = make_lines(*sizes(n_lines)) if source is None else None
    frame_mb = tx.memory_usage(deep=True).sum() / 2**20 if tx is not None else float("nan")
    call = {
        "engine": lambda: engine_rfm(tx) if source is None else engine_rfm(source, con),
        "pandas": lambda: pandas_rfm(tx),
        "spark": lambda: _spark_rfm(source),
    }[what]
    con = _file_connection() if source is not None else None
    out: dict = {}
    if what == "engine":
        # Load DuckDB, the connection and the compiled far-date check (for frames from
        # validation.COMPILED_FROM lines) first: loaded once per process, not per call.
        from crmlib.validation import COMPILED_FROM

        engine_rfm(make_lines(*sizes(20_000 if source is not None else COMPILED_FROM)), con)
    if what == "pandas":
        pandas_rfm(make_lines(*sizes(20_000)))  # imports and first-call costs, as above
    jvm = None
    if what == "spark":
        start = time.perf_counter()
        _spark_session()
        out["startup_s"] = time.perf_counter() - start
        with tempfile.TemporaryDirectory() as folder:
            small = Path(folder) / "warm_up.parquet"
            write_parquet(small, 20_000)
            start = time.perf_counter()
            _spark_rfm(str(small))
            out["first_query_s"] = time.perf_counter() - start
        jvm = _Sampler()
    gc.collect()
    before, _ = _rss_mb()
    Path("/proc/self/clear_refs").write_text("5")  # reset the high-water mark
    start = time.perf_counter()
    call()
    seconds = time.perf_counter() - start
    _, peak = _rss_mb()
    out |= {"seconds": seconds, "peak_mb": peak - before, "frame_mb": frame_mb}
    if jvm is not None:
        out["jvm_peak_mb"] = jvm.stop()
    return out


class _Sampler:
    """Largest resident size of this process's children (Spark's JVM), sampled every 50 ms."""

    def __init__(self) -> None:
        import threading

        import psutil

        self.children = psutil.Process().children(recursive=True)
        self.peak = 0.0
        self.running = True
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while self.running:
            total = 0
            for child in self.children:
                try:
                    total += child.memory_info().rss
                except Exception:  # noqa: BLE001 - a child that ended
                    pass
            self.peak = max(self.peak, total / 2**20)
            time.sleep(0.05)

    def stop(self) -> float:
        self.running = False
        self.thread.join()
        return self.peak


def _in_subprocess(*args, timeout: float = 3600) -> dict:
    code = (
        f"import json, sys; sys.path.insert(0, {str(HERE)!r}); import bench_rfm as b; "
        f"print(json.dumps(b._memory_worker(*{list(args)!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"memory worker {args} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.splitlines()[-1])


# --------------------------------------------------------------------------------------------
# The benchmark table
# --------------------------------------------------------------------------------------------


def run(quick: bool = False) -> list[dict]:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    line_counts = (200_000, 1_000_000) if quick else (1_000_000, 10_000_000)
    rows = []
    for n_lines in line_counts:
        # A 1M-line call takes about 45 ms, so a few ms of load move its best of 7 by 10%:
        # more runs there (a second in all) give a steadier best; 10M calls take 0.3-0.7 s.
        repeat = 3 if quick else (15 if n_lines <= 1_000_000 else 7)
        tx = make_lines(*sizes(n_lines))
        engine_rfm(tx.head(1000))  # warm up DuckDB and the default connection
        for order, lines in (("sorted", tx), ("random order", tx.sample(frac=1, random_state=1))):
            label = f"{n_lines / 1e6:g}M lines, {order}"
            t = best_times(
                {
                    "engine": lambda x=lines: engine_rfm(x),
                    "duckdb": lambda x=lines: duckdb_query(con, x, DUCKDB_SQL),
                },
                repeat,
            )
            ours, duck = t["engine"][1], t["duckdb"][1]
            # NTILE and qcut bins coincide when the number of customers is a multiple of 5
            scores = SCORES if len(duck) % 5 == 0 else []
            check_same(ours, duck, label, ["recency", "frequency", "monetary", *scores])
            rows.append(
                row(
                    f"rfm engine, {label}",
                    "time vs DuckDB query",
                    t["engine"][0],
                    t["duckdb"][0],
                    1.1,
                )
            )
            t = best_times(
                {
                    "engine": lambda x=lines: engine_btyd(x),
                    "duckdb": lambda x=lines: duckdb_query(con, x, BTYD_SQL),
                },
                repeat,
            )
            ours, duck = t["engine"][1], t["duckdb"][1]
            check_same(ours, duck, f"btyd {label}", [c for c in duck.columns])
            rows.append(
                row(
                    f"btyd summary, {label}",
                    "time vs DuckDB query",
                    t["engine"][0],
                    t["duckdb"][0],
                    1.1,
                )
            )
            if order == "sorted" or n_lines == line_counts[0]:
                t = best_times(
                    {
                        "pandas": lambda x=lines: pandas_rfm(x),
                        "duckdb": lambda x=lines: duckdb_query(con, x, DUCKDB_SQL),
                    },
                    max(2, repeat // 2),
                )
                rows.append(
                    row(
                        f"rfm pandas path, {label}",
                        "time vs DuckDB query (info)",
                        t["pandas"][0],
                        t["duckdb"][0],
                        None,
                    )  # fmt: skip
                )
        as_objects = tx.astype({"invoice_id": object})
        t = best_times(
            {
                "str": lambda x=tx: engine_rfm(x),
                "object": lambda x=as_objects: engine_rfm(x),
            },
            repeat,
        )
        rows.append(
            row(
                f"rfm engine, {n_lines / 1e6:g}M lines",
                "pyarrow str vs object (info)",
                t["str"][0],
                t["object"][0],
                None,
            )  # fmt: skip
        )
        del tx, lines, as_objects
        gc.collect()
    memory = _in_subprocess("engine", line_counts[-1])
    rows.append(
        row(
            f"rfm engine, {line_counts[-1] / 1e6:g}M lines",
            "peak extra MB vs input frame",
            memory["peak_mb"],
            memory["frame_mb"],
            1.0,
        )  # fmt: skip
    )
    return rows


# --------------------------------------------------------------------------------------------
# Scaling table: 1M, 10M and 100M lines, each engine
# --------------------------------------------------------------------------------------------


def write_parquet(path: Path, n_lines: int, chunk: int = 10_000_000) -> None:
    """``n_lines`` lines written chunk by chunk (never all in memory), one customer base."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    try:
        for i, start in enumerate(range(0, n_lines, chunk)):
            n = min(chunk, n_lines - start)
            part = make_lines(n, max(n_lines // 200, 1), n // 20, seed=i, offset=i * (n // 20))
            table = pa.Table.from_pandas(part, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table, row_group_size=1_000_000)
    finally:
        if writer is not None:
            writer.close()


def _spark_session():
    from crmlib.engines import spark

    return spark.session("local[2]", **{"spark.driver.memory": "2g"})


def _spark_rfm(source: str):
    from crmlib.engines import spark

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return spark.rfm(source, as_of=AS_OF, con=_spark_session())


def _mb(value) -> str:
    return "" if value is None or not np.isfinite(value) else f"{value:,.0f}"


def scaling(
    line_counts=(1_000_000, 10_000_000, 100_000_000),
    spark: bool = True,
    spark_max: int = 100_000_000,
) -> pd.DataFrame:
    """Time and peak memory per engine and size; the largest size from Parquet only.

    Every run is a fresh process (so peak memory is its own). Spark runs in local[2] with
    a 2 GB driver on the Parquet file; its session start and first (small) query are
    reported in ``note``, not in ``seconds``.
    """
    out = []
    with tempfile.TemporaryDirectory() as folder:
        for n_lines in line_counts:
            path = Path(folder) / f"lines_{n_lines}.parquet"
            write_parquet(path, n_lines)
            runs = []
            if n_lines <= 10_000_000:
                runs += [
                    ("pandas (frame)", ("pandas", n_lines)),
                    ("duckdb (frame)", ("engine", n_lines)),
                ]
            runs.append((f"duckdb (parquet, {FILE_MEMORY_LIMIT})", ("engine", n_lines, str(path))))
            if spark and n_lines <= spark_max:
                runs.append(("spark local[2] (parquet)", ("spark", n_lines, str(path))))
            for name, args in runs:
                print(f"scaling: {name}, {n_lines:,} lines", file=sys.stderr, flush=True)
                try:
                    result = _in_subprocess(*args, timeout=3600)
                except Exception as err:  # report the failure in the table, go on
                    result = {
                        "seconds": float("nan"),
                        "peak_mb": float("nan"),
                        "error": str(err)[-200:],
                    }
                note = result.get("error", "")
                if "startup_s" in result:
                    note = (
                        f"warm session; start {result['startup_s']:.0f} s, "
                        f"first small query {result['first_query_s']:.0f} s"
                    )
                out.append(
                    {
                        "lines": f"{n_lines / 1e6:g}M",
                        "engine": name,
                        "seconds": round(result["seconds"], 2),
                        "peak_mb_python": _mb(result["peak_mb"]),
                        "peak_mb_jvm": _mb(result.get("jvm_peak_mb")),
                        "input_frame_mb": _mb(result.get("frame_mb")),
                        "note": note,
                    }
                )
            path.unlink()
    return pd.DataFrame(out)


if __name__ == "__main__":
    sys.exit("run bench/run.py rfm (ratios) or bench/run.py scaling (the scaling table)")
