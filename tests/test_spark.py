"""Spark gives the one-machine answers: RFM and the BTYD summary as Spark SQL, FP-growth
through Spark MLlib, BTYD scoring in mapInPandas, and the command with ``--engine spark``.

One local SparkSession (local[2], two shuffle partitions, no UI, quiet logs) serves the
whole module; real data keep it honest: Online Retail's customers outside the UK (46k
lines, the same rules as the full file) and the full CDNOW log.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

# No importorskip: pyspark is in the lock file, and a suite that skips Spark would hide it.
from crmlib import basket, btyd, datasets, rfm
from crmlib.cli import main
from crmlib.engines import definitions
from crmlib.engines import duckdb as one_machine
from crmlib.engines import spark as engine
from crmlib.validation import DataWarning

RETAIL = dict(customer="customer_id", date="invoice_date", amount="amount", invoice="invoice_no")
CDNOW = dict(customer="customer_id", date="date", amount="dollar_value")
PERIODS = dict(calibration_end="1997-09-30", observation_end="1998-06-30")


@pytest.fixture(scope="module")
def spark():
    session = engine.session(
        "local[2]",
        **{
            "spark.sql.shuffle.partitions": "2",
            "spark.default.parallelism": "2",
            "spark.driver.memory": "1g",
        },
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def retail(shared_data):
    tx = datasets.fetch_online_retail(drop_cancellations=False)
    return tx[tx["country"] != "United Kingdom"].reset_index(drop=True)


def quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(*args, **kwargs)


def test_rfm_on_spark_is_the_pandas_answer(spark, retail):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = engine.rfm(retail, con=spark, **RETAIL)
    ref = quiet(lambda: rfm.score(rfm.summarize(retail, **RETAIL)))
    pd.testing.assert_frame_equal(got, ref, check_exact=False, rtol=1e-12)
    assert any("row(s) with no 'customer_id' are left out" in str(w.message) for w in caught)


def test_btyd_summary_and_scoring_on_spark(spark, shared_data):
    tx = datasets.fetch_cdnow()
    summary = engine.btyd_summary(tx, con=spark, **PERIODS, **CDNOW)
    ref = btyd.summarize(tx, **PERIODS, **CDNOW)
    pd.testing.assert_frame_equal(summary, ref, check_exact=False, rtol=1e-12)
    assert summary.attrs["unit"] == "W"
    purchases, spend = definitions.fit_btyd(ref)
    scored = engine.predict_btyd(purchases, spend, summary, 39, con=spark)
    local = definitions.predict_btyd(purchases, spend, ref, 39)
    pd.testing.assert_frame_equal(scored, local, check_exact=False, rtol=1e-12)
    assert scored["expected_value"].gt(0).all()


def test_fp_growth_on_spark_finds_the_same_itemsets(spark, retail):
    some = retail[retail["country"].isin(["Germany", "France", "EIRE"])]
    with pytest.warns(DataWarning, match=r"baskets have an invoice id starting with 'C'"):
        got = engine.frequent_itemsets(
            some, invoice="invoice_no", item="stock_code", min_support=0.03, con=spark
        )
    baskets = basket.baskets_from_lines(some, invoice="invoice_no", item="stock_code")
    ref = basket.frequent_itemsets(baskets.tolist(), 0.03)
    pd.testing.assert_frame_equal(got, ref)
    assert got["length"].max() >= 3


def test_the_command_with_engine_spark_reads_parquet(spark, retail, tmp_path, capsys):
    retail.to_parquet(tmp_path / "retail.parquet")
    argv = ["rfm", str(tmp_path / "retail.parquet"), "--customer", "customer_id",
            "--date", "invoice_date", "--invoice", "invoice_no", "-q"]  # fmt: skip
    assert main([*argv, "--engine", "spark", "-o", str(tmp_path / "spark.csv")]) == 0
    spark_err = capsys.readouterr().err
    assert main([*argv, "-o", str(tmp_path / "duckdb.csv")]) == 0
    err = capsys.readouterr().err
    assert "retail.parquet: " in err and "Traceback" not in err
    assert spark_err == err  # the same warnings, ids written as ids (12503, not 12503.0)
    on_spark, on_duckdb = (pd.read_csv(tmp_path / f) for f in ("spark.csv", "duckdb.csv"))
    pd.testing.assert_frame_equal(on_spark, on_duckdb, check_exact=False, rtol=1e-12)
    direct = quiet(one_machine.rfm, tmp_path / "retail.parquet", **RETAIL)
    assert np.array_equal(on_spark["customer_id"], direct.index)


@pytest.mark.parametrize(
    ("master", "partitions"),
    [("local[2]", "8"), ("local", "4"), ("local[3,2]", "12"), ("spark://head:7077", None)],
)
def test_local_mode_gets_a_few_shuffle_partitions_a_cluster_spark_s_default(master, partitions):
    got = engine._local_partitions(master).get("spark.sql.shuffle.partitions")
    assert got == partitions


def test_spark_agrees_on_full_refunds_cut_lines_and_empty_files(spark, retail, tmp_path, capsys):
    cutoffs = {"monetary": [0, 100, 500, 2000]}
    got = quiet(engine.rfm, retail, con=spark, ties="low", cutoffs=cutoffs, **RETAIL)
    ref = quiet(lambda: rfm.score(rfm.summarize(retail, **RETAIL), ties="low", cutoffs=cutoffs))
    assert (ref["monetary"] == 0).any()
    pd.testing.assert_frame_equal(got, ref)  # exactly: net amounts rounded alike
    retail.to_parquet(tmp_path / "retail.parquet")
    retail.head(0).to_parquet(tmp_path / "header.parquet")
    argv = ["--customer", "customer_id", "--date", "invoice_date", "--invoice", "invoice_no",
            "--engine", "spark", "-q"]  # fmt: skip
    code = main(["rfm", str(tmp_path / "retail.parquet"), *argv, "--as-of", "2011-06-30",
                 "-o", str(tmp_path / "june.csv")])  # fmt: skip
    err = capsys.readouterr().err
    later = int((retail["invoice_date"] >= pd.Timestamp("2011-07-01")).sum())
    assert code == 0 and f"{later:,} line(s) dated after 2011-06-30 are left out" in err
    assert pd.read_csv(tmp_path / "june.csv")["recency"].min() >= 1
    assert main(["rfm", str(tmp_path / "header.parquet"), *argv]) == 2
    assert capsys.readouterr().err.strip() == (
        "crmlib rfm: error: header.parquet: no data rows, only the column names"
    )
