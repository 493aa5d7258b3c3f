"""RFM and BTYD summaries on DuckDB: from a pandas frame, a CSV or a Parquet file, at any size.

The definitions are those of :func:`crmlib.rfm.summarize`, :func:`crmlib.rfm.score` and
:func:`crmlib.btyd.summarize` (written once as SQL in :mod:`crmlib.engines.definitions`), and
so are the errors and warnings. DuckDB reads only the columns it needs, uses every core and
streams files larger than memory, spilling to ``temp_directory`` when ``memory_limit`` is
reached. Only one row per customer comes back to Python.

>>> import pandas as pd
>>> tx = pd.DataFrame({
...     "customer_id": [1, 1, 1, 2],
...     "invoice_id": ["A1", "A1", "C9", "A2"],
...     "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-05", "2024-01-09"]),
...     "amount": [10.0, 5.0, -5.0, 20.0],
... })
>>> rfm(tx, bins=2)[["recency", "frequency", "monetary", "rfm_cell"]]  # doctest: +NORMALIZE_WHITESPACE
             recency  frequency  monetary rfm_cell
customer_id
1                  9          1      10.0      111
2                  1          1      20.0      222
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import warnings
from collections.abc import Mapping
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from crmlib.engines import definitions as sql
from crmlib.validation import (
    DataWarning,
    as_numeric,
    require_frame,
    require_ids,
    require_positive_int,
    warn_far_dates,
)

__all__ = [
    "connect",
    "rfm",
    "rfm_summary",
    "btyd_summary",
    "predict_btyd",
    "frequent_itemsets",
    "read_columns",
    "source_columns",
]

_DIALECT = sql.DUCKDB
_CSV = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz")
_PARQUET = (".parquet", ".pq", ".parq")
_STRING_TYPES = ("VARCHAR",)
_DATE_TYPES = ("DATE", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S")


def connect(
    *,
    memory_limit: str | None = None,
    temp_directory: str | os.PathLike | None = None,
    threads: int | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection set up for summaries larger than memory.

    Parameters
    ----------
    memory_limit : str, optional
        e.g. ``"2GB"``; beyond it DuckDB spills to ``temp_directory``. Default: DuckDB's
        (80% of the machine's memory).
    temp_directory : path, optional
        Where spilled data go. Default: DuckDB's (``.tmp`` beside a database file, a
        system folder for in-memory connections).
    threads : int, optional
        Default: every core.
    """
    if memory_limit is not None and not (
        isinstance(memory_limit, str)
        and re.fullmatch(r"\s*\d+(\.\d+)?\s*([KMGT]i?B|B|%)\s*", memory_limit, re.I)
    ):
        raise ValueError(
            f"memory_limit: expected an amount such as '4GB' or '512MB', got {memory_limit!r}"
        )
    if threads is not None:
        threads = require_positive_int(threads, "threads")
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET preserve_insertion_order = false")  # lets large sorts stream
    if memory_limit is not None:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if temp_directory is not None:
        con.execute(f"SET temp_directory = '{os.fspath(temp_directory)}'")
    if threads is not None:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _reader(path: Path) -> str:
    name = path.name.lower()
    text = str(path).replace("'", "''")
    if path.is_dir() or name.endswith(_PARQUET):
        target = f"{text}/**/*.parquet" if path.is_dir() else text
        return f"read_parquet('{target}')"
    if name.endswith(_CSV):
        return f"read_csv('{text}', header = true)"
    raise ValueError(
        f"{path.name}: expected a .csv or .parquet file (or a folder of .parquet files), "
        f"got {path.suffix or 'no suffix'}"
    )


class _Source:
    """A frame or file as a DuckDB relation with checked, typed columns.

    ``name`` is what error messages call it: ``tx`` for a frame, the file name for a file.
    """

    def __init__(
        self, con, source, *, date: str | None, numbers: tuple, ids: tuple, until: object = None
    ) -> None:
        self.con = con
        self.index_dtypes: dict[str, object] = {}
        wanted = [c for c in (date, *numbers, *ids) if c is not None]
        self.string_ids: set[str] = set()
        if isinstance(source, pd.DataFrame):
            self._from_frame(source, wanted, date=date, numbers=numbers, ids=ids)
        elif isinstance(source, str | os.PathLike):
            self._from_file(Path(source), wanted, date=date, numbers=numbers, ids=ids)
        else:
            raise TypeError(
                "tx: expected a pandas DataFrame or the path of a CSV or Parquet file, "
                f"got {type(source).__name__}"
            )
        self.registered = self.relation == "crm_source"
        if until is not None:
            self._cut(date, until)

    def _cut(self, date: str, until: object) -> None:
        """Leave out the lines dated after the day ``until`` (missing dates stay, for the
        checks), warning how many there were."""
        day = sql.cut_day(until)
        q = _DIALECT.q(date)
        cut = f"TIMESTAMP '{day + np.timedelta64(1, 'D')}'"
        ((later, kept, first),) = self.con.execute(
            f"SELECT COUNT(*) FILTER (WHERE {q} >= {cut}), COUNT(*) FILTER (WHERE {q} < {cut}), "
            f"MIN({q}) FROM {self.relation}"
        ).fetchall()
        sql.cut_message(self.name, date, day, later, kept, first)
        self.relation = f"(SELECT * FROM {self.relation} WHERE {q} IS NULL OR {q} < {cut})"

    def _from_frame(self, tx, wanted, *, date, numbers, ids) -> None:
        self.name = "tx"
        require_frame(tx, "tx")
        sql.require_source_columns(tx.columns, wanted, "tx")
        columns = {}
        for column in ids:
            values = tx[column]
            if values.dtype == object:
                require_ids(values, column)  # mixed 1 and "1" must not merge in DuckDB
            elif pd.api.types.is_string_dtype(values.dtype):
                self.string_ids.add(column)
            self.index_dtypes[column] = values.dtype
            columns[column] = values
        self.pending_dates = None
        if date is not None:
            if isinstance(tx[date].dtype, np.dtype) and tx[date].dtype.kind == "M":
                # Already dates: registered as they are; the far-date check reads them
                # with the other checks (definitions.frame_checks).
                columns[date] = self.pending_dates = tx[date]
            else:
                columns[date] = sql.parse_dates(tx[date], date)
        for column in numbers:
            columns[column] = as_numeric(tx[column], column)
        unchanged = (
            (date is None or self.pending_dates is not None)
            and all(columns[c].dtype == tx[c].dtype for c in numbers)
            and tx.columns.is_unique
        )
        # DuckDB reads only the columns a query names: register the frame itself if it can.
        self.frame = tx if unchanged else pd.DataFrame(columns, copy=False)
        self.relation = "crm_source"
        self.con.register(self.relation, self.frame)

    def _from_file(self, path, wanted, *, date, numbers, ids) -> None:
        self.name = path.name
        reader, types = _open(self.con, path)
        self.reader = reader
        sql.require_source_columns(types, wanted, path.name)
        select = [_DIALECT.q(c) for c in wanted]
        for column in ids:
            if types[column] in _STRING_TYPES:
                self.string_ids.add(column)
        for column in numbers:
            if types[column] in _STRING_TYPES:
                self._refuse_text_numbers(reader, column, path.name)
        if date is not None and types[date] not in _DATE_TYPES:
            if not types[date].startswith("TIMESTAMP"):
                select[wanted.index(date)] = self._date_map(reader, date, types[date], path.name)
        self.relation = f"(SELECT {', '.join(select)} FROM {reader})"

    def _refuse_text_numbers(self, reader: str, column: str, file: str) -> None:
        q = _DIALECT.q(column)
        with _in_file_order(self.con):
            bad = self.con.sql(
                f"SELECT rn, v FROM (SELECT ROW_NUMBER() OVER () AS rn, {q} AS v FROM {reader}) "
                f"WHERE v IS NOT NULL AND TRY_CAST(v AS DOUBLE) IS NULL ORDER BY rn LIMIT 3"
            ).fetchall()
        if bad:
            rn, value = bad[0]
            where = (
                f"row {rn} (line {rn + 1} of {file})"
                if "read_csv" in reader
                else (f"row {rn} of {file}")
            )
            raise TypeError(
                sql.text_numbers_message(column, [v for _, v in bad], f"{where}: {value!r}")
            )

    def _date_map(self, reader: str, column: str, kind: str, file: str) -> str:
        """Parse a text date column once per distinct value, as the pandas path does."""
        q = _DIALECT.q(column)
        distinct = self.con.sql(f"SELECT DISTINCT CAST({q} AS VARCHAR) AS v FROM {reader}").df()
        raw = distinct["v"].astype(object)
        if kind not in _STRING_TYPES:
            raw = self.con.sql(f"SELECT DISTINCT {q} AS v FROM {reader} LIMIT 3").df()["v"]

        def locate(value: object) -> str:
            with _in_file_order(self.con):
                rn = self.con.execute(
                    f"SELECT rn FROM (SELECT ROW_NUMBER() OVER () AS rn, "
                    f"CAST({q} AS VARCHAR) AS v FROM {reader}) WHERE v = ? ORDER BY rn LIMIT 1",
                    [str(value)],
                ).fetchone()[0]
            return (
                f"row {rn} (line {rn + 1} of {file})"
                if "read_csv" in reader
                else (f"row {rn} of {file}")
            )

        parsed = sql.parse_dates(raw.reset_index(drop=True), column, locate)
        mapping = pd.DataFrame({"raw": raw.to_numpy(dtype=object), "parsed": parsed.to_numpy()})
        name = f"crm_dates_{abs(hash(column))}"
        self.con.register(name, mapping)
        return f"(SELECT parsed FROM {name} WHERE raw = CAST({q} AS VARCHAR)) AS {q}"

    def locate_missing(self, err: ValueError, customer: str) -> ValueError:
        """``err`` about missing values in a column of a file, naming the first row."""
        found = re.match(r"column '(.+)': expected no missing values, found", str(err))
        reader = getattr(self, "reader", None)
        if not found or reader is None:
            return err
        q, c = _DIALECT.q(found.group(1)), _DIALECT.q(customer)
        named = "" if found.group(1) == customer else " AND c IS NOT NULL"
        with _in_file_order(self.con):
            rows = self.con.execute(
                f"SELECT rn FROM (SELECT ROW_NUMBER() OVER () AS rn, {q} AS v, {c} AS c "
                f"FROM {reader}) WHERE v IS NULL{named} ORDER BY rn LIMIT 1"
            ).fetchall()
        if not rows:
            return err
        (rn,) = rows[0]
        return ValueError(f"{err}; the first is in row {rn} (line {rn + 1} of {self.name})")

    def close(self) -> None:
        if self.registered:
            self.con.unregister("crm_source")


@contextlib.contextmanager
def _in_file_order(con):
    """Number rows in file order (for error messages), whatever the connection's setting."""
    (kept,) = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    con.execute("SET preserve_insertion_order = true")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {str(bool(kept)).lower()}")


def _open(con, path: Path) -> tuple[str, dict[str, str]]:
    """A file's reader and column types; refuse a missing or empty file, or one with only
    a header, by name."""
    if not path.exists():
        raise FileNotFoundError(f"{path.name}: no such file or folder")
    if path.is_file() and path.stat().st_size == 0:
        raise ValueError(f"{path.name}: the file is empty")
    if path.is_dir():
        _check_folder(path)
    reader = _reader(path)
    try:
        described = con.sql(f"DESCRIBE SELECT * FROM {reader}").fetchall()
        empty = not con.execute(f"SELECT 1 FROM {reader} LIMIT 1").fetchall()
    except duckdb.Error as err:
        raise ValueError(f"{path.name}: could not be read ({_first_line(err)})") from None
    if empty:
        header = "a header" if "read_csv" in reader else "the column names"
        raise ValueError(f"{path.name}: no data rows, only {header}")
    return reader, {row[0]: row[1] for row in described}


def _check_folder(path: Path) -> None:
    """A folder is read as its .parquet files: refuse one with none, and name the data
    files it skips (hidden files and Spark's _SUCCESS-like files are not data)."""
    files = [
        f
        for f in sorted(path.rglob("*"))
        if f.is_file() and not f.name.startswith((".", "_")) and not f.name.endswith(".crc")
    ]
    parquet = [f for f in files if f.name.lower().endswith(_PARQUET)]
    others = [f for f in files if f not in parquet]
    kinds = pd.Series([f.suffix.lower() or "no suffix" for f in others], dtype=object)
    found = ", ".join(f"{n} {k} file(s)" for k, n in kinds.value_counts(sort=False).items())
    if not parquet:
        raise ValueError(
            f"{path.name}: a folder must hold .parquet files; found "
            f"{found or 'no file'} (give one file, or convert them to Parquet)"
        )
    if others:
        names = ", ".join(f.name for f in others[:5]) + (", ..." if len(others) > 5 else "")
        warnings.warn(
            f"{path.name}: only its {len(parquet)} .parquet file(s) are read; {found} "
            f"skipped ({names})",
            DataWarning,
            stacklevel=4,
        )


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0]


_DEFAULT: list[duckdb.DuckDBPyConnection] = []
_LOCK = threading.RLock()


@contextlib.contextmanager
def _connection(con=None):
    """``con``, or a default connection made once (opening one costs more than a small
    summary), held for one call at a time: the calls name their temporary objects alike."""
    with _LOCK:
        if con is None:
            if not _DEFAULT:
                _DEFAULT.append(connect())
            con = _DEFAULT[0]
        yield con


def source_columns(source: str | os.PathLike, con=None) -> list[str]:
    """The column names of a CSV or Parquet file (for messages and the command)."""
    with _connection(con) as cursor:
        return list(_open(cursor, Path(source))[1])


def read_columns(source, columns: list[str], con=None) -> pd.DataFrame:
    """The named columns of a frame or file as a pandas frame (checked names)."""
    if isinstance(source, pd.DataFrame):
        sql.require_source_columns(source.columns, columns, "tx")
        return source[columns]
    path = Path(source)
    with _connection(con) as cursor:
        reader, types = _open(cursor, path)
        sql.require_source_columns(types, columns, path.name)
        listed = ", ".join(_DIALECT.q(c) for c in columns)
        return cursor.sql(f"SELECT {listed} FROM {reader}").df()


def _far_dates(source: _Source, checks: dict, date: str) -> None:
    """The far-date warning of a frame whose dates came as datetime64 (parsed text dates
    were checked while parsing)."""
    if source.pending_dates is not None:
        warn_far_dates(source.pending_dates, date, checks["date_extent"], checks["date_histogram"])


def _rfm_scored(con, tx, *, customer, date, amount, invoice, as_of, bins, ties, cutoffs, until):
    """Aggregate and check in one pass over the lines, then score; raise or warn as rfm does."""
    source = _Source(con, tx, date=date, numbers=(amount,), ids=(customer, invoice), until=until)
    # A frame is checked in pandas (cheaper than in the query), unless lines were cut.
    frame = isinstance(tx, pd.DataFrame) and until is None
    counts = None
    if frame:
        # Before the query, on this thread: vectorised or compiled reads of the frame, no
        # copy (missing values only where a dtype can hold them, the first and last date
        # for the default as_of, far dates). On a thread beside DuckDB they slowed it down.
        counts = sql.frame_checks(
            source.frame, source.frame[date], customer=customer, amount=amount, invoice=invoice
        )
        _far_dates(source, counts, date)
    query = sql.rfm_aggregate_sql(
        source.relation,
        _DIALECT,
        customer=customer,
        date=date,
        amount=amount,
        invoice=invoice,
        counts=not frame,
    )
    try:
        result = con.sql(query).df()
    except duckdb.Error as err:
        raise ValueError(f"{source.name}: {_first_line(err)}") from None
    finally:
        source.close()
    if customer in source.string_ids:
        sql.require_distinct_ids(result["customer"].dropna(), customer)
    try:
        return _finish(source, result, customer=customer, date=date, amount=amount,
                       invoice=invoice, as_of=as_of, bins=bins, ties=ties, cutoffs=cutoffs,
                       counts=counts)  # fmt: skip
    except ValueError as err:
        raise source.locate_missing(err, customer) from None


def _finish(source, result, *, customer, date, amount, invoice, as_of, bins, ties, cutoffs,
            counts):  # fmt: skip
    return sql.rfm_finish(
        result,
        customer=customer,
        date=date,
        amount=amount,
        invoice=invoice,
        as_of=as_of,
        bins=bins,
        ties=ties,
        cutoffs=cutoffs,
        counts=counts,
        index_dtype=source.index_dtypes.get(customer),
        name=source.name,
        stacklevel=6,
    )


def rfm(
    tx: pd.DataFrame | str | os.PathLike,
    *,
    customer: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    invoice: str = "invoice_id",
    as_of: object = None,
    bins: int = 5,
    ties: str = "first",
    cutoffs: Mapping[str, object] | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    until: object = None,
) -> pd.DataFrame:
    """``rfm.score(rfm.summarize(tx, ...), bins, ties=, cutoffs=)``, computed by DuckDB.

    Parameters
    ----------
    tx : DataFrame or path
        Transaction lines: a frame, or a CSV or Parquet file (or a folder of Parquet files)
        that may be larger than memory.
    customer, date, amount, invoice, as_of
        As :func:`crmlib.rfm.summarize`.
    bins, ties, cutoffs
        As :func:`crmlib.rfm.score`.
    con : DuckDB connection, optional
        From :func:`connect` (memory limit, spill folder, threads); a new one by default.
    until : date, optional
        Leave out the lines dated after this day (a time of day is ignored), with a
        ``DataWarning`` that says how many: the data as they stood at the end of that day
        (``crmlib rfm --as-of``). ``as_of`` is still yours to give (usually the next day).

    Returns
    -------
    DataFrame
        The frame :func:`crmlib.rfm.score` returns: indexed by customer (sorted), with
        ``recency``, ``frequency``, ``monetary``, ``r_score``, ``f_score``, ``m_score``,
        ``rfm_cell`` and ``rfm_score``. Monetary sums may differ from pandas' in the last
        bits of a float (another order of addition).
    """
    sql._score_options(bins, ties, cutoffs)  # refuse bad options before reading anything
    with _connection(con) as cursor:
        return _rfm_scored(
            cursor,
            tx,
            customer=customer,
            date=date,
            amount=amount,
            invoice=invoice,
            as_of=as_of,
            bins=bins,
            ties=ties,
            cutoffs=cutoffs,
            until=until,
        )


def rfm_summary(
    tx: pd.DataFrame | str | os.PathLike,
    *,
    customer: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    invoice: str = "invoice_id",
    as_of: object = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> pd.DataFrame:
    """:func:`crmlib.rfm.summarize`, computed by DuckDB (arguments as :func:`rfm`)."""
    scored = rfm(
        tx, customer=customer, date=date, amount=amount, invoice=invoice, as_of=as_of, con=con
    )
    return scored[["recency", "frequency", "monetary"]]


def btyd_summary(
    tx: pd.DataFrame | str | os.PathLike,
    *,
    customer: str,
    date: str,
    amount: str | None = None,
    unit: str = "W",
    calibration_end: object = None,
    observation_end: object = None,
    con: duckdb.DuckDBPyConnection | None = None,
    until: object = None,
) -> pd.DataFrame:
    """:func:`crmlib.btyd.summarize`, computed by DuckDB.

    Same arguments and result (``repeat_purchases``, ``age_at_last_purchase``, ``age``,
    ``mean_repeat_spend``, the holdout columns; the unit in ``attrs["unit"]``); ``tx`` may
    also be a CSV or Parquet file. ``until``: as :func:`rfm`'s (lines after that day are
    left out with a warning saying how many; ``observation_end`` cuts them silently).

    Examples
    --------
    >>> tx = pd.DataFrame({
    ...     "id": ["a", "a", "a", "b"],
    ...     "day": ["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-08"],
    ...     "spend": [10.0, 20.0, 40.0, 5.0],
    ... })
    >>> btyd_summary(tx, customer="id", date="day", amount="spend",
    ...              observation_end="2024-01-29")  # doctest: +NORMALIZE_WHITESPACE
        repeat_purchases  age_at_last_purchase  age  mean_repeat_spend
    id
    a                  2                   2.0  4.0               30.0
    b                  0                   0.0  3.0                0.0
    """
    if unit not in sql.DAYS_PER_UNIT:
        raise ValueError(f"unit: expected one of 'h', 'D', 'W', 'M', 'Y', got {unit!r}")
    request = sql.BtydRequest(customer, date, amount, unit, calibration_end, observation_end)
    with _connection(con) as cursor:
        return _btyd(cursor, tx, request, until)


def _btyd(con, tx, request: sql.BtydRequest, until: object = None):
    customer, date, amount, unit = request[:4]
    numbers = (amount,) if amount is not None else ()
    source = _Source(con, tx, date=date, numbers=numbers, ids=(customer,), until=until)
    if isinstance(tx, pd.DataFrame):
        return _btyd_frame(con, source, request)
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE crm_days AS "
            + sql.btyd_days_sql(
                source.relation, _DIALECT, customer=customer, date=date, amount=amount, unit=unit
            )
        )
    except duckdb.Error as err:
        raise ValueError(f"{source.name}: {_first_line(err)}") from None
    finally:
        source.close()
    checks = con.sql(sql.btyd_checks_sql("crm_days")).df().iloc[0].to_dict()
    try:
        query, end_obs, end_cal = sql.btyd_checked_summary_sql(checks, _DIALECT, request)
    except ValueError as err:
        raise source.locate_missing(err, customer) from None
    if customer in source.string_ids:
        ids = con.sql("SELECT DISTINCT customer FROM crm_days").fetchall()
        sql.require_distinct_ids([i for (i,) in ids], customer)
    index_dtype = source.index_dtypes.get(customer)
    return sql.btyd_frame(con.sql(query).df(), request, end_obs, end_cal, index_dtype)


def _btyd_frame(con, source, request: sql.BtydRequest):
    """A frame: checked in pandas (vectorised passes, no copy), then one DuckDB statement.

    In the order of :func:`crmlib.btyd.summarize`: missing values are refused first, then
    far dates warn, then the periods are checked."""
    customer, date, amount, unit = request[:4]
    frame = source.frame
    checks = sql.frame_checks(frame, frame[date], customer=customer, amount=amount, unit=unit)
    try:
        if not any(checks[k] for k in ("no_customer", "no_date", "no_amount")):
            _far_dates(source, checks, date)
        end_obs, end_cal = sql.btyd_check(checks, request)
        query = sql.btyd_statement(
            source.relation, _DIALECT, request, end_obs, end_cal, checks["last_tick"]
        )
    except ValueError:
        source.close()
        raise
    try:
        result = con.sql(query).df()
    except duckdb.Error as err:
        raise ValueError(f"{source.name}: {_first_line(err)}") from None
    finally:
        source.close()
    if customer in source.string_ids:
        sql.require_distinct_ids(result["customer"], customer)
    index_dtype = source.index_dtypes.get(customer)
    return sql.btyd_frame(result, request, end_obs, end_cal, index_dtype)


def predict_btyd(purchases, spend, summary: pd.DataFrame, horizon: float, con=None) -> pd.DataFrame:
    """:func:`crmlib.engines.definitions.predict_btyd` (the summary is already in memory)."""
    return sql.predict_btyd(purchases, spend, summary, horizon)


def frequent_itemsets(
    tx: pd.DataFrame | str | os.PathLike,
    *,
    invoice: str,
    item: str,
    min_support: float,
    max_len: int | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    quantity: str | None = None,
) -> pd.DataFrame:
    """:func:`crmlib.basket.frequent_itemsets` of the baskets in a frame or file of lines.

    DuckDB reads the distinct (invoice, item) pairs; baskets are formed and mined by
    :func:`crmlib.basket.baskets_from_lines` and :func:`crmlib.basket.frequent_itemsets`.
    ``quantity`` (a quantity or amount column) leaves out the lines where it is not above
    0 (returns, cancellations, fees given back), so a cancellation invoice is no basket.
    Without it, a ``DataWarning`` says how many baskets have an invoice id starting with
    "C", as cancellations do in many shops' data.
    """
    from crmlib import basket

    numbers = (quantity,) if quantity is not None else ()
    if isinstance(tx, pd.DataFrame):
        lines = read_columns(tx, [invoice, item, *numbers])
        if quantity is not None:
            lines = lines[as_numeric(lines[quantity], quantity) > 0]
        name = "tx"
    else:
        lines, name = _distinct_lines(con, tx, invoice, item, quantity)
    if quantity is None:
        sql.warn_cancellations(lines[invoice], name)
    baskets = basket.baskets_from_lines(lines, invoice=invoice, item=item)
    return basket.frequent_itemsets(baskets.tolist(), min_support, max_len)


def _distinct_lines(con, tx, invoice: str, item: str, quantity: str | None):
    """The distinct (invoice, item) pairs of a file's purchase lines, and the file's name."""
    numbers = (quantity,) if quantity is not None else ()
    with _connection(con) as cursor:
        source = _Source(cursor, tx, date=None, numbers=numbers, ids=(invoice, item))
        try:
            i, t = _DIALECT.q(invoice), _DIALECT.q(item)
            where = f" WHERE {_DIALECT.q(quantity)} > 0" if quantity is not None else ""
            lines = cursor.sql(
                f"SELECT DISTINCT {i}, {t} FROM {source.relation}{where} ORDER BY {i}, {t}"
            ).df()
        except duckdb.Error as err:
            raise ValueError(f"{source.name}: {_first_line(err)}") from None
        finally:
            source.close()
    return lines, source.name
