"""Tests for crmlib.rfm: summarize, score, segment, cell_response."""

from __future__ import annotations

import itertools
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from crmlib import rfm

AS_OF = pd.Timestamp("2024-03-01")


def random_tx(seed: int, n_lines: int = 600, n_invoices: int = 60) -> pd.DataFrame:
    """Lines with cancellations, zero amounts, missing customers and shared invoices."""
    rng = np.random.default_rng(seed)
    owner = rng.integers(100, 130, n_invoices).astype(float)
    owner[rng.random(n_invoices) < 0.05] = np.nan
    cancelled = rng.random(n_invoices) < 0.15
    number = np.where(cancelled, "C", "") + np.arange(n_invoices).astype(str)
    opened = pd.Timestamp("2024-01-01").value // 1000
    when = opened + rng.integers(0, 59 * 86400, n_invoices) * 1_000_000
    line = np.sort(rng.integers(0, n_invoices, n_lines))
    customer = owner[line]
    stray = rng.random(n_lines) < 0.05  # a line booked to another customer: shared invoice
    customer[stray] = rng.integers(100, 130, stray.sum())
    amount = np.round(rng.gamma(2.0, 10.0, n_lines), 2) * np.where(cancelled[line], -1, 1)
    amount[rng.random(n_lines) < 0.03] = 0.0
    return pd.DataFrame(
        {
            "customer_id": customer,
            "invoice_id": number[line],
            "date": pd.to_datetime(when[line], unit="us"),
            "amount": amount,
        }
    )


def reference_summary(tx: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The straightforward groupby-with-lambdas version of summarize's definition."""
    kept = tx[tx["customer_id"].notna()]
    purchase = kept["amount"] > 0
    prepared = kept.assign(
        date=kept["date"].where(purchase).dt.normalize(),
        invoice_id=kept["invoice_id"].where(purchase),
    )
    out = prepared.groupby("customer_id").agg(
        {
            "date": lambda x: (as_of - x.max()).days,
            "invoice_id": lambda x: x.nunique(),
            "amount": lambda x: x.sum(),
        }
    )
    out.columns = ["recency", "frequency", "monetary"]
    return out[out["frequency"] > 0].astype({"recency": "int64", "frequency": "int64"})


def quiet_summarize(tx: pd.DataFrame, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rfm.RFMDataWarning)
        return rfm.summarize(tx, **kwargs)


# --- summarize ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("order", ["by invoice", "shuffled"])
def test_summarize_matches_groupby_lambda_reference(seed, order):
    tx = random_tx(seed)
    if order == "shuffled":
        tx = tx.sample(frac=1, random_state=seed).reset_index(drop=True)
    keys = (tx["customer_id"].to_numpy(), tx["invoice_id"].to_numpy(dtype=object))
    # both code paths are exercised: adjacent lines merged first, or not
    assert (rfm._run_starts(*keys) is None) == (order == "shuffled")
    expected = reference_summary(tx, AS_OF)
    got = quiet_summarize(tx, as_of=AS_OF)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12)


def test_summarize_nets_returns_and_counts_only_purchase_invoices():
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 2],
            "invoice_id": ["A1", "A1", "A2", "C3", "A4"],
            "date": pd.to_datetime(
                [
                    "2024-01-01 09:00",
                    "2024-01-01 09:00",
                    "2024-01-10 00:00",
                    "2024-02-20 00:00",
                    "2024-02-27 00:00",
                ]
            ),
            "amount": [30.0, 20.0, 15.0, -20.0, 8.0],
        }
    )
    out = rfm.summarize(tx, as_of="2024-03-01")
    # the cancellation on 2024-02-20 moves neither recency nor frequency, only monetary
    assert out.loc[1].tolist() == [
        (pd.Timestamp("2024-03-01") - pd.Timestamp("2024-01-10")).days,
        2,
        45.0,
    ]
    assert out.loc[2].tolist() == [3, 1, 8.0]
    assert out.index.name == "customer_id"
    assert out.dtypes.tolist() == [np.int64, np.int64, np.float64]


def test_summarize_keeps_customers_with_net_loss_and_drops_cancellation_only():
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "c"],
            "invoice_id": ["1", "C2", "C3", "4"],
            "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]),
            "amount": [10.0, -25.0, -5.0, 0.0],
        }
    )
    with pytest.warns(rfm.RFMDataWarning, match=r"2 customer\(s\) with no purchase line.*'b'"):
        out = rfm.summarize(tx)
    assert out.index.tolist() == ["a"]
    assert out.loc["a", "monetary"] == -15.0
    assert out.loc["a", "frequency"] == 1


def test_summarize_drops_rows_without_customer_and_says_how_many():
    tx = random_tx(1)
    n_missing = int(tx["customer_id"].isna().sum())
    assert n_missing > 0
    with pytest.warns(rfm.RFMDataWarning) as record:
        rfm.summarize(tx, as_of=AS_OF)
    messages = [str(w.message) for w in record]
    assert f"tx: {n_missing} row(s) with no 'customer_id' are left out" in messages


def test_summarize_default_as_of_is_day_after_last_date():
    tx = pd.DataFrame(
        {
            "customer_id": [1, 2, np.nan],
            "invoice_id": ["1", "2", "3"],
            "date": pd.to_datetime(["2024-01-01 23:59", "2024-01-05 10:00", "2024-01-07 08:00"]),
            "amount": [5.0, 5.0, 5.0],
        }
    )
    with pytest.warns(rfm.RFMDataWarning):
        out = rfm.summarize(tx)
    # the last date in the data (a row without customer) is 2024-01-07: as_of is 2024-01-08
    assert out["recency"].tolist() == [7, 3]
    # a time of day on as_of is ignored: recency counts calendar days
    with pytest.warns(rfm.RFMDataWarning):
        timed = rfm.summarize(tx, as_of="2024-01-08 06:00")
    pd.testing.assert_frame_equal(timed, out)


def test_summarize_accepts_strings_categoricals_and_time_zones():
    tx = random_tx(2)
    expected = quiet_summarize(tx, as_of=AS_OF)
    variants = tx.assign(
        invoice_id=tx["invoice_id"].astype("category"),
        date=tx["date"].dt.strftime("%Y-%m-%d %H:%M:%S"),
    )
    pd.testing.assert_frame_equal(quiet_summarize(variants, as_of=AS_OF), expected)
    zoned = tx.assign(date=tx["date"].dt.tz_localize("Europe/London"))
    pd.testing.assert_frame_equal(quiet_summarize(zoned, as_of=AS_OF), expected)
    strings = tx.assign(customer_id=tx["customer_id"].astype("Int64").astype("string"))
    got = quiet_summarize(strings, as_of=AS_OF)
    assert got.index.tolist() == [str(int(c)) for c in expected.index]
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-12)


def test_summarize_other_column_names_and_no_mutation():
    tx = random_tx(3)
    renamed = tx.rename(
        columns={"customer_id": "cust", "invoice_id": "inv", "date": "d", "amount": "a"}
    )
    before = renamed.copy()
    out = quiet_summarize(
        renamed, customer="cust", invoice="inv", date="d", amount="a", as_of=AS_OF
    )
    pd.testing.assert_frame_equal(renamed, before)
    assert out.index.name == "cust"
    np.testing.assert_allclose(out.to_numpy(), quiet_summarize(tx, as_of=AS_OF).to_numpy())


def test_summarize_counts_a_shared_invoice_for_each_customer():
    tx = pd.DataFrame(
        {
            "customer_id": [1, 2, 1],
            "invoice_id": ["X", "X", "Y"],
            "date": pd.to_datetime(["2024-01-01"] * 3),
            "amount": [1.0, 2.0, 3.0],
        }
    )
    assert rfm.summarize(tx)["frequency"].tolist() == [2, 1]


@pytest.mark.parametrize(
    ("tx", "kwargs", "error", "match"),
    [
        ([1, 2], {}, TypeError, "tx: expected a pandas DataFrame, got list"),
        (pd.DataFrame(), {}, ValueError, "tx: expected at least one row"),
        (pd.DataFrame({"customer_id": [1]}), {}, KeyError, r"missing column\(s\) 'date', 'amount'"),
    ],
)
def test_summarize_refuses_bad_frames(tx, kwargs, error, match):
    with pytest.raises(error, match=match):
        rfm.summarize(tx, **kwargs)


def _one_line(**changes) -> pd.DataFrame:
    row = {
        "customer_id": [1, 2],
        "invoice_id": ["A", "B"],
        "date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
        "amount": [1.0, 2.0],
    }
    row.update(changes)
    return pd.DataFrame(row)


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"amount": ["1", "x"]}, TypeError, "column 'amount': expected numbers"),
        ({"date": [1, 2]}, TypeError, "column 'date': expected dates"),
        (
            {"date": ["2024-01-01", "soon"]},
            ValueError,
            r"column 'date': 1 value\(s\) are not dates",
        ),
        (
            {"amount": [1.0, np.nan]},
            ValueError,
            "column 'amount': expected no missing values, found 1",
        ),
        (
            {"date": pd.to_datetime(["2024-01-01", None])},
            ValueError,
            "column 'date': expected no missing",
        ),
        (
            {"invoice_id": ["A", None]},
            ValueError,
            "column 'invoice_id': expected no missing values, found 1",
        ),
    ],
)
def test_summarize_refuses_bad_columns(changes, error, match):
    with pytest.raises(error, match=match):
        rfm.summarize(_one_line(**changes))


def test_summarize_ignores_missing_values_in_rows_without_customer():
    tx = _one_line(customer_id=[1, np.nan], amount=[1.0, np.nan], invoice_id=["A", None])
    with pytest.warns(rfm.RFMDataWarning, match=r"1 row\(s\) with no 'customer_id'"):
        assert rfm.summarize(tx).index.tolist() == [1.0]


@pytest.mark.parametrize(
    ("as_of", "error", "match"),
    [
        (
            "2023-12-31",
            ValueError,
            r"as_of: expected a date on or after the last purchase \(2024-01-02\)",
        ),
        ("not a date", TypeError, "as_of: expected a date, got 'not a date'"),
        (pd.NaT, TypeError, "as_of: expected a date, got NaT"),
    ],
)
def test_summarize_refuses_bad_as_of(as_of, error, match):
    with pytest.raises(error, match=match):
        rfm.summarize(_one_line(), as_of=as_of)


def test_summarize_online_retail(shared_data):
    raw = pd.read_csv(
        shared_data / "online_retail.csv.gz", dtype={"InvoiceNo": str, "StockCode": str}
    )
    tx = pd.DataFrame(
        {
            "customer_id": raw["CustomerID"],
            "invoice_id": raw["InvoiceNo"],
            "date": pd.to_datetime(raw["InvoiceDate"]),
            "amount": raw["Quantity"] * raw["UnitPrice"],
        }
    )
    with pytest.warns(rfm.RFMDataWarning) as record:
        out = rfm.summarize(tx)
    messages = " | ".join(str(w.message) for w in record)
    # published figures (datasets README): 135,080 rows without CustomerID, 4,372 customers
    assert "135,080 row(s) with no 'customer_id'" in messages
    silent = int(re.search(r"(\d+) customer\(s\) with no purchase line", messages).group(1))
    assert len(out) + silent == 4372
    expected = reference_summary(tx, pd.Timestamp("2011-12-10"))
    pd.testing.assert_frame_equal(out, expected, check_exact=False, rtol=1e-9)
    # the examples are the smallest ids, whatever the order of the lines
    with pytest.warns(rfm.RFMDataWarning) as shuffled:
        rfm.summarize(tx.sample(frac=1, random_state=0))
    assert [str(w.message) for w in shuffled] == [str(w.message) for w in record]
    examples = re.search(r"e\.g\. ([\d, ]+)", messages).group(1).split(", ")
    assert examples == sorted(examples) and len(examples) == 5


# --- score ----------------------------------------------------------------------------------


def tutorial_scores(summary: pd.DataFrame, bins: int) -> pd.DataFrame:
    ordered = summary.sort_index()
    up, down = list(range(1, bins + 1)), list(range(bins, 0, -1))
    return pd.DataFrame(
        {
            "r_score": pd.qcut(ordered["recency"].rank(method="first"), bins, labels=down),
            "f_score": pd.qcut(ordered["frequency"].rank(method="first"), bins, labels=up),
            "m_score": pd.qcut(ordered["monetary"].rank(method="first"), bins, labels=up),
        }
    ).astype("int64")


def random_summary(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "recency": rng.integers(1, 40, n),
            "frequency": rng.integers(1, 6, n),
            "monetary": np.round(rng.gamma(2, 50, n), 2),
        },
        index=pd.Index(rng.permutation(n) + 1000, name="customer_id"),
    )


@pytest.mark.parametrize(("n", "bins"), [(2, 5), (7, 5), (50, 5), (333, 5), (101, 3), (64, 10)])
def test_score_matches_qcut_of_rank_first(n, bins):
    summary = random_summary(n, n)
    got = rfm.score(summary, bins=bins)
    expected = tutorial_scores(summary, bins).reindex(summary.index)
    pd.testing.assert_frame_equal(got[["r_score", "f_score", "m_score"]], expected)
    assert got.index.equals(summary.index)  # row order kept


def test_score_with_fewer_distinct_values_than_bins():
    n = 100
    values = np.repeat([1, 2, 3], [30, 50, 20])
    summary = pd.DataFrame(
        {"recency": values, "frequency": values, "monetary": values.astype(float)},
        index=pd.Index(np.arange(n), name="customer_id"),
    )
    shuffled = summary.sample(frac=1, random_state=0)
    scored = rfm.score(shuffled, bins=5)
    assert scored["f_score"].value_counts().sort_index().tolist() == [20] * 5
    # ties broken by customer id, the same whatever the row order
    pd.testing.assert_frame_equal(scored.sort_index(), rfm.score(summary, bins=5))
    ordered = scored.sort_values(["frequency"], kind="stable").sort_index(kind="stable")
    assert ordered["f_score"].is_monotonic_increasing  # ids follow values here
    assert (scored["r_score"] == 6 - scored["f_score"]).all()  # low recency scores high


def test_score_cells_and_total():
    summary = random_summary(5, 40)
    scored = rfm.score(summary)
    expected_cell = (
        scored["r_score"].astype(str)
        + scored["f_score"].astype(str)
        + scored["m_score"].astype(str)
    )
    assert (scored["rfm_cell"] == expected_cell).all()
    assert (scored["rfm_score"] == scored[["r_score", "f_score", "m_score"]].sum(axis=1)).all()
    assert scored["rfm_score"].between(3, 15).all()
    wide = rfm.score(summary, bins=12)
    assert re.fullmatch(r"\d+-\d+-\d+", wide["rfm_cell"].iloc[0])
    assert summary.columns.tolist() == ["recency", "frequency", "monetary"]  # not mutated


def test_score_single_customer_is_in_the_middle():
    one = pd.DataFrame({"recency": [3], "frequency": [2], "monetary": [10.0]})
    assert rfm.score(one).loc[0, "rfm_cell"] == "333"


@pytest.mark.parametrize(
    ("summary", "bins", "error", "match"),
    [
        (random_summary(0, 9), 1, ValueError, "bins: expected a whole number >= 2, got 1"),
        (random_summary(0, 9), 5.0, TypeError, "bins: expected a whole number >= 2, got 5.0"),
        (random_summary(0, 9), True, TypeError, "bins: expected a whole number"),
        (random_summary(0, 9).drop(columns="monetary"), 5, KeyError, "'monetary'"),
        (pd.DataFrame({"recency": [1, 2], "frequency": [1, 1], "monetary": [1.0, np.nan]}), 5,
         ValueError, "column 'monetary': expected no missing values"),
        (pd.DataFrame({"recency": ["a", "b"], "frequency": [1, 1], "monetary": [1.0, 2.0]}), 5,
         TypeError, "column 'recency': expected numbers"),
        (pd.DataFrame({"recency": [1, 2], "frequency": [1, 1], "monetary": [1.0, 2.0]}, index=[7, 7]),
         5, ValueError, "summary: expected one row per customer, repeated: 7"),
        ("summary", 5, TypeError, "summary: expected a pandas DataFrame"),
    ],
)  # fmt: skip
def test_score_refuses_bad_input(summary, bins, error, match):
    with pytest.raises(error, match=match):
        rfm.score(summary, bins=bins)


def rank_scores(summary: pd.DataFrame, bins: int, method: str) -> pd.DataFrame:
    """Quantile scores from pandas' rank(method=...), written out independently of score."""
    n = len(summary)

    def bins_of(values: pd.Series, m: str) -> pd.Series:
        rank = values.rank(method=m)
        return np.ceil((rank - 1) * bins / (n - 1)).clip(lower=1).astype("int64")

    other = {"min": "max", "max": "min"}[method]
    return pd.DataFrame(
        {
            # a low recency is good: the lowest *score* comes from the highest value rank
            "r_score": bins + 1 - bins_of(summary["recency"], other),
            "f_score": bins_of(summary["frequency"], method),
            "m_score": bins_of(summary["monetary"], method),
        }
    )


@pytest.mark.parametrize(("n", "bins"), [(2, 5), (7, 5), (50, 5), (333, 5), (101, 3), (64, 10)])
@pytest.mark.parametrize(("ties", "method"), [("low", "min"), ("high", "max")])
def test_score_ties_low_and_high_match_rank_min_and_max(n, bins, ties, method):
    summary = random_summary(n, n)  # frequency 1..5 and recency 1..39: many ties
    got = rfm.score(summary, bins=bins, ties=ties)[["r_score", "f_score", "m_score"]]
    pd.testing.assert_frame_equal(got, rank_scores(summary, bins, method))


def test_score_ties_bracket_the_first_order_and_agree_without_ties():
    summary = random_summary(7, 400)
    first, low, high = (rfm.score(summary, ties=t) for t in rfm.TIES)
    for name in ["r_score", "f_score", "m_score"]:
        assert (low[name] <= first[name]).all() and (first[name] <= high[name]).all()
    for measure, name in [("recency", "r_score"), ("frequency", "f_score")]:
        for frame in (low, high):  # equal values, equal scores
            assert (frame.groupby(measure)[name].nunique() == 1).all()
        assert (first.groupby(measure)[name].nunique() > 1).any()  # "first" splits some
    # monetary has no ties here, so all three agree on it
    assert low["m_score"].equals(first["m_score"]) and high["m_score"].equals(first["m_score"])
    # the result does not depend on the row order
    shuffled = summary.sample(frac=1, random_state=3)
    pd.testing.assert_frame_equal(rfm.score(shuffled, ties="low").loc[summary.index], low)


def test_score_cutoffs_score_by_fixed_values():
    summary = random_summary(8, 300).assign(frequency=lambda d: d["frequency"] * 3)
    edges = {"frequency": [1, 2, 4, 9], "recency": [7, 14, 21, 28]}
    got = rfm.score(summary, cutoffs=edges)
    by_cut = pd.cut(summary["frequency"], [-np.inf, 1, 2, 4, 9, np.inf], labels=False) + 1
    assert got["f_score"].tolist() == by_cut.tolist()
    by_days = 5 - pd.cut(summary["recency"], [-np.inf, 7, 14, 21, 28, np.inf], labels=False)
    assert got["r_score"].tolist() == by_days.tolist()
    # a measure without cut-offs keeps its quintiles
    assert got["m_score"].equals(rfm.score(summary)["m_score"])
    # a value equal to a cut-off goes to the band below; the same history, the same score
    edge = pd.DataFrame({"recency": [7, 8], "frequency": [4, 5], "monetary": [1.0, 2.0]})
    scored = rfm.score(edge, cutoffs=edges)
    assert scored["f_score"].tolist() == [3, 4] and scored["r_score"].tolist() == [5, 4]
    alone = rfm.score(edge.iloc[:1], cutoffs=edges)  # one customer: cut-offs still apply
    assert alone.loc[0, "f_score"] == 3 and alone.loc[0, "m_score"] == 3


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"ties": "min"}, ValueError, r"ties: expected one of \('first', 'low', 'high'\), got 'min'"),
        ({"cutoffs": [1, 2, 4, 9]}, TypeError, "cutoffs: expected a mapping"),
        ({"cutoffs": {"freq": [1, 2, 4, 9]}}, ValueError, "cutoffs: expected keys among"),
        ({"cutoffs": {"frequency": [1, 2, 4]}}, ValueError,
         r"cutoffs\['frequency'\]: expected 4 cut-offs for 5 scores, got \[1, 2, 4\]"),
        ({"cutoffs": {"frequency": [1, 2, 2, 9]}}, ValueError, "strictly increasing"),
        ({"cutoffs": {"monetary": [1, 2, np.nan, 9]}}, ValueError, "strictly increasing finite"),
        ({"cutoffs": {"recency": ["a", "b", "c", "d"]}}, TypeError,
         r"cutoffs\['recency'\]: expected 4 numbers"),
    ],
)  # fmt: skip
def test_score_refuses_bad_ties_and_cutoffs(kwargs, error, match):
    with pytest.raises(error, match=match):
        rfm.score(random_summary(0, 20), **kwargs)


# --- weighted score -------------------------------------------------------------------------


def test_weighted_score_is_the_weighted_sum_of_the_scores():
    scored = rfm.score(random_summary(4, 200))
    before = scored.copy()
    ones = rfm.weighted_score(scored, {"r": 1, "f": 1, "m": 1})
    assert (ones["weighted_score"] == scored["rfm_score"]).all()
    only_r = rfm.weighted_score(scored, {"m": 0, "f": 0.0, "r": 1.0})
    assert (only_r["weighted_score"] == scored["r_score"]).all()
    w = {"r": 0.5, "f": 0.3, "m": 0.2}
    got = rfm.weighted_score(scored, w)["weighted_score"]
    by_hand = 0.5 * scored["r_score"] + 0.3 * scored["f_score"] + 0.2 * scored["m_score"]
    np.testing.assert_allclose(got, by_hand)
    assert got.between(1, 5).all()  # weights summing to 1 keep the 1..5 scale
    # scaling the weights scales the score and keeps the ranking
    doubled = rfm.weighted_score(scored, {k: 2 * v for k, v in w.items()})["weighted_score"]
    np.testing.assert_allclose(doubled, 2 * got)
    series = rfm.weighted_score(scored, pd.Series(w))["weighted_score"]
    pd.testing.assert_series_equal(series, got)
    pd.testing.assert_frame_equal(scored, before)  # not mutated


@pytest.mark.parametrize(
    ("weights", "error", "match"),
    [
        ({"r": 1, "f": 1}, ValueError, "weights: expected a mapping with exactly the keys"),
        ([0.5, 0.3, 0.2], ValueError, "weights: expected a mapping"),
        ({"r": 1, "f": -0.1, "m": 1}, ValueError, r"weights\['f'\]: expected a finite number >= 0"),
        ({"r": 1, "f": "1", "m": 1}, TypeError, r"weights\['f'\]: expected a number, got '1'"),
        ({"r": 1, "f": True, "m": 1}, TypeError, r"weights\['f'\]: expected a number"),
        ({"r": 0, "f": 0, "m": 0}, ValueError, "at least one weight > 0"),
    ],
)  # fmt: skip
def test_weighted_score_refuses_bad_weights(weights, error, match):
    scored = rfm.score(random_summary(5, 30))
    with pytest.raises(error, match=match):
        rfm.weighted_score(scored, weights)


def simulated_mailing(seed: int, n: int, beta: tuple[float, float, float, float]):
    rng = np.random.default_rng(seed)
    scored = pd.DataFrame(
        rng.integers(1, 6, (n, 3)),
        columns=["r_score", "f_score", "m_score"],
        index=pd.Index(rng.permutation(n), name="customer_id"),
    )
    logit = beta[0] + scored.to_numpy() @ np.array(beta[1:])
    responded = pd.Series(rng.random(n) < 1 / (1 + np.exp(-logit)), index=scored.index)
    return scored, responded


def test_response_weights_are_the_logistic_regression_coefficients():
    sklearn_linear = pytest.importorskip("sklearn.linear_model")
    scored, responded = simulated_mailing(0, 3000, (-3.0, 0.5, 0.25, -0.2))
    got = rfm.response_weights(scored, responded)
    model = sklearn_linear.LogisticRegression(C=1e12, tol=1e-10, max_iter=10_000)
    model.fit(scored.to_numpy(), responded.to_numpy())
    np.testing.assert_allclose(got["coefficient"], model.coef_[0], atol=1e-4)
    assert got.index.tolist() == ["r", "f", "m"]
    assert got.loc["m", "weight"] == 0  # a negative coefficient gets no weight
    assert got["weight"].sum() == pytest.approx(1)
    assert got.loc["r", "weight"] > got.loc["f", "weight"] > 0
    # the estimate recovers the planted effects
    np.testing.assert_allclose(got["coefficient"], [0.5, 0.25, -0.2], atol=0.12)
    # its output feeds weighted_score directly, and a column name works too
    weighted = rfm.weighted_score(scored, got)["weighted_score"]
    np.testing.assert_allclose(weighted, scored.to_numpy() @ got["weight"].to_numpy())
    by_name = rfm.response_weights(scored.assign(hit=responded.astype(int)), "hit")
    pd.testing.assert_frame_equal(by_name, got)


def test_response_weights_refuses_what_cannot_be_fitted():
    scored, responded = simulated_mailing(1, 200, (-1.0, 0.3, 0.3, 0.0))
    with pytest.raises(ValueError, match="expected both responders and non-responders, got 0"):
        rfm.response_weights(scored, responded & False)
    with pytest.raises(ValueError, match="column 'm_score': expected scores that vary"):
        rfm.response_weights(scored.assign(m_score=3), responded)
    separated = scored["r_score"] >= 4
    with pytest.raises(ValueError, match="did not converge"):
        rfm.response_weights(scored, separated)
    backwards, answered = simulated_mailing(2, 2000, (1.0, -0.4, -0.3, -0.3))
    with pytest.raises(ValueError, match="no score raises the chance"):
        rfm.response_weights(backwards, answered)
    with pytest.raises(ValueError, match="3 in scored are missing from responded"):
        rfm.response_weights(scored, responded.iloc[:-3])


# --- segment --------------------------------------------------------------------------------


def all_cells(bins: int = 5) -> pd.DataFrame:
    cells = list(itertools.product(range(1, bins + 1), repeat=3))
    return pd.DataFrame(cells, columns=["r_score", "f_score", "m_score"])


def test_default_scheme_names_every_one_of_125_cells_once():
    cells = all_cells()
    out = rfm.name_segments(cells)
    assert len(out) == 125 and out["segment"].notna().all()
    # cross-check each cell against the rules by hand: exactly one rule holds
    for row in out.itertuples():
        holding = [
            name
            for name, rule in rfm.DEFAULT_SCHEME.items()
            if all(
                rule.get(k, (1, 5))[0] <= s <= rule.get(k, (1, 5))[1]
                for k, s in zip("rfm", (row.r_score, row.f_score, row.m_score), strict=True)
            )
        ]
        assert holding == [row.segment]
    assert set(out["segment"]) == set(rfm.DEFAULT_SCHEME)
    by_cell = dict(
        zip(
            out["r_score"] * 100 + out["f_score"] * 10 + out["m_score"], out["segment"], strict=True
        )
    )
    assert (by_cell[555], by_cell[111], by_cell[151], by_cell[511]) == (
        "Champions",
        "Lost",
        "Can't lose",
        "New",
    )
    assert list(out["segment"].cat.categories) == list(rfm.DEFAULT_SCHEME)


def test_segment_with_a_copied_and_edited_scheme():
    scheme = dict(rfm.DEFAULT_SCHEME)
    del scheme["Hibernating"]
    scheme["Lost"] = {"r": (1, 2), "f": (1, 2)}
    out = rfm.name_segments(all_cells(), scheme)
    assert "Hibernating" not in set(out["segment"])
    assert out.loc[(out["r_score"] == 2) & (out["f_score"] == 1), "segment"].eq("Lost").all()
    three = rfm.name_segments(
        all_cells(3),
        {"Top": {"r": 3, "m": (2, 3)}, "Rest": {"r": (1, 2)}, "Low": {"r": 3, "m": 1}},
        bins=3,
    )
    assert three["segment"].value_counts().to_dict() == {"Rest": 18, "Top": 6, "Low": 3}


def test_segment_names_cells_left_out_or_claimed_twice():
    gap = dict(rfm.DEFAULT_SCHEME)
    del gap["New"]
    with pytest.raises(
        ValueError, match=r"5 cell\(s\) in no segment: '511', '512', '513', '514', '515'$"
    ):
        rfm.name_segments(all_cells(), gap)
    overlap = dict(rfm.DEFAULT_SCHEME, Whales={"r": 5, "f": 5, "m": 5})
    with pytest.raises(
        ValueError, match=r"1 cell\(s\) in several segments: 555 \['Champions', 'Whales'\]"
    ):
        rfm.name_segments(all_cells(), overlap)


@pytest.mark.parametrize(
    ("scheme", "error", "match"),
    [
        ({}, TypeError, "scheme: expected a non-empty mapping"),
        ({"All": {"x": 1}}, ValueError, r"scheme\['All'\]: expected a mapping from 'r', 'f'"),
        (
            {"All": {"r": "high"}},
            TypeError,
            r"scheme\['All'\]\['r'\]: expected a score or a \(low, high\)",
        ),
        (
            {"All": {"r": (0, 5)}},
            ValueError,
            r"scheme\['All'\]\['r'\]: expected scores with 1 <= low <= high <= 5",
        ),
        ({"All": {"r": (4, 2)}}, ValueError, r"got \(4, 2\)"),
    ],
)
def test_segment_refuses_bad_schemes(scheme, error, match):
    with pytest.raises(error, match=match):
        rfm.name_segments(all_cells(), scheme)


def test_segment_refuses_bad_scores():
    with pytest.raises(ValueError, match=r"column 'f_score': expected scores 1..5, found 6"):
        rfm.name_segments(all_cells().assign(f_score=6))
    with pytest.raises(
        TypeError, match="column 'r_score': expected whole-number scores, got float64"
    ):
        rfm.name_segments(all_cells().astype({"r_score": float}))
    with pytest.raises(KeyError, match="'m_score'"):
        rfm.name_segments(all_cells().drop(columns="m_score"))


def test_segment_summary_sizes_revenue_and_medians():
    segmented = rfm.name_segments(rfm.score(random_summary(9, 500)))
    out = rfm.segment_summary(segmented)
    by_hand = segmented.groupby("segment", observed=True)["monetary"].agg(["size", "sum"])
    assert out["customers"].sum() == len(segmented)
    assert out["customers"].to_dict() == by_hand["size"].to_dict()
    np.testing.assert_allclose(out["revenue"], by_hand.loc[out.index, "sum"])
    assert out["share_of_customers"].sum() == pytest.approx(1)
    assert out["share_of_revenue"].sum() == pytest.approx(1)
    assert out["revenue"].is_monotonic_decreasing
    for measure in ["recency", "frequency", "monetary"]:
        median = segmented.groupby("segment", observed=True)[measure].median()
        np.testing.assert_allclose(out[measure], median.loc[out.index])
    other = rfm.segment_summary(segmented.rename(columns={"segment": "tier"}), "tier")
    assert other.index.name == "tier" and other["customers"].tolist() == out["customers"].tolist()


def test_segment_summary_refuses_bad_input():
    segmented = rfm.name_segments(rfm.score(random_summary(10, 50)))
    with pytest.raises(KeyError, match=r"segmented: missing column\(s\) 'tier'"):
        rfm.segment_summary(segmented, "tier")
    gap = segmented.assign(
        segment=segmented["segment"].astype(object).where(segmented.index != segmented.index[0])
    )
    with pytest.raises(ValueError, match="column 'segment': expected a segment for every customer"):
        rfm.segment_summary(gap)


# --- cell_response --------------------------------------------------------------------------


def campaign(seed: int = 0, n: int = 500) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    scored = rfm.score(random_summary(seed, n))
    chance = scored["rfm_score"] / 30
    responded = pd.Series(rng.random(n) < chance, index=scored.index)
    return scored, responded


def test_cell_response_rates_and_index():
    scored, responded = campaign()
    out = rfm.cell_response(scored, responded.sample(frac=1, random_state=1))  # any order
    by_hand = responded.groupby(scored["rfm_cell"]).agg(["size", "sum", "mean"])
    by_hand = by_hand.loc[out.index]
    assert out["customers"].tolist() == by_hand["size"].tolist()
    assert out["responders"].tolist() == by_hand["sum"].tolist()
    np.testing.assert_allclose(out["response_rate"], by_hand["mean"])
    np.testing.assert_allclose(out["response_index"], by_hand["mean"] / responded.mean() * 100)
    assert out["response_rate"].is_monotonic_decreasing
    assert out["customers"].sum() == len(scored)
    assert out.index.name == "rfm_cell"
    pd.testing.assert_frame_equal(rfm.cell_response(scored.assign(resp=responded), "resp"), out)
    ones = rfm.cell_response(scored, responded.astype(int))
    pd.testing.assert_frame_equal(ones, out)


def test_cell_response_without_responders_has_no_index():
    scored, responded = campaign(1, 50)
    out = rfm.cell_response(scored, responded & False)
    assert (out["response_rate"] == 0).all() and out["response_index"].isna().all()


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda r: r.iloc[:-3], ValueError, r"3 in scored are missing from responded"),
        (
            lambda r: r.rename(index={r.index[0]: -1}),
            ValueError,
            r"1 in responded are not in scored \(-1\)",
        ),
        (
            lambda r: pd.concat([r, r.iloc[:1]]),
            ValueError,
            "responded: expected one value per customer",
        ),
        (
            lambda r: r.astype(float).where(r.index != r.index[0]),
            ValueError,
            r"responded: expected binary outcomes \(True/False or 0/1\) for every customer, found 1 missing",
        ),
        (
            lambda r: r.astype(int) * 2,
            ValueError,
            r"responded: expected binary outcomes \(True/False or 0/1, 1 = yes\), got values such as 2",
        ),
        (
            lambda r: r.to_numpy(),
            TypeError,
            "responded: expected a boolean Series or a column name",
        ),
        (lambda r: "nope", KeyError, r"scored: missing column\(s\) 'nope'"),
    ],
)
def test_cell_response_refuses_bad_responses(change, error, match):
    scored, responded = campaign(2, 60)
    with pytest.raises(error, match=match):
        rfm.cell_response(scored, change(responded))


def test_cell_response_needs_cells():
    scored, responded = campaign(3, 20)
    with pytest.raises(KeyError, match="'rfm_cell'"):
        rfm.cell_response(scored.drop(columns="rfm_cell"), responded)


def test_cell_response_profit_and_mail_decision():
    scored, responded = campaign(4, 400)
    out = rfm.cell_response(scored, responded, cost_per_contact=2.0, value_per_response=15.0)
    np.testing.assert_allclose(out["profit"], out["responders"] * 15.0 - out["customers"] * 2.0)
    assert (out["mail"] == (out["response_rate"] > 2.0 / 15.0)).all()
    assert (out["mail"] == (out["profit"] > 0)).all()
    assert out["mail"].any() and not out["mail"].all()
    plain = rfm.cell_response(scored, responded)
    pd.testing.assert_frame_equal(out[plain.columns], plain)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"cost_per_contact": 2.0}, ValueError, "expected both or neither"),
        ({"value_per_response": 2.0}, ValueError, "expected both or neither"),
        ({"cost_per_contact": -1.0, "value_per_response": 2.0}, ValueError, "cost_per_contact: expected a number >= 0"),
        ({"cost_per_contact": 1.0, "value_per_response": 0.0}, ValueError, "value_per_response: expected a number > 0"),
    ],
)  # fmt: skip
def test_cell_response_refuses_bad_costs(kwargs, error, match):
    scored, responded = campaign(5, 40)
    with pytest.raises(error, match=match):
        rfm.cell_response(scored, responded, **kwargs)
