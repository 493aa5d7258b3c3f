"""DuckDB engine against the pandas path (the readable reference): same answers, same errors.

Real data (Online Retail, CDNOW) and small frames made to hit each rule: purchase lines,
cancellations, ties, cut-offs, lines without a customer, calibration and holdout periods.
Files (CSV, Parquet) must give what the frame gives; a tiny memory limit forces DuckDB to
spill to disk, as it does on data larger than memory.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from crmlib import btyd, datasets, rfm
from crmlib.engines import definitions
from crmlib.engines import duckdb as engine
from crmlib.validation import DataWarning

RETAIL = dict(customer="customer_id", date="invoice_date", amount="amount", invoice="invoice_no")
CDNOW = dict(customer="customer_id", date="date", amount="dollar_value")


def btyd_reference(tx, *, unit="W", **kwargs):
    return btyd.summarize(tx, unit=unit, **kwargs)


def quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(*args, **kwargs)


def messages(call, *args, **kwargs) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call(*args, **kwargs)
    return [f"{w.category.__name__}: {w.message}" for w in caught]


def assert_same(got: pd.DataFrame, ref: pd.DataFrame) -> None:
    """Equal frames; floats to 1e-12 (sums added in another order), the rest exactly."""
    pd.testing.assert_frame_equal(got, ref, check_exact=False, rtol=1e-12)


def assert_same_rfm(got: pd.DataFrame, ref: pd.DataFrame, bins: int = 5, ties: str = "first"):
    """Same summary (monetary to 1e-12) and the scores rfm.score gives on it.

    A monetary sum depends on the order its lines are added in, in the last bit; the pandas
    path itself gives a few other m_scores when the same lines come sorted differently
    (customers whose amounts add up to the same cents). So m_score may differ from the
    reference only for a customer whose monetary value another customer has too, to 1e-9.
    """
    measures = ["recency", "frequency", "monetary"]
    assert_same(got[measures], ref[measures])
    assert_same(got, rfm.score(got[measures], bins, ties=ties))
    pd.testing.assert_series_equal(got["r_score"], ref["r_score"])
    pd.testing.assert_series_equal(got["f_score"], ref["f_score"])
    differ = got.index[got["m_score"].to_numpy() != ref["m_score"].to_numpy()]
    values = np.sort(ref["monetary"].to_numpy())
    for customer in differ:
        m = ref.loc[customer, "monetary"]
        near = np.abs(values - m) <= 1e-9 * max(abs(m), 1)
        assert near.sum() >= 2, f"m_score differs for {customer!r} without a near tie"


@pytest.fixture(scope="module")
def retail(shared_data):
    return datasets.fetch_online_retail(drop_cancellations=False)


@pytest.fixture(scope="module")
def cdnow(shared_data):
    return datasets.fetch_cdnow()


@pytest.fixture(scope="module")
def lines() -> pd.DataFrame:
    """A small log with every case: cancellations, a zero amount, ties, no customer."""
    rng = np.random.default_rng(7)
    n = 3000
    invoice = rng.integers(0, 600, n)
    customer = (invoice % 97).astype(float)
    customer[rng.random(n) < 0.02] = np.nan
    cancelled = invoice % 13 == 0
    amount = np.round(rng.gamma(2, 5, n), 2) * np.where(cancelled, -1, 1)
    amount[rng.random(n) < 0.01] = 0.0
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(invoice % 200, unit="D")
    hour = pd.to_timedelta(rng.integers(0, 24, n), unit="h")
    return pd.DataFrame(
        {
            "customer_id": pd.array(customer, dtype="Int64"),
            "invoice_id": pd.array(
                [f"C{i}" if c else str(i) for i, c in zip(invoice, cancelled, strict=True)]
            ),
            "date": day + hour,
            "amount": amount,
        }
    )


# --------------------------------------------------------------------------------------------
# RFM
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ties", rfm.TIES)
@pytest.mark.parametrize("bins", [2, 5, 10])
def test_rfm_matches_pandas_on_online_retail(retail, ties, bins):
    ref = quiet(lambda: rfm.score(rfm.summarize(retail, **RETAIL), bins, ties=ties))
    got = quiet(engine.rfm, retail, bins=bins, ties=ties, **RETAIL)
    assert_same(got, ref)


def test_rfm_cutoffs_and_as_of_match_pandas(retail):
    cutoffs = {"recency": [30, 90, 180, 365], "frequency": [1, 2, 4, 9]}
    ref = quiet(
        lambda: rfm.score(rfm.summarize(retail, as_of="2012-01-01", **RETAIL), cutoffs=cutoffs)
    )
    got = quiet(engine.rfm, retail, as_of="2012-01-01", cutoffs=cutoffs, **RETAIL)
    assert_same(got, ref)
    assert (got["recency"] >= 23).all()  # the data end on 2011-12-09


def test_rfm_warnings_are_the_pandas_ones(retail):
    ref = messages(lambda: rfm.summarize(retail, **RETAIL))
    got = messages(engine.rfm, retail, **RETAIL)
    assert len(got) == len(ref) == 2
    assert got[0] == ref[0]  # rows without a customer, with their count
    assert got[1].split(", e.g.")[0] == ref[1].split(", e.g.")[0]  # examples may differ


def test_rfm_any_row_order_gives_the_same_answer(lines):
    ref = quiet(lambda: rfm.score(rfm.summarize(lines)))
    for seed in range(3):
        shuffled = lines.sample(frac=1, random_state=seed)
        assert_same(quiet(engine.rfm, shuffled), ref)


def test_rfm_summary_matches_and_text_ids_stay_text(lines):
    text = lines.dropna(subset=["customer_id"]).astype({"customer_id": "int64"})
    text["customer_id"] = "K" + text["customer_id"].astype(str)
    ref = quiet(rfm.summarize, text)
    got = quiet(engine.rfm_summary, text)
    assert_same(got, ref)
    assert got.index.dtype == text["customer_id"].dtype


def test_rfm_from_csv_and_parquet_equals_the_frame(lines, tmp_path):
    ref = quiet(lambda: rfm.score(rfm.summarize(lines)))
    lines.to_parquet(tmp_path / "lines.parquet")
    lines.assign(date=lines["date"].dt.strftime("%d/%m/%Y %H:%M")).to_csv(
        tmp_path / "lines.csv", index=False
    )
    for name in ("lines.parquet", "lines.csv"):
        got = quiet(engine.rfm, tmp_path / name)
        assert_same(got.set_axis(got.index.astype("Int64")), ref)


def test_rfm_out_of_core_with_a_small_memory_limit(tmp_path):
    rng = np.random.default_rng(1)
    n = 600_000
    tx = pd.DataFrame(
        {
            "customer_id": rng.integers(0, 200_000, n),
            "invoice_id": rng.integers(0, 400_000, n),
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), "D"),
            "amount": rng.normal(20, 10, n).round(2),
        }
    )
    tx.to_parquet(tmp_path / "big.parquet", row_group_size=50_000)
    con = engine.connect(memory_limit="60MB", temp_directory=tmp_path / "spill", threads=2)
    got = quiet(engine.rfm, tmp_path / "big.parquet", con=con)
    ref = quiet(lambda: rfm.score(rfm.summarize(tx)))
    assert_same_rfm(got, ref)


def test_rfm_errors_are_the_pandas_ones(lines):
    def both(frame, **kwargs):
        errors = []
        for call in (lambda: rfm.summarize(frame, **kwargs), lambda: engine.rfm(frame, **kwargs)):
            with pytest.raises((ValueError, KeyError, TypeError)) as info:
                quiet(call)
            errors.append((info.type, str(info.value)))
        return errors

    no_date = lines.copy()
    no_date.loc[no_date.index[5], "date"] = pd.NaT
    nobody = lines.assign(customer_id=pd.array([pd.NA] * len(lines), dtype="Int64"))
    two_ways = pd.DataFrame(
        {"customer_id": [1, "1"], "date": ["2024-01-01"] * 2, "amount": 1.0, "invoice_id": [1, 2]}
    )
    cases = [
        both(no_date),
        both(nobody),
        both(lines, as_of="2024-02-01"),
        both(two_ways),
        both(lines.rename(columns={"amount": "Amount"})),
    ]
    for (ours, ours_text), (theirs, theirs_text) in cases:
        assert ours is theirs
        assert ours_text.startswith(theirs_text.split(";")[0].split(" the columns")[0])


def test_a_missing_column_in_a_file_says_did_you_mean(lines, tmp_path):
    lines.rename(columns={"customer_id": "CustomerID"}).to_parquet(tmp_path / "x.parquet")
    with pytest.raises(KeyError, match=r"x.parquet: missing column.*did you mean 'CustomerID'"):
        engine.rfm(tmp_path / "x.parquet")


def test_an_unreadable_date_in_a_csv_names_its_row_and_value(tmp_path):
    (tmp_path / "bad.csv").write_text(
        "customer_id,invoice_id,date,amount\n1,A,2024-01-02,5\n2,B,2024-13-45,6\n3,C,2024-01-05,7\n"
    )
    with pytest.raises(
        ValueError, match=r"'date'.*not dates.*row 2 \(line 3 of bad.csv\): '2024-13-45'"
    ):
        engine.rfm(tmp_path / "bad.csv")


def test_text_amounts_in_a_csv_name_their_row(tmp_path):
    (tmp_path / "bad.csv").write_text(
        "customer_id,invoice_id,date,amount\n1,A,2024-01-02,5\n2,B,2024-01-03,six\n"
    )
    with pytest.raises(TypeError, match=r"'amount': expected numbers.*row 2 \(line 3 of bad.csv\)"):
        engine.rfm(tmp_path / "bad.csv")


def test_far_dates_warn_as_in_pandas():
    days = pd.date_range("2024-01-01", periods=30, freq="D").strftime("%Y-%m-%d").tolist()
    tx = pd.DataFrame(
        {
            "customer_id": range(31),
            "date": [*days, "2099-01-05"],
            "amount": 1.0,
            "invoice_id": range(31),
        }
    )
    with pytest.warns(DataWarning, match=r"1 date\(s\) lie far outside.*2099-01-05"):
        engine.rfm(tx)


def test_score_sql_is_rfm_score_on_the_same_summary(lines):
    """The scoring SQL alone, fed the pandas summary, gives rfm.score's scores exactly."""
    import duckdb

    summary = quiet(rfm.summarize, lines)
    day = np.datetime64("2024-07-20", "D").view(np.int64)
    table = pd.DataFrame(
        {
            "customer": summary.index.astype("int64"),
            "last_day": (day - summary["recency"].to_numpy()).astype("datetime64[D]"),
            "frequency": summary["frequency"].to_numpy(),
            "monetary": summary["monetary"].to_numpy(),
        }
    )
    con = duckdb.connect()
    con.register("t", table)
    con.execute("CREATE VIEW g AS SELECT *, CAST(last_day AS DATE) AS last_purchase FROM t")
    for ties in rfm.TIES:
        for bins in (3, 4, 7):
            query = definitions.rfm_result_sql(
                "g", definitions.DUCKDB, as_of_day=int(day), bins=bins, ties=ties, counts=False
            )
            got = con.sql(query).df()
            expected = rfm.score(summary, bins, ties=ties)
            for column in ("r_score", "f_score", "m_score", "rfm_cell"):
                assert got[column].tolist() == expected[column].tolist(), (ties, bins, column)


# --------------------------------------------------------------------------------------------
# BTYD summary
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["W", "D", "M", "h"])
def test_btyd_summary_matches_pandas_on_cdnow(cdnow, unit):
    periods = dict(calibration_end="1997-09-30", observation_end="1998-06-30")
    ref = btyd_reference(cdnow, unit=unit, **periods, **CDNOW)
    got = engine.btyd_summary(cdnow, unit=unit, **periods, **CDNOW)
    assert_same(got, ref[list(got.columns)])
    assert list(got.columns) == list(definitions.BTYD_COLUMNS)
    assert got.attrs["unit"] == unit


def test_btyd_summary_without_holdout_or_amount(cdnow):
    ref = btyd_reference(cdnow, customer="customer_id", date="date")
    got = engine.btyd_summary(cdnow, customer="customer_id", date="date")
    assert_same(got, ref)
    assert list(got.columns) == ["repeat_purchases", "age_at_last_purchase", "age"]


def test_btyd_summary_from_parquet_in_any_order(cdnow, tmp_path):
    cdnow.sample(frac=1, random_state=3).to_parquet(tmp_path / "cdnow.parquet")
    periods = dict(calibration_end="1997-09-30", observation_end="1998-06-30")
    ref = btyd_reference(cdnow, **periods, **CDNOW)
    got = engine.btyd_summary(tmp_path / "cdnow.parquet", **periods, **CDNOW)
    assert_same(got, ref[list(got.columns)])


def test_btyd_errors_are_the_pandas_ones(cdnow):
    bad = cdnow.head(50).copy()
    bad.loc[3, "dollar_value"] = np.nan
    for kwargs in (
        dict(tx=bad, **CDNOW),
        dict(tx=cdnow, calibration_end="1998-07-01", observation_end="1998-06-30", **CDNOW),
        dict(tx=cdnow, unit="fortnight", **CDNOW),
    ):
        with pytest.raises(ValueError) as theirs:
            btyd_reference(**kwargs)
        with pytest.raises(ValueError) as ours:
            engine.btyd_summary(**kwargs)
        assert str(ours.value).split("(")[0] == str(theirs.value).split("(")[0]
