"""Analytical CRM: a star schema in DuckDB, OLAP queries, and what a column store saves.

The analytical side of a CRM system answers questions over many customers and a long time:
revenue by channel and quarter, contacts by product line and region. Its database is shaped
for reading, not writing: a **star schema** has narrow, long **fact** tables (one row per
transaction or contact, with keys and measures) surrounded by **dimension** tables (one row
per customer, product, date or channel, with the attributes one groups by). A **column
store** such as DuckDB keeps each column apart, so a query that needs two columns of a fact
table reads only those two.

:func:`date_dimension` and :func:`build_star` build the star from the operational tables;
:func:`query` runs a SELECT and insists on ``ORDER BY`` (a database promises no row order
without one); :func:`scan_bytes` measures the bytes a query must read in a row store
(SQLite) and in a column store (Parquet written by DuckDB).
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from crmlib.validation import (
    require_columns,
    require_frame,
    require_positive_int,
    require_select,
    statement_kind,
)

__all__ = [
    "CHANNEL_KINDS",
    "connect",
    "date_dimension",
    "build_star",
    "query",
    "scan_bytes",
]

#: How each channel reaches the customer (an attribute of the channel dimension).
CHANNEL_KINDS: dict[str, str] = {
    "branch": "staffed",
    "call centre": "staffed",
    "web": "digital",
    "e-mail": "digital",
}

#: Statements that only read (DuckDB's friendly SQL adds FROM-first, PIVOT, SUMMARIZE...).
_READS = ("SELECT", "WITH", "VALUES", "FROM", "PIVOT", "UNPIVOT", "SUMMARIZE", "DESCRIBE", "TABLE")
_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)


def _duckdb(con: object):
    import duckdb

    if not isinstance(con, duckdb.DuckDBPyConnection):
        raise TypeError(
            f"con: expected a DuckDB connection (duckdb.connect()), got {type(con).__name__}"
        )
    return con


def connect(database: str = ":memory:", *, threads: int = 1):
    """A DuckDB connection that gives the same results on every run, and stays quiet.

    DuckDB adds up a column in parallel pieces whose order varies, so the last digits of a
    floating-point sum can change from run to run; with one thread they do not. The progress
    bar (which notebooks show as a widget for slow queries) is switched off.

    Examples
    --------
    >>> con = connect()
    >>> con.execute("SELECT current_setting('threads')").fetchone()[0]
    1
    """
    import duckdb

    threads = require_positive_int(threads, "threads")
    con = duckdb.connect(database)
    con.execute(f"SET threads = {threads}")
    con.execute("SET enable_progress_bar = false")
    return con


def date_dimension(start: object, end: object) -> pd.DataFrame:
    """One row per calendar day from ``start`` to ``end``: the date dimension of a star.

    Returns
    -------
    pandas.DataFrame
        ``date_key`` (int ``YYYYMMDD``), ``date``, ``year``, ``quarter`` (``"2024-Q1"``),
        ``month`` (``"2024-01"``), ``weekday`` (``"Mon"`` ...), ``is_weekend``.

    Examples
    --------
    >>> date_dimension("2024-03-29", "2024-04-01")[["date_key", "quarter", "weekday",
    ...                                             "is_weekend"]]
       date_key  quarter weekday  is_weekend
    0  20240329  2024-Q1     Fri       False
    1  20240330  2024-Q1     Sat        True
    2  20240331  2024-Q1     Sun        True
    3  20240401  2024-Q2     Mon       False
    """
    try:
        first, last = pd.Timestamp(start), pd.Timestamp(end)
    except (TypeError, ValueError) as err:
        raise ValueError(f"start, end: expected dates, got {start!r} and {end!r}") from err
    if last < first:
        raise ValueError(
            f"end: expected a date on or after start ({first:%Y-%m-%d}), got {last:%Y-%m-%d}"
        )
    days = pd.date_range(first.normalize(), last.normalize(), freq="D")
    return pd.DataFrame(
        {
            "date_key": (days.year * 10_000 + days.month * 100 + days.day).astype("int64"),
            "date": days,
            "year": days.year.astype("int64"),
            "quarter": days.year.astype(str) + "-Q" + days.quarter.astype(str),
            "month": days.strftime("%Y-%m"),
            "weekday": days.strftime("%a"),
            "is_weekend": days.day_of_week >= 5,
        }
    )


def _date_key(values: pd.Series) -> pd.Series:
    days = pd.to_datetime(values)
    return (days.dt.year * 10_000 + days.dt.month * 100 + days.dt.day).astype("int64")


def build_star(con, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Build the analytical CRM's star schema in DuckDB from the operational tables.

    Dimensions get a surrogate key (an integer the warehouse owns, so a change of ID in a
    source system does not break history):

    - ``dim_customer`` (``customer_key``, ``customer_id``, ``region``, ``age_band``,
      ``preferred_channel``; age bands 18-29, 30-39, ..., 60+ at the last fact date),
      ``dim_product`` (``product_key``, ``product_id``, ``name``,
      ``line``), ``dim_channel`` (``channel_key``, ``channel``, ``kind``) and ``dim_date``
      (:func:`date_dimension` over the facts' dates);
    - ``fact_transactions`` (``date_key``, ``customer_key``, ``product_key``,
      ``channel_key``, ``amount``) and ``fact_contacts`` (``date_key``, ``customer_key``,
      ``channel_key``, ``purpose``, ``direction``, ``contacts`` = 1 per activity).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
    tables : mapping of str to DataFrame
        ``customers`` (``customer_id``, ``birth_date``, ``region``, ``preferred_channel``),
        ``products``, ``transactions`` and ``activities``, as :func:`crmlib.datasets.make_crm`
        returns them or as read back from the operational database.

    Returns
    -------
    pandas.DataFrame
        ``table``, ``kind`` (dimension or fact), ``rows``, ``columns``; dimensions first.
    """
    con = _duckdb(con)
    need = {
        "customers": ["customer_id", "birth_date", "region", "preferred_channel"],
        "products": ["product_id", "name", "line"],
        "transactions": ["customer_id", "product_id", "channel", "date", "amount"],
        "activities": ["customer_id", "channel", "occurred_at", "purpose", "direction"],
    }
    for name, columns in need.items():
        if name not in tables:
            raise ValueError(f"tables: expected a {name!r} table, got {sorted(tables)}")
        require_frame(tables[name], f"tables[{name!r}]")
        require_columns(tables[name], columns, f"tables[{name!r}]")
    cust = tables["customers"].sort_values("customer_id", kind="stable", ignore_index=True)
    tx, act = tables["transactions"], tables["activities"]
    last = max(pd.to_datetime(tx["date"]).max(), pd.to_datetime(act["occurred_at"]).max())
    first = min(pd.to_datetime(tx["date"]).min(), pd.to_datetime(act["occurred_at"]).min())
    age = (last - pd.to_datetime(cust["birth_date"])).dt.days // 365.25
    bands = pd.cut(
        age, [17, 29, 39, 49, 59, 200], labels=["18-29", "30-39", "40-49", "50-59", "60+"]
    )
    dims = {
        "dim_customer": pd.DataFrame({
            "customer_key": np.arange(1, len(cust) + 1),
            "customer_id": cust["customer_id"].astype(str),
            "region": cust["region"].astype(str),
            "age_band": bands.astype(str),
            "preferred_channel": cust["preferred_channel"].astype(str),
        }),
        "dim_product": tables["products"]
        .sort_values("product_id", kind="stable", ignore_index=True)
        .pipe(lambda d: d[["product_id", "name", "line"]].astype(str))
        .pipe(lambda d: d.assign(product_key=np.arange(1, len(d) + 1))),
        "dim_channel": pd.DataFrame({
            "channel_key": np.arange(1, len(CHANNEL_KINDS) + 1),
            "channel": list(CHANNEL_KINDS),
            "kind": list(CHANNEL_KINDS.values()),
        }),
        "dim_date": date_dimension(first, last),
    }  # fmt: skip
    key_of = {
        "customer": dims["dim_customer"].set_index("customer_id")["customer_key"],
        "product": dims["dim_product"].set_index("product_id")["product_key"],
        "channel": dims["dim_channel"].set_index("channel")["channel_key"],
    }

    def keys(values: pd.Series, dim: str) -> np.ndarray:
        found = values.astype(str).map(key_of[dim])
        if found.isna().any():
            bad = values[found.isna()].astype(str).unique()[:3].tolist()
            raise ValueError(f"tables: {dim} IDs without a row in dim_{dim}, e.g. {bad}")
        return found.to_numpy(dtype="int64")

    facts = {
        "fact_transactions": pd.DataFrame({
            "date_key": _date_key(tx["date"]).to_numpy(),
            "customer_key": keys(tx["customer_id"], "customer"),
            "product_key": keys(tx["product_id"], "product"),
            "channel_key": keys(tx["channel"], "channel"),
            "amount": tx["amount"].to_numpy(dtype=float),
        }),
        "fact_contacts": pd.DataFrame({
            "date_key": _date_key(act["occurred_at"]).to_numpy(),
            "customer_key": keys(act["customer_id"], "customer"),
            "channel_key": keys(act["channel"], "channel"),
            "purpose": act["purpose"].astype(str).to_numpy(),
            "direction": act["direction"].astype(str).to_numpy(),
            "contacts": np.ones(len(act), dtype="int64"),
        }),
    }  # fmt: skip
    dims["dim_product"] = dims["dim_product"][["product_key", "product_id", "name", "line"]]
    rows = []
    for kind, group in (("dimension", dims), ("fact", facts)):
        for name, frame in group.items():
            con.register("_incoming", frame)
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _incoming")
            con.unregister("_incoming")
            rows.append((name, kind, len(frame), frame.shape[1]))
    return pd.DataFrame(rows, columns=["table", "kind", "rows", "columns"])


def query(con, sql: str, params: Sequence | Mapping | None = None) -> pd.DataFrame:
    """Run one DuckDB SELECT that has an ``ORDER BY`` and return its rows as a DataFrame.

    DuckDB reads in parallel, so rows come back in a different order from run to run
    unless the query sorts them: this function refuses a query without ``ORDER BY``.

    Examples
    --------
    >>> import duckdb
    >>> query(duckdb.connect(), "SELECT 2 AS x UNION ALL SELECT 1 ORDER BY x")
       x
    0  1
    1  2
    """
    con = _duckdb(con)
    kind = require_select(sql, reads=_READS) and statement_kind(sql)
    import duckdb

    try:
        kinds = [s.type.name for s in con.extract_statements(sql)]
    except duckdb.Error as exc:
        raise ValueError(f"sql: DuckDB could not read the statement: {exc}") from None
    if kinds != ["SELECT"] and not (kinds == ["MULTI"] and kind == "PIVOT"):
        raise ValueError(
            f"sql: expected one SELECT statement, got {', '.join(kinds) or 'none'}; query only "
            f"reads and never changes your database, so nothing was run"
        )
    if not _ORDER_BY.search(sql):
        raise ValueError("sql: expected an ORDER BY clause, so that rows come back in one order")
    return con.execute(sql, params).df() if params is not None else con.execute(sql).df()


def scan_bytes(frame: pd.DataFrame, needed: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Bytes a query must read from a table in a row store and in a column store.

    A row store (SQLite) keeps each row's values together on pages, so any query that
    scans the table reads all its pages, whatever columns it uses. A column store keeps
    each column apart (compressed), so a query reads only the columns it uses. The sizes are
    measured, not estimated: the table is written to an in-memory SQLite database (its page
    count times the page size) and to a Parquet file by DuckDB (the compressed size of each
    column chunk, from the file's own metadata). Both are deterministic for given data and
    library versions, unlike timings.

    Parameters
    ----------
    frame : DataFrame
        The table.
    needed : mapping of str to list of str
        Query name -> the columns the query uses.

    Returns
    -------
    pandas.DataFrame
        One row per query (in the order given): ``query``, ``columns``, ``row_store_bytes``,
        ``column_store_bytes``, ``ratio`` (row / column).
    """

    require_frame(frame, "frame")
    if not isinstance(needed, Mapping) or not needed:
        raise TypeError(f"needed: expected a mapping of query name to columns, got {needed!r}")
    for name, columns in needed.items():
        if isinstance(columns, str) or not columns:
            raise TypeError(f"needed[{name!r}]: expected a list of column names, got {columns!r}")
        require_columns(frame, list(columns), "frame")
    plain = frame.copy()
    for col in plain.columns:
        if isinstance(plain[col].dtype, pd.CategoricalDtype):
            plain[col] = plain[col].astype(str)
        elif pd.api.types.is_datetime64_any_dtype(plain[col]):
            plain[col] = plain[col].dt.strftime("%Y-%m-%d")
    lite = sqlite3.connect(":memory:")
    plain.to_sql("t", lite, index=False)
    pages, page_size = (
        lite.execute("PRAGMA page_count").fetchone()[0],
        lite.execute("PRAGMA page_size").fetchone()[0],
    )
    row_bytes = (pages - 1) * page_size  # page 1 holds the schema
    lite.close()
    duck = connect()
    duck.register("t", plain)
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "t.parquet")
        duck.execute(f"COPY t TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)")
        sizes = duck.execute(
            "SELECT path_in_schema AS col, SUM(total_compressed_size) AS bytes "
            f"FROM parquet_metadata('{path}') GROUP BY ALL ORDER BY col"
        ).df()
    duck.close()
    size = sizes.set_index("col")["bytes"]
    rows = []
    for name, columns in needed.items():
        col_bytes = int(size.loc[list(columns)].sum())
        rows.append((name, ", ".join(columns), row_bytes, col_bytes, row_bytes / col_bytes))
    return pd.DataFrame(
        rows, columns=["query", "columns", "row_store_bytes", "column_store_bytes", "ratio"]
    )
