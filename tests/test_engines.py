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

from crmlib import btyd, datasets, rfm, validation
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


@pytest.mark.parametrize("observation_end", ["1998-03-31", "1998-06-30", "1998-12-31"])
def test_btyd_summary_skips_lines_after_the_observation_end(cdnow, tmp_path, observation_end):
    # Lines after the end (the first), none (the data end on the day: the second), or an
    # end after the data: the statement filters only when there is something to skip.
    periods = dict(calibration_end="1997-09-30", observation_end=observation_end)
    ref = btyd_reference(cdnow, **periods, **CDNOW)
    cdnow.to_parquet(tmp_path / "cdnow.parquet")
    for source in (cdnow, tmp_path / "cdnow.parquet"):
        got = engine.btyd_summary(source, **periods, **CDNOW)
        assert_same(got, ref[list(got.columns)])


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


# --------------------------------------------------------------------------------------------
# Checks of a frame done without a pass over it: the same bad input, the same message
# --------------------------------------------------------------------------------------------


@pytest.fixture(params=["numpy", "compiled"])
def read_path(request, monkeypatch):
    """Each check both ways: numpy (small frames) and the compiled read (large frames)."""
    if request.param == "compiled":
        monkeypatch.setattr(validation, "COMPILED_FROM", 0)
    return request.param


def _with_a_gap(lines: pd.DataFrame, column: str, dtype: object, row: int = 5) -> pd.DataFrame:
    """``lines`` with ``column`` as ``dtype`` and one missing value (named customers only)."""
    frame = lines.dropna(subset=["customer_id"]).reset_index(drop=True)
    values = frame[column].astype(dtype)
    values.iloc[row] = None
    return frame.assign(**{column: values})


@pytest.mark.parametrize(
    ("column", "dtype"),
    [
        ("amount", "float64"),  # NaN seen in the sum
        ("amount", "Float64"),  # a masked array
        ("date", "datetime64[ns]"),  # NaT seen in the minimum
        ("date", "datetime64[s]"),
        ("invoice_id", "str"),  # Arrow strings know their null count
        ("invoice_id", object),
        ("customer_id", "Int64"),  # rows without a customer are left out, with a warning
        ("customer_id", "float64"),
    ],
)
def test_a_missing_value_gives_the_pandas_message_through_the_engine(
    lines, column, dtype, read_path
):
    bad = _with_a_gap(lines, column, dtype)
    outcomes = []
    for call in (lambda: rfm.score(rfm.summarize(bad)), lambda: engine.rfm(bad)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                call()
                error = None
            except ValueError as err:
                error = str(err)
        outcomes.append((error, [str(w.message).split(", e.g.")[0] for w in caught]))
    assert outcomes[1] == outcomes[0]
    error, warned = outcomes[0]
    if column == "customer_id":
        assert error is None and any("1 row(s) with no 'customer_id'" in w for w in warned)
    else:
        assert error == f"column {column!r}: expected no missing values, found 1"


def test_missing_values_count_only_rows_with_a_customer(lines, read_path):
    """Rows without a customer are left out before the checks, in both paths."""
    bad = lines.copy()
    nobody = bad.index[bad["customer_id"].isna()]
    bad.loc[nobody[:2], "amount"] = np.nan
    bad.loc[nobody[2:4], "date"] = pd.NaT
    ref = quiet(lambda: rfm.score(rfm.summarize(bad)))
    assert_same_rfm(quiet(engine.rfm, bad), ref)
    named = bad.index[bad["customer_id"].notna()]
    bad.loc[named[:3], "amount"] = np.nan
    with pytest.raises(ValueError, match=r"column 'amount': expected no missing values, found 3"):
        quiet(rfm.summarize, bad)
    with pytest.raises(ValueError, match=r"column 'amount': expected no missing values, found 3"):
        quiet(engine.rfm, bad)


def test_infinite_amounts_are_not_missing_values(lines):
    """inf - inf sums to NaN: the sum only says where to look, the count decides."""
    odd = lines.dropna(subset=["customer_id"]).reset_index(drop=True)
    odd.loc[[1, 2], "amount"] = [np.inf, -np.inf]
    assert validation.count_missing(odd["amount"]) == 0
    summary = quiet(engine.rfm_summary, odd)
    assert np.isnan(summary["monetary"]).sum() + np.isinf(summary["monetary"]).sum() >= 1


@pytest.mark.parametrize("dtype", ["float64", "Float64", "datetime64[ns]", "str", object, "Int64"])
def test_count_missing_is_isna(dtype):
    rng = np.random.default_rng(3)
    if dtype == "datetime64[ns]":
        values = pd.Series(
            pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 99, 50), "D")
        )
    elif dtype in ("str", object):
        values = pd.Series(rng.integers(0, 99, 50).astype(str), dtype=dtype)
    else:
        values = pd.Series(rng.normal(size=50)).astype(dtype if dtype != "Int64" else "float64")
        values = values.round().astype(dtype)
    assert validation.count_missing(values) == 0
    values.iloc[[3, 17, 40]] = None
    assert validation.count_missing(values) == int(values.isna().sum()) == 3


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_far_dates_of_a_datetime_frame_warn_as_in_pandas(unit, lines, read_path):
    """datetime64 dates are checked while DuckDB computes; the warning is the pandas one."""
    far = lines.dropna(subset=["customer_id"]).reset_index(drop=True)
    far["date"] = far["date"].astype(f"datetime64[{unit}]")
    far.loc[7, "date"] = pd.Timestamp("2094-02-03")
    ref = messages(lambda: rfm.summarize(far))
    assert any("lie far outside the others, e.g. 2094-02-03" in m for m in ref)
    assert messages(engine.rfm, far) == ref
    btyd_ref = messages(lambda: btyd.summarize(far, customer="customer_id", date="date"))
    got = messages(engine.btyd_summary, far, customer="customer_id", date="date")
    assert got == btyd_ref and any("2094-02-03" in m for m in got)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        quiet_lines = lines.dropna(subset=["customer_id"]).astype({"date": f"datetime64[{unit}]"})
        quiet_lines = quiet_lines.astype({"customer_id": "int64"})
        engine.rfm(quiet_lines)  # nothing far: no warning


def test_btyd_checks_come_in_the_pandas_order(cdnow, read_path):
    """Missing values are refused before the dates are read (no far-date warning); a bad
    period is refused after the far-date warning."""
    far = cdnow.head(400).copy()
    far.loc[5, "date"] = pd.Timestamp("2090-01-01")
    missing = far.copy()
    missing.loc[3, "dollar_value"] = np.nan
    for call in (btyd_reference, engine.btyd_summary):
        with warnings.catch_warnings():
            warnings.simplefilter("error", DataWarning)
            with pytest.raises(ValueError, match=r"'dollar_value': expected no missing values"):
                call(missing, **CDNOW)
        with pytest.warns(DataWarning, match=r"far outside the others, e.g. 2090-01-01"):
            with pytest.raises(ValueError, match=r"calibration_end: expected a date before"):
                call(far, calibration_end="2091-01-01", observation_end="2090-06-01", **CDNOW)


def _far_exactly(ticks: np.ndarray, day: int) -> bool:
    """The definition: beyond three interquartile ranges (at least 30 days) of the quartiles."""
    q1, q3 = np.quantile(ticks.astype(float), [0.25, 0.75])
    spread = max(q3 - q1, 30 * day)
    return bool((ticks > q3 + 3 * spread).any() or (ticks < q1 - 3 * spread).any())


@pytest.mark.parametrize("compiled", [False, True], ids=["numpy", "numba"])
@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_the_far_date_histogram_never_misses_a_far_date(unit, compiled, monkeypatch):
    """_may_be_far may say "look closely" needlessly, never "nothing far" wrongly:
    random spans, clusters and outliers, before and after 1970; numpy's histogram (small
    columns) and the compiled one (large columns) alike."""
    from crmlib.validation import _may_be_far

    if compiled:
        monkeypatch.setattr(validation, "COMPILED_FROM", 0)

    day = int(pd.Timedelta(days=1) / pd.Timedelta(1, unit=unit))
    rng = np.random.default_rng(11)
    far_cases = 0
    for trial in range(400):
        n = int(rng.integers(20, 400))
        start = int(rng.integers(-20_000, 30_000)) * day
        span = int(rng.choice([5, 60, 91, 400, 3000])) * day
        ticks = start + rng.integers(0, span + 1, n)
        if trial % 3 == 0:  # a few typing errors far away
            k = int(rng.integers(1, 4))
            ticks[:k] = start + int(rng.choice([-1, 1])) * int(rng.integers(100, 40_000)) * day
        if trial % 5 == 0:  # a cluster on one day
            ticks[: n // 2] = start
        if _far_exactly(ticks, day):
            far_cases += 1
            assert _may_be_far(ticks, unit), (unit, trial)
            assert _may_be_far(ticks, unit, int(ticks.min()), int(ticks.max()))
    assert far_cases >= 50  # the cases that matter were tried


def test_datetime_extent_finds_missing_values_and_the_range():
    values = pd.Series(pd.to_datetime(["2024-03-02", "2023-12-31", None, "2024-01-15"]))
    missing, first, last = validation.datetime_extent(values)
    assert missing == 1
    assert pd.Timestamp(first, unit=values.dt.unit) == pd.Timestamp("2023-12-31")
    assert pd.Timestamp(last, unit=values.dt.unit) == pd.Timestamp("2024-03-02")
    assert validation.datetime_extent(pd.Series(pd.to_datetime([None, None]))) == (2, None, None)
    assert validation.datetime_extent(values.iloc[:0]) == (0, None, None)


@pytest.mark.parametrize("unit", ["s", "us", "ns"])
def test_the_compiled_read_finds_what_numpy_finds(unit, monkeypatch):
    """scan_dates in one compiled loop: the extent and the histogram that numpy finds, with
    NaT, dates before 1970 or after 2099 (no histogram then)."""
    rng = np.random.default_rng(5)
    n = 5000
    days = pd.Series(
        pd.Timestamp("2011-01-01") + pd.to_timedelta(rng.integers(0, 400 * 86400, n), "s")
    ).astype(f"datetime64[{unit}]")
    days.iloc[[3, 99]] = pd.NaT
    expected = validation.datetime_extent(days)
    monkeypatch.setattr(validation, "COMPILED_FROM", 0)
    extent, histogram = validation.scan_dates(days)
    assert extent == expected == (2, extent[1], extent[2])
    base, counts = histogram
    shift = validation._day_shift(unit)
    ticks = validation._ticks(days)
    present = ticks[ticks != validation._NAT]
    np.testing.assert_array_equal(counts, np.bincount((present >> shift) - base))
    for odd in ("1969-12-31", "2100-01-02"):
        shifted = days.copy()
        shifted.iloc[0] = pd.Timestamp(odd)
        extent, histogram = validation.scan_dates(shifted)
        assert histogram is None and extent == validation.datetime_extent(shifted)
    everything_missing = pd.Series(pd.NaT, index=range(30), dtype=f"datetime64[{unit}]")
    assert validation.scan_dates(everything_missing)[0] == (30, None, None)


# --------------------------------------------------------------------------------------------
# Net amounts rounded alike; lines cut at a day (the command's --as-of)
# --------------------------------------------------------------------------------------------


def test_full_refunds_score_alike_at_a_cutoff_of_zero(retail):
    """A refunded purchase nets to 0 in every path (float sums rounded to 1e-9 of the
    unit), so a cut-off at 0 scores pandas and DuckDB alike, and sums print short."""
    cutoffs = {"monetary": [0, 100, 500, 2000]}
    options = dict(bins=5, ties="low", cutoffs=cutoffs)
    ref = quiet(lambda: rfm.score(rfm.summarize(retail, **RETAIL), **options))
    got = quiet(engine.rfm, retail, as_of="2011-12-10", **options, **RETAIL)
    refunded = ref.index[ref["monetary"] == 0]
    assert len(refunded) >= 5  # e.g. 12454, 12558, 12607: full refunds
    assert (got.loc[refunded, "monetary"] == 0).all()
    assert not np.signbit(got["monetary"].to_numpy()[got["monetary"].to_numpy() == 0]).any()
    pd.testing.assert_frame_equal(got, ref)
    money = got["monetary"].to_numpy()
    np.testing.assert_array_equal(money, np.round(money, 9))
    assert validation.round_amounts([249.10000000000002]).tolist() == [249.1]


def test_btyd_spend_of_a_refunded_repeat_is_zero_in_every_path():
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 2],
            "date": pd.to_datetime(
                ["2024-01-01", "2024-01-08", "2024-01-08", "2024-01-01", "2024-01-09"]
            ),
            "amount": [5.0, 0.1 + 0.2, -0.3, 10.0, 20.0],
        }
    )
    ref = btyd.summarize(tx, customer="customer_id", date="date", amount="amount")
    got = engine.btyd_summary(tx, customer="customer_id", date="date", amount="amount")
    assert ref.loc[1, "mean_repeat_spend"] == got.loc[1, "mean_repeat_spend"] == 0.0
    pd.testing.assert_frame_equal(got, ref)


@pytest.mark.parametrize("kind", ["frame", "parquet", "csv"])
def test_until_leaves_out_later_lines_and_says_how_many(lines, tmp_path, kind):
    lines = lines.dropna(subset=["customer_id"]).reset_index(drop=True)  # btyd needs them all
    source = lines
    if kind != "frame":
        source = tmp_path / f"lines.{kind}"
        getattr(lines, f"to_{kind}")(source, index=False)
    day = pd.Timestamp("2024-05-01")
    later = int((lines["date"] >= day + pd.Timedelta(days=1)).sum())
    kept = lines[lines["date"] < day + pd.Timedelta(days=1)]
    ref = quiet(lambda: rfm.score(rfm.summarize(kept, as_of="2024-05-02")))
    with pytest.warns(DataWarning, match=rf"{later:,} line\(s\) dated after 2024-05-01 are left"):
        got = quiet_except_cut(engine.rfm, source, as_of="2024-05-02", until="2024-05-01")
    got.index = got.index.astype(ref.index.dtype)  # a file's ids come back as int64
    assert_same_rfm(got, ref)
    assert got["recency"].min() == 1
    ref = btyd.summarize(kept, customer="customer_id", date="date", amount="amount")
    got = quiet(
        engine.btyd_summary,
        source,
        customer="customer_id",
        date="date",
        amount="amount",
        observation_end="2024-05-01",
        until="2024-05-01",
    )
    got.index = got.index.astype(ref.index.dtype)
    assert_same(got, ref)
    with pytest.raises(ValueError, match=r"until: every line in column 'date' is dated after"):
        quiet(engine.rfm, source, until="2023-12-31")


def quiet_except_cut(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"^(?!.*dated after)")
        return call(*args, **kwargs)


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_a_file_with_no_data_rows_is_named(lines, tmp_path, suffix):
    empty = tmp_path / f"empty.{suffix}"
    empty.write_bytes(b"")
    header = tmp_path / f"header.{suffix}"
    getattr(lines.head(0), f"to_{suffix}")(header, index=False)
    only = "a header" if suffix == "csv" else "the column names"
    calls = [
        lambda f: engine.rfm(f),
        lambda f: engine.btyd_summary(f, customer="customer_id", date="date", amount="amount"),
        lambda f: engine.frequent_itemsets(f, invoice="invoice_id", item="amount", min_support=0.1),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=rf"^empty\.{suffix}: the file is empty$"):
            call(empty)
        with pytest.raises(ValueError, match=rf"^header\.{suffix}: no data rows, only {only}$"):
            call(header)
