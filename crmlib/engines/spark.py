"""The same summaries on Spark, for data beyond one machine (``pip install crmlib[spark]``).

- :func:`rfm` and :func:`btyd_summary` run the SQL of :mod:`crmlib.engines.definitions` as
  Spark SQL, on a pandas frame, a CSV or Parquet path (local, HDFS, S3, ...), or a Spark
  DataFrame; one row per customer comes back, checked with the pandas path's messages;
- :func:`frequent_itemsets` mines baskets with Spark MLlib's ``FPGrowth`` and returns
  :func:`crmlib.basket.frequent_itemsets`' frame (same itemsets, counts and order);
- :func:`predict_btyd` scores every customer with a BTYD model fitted on one machine, inside
  ``mapInPandas`` on the executors (the model is pickled to them; they need crmlib too).

:func:`session` connects to ``SPARK_REMOTE`` (Spark Connect), a master URL, or local mode.
Timestamps are read in the session's time zone, which :func:`session` sets to UTC so that a
wall-clock time means the same day everywhere.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from crmlib.engines import definitions as sql
from crmlib.validation import as_numeric, require_frame, require_ids

__all__ = ["session", "rfm", "rfm_summary", "btyd_summary", "predict_btyd", "frequent_itemsets"]

_DIALECT = sql.SPARK
_DATE_TYPES = ("timestamp", "timestamp_ntz", "date")


def session(master: str | None = None, *, app_name: str = "crmlib", **conf: str):
    """The active SparkSession, or a new one on ``SPARK_REMOTE``, ``master`` or local[*].

    Parameters
    ----------
    master : str, optional
        A master URL (``spark://host:7077``, ``yarn``, ``local[4]``); ``sc://host`` uses Spark
        Connect. Default: the environment's ``SPARK_REMOTE``, else ``local[*]``.
    **conf
        Extra Spark settings, e.g. ``{"spark.driver.memory": "4g"}``. In local mode
        ``spark.sql.shuffle.partitions`` defaults to four per core instead of Spark's 200
        (meant for clusters: on two cores, 200 tiny tasks per shuffle made a summary of a
        million lines five times slower).
    """
    with _quiet():
        from pyspark.ml.fpm import FPGrowth  # noqa: F401  (imported here, warnings muted)
        from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    builder = SparkSession.builder.appName(app_name)
    remote = master if master and master.startswith("sc://") else None
    remote = remote or (os.environ.get("SPARK_REMOTE") if master is None else None)
    if remote:
        builder = builder.remote(remote)
    else:
        builder = builder.master(master or "local[*]").config("spark.ui.enabled", "false")
        if (master or "local").startswith("local"):
            # Python workers run this interpreter, which has crmlib and its dependencies.
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings = {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        # FP-growth recurses once per item of a conditional tree: long baskets need a deep
        # stack (the default overflows on Online Retail's). Spark's own log shows errors
        # only, from the start (setLogLevel below comes after the start-up warnings).
        "spark.driver.extraJavaOptions": f"-Xss32m -Dlog4j2.configurationFile={_log_config()}",
        "spark.executor.extraJavaOptions": "-Xss32m",
        "spark.ui.showConsoleProgress": "false",
        **_local_partitions(master if not remote else "sc://"),
        **conf,
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    with _quiet():
        spark = builder.getOrCreate()
    if not remote:
        spark.sparkContext.setLogLevel("ERROR")
    return spark


_LOG4J2 = """\
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
logger.utils.name = org.apache.spark.util.Utils
logger.utils.level = error
logger.native.name = org.apache.hadoop.util.NativeCodeLoader
logger.native.level = error
"""


def _log_config() -> str:
    """A log4j2 configuration without Spark's start-up warnings (the host name's address,
    Hadoop's native library; WARN at the root, so no "Setting default log level" either):
    a file URI, written once. :func:`session` then sets the level to errors only."""
    import tempfile
    from pathlib import Path

    path = Path(tempfile.gettempdir()) / "crmlib-spark-log4j2.properties"
    if not path.exists() or path.read_text() != _LOG4J2:
        path.write_text(_LOG4J2)
    return path.as_uri()


def _local_partitions(master: str | None) -> dict[str, str]:
    """Shuffle partitions for local mode: four per core (local[N], local[*] or the default)."""
    master = master or "local[*]"
    if not master.startswith("local"):
        return {}
    cores = master.removeprefix("local").strip("[]").split(",")[0]  # local[N,retries]
    if cores == "*":
        n = os.cpu_count() or 1
    else:
        n = int(cores) if cores.isdigit() else 1  # plain "local": one thread
    return {"spark.sql.shuffle.partitions": str(4 * n)}


def _is_spark_frame(value: object) -> bool:
    return type(value).__module__.startswith("pyspark.sql")


class _Source:
    """A frame, file or Spark DataFrame as a temporary view with checked columns."""

    def __init__(self, spark, source, *, date, numbers, ids, until=None) -> None:
        self.spark = spark
        self.index_dtypes: dict[str, object] = {}
        self.string_ids: set[str] = set()
        wanted = [c for c in (date, *numbers, *ids) if c is not None]
        if isinstance(source, pd.DataFrame):
            self.name = "tx"
            require_frame(source, "tx")
            sql.require_source_columns(source.columns, wanted, "tx")
            columns = {}
            for column in ids:
                if source[column].dtype == object:
                    require_ids(source[column], column)
                elif pd.api.types.is_string_dtype(source[column].dtype):
                    self.string_ids.add(column)
                self.index_dtypes[column] = source[column].dtype
                columns[column] = source[column]
            if date is not None:
                columns[date] = sql.parse_dates(source[date], date)
            for column in numbers:
                columns[column] = as_numeric(source[column], column)
            with _quiet():
                frame = spark.createDataFrame(pd.DataFrame(columns))
        else:
            if _is_spark_frame(source):
                self.name, frame = "tx", source
            elif isinstance(source, str | os.PathLike):
                frame = self._read(os.fspath(source))  # a URL (s3a://...) stays as it is
            else:
                raise TypeError(
                    "tx: expected a pandas or Spark DataFrame or the path of a CSV or Parquet "
                    f"file, got {type(source).__name__}"
                )
            sql.require_source_columns(frame.columns, wanted, self.name)
            frame = frame.select(*wanted)
            types = dict(frame.dtypes)
            self.string_ids = {c for c in ids if types[c] == "string"}
            for column in ids:  # NULLs in a result column must not turn ids into floats
                if types[column] in ("bigint", "int", "smallint", "tinyint"):
                    self.index_dtypes[column] = np.dtype(np.int64)
            for column in numbers:
                if types[column] == "string":
                    self._refuse_text_numbers(frame, column)
            if date is not None and types[date] not in _DATE_TYPES:
                frame = self._parse_dates(frame, date)
        if until is not None:
            frame = self._cut(frame, date, until)
        self.view = "crm_source"
        frame.createOrReplaceTempView(self.view)

    def _cut(self, frame, date: str, until: object):
        """Leave out the lines dated after the day ``until``, warning how many."""
        from pyspark.sql import functions as F

        day = sql.cut_day(until)
        cut = F.lit(str(day + np.timedelta64(1, "D"))).cast("timestamp")
        counts = frame.agg(
            F.sum((F.col(date) >= cut).cast("long")).alias("later"),
            F.sum((F.col(date) < cut).cast("long")).alias("kept"),
            F.min(date).alias("first"),
        ).first()
        later, kept = counts["later"] or 0, counts["kept"] or 0
        sql.cut_message(self.name, date, day, later, kept, counts["first"])
        return frame.where(F.col(date).isNull() | (F.col(date) < cut))

    def _read(self, text: str):
        from pyspark.errors import AnalysisException

        self.name = text.rstrip("/").rsplit("/", 1)[-1] or text
        lower = self.name.lower()
        if os.path.isfile(text) and os.path.getsize(text) == 0:
            raise ValueError(f"{self.name}: the file is empty")
        csv = lower.endswith((".csv", ".csv.gz", ".tsv", ".txt"))
        try:
            if csv:
                frame = self.spark.read.csv(text, header=True, inferSchema=True)
            elif lower.endswith((".parquet", ".pq")) or "." not in self.name:
                frame = self.spark.read.parquet(text)  # a file, or a folder of Parquet files
            else:
                frame = None
        except AnalysisException as err:
            first = str(err).strip().splitlines()[0]
            raise FileNotFoundError(f"{self.name}: could not be read by Spark ({first})") from None
        if frame is None:
            raise ValueError(
                f"{self.name}: expected a .csv or .parquet file (or a folder of .parquet files)"
            )
        if frame.isEmpty():
            header = "a header" if csv else "the column names"
            raise ValueError(f"{self.name}: no data rows, only {header}")
        return frame

    def _row_of(self, frame, column: str, value: object) -> str:
        """Where ``value`` first appears: row number in the file (error messages only)."""
        hit = (
            frame.rdd.zipWithIndex()
            .filter(lambda pair: str(pair[0][column]) == str(value))
            .map(lambda pair: pair[1])
            .take(1)
        )
        if not hit:
            return self.name
        row = hit[0] + 1
        return f"row {row} (line {row + 1} of {self.name})"

    def _refuse_text_numbers(self, frame, column: str) -> None:
        from pyspark.sql import functions as F

        bad = (
            frame.select(column)
            .where(F.col(column).isNotNull() & F.col(column).try_cast("double").isNull())
            .limit(3)
            .toPandas()[column]
        )
        if len(bad):
            where = self._row_of(frame, column, bad.iloc[0])
            raise TypeError(
                sql.text_numbers_message(column, bad.tolist(), f"{where}: {bad.iloc[0]!r}")
            )

    def _parse_dates(self, frame, column: str):
        """Parse a text date column once per distinct value, as the pandas path does."""
        from pyspark.sql import functions as F

        raw = frame.select(F.col(column).cast("string").alias("raw")).distinct().toPandas()["raw"]
        parsed = sql.parse_dates(
            raw.astype(object), column, lambda value: self._row_of(frame, column, value)
        )
        with _quiet():
            mapping = self.spark.createDataFrame(
                pd.DataFrame({"raw": raw.astype(object), "parsed": parsed.to_numpy()})
            )
        joined = frame.withColumn("crm_raw", F.col(column).cast("string")).join(
            F.broadcast(mapping), F.col("crm_raw") == F.col("raw"), "left"
        )
        others = [c for c in frame.columns if c != column]
        return joined.select(*others, F.col("parsed").alias(column))


def _to_pandas(frame) -> pd.DataFrame:
    with _quiet():
        return frame.toPandas()


@contextlib.contextmanager
def _quiet():
    """PySpark 4.3 warns that it does not fully support pandas 3; the conversions used here
    (numbers, strings, timestamps) are tested in tests/test_spark.py."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "PySpark does not yet fully support", FutureWarning)
        warnings.filterwarnings("ignore", "The copy keyword is deprecated")
        yield


def rfm(
    tx,
    *,
    customer: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    invoice: str = "invoice_id",
    as_of: object = None,
    bins: int = 5,
    ties: str = "first",
    cutoffs: Mapping[str, object] | None = None,
    con=None,
    until: object = None,
) -> pd.DataFrame:
    """``rfm.score(rfm.summarize(tx, ...), bins, ties=, cutoffs=)``, computed by Spark.

    ``tx`` is a pandas or Spark DataFrame, or a CSV or Parquet path Spark can read; ``con``
    a SparkSession (default: :func:`session`); ``until`` as
    :func:`crmlib.engines.duckdb.rfm`'s. Returns the pandas frame of
    :func:`crmlib.rfm.score`, one row per customer.
    """
    spark = con or session()
    sql._score_options(bins, ties, cutoffs)  # refuse bad options before reading anything
    source = _Source(spark, tx, date=date, numbers=(amount,), ids=(customer, invoice), until=until)
    query = sql.rfm_aggregate_sql(
        source.view, _DIALECT, customer=customer, date=date, amount=amount, invoice=invoice
    )
    result = _to_pandas(spark.sql(query))
    if customer in source.string_ids:
        sql.require_distinct_ids(result["customer"].dropna(), customer)
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
        index_dtype=source.index_dtypes.get(customer),
        name=source.name,
        stacklevel=3,
    )


def rfm_summary(tx, **kwargs) -> pd.DataFrame:
    """:func:`crmlib.rfm.summarize`, computed by Spark (arguments as :func:`rfm`)."""
    return rfm(tx, **kwargs)[["recency", "frequency", "monetary"]]


def btyd_summary(
    tx,
    *,
    customer: str,
    date: str,
    amount: str | None = None,
    unit: str = "W",
    calibration_end: object = None,
    observation_end: object = None,
    con=None,
    until: object = None,
) -> pd.DataFrame:
    """:func:`crmlib.btyd.summarize`, computed by Spark; one row per customer comes back.

    ``until`` as :func:`crmlib.engines.duckdb.btyd_summary`'s."""
    spark = con or session()
    if unit not in sql.DAYS_PER_UNIT:
        raise ValueError(f"unit: expected one of 'h', 'D', 'W', 'M', 'Y', got {unit!r}")
    numbers = (amount,) if amount is not None else ()
    source = _Source(spark, tx, date=date, numbers=numbers, ids=(customer,), until=until)
    days = spark.sql(
        sql.btyd_days_sql(
            source.view, _DIALECT, customer=customer, date=date, amount=amount, unit=unit
        )
    ).cache()
    try:
        days.createOrReplaceTempView("crm_days")
        checks = _to_pandas(spark.sql(sql.btyd_checks_sql("crm_days"))).iloc[0].to_dict()
        request = sql.BtydRequest(customer, date, amount, unit, calibration_end, observation_end)
        query, end_obs, end_cal = sql.btyd_checked_summary_sql(checks, _DIALECT, request)
        result = _to_pandas(spark.sql(query))
    finally:
        days.unpersist()
    if customer in source.string_ids:
        sql.require_distinct_ids(result["customer"], customer)
    index_dtype = source.index_dtypes.get(customer)
    return sql.btyd_frame(result, request, end_obs, end_cal, index_dtype)


def predict_btyd(purchases, spend, summary, horizon: float, con=None):
    """Score every customer on the executors: :func:`crmlib.engines.definitions.predict_btyd`
    inside ``mapInPandas``.

    ``summary`` is the pandas summary (its index the customer) or a Spark DataFrame with a
    customer column first and the summary's columns; the result is of the same kind, the
    summary's customer column followed by the prediction columns.
    """
    from pyspark.sql.types import DoubleType, StructField, StructType

    spark = con or session()
    local = isinstance(summary, pd.DataFrame)
    unit = summary.attrs.get("unit") if local else getattr(purchases, "unit_", None)
    with _quiet():
        frame = spark.createDataFrame(summary.reset_index()) if local else summary
    key = frame.columns[0]
    columns = list(sql.PREDICTION_COLUMNS[: 2 if spend is None else 4])
    schema = StructType(
        [frame.schema[key], *(StructField(c, DoubleType(), False) for c in columns)]
    )

    def score(batches):
        for batch in batches:
            rows = batch.set_index(key)
            rows.attrs["unit"] = unit
            yield sql.predict_btyd(purchases, spend, rows, horizon).reset_index()

    with _quiet():
        predicted = frame.mapInPandas(score, schema)
    if not local:
        return predicted
    out = _to_pandas(predicted).set_index(key)
    out.index = out.index.astype(summary.index.dtype)
    return out.reindex(summary.index)


def frequent_itemsets(
    tx,
    *,
    invoice: str,
    item: str,
    min_support: float,
    max_len: int | None = None,
    con=None,
    quantity: str | None = None,
) -> pd.DataFrame:
    """:func:`crmlib.basket.frequent_itemsets` of the baskets of a frame or file of lines,
    mined by Spark MLlib's ``FPGrowth``: the same itemsets, counts, columns and order.
    ``quantity`` and the warning about cancellations as
    :func:`crmlib.engines.duckdb.frequent_itemsets`'s."""
    from pyspark.ml.fpm import FPGrowth
    from pyspark.sql import functions as F

    from crmlib.basket import _min_count, _require_support

    spark = con or session()
    numbers = (quantity,) if quantity is not None else ()
    source = _Source(spark, tx, date=None, numbers=numbers, ids=(invoice, item))
    lines = spark.table(source.view)
    if quantity is not None:
        lines = lines.where(F.col(quantity).cast("double") > 0)
    elif dict(lines.dtypes)[invoice] == "string":
        starts = F.col(invoice).startswith("C")
        row = (
            lines.select(invoice)
            .distinct()
            .agg(
                F.count("*").alias("total"),
                F.sum(starts.cast("long")).alias("n"),
                F.min(F.when(starts, F.col(invoice))).alias("example"),
            )
            .first()
        )
        sql.cancellation_warning(source.name, row["n"] or 0, row["total"], row["example"])
    counts = lines.select(
        *(F.sum(F.col(c).isNull().cast("long")).alias(c) for c in (invoice, item))
    ).first()
    for column in (invoice, item):
        missing = counts[column] or 0
        if missing:
            raise ValueError(
                f"column {column!r}: expected no missing values, found {missing:,}; "
                f"drop or fill them first, e.g. tx.dropna(subset=[{column!r}])"
            )
    baskets = lines.groupBy(invoice).agg(F.collect_set(item).alias("items")).cache()
    try:
        n_baskets = baskets.count()
        min_support = _require_support(min_support, range(n_baskets))
        min_count = _min_count(min_support, n_baskets)
        # Spark keeps itemsets with count >= ceil(minSupport * n): aim between two counts.
        model = FPGrowth(itemsCol="items", minSupport=(min_count - 0.5) / n_baskets).fit(baskets)
        found = _to_pandas(model.freqItemsets)
    finally:
        baskets.unpersist()
    if max_len is not None:
        found = found[found["items"].map(len) <= max_len]
    return _itemset_frame(found["items"].tolist(), found["freq"].to_numpy(np.int64), n_baskets)


def _itemset_frame(sets: list, counts: np.ndarray, n_baskets: int) -> pd.DataFrame:
    """crmlib.basket's itemsets frame: sorted by support (desc), length, sorted items."""
    from crmlib.basket import SEPARATOR

    labels = pd.Index(sorted({i for s in sets for i in s}))
    codes = [np.sort(labels.get_indexer(list(s))) for s in sets]
    width = max((len(c) for c in codes), default=1)
    matrix = np.full((len(codes), width), -1, dtype=np.int64)
    for row, c in enumerate(codes):
        matrix[row, : len(c)] = c
    lengths = np.array([len(c) for c in codes], dtype=np.int64)
    values = labels.to_numpy(dtype=object)
    order = np.lexsort([matrix[:, j] for j in reversed(range(width))] + [lengths, -counts])
    frame = pd.DataFrame(
        {
            "itemsets": pd.Series([frozenset(values[c].tolist()) for c in codes], dtype=object),
            "items": pd.Series(
                [SEPARATOR.join(str(v) for v in values[c]) for c in codes], dtype="str"
            ),
            "length": lengths,
            "support": counts / n_baskets,
            "count": counts,
        }
    )
    return frame.iloc[order].reset_index(drop=True)
