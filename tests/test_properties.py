"""Messy frames, generated: crmlib either answers or refuses clearly, and never mutates input.

Hypothesis builds transaction logs the way real exports arrive (mixed id types, missing
values, strings for numbers, dates in several forms, duplicated rows and indexes, negative
and zero amounts). For every one, a public function must either return a valid result or
raise an error that crmlib itself raised with a message; a raw error from deep inside
pandas, NumPy or SciPy fails the test, and so does any change to the input frame.
"""

from __future__ import annotations

import traceback
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmlib import evaluate, rfm
from crmlib.validation import DataWarning

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

ids = st.one_of(
    st.integers(1, 6),
    st.sampled_from(["1", "2", "a", " 3", "3 "]),
    st.none(),
    st.just(float("nan")),
)
dates = st.one_of(
    st.sampled_from(
        ["2024-01-05", "2024-02-30", "05/01/2024", "01/05/2024", "2024-01-05T10:00+09:00",
         "2024-01-05T10:00-05:00", "yesterday", "", "2099-12-31"]
    ),
    st.datetimes(min_value=pd.Timestamp("2023-01-01"), max_value=pd.Timestamp("2024-12-31")),
    st.none(),
)  # fmt: skip
amounts = st.one_of(
    st.floats(-100, 1000),
    st.sampled_from([float("nan"), float("inf")]),
    st.integers(-5, 500),
    st.sampled_from(["12.5", "1,000", "abc", ""]),
    st.none(),
)
invoices = st.one_of(st.integers(1, 8), st.sampled_from(["A1", "C2", "3"]), st.none())


@st.composite
def transaction_logs(draw) -> pd.DataFrame:
    n = draw(st.integers(0, 12))
    rows = [
        {
            "customer_id": draw(ids),
            "date": draw(dates),
            "amount": draw(amounts),
            "invoice_id": draw(invoices),
        }
        for _ in range(n)
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "invoice_id"])
    if draw(st.booleans()) and n:
        frame.index = [0] * n  # a duplicated index
    return frame


def _raised_by_crmlib(exc: BaseException) -> bool:
    """The innermost frame of the traceback is crmlib's own code: a deliberate refusal."""
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and "/crmlib/" in frames[-1].filename.replace("\\", "/")


def _call(fn, frame: pd.DataFrame, **kwargs):
    before = frame.copy(deep=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fn(frame, **kwargs)
    except (TypeError, ValueError, KeyError) as exc:
        assert _raised_by_crmlib(exc), f"raw {type(exc).__name__} from a dependency: {exc}"
        assert str(exc), "an error without a message"
        result = None
    pd.testing.assert_frame_equal(frame, before)  # the input is never changed
    return result


@SETTINGS
@given(transaction_logs())
def test_rfm_summarize_and_score_answer_or_refuse_clearly(frame):
    summary = _call(rfm.summarize, frame)
    if summary is not None:
        assert summary.index.is_unique
        assert (summary["recency"] >= 0).all() and (summary["frequency"] >= 1).all()
        if len(summary) >= 1:
            _call(rfm.score, summary)


@SETTINGS
@given(
    st.lists(st.one_of(st.integers(0, 1), st.booleans(), st.none(), st.just(2)), max_size=30),
    st.lists(st.one_of(st.floats(-1, 2), st.just(float("nan")), st.none()), max_size=30),
)
def test_gains_table_answers_or_refuses_clearly(outcomes, scores):
    frame = pd.DataFrame({"y": pd.Series(outcomes, dtype=object)})
    score = pd.Series(scores, dtype=object)

    def gains(df):
        return evaluate.gains_table(df["y"], score, n_bins=min(3, max(1, len(df))))

    table = _call(gains, frame)
    if table is not None:
        assert np.isclose(table["cum_gains"].iloc[-1], 1.0)


@pytest.mark.parametrize("order", ["as_given", "reversed"])
def test_gains_table_pairs_outcomes_and_scores_by_label(order):
    y = pd.Series([1, 0, 1, 0, 0, 1, 0, 0], index=list("abcdefgh"))
    score = pd.Series([0.9, 0.1, 0.8, 0.3, 0.2, 0.7, 0.4, 0.05], index=list("abcdefgh"))
    shuffled = score.iloc[::-1] if order == "reversed" else score
    expected = evaluate.gains_table(y, score, n_bins=4)
    pd.testing.assert_frame_equal(evaluate.gains_table(y, shuffled, n_bins=4), expected)


def test_gains_table_refuses_scores_of_other_customers():
    y = pd.Series([1, 0, 1], index=["a", "b", "c"])
    score = pd.Series([0.9, 0.1, 0.8], index=["a", "b", "z"])
    with pytest.raises(ValueError, match=r"y_true and y_score: expected the same customers.*'c'"):
        evaluate.gains_table(y, score, n_bins=1)


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (["13/01/2024", "01/14/2024"], r"column 'date': dates are written day-first .*month-first"),
        (["05/01/2024", "06/02/2024"], r"column 'date': dates such as '05/01/2024' could be"),
        (
            ["2024-01-05T10:00+09:00", "2024-01-05T10:00-05:00"],
            r"column 'date': the dates carry different UTC offsets .*tz_convert",
        ),
    ],
)
def test_ambiguous_or_mixed_dates_are_refused_naming_the_column(dates, message):
    tx = pd.DataFrame(
        {"customer_id": [1, 2], "date": dates, "amount": [5.0, 6.0], "invoice_id": [1, 2]}
    )
    with pytest.raises(ValueError, match=message):
        rfm.summarize(tx)


def test_day_first_dates_are_read_one_way_for_the_whole_column():
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1],
            "date": ["13/01/2024", "05/01/2024"],
            "amount": [5.0, 6.0],
            "invoice_id": [1, 2],
        }
    )
    out = rfm.summarize(tx, as_of="2024-01-20")
    assert out.loc[1, "recency"] == 7  # 13 January, not 1 May


def test_a_date_far_outside_the_others_warns_that_it_moves_as_of():
    days = pd.date_range("2024-01-01", periods=30, freq="D").strftime("%Y-%m-%d").tolist()
    tx = pd.DataFrame(
        {
            "customer_id": range(31),
            "date": [*days, "2099-01-05"],
            "amount": 1.0,
            "invoice_id": range(31),
        }
    )
    with pytest.warns(DataWarning, match=r"column 'date': 1 date\(s\) lie far outside.*2099-01-05"):
        rfm.summarize(tx)


@pytest.mark.parametrize(
    ("ids", "shown"), [([1, "1"], r"1 and '1'"), (["A7", " A7"], r"'A7' and ' A7'")]
)
def test_one_customer_written_two_ways_is_refused(ids, shown):
    tx = pd.DataFrame(
        {
            "customer_id": ids,
            "date": ["2024-01-01", "2024-01-02"],
            "amount": 1.0,
            "invoice_id": [1, 2],
        }
    )
    with pytest.raises(
        ValueError, match=rf"column 'customer_id': the same id is written in two ways \({shown}\)"
    ):
        rfm.summarize(tx)


# --- btyd.summarize and the scorers (issue 11, second round) --------------------------------
from crmlib import btyd, calibration  # noqa: E402


@SETTINGS
@given(transaction_logs(), st.sampled_from(["D", "W", "M"]), st.booleans())
def test_btyd_summarize_answers_or_refuses_clearly(frame, unit, with_amount):
    kwargs = {"customer": "customer_id", "date": "date", "unit": unit}
    if with_amount:
        kwargs["amount"] = "amount"
    summary = _call(btyd.summarize, frame, **kwargs)
    if summary is not None:
        assert summary.index.is_unique and summary.attrs["unit"] == unit
        x = summary["repeat_purchases"]
        assert (x >= 0).all() and (x == x.round()).all()
        assert (summary["age_at_last_purchase"] <= summary["age"]).all()
        assert (summary.loc[x == 0, "age_at_last_purchase"] == 0).all()
        # every customer in the summary appears in the log, spelt the same way
        assert set(summary.index) <= set(frame["customer_id"].dropna())


@SETTINGS
@given(transaction_logs())
def test_btyd_summary_counts_one_purchase_per_customer_and_day(frame):
    summary = _call(btyd.summarize, frame, customer="customer_id", date="date", unit="D")
    if summary is not None:
        days = pd.to_datetime(frame["date"], format="mixed", utc=True, errors="coerce")
        per_customer = (
            days.dt.tz_localize(None)
            .dt.floor("D")
            .groupby(frame["customer_id"].to_numpy())
            .nunique()
        )
        expected = per_customer.reindex(summary.index) - 1
        assert (summary["repeat_purchases"].to_numpy() == expected.to_numpy()).all()


scores_st = st.lists(st.one_of(st.floats(-1, 2), st.just(float("nan")), st.none()), max_size=30)
outcomes_st = st.lists(
    st.one_of(st.integers(0, 1), st.booleans(), st.none(), st.just(2), st.just("yes")),
    max_size=30,
)

SCORERS = {
    "calibration_table": lambda y, s: calibration.calibration_table(y, s, n_bins=2),
    "threshold_table": lambda y, s: evaluate.threshold_table(y, s, [0.25, 0.5]),
    "decile_table": lambda y, s: evaluate.decile_table(y, s, n_bins=min(3, max(1, len(y)))),
    "confusion_at": lambda y, s: evaluate.confusion_at(y, s, 0.5),
    "profit_curve": lambda y, s: evaluate.profit_curve(y, s, 1.0, 10.0),
    "best_threshold": lambda y, s: evaluate.best_threshold(y, s, 1.0, 10.0),
}


@pytest.mark.parametrize("name", sorted(SCORERS))
@SETTINGS
@given(outcomes=outcomes_st, scores=scores_st, shuffle=st.booleans())
def test_scorers_answer_or_refuse_clearly(name, outcomes, scores, shuffle):
    frame = pd.DataFrame({"y": pd.Series(outcomes, dtype=object)})
    score = pd.Series(scores, dtype=object)
    if shuffle:
        score = score.iloc[::-1]
    before = score.copy()

    def scorer(df):
        return SCORERS[name](df["y"], score)

    result = _call(scorer, frame)
    pd.testing.assert_series_equal(score, before)
    if result is not None and name == "confusion_at":
        assert int(result.to_numpy().sum()) == len(frame)


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 1), st.floats(0, 1)), min_size=4, max_size=30))
def test_scorers_do_not_depend_on_row_order(pairs):
    y = pd.Series([p[0] for p in pairs])
    s = pd.Series([p[1] for p in pairs])
    if y.nunique() < 2:
        return
    order = np.random.default_rng(len(pairs)).permutation(len(pairs))
    for name in ("calibration_table", "threshold_table", "confusion_at"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = SCORERS[name](y, s)
            b = SCORERS[name](y.iloc[order], s.iloc[order])
        pd.testing.assert_frame_equal(a, b, check_exact=False)


# --- basket --------------------------------------------------------------------------------
from crmlib import basket  # noqa: E402

basket_items = st.one_of(
    st.sampled_from(["milk", "bread", "eggs", "beer", " milk", "Milk"]),
    st.integers(1, 3),
    st.none(),
    st.just(float("nan")),
)


@SETTINGS
@given(
    st.lists(st.lists(basket_items, max_size=5), max_size=15),
    st.one_of(st.floats(0, 2), st.integers(0, 20), st.sampled_from(["0.1", None])),
)
def test_frequent_itemsets_answer_or_refuse_clearly(baskets, min_support):
    before = [list(b) for b in baskets]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = basket.frequent_itemsets(baskets, min_support=min_support, max_itemsets=500)
    except (TypeError, ValueError, KeyError) as exc:
        assert _raised_by_crmlib(exc), f"raw {type(exc).__name__} from a dependency: {exc}"
        found = None
    assert [list(b) for b in baskets] == before  # the same objects, so NaN compares equal
    if found is not None:
        assert (found["support"] >= min_support - 1e-12).all() and (found["support"] <= 1).all()
        for items, count in zip(found["items"], found["count"], strict=True):
            held = sum(set(items) <= set(b) for b in baskets)
            assert held == count


def _all_itemsets(baskets: list[list], min_count: int, max_len: int | None) -> dict:
    """Every itemset held by at least ``min_count`` baskets, by enumerating subsets."""
    from collections import Counter
    from itertools import combinations

    held = Counter()
    for b in baskets:
        items = sorted(set(b))
        for k in range(1, min(len(items), max_len or len(items)) + 1):
            held.update(frozenset(c) for c in combinations(items, k))
    return {s: n for s, n in held.items() if n >= min_count}


@SETTINGS
@given(
    st.lists(st.lists(st.integers(0, 9), min_size=1, max_size=7), min_size=1, max_size=40),
    st.integers(1, 6),
    st.sampled_from([None, 1, 2, 3]),
)
def test_frequent_itemsets_are_exactly_the_subsets_held_often_enough(baskets, count, max_len):
    # Complete and exact: every subset of some basket held by >= count baskets, with its
    # count, and nothing else; lengths, supports and the row order follow from the counts.
    count = min(count, len(baskets))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # repeated items, nothing frequent
        found = basket.frequent_itemsets(baskets, count / len(baskets), max_len)
    assert dict(zip(found["itemsets"], found["count"], strict=True)) == _all_itemsets(
        baskets, count, max_len
    )
    assert (found["length"] == found["itemsets"].map(len)).all()
    assert np.allclose(found["support"], found["count"] / len(baskets))
    keys = list(zip(-found["count"], found["length"], found["itemsets"].map(sorted), strict=True))
    assert keys == sorted(keys)


@SETTINGS
@given(
    st.lists(
        st.tuples(st.one_of(st.integers(1, 5), st.sampled_from(["1", "2", "A"])), basket_items),
        max_size=20,
    )
)
def test_baskets_from_lines_answer_or_refuse_clearly(lines):
    frame = pd.DataFrame(lines, columns=["invoice", "item"])
    result = _call(basket.baskets_from_lines, frame, invoice="invoice", item="item")
    if result is not None:
        assert result.index.is_unique
        assert sum(len(b) for b in result) == len(frame.drop_duplicates())
