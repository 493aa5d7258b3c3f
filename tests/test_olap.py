"""Tests for crmlib.olap: the star schema, ORDER BY discipline and row vs column bytes."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

import crmlib.olap as olap
from crmlib.datasets import make_crm


@pytest.fixture(scope="module")
def crm():
    return make_crm(seed=1)


@pytest.fixture(scope="module")
def star(crm):
    con = duckdb.connect()
    summary = olap.build_star(con, crm)
    return con, summary


def test_date_dimension_covers_every_day():
    dim = olap.date_dimension("2023-12-30", "2024-01-02")
    assert dim["date_key"].tolist() == [20231230, 20231231, 20240101, 20240102]
    assert dim["quarter"].tolist() == ["2023-Q4", "2023-Q4", "2024-Q1", "2024-Q1"]
    assert dim["is_weekend"].tolist() == [True, True, False, False]
    with pytest.raises(ValueError, match="end"):
        olap.date_dimension("2024-01-02", "2024-01-01")


def test_star_keeps_every_fact_and_its_total(crm, star):
    con, summary = star
    rows = summary.set_index("table")["rows"]
    assert rows["fact_transactions"] == len(crm["transactions"])
    assert rows["fact_contacts"] == len(crm["activities"])
    assert rows["dim_customer"] == len(crm["customers"])
    total = con.execute("SELECT SUM(amount) FROM fact_transactions").fetchone()[0]
    assert total == pytest.approx(crm["transactions"]["amount"].sum())
    # every fact finds its dimensions (no orphan keys)
    orphans = con.execute(
        "SELECT COUNT(*) FROM fact_transactions f LEFT JOIN dim_date d USING (date_key) "
        "LEFT JOIN dim_customer c USING (customer_key) WHERE d.date IS NULL OR c.customer_id "
        "IS NULL"
    ).fetchone()[0]
    assert orphans == 0
    # revenue per channel survives the trip through the surrogate keys
    by_channel = olap.query(
        con,
        "SELECT ch.channel, SUM(f.amount) AS amount FROM fact_transactions f "
        "JOIN dim_channel ch USING (channel_key) GROUP BY ch.channel ORDER BY ch.channel",
    ).set_index("channel")["amount"]
    expected = crm["transactions"].groupby("channel", observed=True)["amount"].sum()
    pd.testing.assert_series_equal(
        by_channel, expected.reindex(by_channel.index), check_names=False
    )


def test_cube_totals_add_up(star):
    con, _ = star
    cube = olap.query(
        con,
        "SELECT p.line, ch.kind, SUM(f.amount) AS amount, GROUPING(p.line, ch.kind) AS g "
        "FROM fact_transactions f JOIN dim_product p USING (product_key) "
        "JOIN dim_channel ch USING (channel_key) GROUP BY CUBE (p.line, ch.kind) "
        "ORDER BY g, p.line NULLS LAST, ch.kind NULLS LAST",
    )
    grand = cube.loc[cube["g"] == 3, "amount"].item()
    for level in (0, 1, 2):
        assert cube.loc[cube["g"] == level, "amount"].sum() == pytest.approx(grand)


def test_query_insists_on_order_by(star):
    con, _ = star
    with pytest.raises(ValueError, match="ORDER BY"):
        olap.query(con, "SELECT * FROM dim_channel")
    with pytest.raises(TypeError, match="DuckDB"):
        olap.query("not a connection", "SELECT 1 ORDER BY 1")


def test_build_star_names_missing_tables_and_unknown_keys(crm):
    con = duckdb.connect()
    with pytest.raises(ValueError, match="activities"):
        olap.build_star(con, {k: v for k, v in crm.items() if k != "activities"})
    broken = dict(crm, transactions=crm["transactions"].assign(product_id="P99"))
    with pytest.raises(ValueError, match="product IDs"):
        olap.build_star(con, broken)


def test_column_store_reads_less_for_few_columns_and_is_deterministic():
    rng = np.random.default_rng(0)
    n = 20_000
    frame = pd.DataFrame({"day": np.sort(rng.integers(0, 365, n)), "key": rng.integers(0, 50, n),
                          "amount": rng.normal(100, 10, n).round(1),
                          "note": rng.choice(["aaaaaaaaaa", "bbbbbbbbbb"], n)})  # fmt: skip
    needed = {"one": ["amount"], "two": ["day", "amount"], "all": list(frame.columns)}
    first = olap.scan_bytes(frame, needed)
    again = olap.scan_bytes(frame, needed)
    pd.testing.assert_frame_equal(first, again)
    assert first["row_store_bytes"].nunique() == 1  # a row store reads everything
    col = first.set_index("query")["column_store_bytes"]
    assert col["one"] < col["two"] < col["all"]
    assert (first["ratio"] > 1).all()
    with pytest.raises(KeyError, match="nope"):
        olap.scan_bytes(frame, {"x": ["nope"]})


def test_connect_is_single_threaded_and_quiet():
    con = olap.connect()
    settings = dict(
        con.execute(
            "SELECT name, value FROM duckdb_settings() "
            "WHERE name IN ('threads', 'enable_progress_bar') ORDER BY name"
        ).fetchall()
    )
    assert settings == {"enable_progress_bar": "false", "threads": "1"}
    assert olap.connect(threads=2).execute("SELECT current_setting('threads')").fetchone()[0] == 2
    with pytest.raises(ValueError, match="threads"):
        olap.connect(threads=0)
