"""Bad inputs across the public API: each is refused by crmlib with a message that names the
argument or column (or warned about, saying what was done), never a raw dependency error.

One row per bad input: the call, the error class and a pattern that must name the argument.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
import pytest

from crmlib import (
    btyd,
    calibration,
    drivers,
    evaluate,
    lifecycle,
    loyalty,
    models,
    rfm,
    segment,
    validation,
    value,
)
from crmlib.validation import DataWarning


@pytest.fixture(scope="module")
def tx():
    rng = np.random.default_rng(0)
    n = 400
    return pd.DataFrame(
        {
            "customer": rng.integers(1, 60, n),
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), "D"),
            "amount": rng.gamma(2.0, 20.0, n).round(2),
            "invoice": np.arange(n),
        }
    )


@pytest.fixture(scope="module")
def summary(tx):
    return btyd.summarize(tx, customer="customer", date="date", amount="amount", unit="W")


@pytest.fixture(scope="module")
def bg(summary):
    return btyd.BetaGeo().fit(summary)


@pytest.fixture(scope="module")
def scored(tx):
    return rfm.score(
        rfm.summarize(tx, customer="customer", date="date", amount="amount", invoice="invoice")
    )


@pytest.fixture(scope="module")
def outcomes():
    rng = np.random.default_rng(1)
    return rng.integers(0, 2, 200), rng.random(200)


@pytest.fixture(scope="module")
def telecom():
    rng = np.random.default_rng(2)
    X = pd.DataFrame({"age": rng.integers(20, 70, 120), "plan": rng.choice(["a", "b"], 120)})
    y = pd.Series((X["age"] + rng.normal(0, 10, 120) > 45).astype(int), index=X.index)
    return X, y


# ------------------------------------------------------------------ btyd settings (issue 11)
MODELS = [btyd.BetaGeo, btyd.ParetoNBD, btyd.ModifiedBetaGeo, btyd.GammaGamma]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    ("setting", "error", "match"),
    [
        ({"max_iter": "100"}, TypeError, r"\(max_iter=\): expected a whole number >= 1, got '100' \(text\)"),
        ({"max_iter": 0}, ValueError, r"\(max_iter=\): expected a whole number >= 1, got 0"),
        ({"max_iter": 10.0}, TypeError, r"\(max_iter=\): .* \(a float\); write 10"),
        ({"tol": -1}, ValueError, r"\(tol=\): expected a number > 0, got -1"),
        ({"tol": "1e-8"}, TypeError, r"\(tol=\): expected a finite number, got '1e-8'"),
    ],
)  # fmt: skip
def test_btyd_settings_are_checked_by_crmlib_in_fit(model, setting, error, match, summary):
    estimator = model(**setting)  # scikit-learn convention: the constructor only stores
    assert estimator.get_params()[next(iter(setting))] == next(iter(setting.values()))
    with pytest.raises(error, match=match):
        estimator.fit(summary)


def test_sbg_and_bgbb_settings_are_checked_too():
    with pytest.raises(TypeError, match=r"ShiftedBetaGeo\(max_iter=\)"):
        btyd.ShiftedBetaGeo(max_iter="5").fit([1000, 800, 650])
    frame = btyd.summary_frame([1, 2, 0], [3, 5, 0], [6, 6, 6], unit="Y")
    with pytest.raises(ValueError, match=r"BetaGeoBetaBinom\(tol=\)"):
        btyd.BetaGeoBetaBinom(tol=-1).fit(frame)
    with pytest.raises(ValueError, match=r"BetaGeoBetaBinom\(max_terms=\)"):
        btyd.BetaGeoBetaBinom(max_terms=0).fit(frame)


# ------------------------------------------------------------------ BG/BB cost guard
def test_bgbb_refuses_a_runaway_fit_with_an_estimate_and_the_alternative_works():
    frame = btyd.summary_frame([3, 0, 5], [10, 0, 7], [1e6] * 3, unit="D")
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"summary: BG/BB's likelihood here has 2,999,983 terms"):
        btyd.BetaGeoBetaBinom().fit(frame)
    assert time.perf_counter() - start < 2  # refused up front, not after minutes
    with pytest.raises(
        ValueError, match=r"the fit would take about \d+ s and [\d.]+ GB.*use BetaGeo\(\)"
    ):
        btyd.BetaGeoBetaBinom().fit(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # three customers do not identify the model
        btyd.BetaGeo().fit(frame)  # the advice, taken, works


def test_bgbb_sample_advice_works_when_taken():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 4, 300)
    tx = np.where(x > 0, x + rng.integers(0, 50, 300), 0)
    frame = btyd.summary_frame(x, tx, np.full(300, 2_000.0), unit="D")
    model = btyd.BetaGeoBetaBinom(max_terms=200_000)
    with pytest.raises(ValueError, match=r"summary\.sample\((\d+), random_state=0\)") as info:
        model.fit(frame)
    size = int(info.value.args[0].split("summary.sample(")[1].split(",")[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(frame.sample(size, random_state=0))  # no refusal: the advice was right
    assert np.isfinite(model.log_likelihood_)


def test_bgbb_cost_grows_with_distinct_histories_not_customers():
    # 20,000 customers with 5 distinct histories fit as fast as 5 customers
    frame = btyd.summary_frame([0, 1, 2, 3, 1], [0, 3, 5, 6, 1], [6] * 5, unit="Y")
    many = frame.loc[frame.index.repeat(4000)].reset_index(drop=True)
    many.attrs["unit"] = "Y"
    start = time.perf_counter()
    a = btyd.BetaGeoBetaBinom().fit(many)
    assert time.perf_counter() - start < 5
    b = btyd.BetaGeoBetaBinom().fit(frame, weights=np.full(5, 4000.0))
    np.testing.assert_allclose(a.params_, b.params_, rtol=1e-6)


# ------------------------------------------------------------------ btyd data and predictions
@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda s, m: btyd.summarize(pd.DataFrame({"c": [1, "1"], "d": ["2024-01-01", "2024-01-02"]}), customer="c", date="d"),
         ValueError, r"column 'c': the same id is written in two ways \(1 and '1'\)"),
        (lambda s, m: btyd.summarize(pd.DataFrame({"c": ["a", " a"], "d": ["2024-01-01", "2024-01-02"]}), customer="c", date="d"),
         ValueError, r"column 'c': the same id is written in two ways"),
        (lambda s, m: btyd.summarize(pd.DataFrame({"c": ["a", "b"], "d": ["05/01/2024", "06/01/2024"]}), customer="c", date="d"),
         ValueError, r"column 'd': dates such as '05/01/2024' could be day-first or month-first"),
        (lambda s, m: btyd.summarize(pd.DataFrame({"c": ["a", "b"], "d": ["2024-01-01T10:00+09:00", "2024-01-01T10:00+00:00"]}), customer="c", date="d"),
         ValueError, r"column 'd': the dates carry different UTC offsets"),
        (lambda s, m: btyd.summary_frame([1, 2], [1], [2], unit="W"),
         ValueError, r"repeat_purchases, age_at_last_purchase, age: expected arrays of the same length"),
        (lambda s, m: m.purchase_probabilities(10, -1), ValueError, r"max_count: expected a whole number >= 0"),
        (lambda s, m: m.purchase_probabilities(10, 2.5), TypeError, r"max_count: expected a whole number"),
        (lambda s, m: btyd.BetaGeo().set_fitted("W", r=-1, alpha=1, a=1, b=1), ValueError, r"r: expected a number > 0"),
        (lambda s, m: btyd.BetaGeo().set_fitted("W", r="1", alpha=1, a=1, b=1), TypeError, r"r: expected a finite number"),
        (lambda s, m: btyd.frequency_recency_matrix(m, s, horizon=-1), ValueError, r"horizon: expected a number > 0"),
        (lambda s, m: btyd.frequency_recency_matrix(m, s, max_repeat=-1), ValueError, r"max_repeat: expected a whole number >= 1"),
        (lambda s, m: m.conditional_expected_purchases(s, "10"), TypeError, r"t: expected numbers"),
        (lambda s, m: m.p_alive(pd.DataFrame({"repeat_purchases": [1.5], "age_at_last_purchase": [1.0], "age": [2.0]})),
         ValueError, r"repeat_purchases: expected whole numbers >= 0 \(counts\), got 1.5"),
        (lambda s, m: btyd.expected_clv(m, btyd.GammaGamma().fit(s), s, horizon_years=1, annual_discount_rate=10),
         ValueError, r"annual_discount_rate: expected a fraction per year .*got 10; a percentage\? Give 0.1"),
    ],
    ids=["ids-number-text", "ids-spaces", "dates-undecidable", "dates-offsets", "lengths",
         "max_count-negative", "max_count-float", "set_fitted-negative", "set_fitted-text",
         "horizon-negative", "max_repeat-negative", "t-text", "fractional-x", "discount-percent"],
)  # fmt: skip
def test_btyd_bad_data_is_refused_naming_it(make, error, match, summary, bg):
    with pytest.raises(error, match=match):
        make(summary, bg)


def test_bg_nbd_predictions_stay_finite_for_huge_frequencies(bg):
    frame = btyd.summary_frame([1e6, 1e3], [50, 50], [52, 52], unit="W")
    assert np.isfinite(bg.conditional_expected_purchases(frame, 10)).all()
    assert np.isfinite(bg.p_alive(frame)).all()


# ------------------------------------------------------------------ value
@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: value.customer_equity(5, 100, 0.8, 0.1, acquisition_periods=0), ValueError, r"acquisition_periods: expected a whole number >= 1"),
        (lambda: value.customer_equity(5, 100, 0.8, 0.1, acquisition_periods="3"), TypeError, r"acquisition_periods: .*'3' \(text\)"),
        (lambda: value.clv([100, "a"], 0.8, 0.1), TypeError, r"margin: expected numbers"),
        (lambda: value.clv(100, [0.8, 95], 0.1), ValueError, r"retention: .*a percentage\? Give a fraction: 0.95 for 95%"),
        (lambda: value.clv(100, 0.8, 0.1, timing="begin"), ValueError, r"timing: expected one of \('end', 'start'\), got 'begin'"),
        (lambda: value.clv(100, 0.8, 0.1, horizon=2.5), ValueError, r"horizon: expected whole numbers >= 1, got 2.5"),
        (lambda: value.retention_vs_acquisition(1000, 20, 50, 10), ValueError, r"churn_rate: .*0.2 for 20%"),
        (lambda: value.portfolio_plan(pd.DataFrame({"clv": [1.0], "share_of_wallet": [0.5], "segment": ["Lost"]}), clv_threshold="10"),
         TypeError, r"clv_threshold: expected a finite number, got '10' \(text\)"),
    ],
    ids=["periods-0", "periods-text", "margin-text", "retention-percent", "timing", "horizon-2.5",
         "churn-percent", "threshold-text"],
)  # fmt: skip
def test_value_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ------------------------------------------------------------------ models
@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: models.logistic_regression(C=-1), ValueError, r"C: expected a number > 0"),
        (lambda: models.logistic_regression(C="1"), TypeError, r"C: expected a finite number"),
        (lambda: models.logistic_regression(max_iter=0), ValueError, r"max_iter: expected a whole number >= 1"),
        (lambda: models.logistic_regression(class_weight="even"), ValueError, r"class_weight: expected None, 'balanced' or a dict"),
        (lambda: models.decision_tree(max_depth=0), ValueError, r"max_depth: expected a whole number >= 1"),
        (lambda: models.decision_tree(min_samples_leaf=0), ValueError, r"min_samples_leaf: expected a whole number >= 1"),
        (lambda: models.neural_network(hidden_layer_sizes=16), TypeError, r"hidden_layer_sizes: .*write \(16,\)"),
        (lambda: models.neural_network(hidden_layer_sizes=(0,)), ValueError, r"hidden_layer_sizes: expected a whole number >= 1"),
        (lambda: models.neural_network(alpha=-1), ValueError, r"alpha: expected a number >= 0"),
        (lambda: models.neural_network(early_stopping="no"), TypeError, r"early_stopping: expected True or False"),
        (lambda: models.preprocessor(drop="last"), ValueError, r"drop: expected one of \(None, 'first', 'if_binary'\)"),
        (lambda: models.preprocessor(scale="yes"), TypeError, r"scale: expected True or False"),
    ],
    ids=["C-negative", "C-text", "max_iter-0", "class_weight", "max_depth-0", "leaf-0",
         "layers-int", "layers-0", "alpha-negative", "early_stopping", "drop", "scale"],
)  # fmt: skip
def test_model_settings_are_checked_by_crmlib(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_tree_helpers_check_their_settings(telecom):
    X, y = telecom
    tree = models.decision_tree(min_samples_leaf=5).fit(X, y)
    with pytest.raises(ValueError, match=r"decimals: expected a whole number >= 0, got -1"):
        models.tree_rules(tree, decimals=-1)
    with pytest.raises(ValueError, match=r"max_depth: expected a whole number >= 0, got -1"):
        models.plot_tree(tree, max_depth=-1)


def test_compare_models_pairs_y_with_X_by_label(telecom):
    X, y = telecom
    candidates = {"logit": models.logistic_regression()}
    tidy = models.compare_models(candidates, X, y, cv=3)
    shuffled = models.compare_models(candidates, X, y.sample(frac=1, random_state=0), cv=3)
    pd.testing.assert_frame_equal(tidy, shuffled)


# ------------------------------------------------------------------ outcomes (one check)
@pytest.mark.parametrize(
    "call",
    [
        lambda y, s: evaluate.gains_table(["yes", "no"] * 100, s),
        lambda y, s: calibration.calibration_table(["yes", "no"] * 100, s),
        lambda y, s: loyalty.LogisticCurve(1).fit(np.arange(200) % 5, ["yes", "no"] * 100),
        lambda y, s: validation.require_outcomes(["yes", "no"], "y_true"),
    ],
    ids=["evaluate", "calibration", "loyalty", "validation"],
)
def test_text_outcomes_get_one_message_everywhere(call, outcomes):
    y, s = outcomes
    with pytest.raises(
        ValueError,
        match=r"y(_true)?: expected binary outcomes \(True/False or 0/1, 1 = yes\).*y == 'yes'",
    ):
        call(y, s)


def test_outcome_checks_agree_on_missing_values_and_numpy_booleans():
    with pytest.raises(ValueError, match=r"responded: expected binary outcomes .* found 1 missing"):
        validation.require_outcomes(pd.Series([1, None, 0]), "responded")
    assert validation.require_outcomes(np.array([True, False])).tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match=r"y: expected both outcomes"):
        validation.require_outcomes([1, 1], "y", need_both=True)


def test_calibration_table_pairs_series_by_label(outcomes):
    y, s = outcomes
    tidy = calibration.calibration_table(pd.Series(y), pd.Series(s))
    shuffled = calibration.calibration_table(
        pd.Series(y), pd.Series(s).sample(frac=1, random_state=0)
    )
    pd.testing.assert_frame_equal(tidy, shuffled)


@pytest.mark.parametrize(
    "call",
    [
        lambda y, s: evaluate.confusion_at(y, s, 50),
        lambda y, s: evaluate.threshold_table(y, s, [0.5, 50]),
    ],
    ids=["confusion_at", "threshold_table"],
)
def test_a_percentage_threshold_on_probabilities_warns(call, outcomes):
    y, s = outcomes
    with pytest.warns(DataWarning, match=r"thresholds?: 50.0 lies above every score.*Give 0.5"):
        call(y, s)


# ------------------------------------------------------------------ segment, lifecycle, loyalty, drivers
@pytest.fixture(scope="module")
def points():
    rng = np.random.default_rng(4)
    return pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})


@pytest.mark.parametrize(
    "function", [segment.choose_k, segment.stability], ids=["choose_k", "stability"]
)
@pytest.mark.parametrize(
    ("k_range", "error", "match"),
    [
        (5, TypeError, r"k_range: .*one number 5; for every value from 2 to 5 write range\(2, 6\)"),
        ("23", TypeError, r"k_range: expected a list of whole numbers >= 2, got str"),
        ([], ValueError, r"k_range: expected at least one value"),
        ([2, 1], ValueError, r"k_range: expected a whole number >= 2, got 1"),
    ],
)  # fmt: skip
def test_k_range_must_be_a_list(function, k_range, error, match, points):
    with pytest.raises(error, match=match):
        function(points, k_range=k_range)


def test_choose_k_advice_works_when_taken(points):
    with pytest.raises(TypeError, match=r"range\(2, 4\)"):
        segment.choose_k(points, k_range=3)
    assert segment.choose_k(points, k_range=range(2, 4))["k"].tolist() == [2, 3]


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda t: t.assign(customer=[1, "1"] * (len(t) // 2)), ValueError, r"column 'customer': the same id is written in two ways"),
        (lambda t: t.assign(amount=-1.0), ValueError, r"column 'amount': no line has a positive amount"),
        (lambda t: t.assign(date="soon"), ValueError, r"column 'date': \d+ value\(s\) are not dates"),
    ],
    ids=["ids", "no-positive-amount", "dates"],
)  # fmt: skip
def test_period_status_bad_logs(change, error, match, tx):
    with pytest.raises(error, match=match):
        lifecycle.period_status(change(tx))


def test_period_status_warns_about_a_growth_that_looks_like_a_percentage(tx):
    with pytest.warns(DataWarning, match=r"growth=10: .* more than 1000% .* Give 0.1 for 10%"):
        lifecycle.period_status(tx, growth=10)


def test_logistic_curve_predict_names_x():
    curve = loyalty.LogisticCurve(1).fit([1, 2, 3, 4, 5] * 4, [0, 0, 1, 0, 1] * 4)
    with pytest.raises(TypeError, match=r"x: expected numbers"):
        curve.predict(["high"])
    with pytest.raises(RuntimeError, match=r"LogisticCurve is not fitted yet"):
        loyalty.LogisticCurve().predict([1])


def test_driver_importance_names_a_text_outcome_and_pairs_by_label():
    rng = np.random.default_rng(5)
    scores = pd.DataFrame(rng.normal(size=(150, 2)), columns=["value", "brand"])
    y = 2 * scores["value"] + scores["brand"] + rng.normal(size=150)
    with pytest.raises(TypeError, match=r"outcome: expected numbers"):
        drivers.driver_importance(scores, ["a"] * 150)
    tidy = drivers.driver_importance(scores, y, n_boot=100)
    shuffled = drivers.driver_importance(scores, y.sample(frac=1, random_state=0), n_boot=100)
    pd.testing.assert_frame_equal(tidy, shuffled)


# ------------------------------------------------------------------ validation helpers
@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: validation.require_positive_int("7", "n_bins"), TypeError, r"n_bins: .*'7' \(text\); write 7 without quotes"),
        (lambda: validation.require_positive_int(3.0, "n_bins"), TypeError, r"n_bins: .*\(a float\); write 3"),
        (lambda: validation.require_fraction(35, "share"), ValueError, r"share: .*Give a fraction: 0.35 for 35%"),
        (lambda: validation.require_number("2", "cost"), TypeError, r"cost: expected a finite number, got '2' \(text\)"),
        (lambda: validation.as_numbers([1, None, 2], "spend"), ValueError, r"spend: expected numbers, found 1 missing"),
        (lambda: validation.as_numbers([True, False], "spend"), TypeError, r"spend: expected numbers, got bool"),
        (lambda: validation.require_counts([1, -1], "visits"), ValueError, r"visits: expected whole numbers >= 0 \(counts\), got -1"),
        (lambda: validation.require_choice("x", "kind", ("a", "b")), ValueError, r"kind: expected one of \('a', 'b'\), got 'x'"),
        (lambda: validation.require_choice(["a"], "kind", ("a", "b")), ValueError, r"kind: expected one of"),
        (lambda: validation.as_number([1.0, 2.0], "rate"), ValueError, r"rate: expected one number, got an array of shape \(2,\)"),
    ],
    ids=["int-text", "int-float", "fraction-percent", "number-text", "numbers-missing",
         "numbers-bool", "counts-negative", "choice", "choice-unhashable", "one-number"],
)  # fmt: skip
def test_validation_helpers_name_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_shaped_and_preview_are_public_and_plain():
    assert validation.preview([np.int64(1), "a"]) == "1, 'a'"
    series = validation.shaped(np.array([1.0, 2.0]), pd.Series([0, 0], index=["x", "y"]), "v")
    assert series.index.tolist() == ["x", "y"] and series.name == "v"
    assert validation.shaped(np.array([3.0]), 1.0) == 3.0
    with pytest.raises(ValueError, match=r"a Series argument gives the result's index"):
        validation.shaped(np.ones((2, 2)), pd.Series([0, 0]))


def test_no_crmlib_module_imports_the_private_preview():
    import crmlib

    root = __import__("pathlib").Path(crmlib.__file__).parent
    mine = ["rfm.py", "value.py", "btyd", "models.py", "calibration.py", "lifecycle.py",
            "loyalty.py", "drivers.py", "evaluate.py", "segment.py"]  # fmt: skip
    for name in mine:
        for path in [root / name] if name.endswith(".py") else sorted((root / name).glob("*.py")):
            assert "_preview" not in path.read_text(encoding="utf-8"), path.name


# ------------------------------------------------------------------ query helpers never write
@pytest.fixture()
def sqlite_db():
    import sqlite3

    from crmlib import warehouse

    con = sqlite3.connect(":memory:")
    warehouse.load_tables(con, {"t": pd.DataFrame({"x": [1, 2, 3]})})
    yield con
    con.close()


@pytest.mark.parametrize(
    ("sql", "match"),
    [
        ("DELETE FROM t", r"sql: expected a SELECT statement .*got DELETE; .*nothing was run"),
        ("  -- tidy up\n drop table t", r"sql: .*got DROP"),
        ("UPDATE t SET x = 0", r"sql: .*got UPDATE"),
        ("WITH a AS (SELECT 1) DELETE FROM t", r"sql: the statement does more than read .*nothing was run"),
        ("SELECT 1; DELETE FROM t", r"sql: SQLite could not run the query: You can only execute one"),
        ("PRAGMA user_version = 3", r"sql: .*got PRAGMA"),
        ("SELECT load_extension('x')", r"sql: the statement does more than read"),
    ],
    ids=["delete", "drop-after-comment", "update", "with-delete", "two-statements", "pragma", "extension"],
)  # fmt: skip
def test_warehouse_query_never_changes_the_database(sql, match, sqlite_db):
    from crmlib import warehouse

    with pytest.raises(ValueError, match=match):
        warehouse.query(sqlite_db, sql)
    assert sqlite_db.execute("SELECT count(*) FROM t").fetchone() == (3,)
    assert sqlite_db.execute("PRAGMA user_version").fetchone() == (0,)
    # the connection works as before afterwards: writes by the user are not blocked
    assert warehouse.query(sqlite_db, "SELECT x FROM t ORDER BY x")["x"].tolist() == [1, 2, 3]
    sqlite_db.execute("INSERT INTO t VALUES (4)")


@pytest.mark.parametrize(
    ("sql", "match"),
    [
        ("INSERT INTO t SELECT 2 ORDER BY 1", r"sql: .*got INSERT"),
        ("SELECT 1 ORDER BY 1; DELETE FROM t", r"sql: expected one SELECT statement, got SELECT, DELETE"),
        ("CREATE TABLE u AS SELECT 1 ORDER BY 1", r"sql: .*got CREATE"),
    ],
    ids=["insert", "two-statements", "create-as"],
)  # fmt: skip
def test_olap_query_never_changes_the_database(sql, match):
    from crmlib import olap

    con = olap.connect()
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    with pytest.raises(ValueError, match=match):
        olap.query(con, sql)
    assert con.execute("SELECT count(*) FROM t").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM information_schema.tables").fetchone() == (1,)


# ------------------------------------------------------------------ basket, campaign, linkage
def test_basket_explosion_advice_works_when_taken():
    from crmlib import basket

    rng = np.random.default_rng(6)
    baskets = [list(rng.choice(40, rng.integers(1, 15), replace=False)) for _ in range(2000)]
    for min_support, cap in [(0.001, 2000), (0.005, 500), (0.02, 150)]:
        with pytest.raises(ValueError, match=r"min_support=.*try min_support=([\d.e-]+)") as info:
            basket.frequent_itemsets(baskets, min_support=min_support, max_itemsets=cap)
        advice = float(info.value.args[0].split("try min_support=")[1].split(" ")[0])
        found = basket.frequent_itemsets(baskets, min_support=advice, max_itemsets=cap)
        assert 0 < len(found) <= cap


def test_baskets_from_lines_refuses_an_invoice_written_two_ways():
    from crmlib import basket

    lines = pd.DataFrame({"inv": [1, "1", 2], "sku": ["a", "b", "a"]})
    with pytest.raises(ValueError, match=r"column 'inv': the same id is written in two ways"):
        basket.baskets_from_lines(lines, invoice="inv", item="sku")


@pytest.mark.parametrize(
    ("responded", "match"),
    [
        ("yes", r"column 'responded': expected binary outcomes .*'yes'; convert labels first"),
        (2, r"column 'responded': expected binary outcomes .*got values such as 2"),
        (np.nan, r"column 'responded': expected binary outcomes .*for every customer"),
    ],
    ids=["text", "two", "missing"],
)
def test_campaign_outcomes_use_the_one_outcome_check(responded, match):
    from crmlib import campaign

    pilot = pd.DataFrame({"group": ["treatment", "control"] * 10, "responded": responded})
    with pytest.raises(ValueError, match=match):
        campaign.evaluate_pilot(pilot)


def test_linkage_rates_are_fractions():
    from crmlib import linkage

    with pytest.raises(ValueError, match=r"response_rate: .*a percentage\? Give a fraction: 0.05"):
        linkage.mailing_errors(
            pd.Series([1]), pd.Series([1]), cost_per_contact=1.0, value_per_response=2.0,
            response_rate=5,
        )  # fmt: skip


# ------------------------------------------------------------------ second probe round
def test_an_end_date_far_after_the_data_warns(tx):
    with pytest.warns(DataWarning, match=r"as_of: 2099-01-01 lies [\d,]+ days after the last"):
        rfm.summarize(tx, customer="customer", date="date", amount="amount", invoice="invoice",
                      as_of="2099-01-01")  # fmt: skip
    with pytest.warns(DataWarning, match=r"observation_end: 2099-01-01 lies [\d,]+ days after"):
        btyd.summarize(tx, customer="customer", date="date", observation_end="2099-01-01")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a month after the data is an ordinary as_of
        rfm.summarize(tx, customer="customer", date="date", amount="amount", invoice="invoice",
                      as_of=tx["date"].max() + pd.Timedelta(days=30))  # fmt: skip


@pytest.mark.parametrize("model", [*MODELS, btyd.BetaGeoBetaBinom], ids=lambda m: m.__name__)
def test_fits_without_repeat_buyers_are_refused(model):
    frame = btyd.summary_frame([0] * 30, [0] * 30, [6] * 30, [0.0] * 30, unit="W")
    with pytest.raises(ValueError, match=r"summary: \w+ needs customers who bought again"):
        model().fit(frame)


def test_driver_importance_refuses_an_outcome_that_does_not_vary():
    scores = pd.DataFrame(np.random.default_rng(7).normal(size=(120, 2)), columns=["a", "b"])
    with pytest.raises(ValueError, match=r"outcome: expected values that vary, got 1 for every"):
        drivers.driver_importance(scores, pd.Series(1.0, index=scores.index))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: evaluate.plot_gains([0, 1] * 10, np.linspace(0, 1, 20), ax="left"), TypeError, r"ax: expected a matplotlib Axes"),
        (lambda: __import__("crmlib.plots").plots.axes(figsize=(0, -1)), ValueError, r"figsize: expected \(width, height\)"),
        (lambda: __import__("crmlib.plots").plots.percent_axis(None), TypeError, r"ax: expected a matplotlib Axes"),
        (lambda: __import__("crmlib.plots").plots.percent_axis(__import__("crmlib.plots").plots.axes(), xmax=0), ValueError, r"xmax: expected a number > 0"),
    ],
    ids=["plot-ax-text", "figsize", "percent-axis-none", "xmax-0"],
)  # fmt: skip
def test_plot_helpers_name_ax_and_figsize(call, error, match):
    import matplotlib.pyplot as plt

    with pytest.raises(error, match=match):
        call()
    plt.close("all")


def test_bgbb_predictions_are_computed_per_distinct_history_and_guarded():
    model = btyd.BetaGeoBetaBinom().set_fitted(alpha=1.2, beta=0.75, gamma=0.66, delta=2.8)
    rng = np.random.default_rng(8)
    x = rng.integers(0, 4, 20_000)
    frame = btyd.summary_frame(x, np.where(x > 0, x + 2, 0), np.full(20_000, 5_000.0), unit="D")
    start = time.perf_counter()
    assert model.p_alive(frame).between(0, 1).all()  # 4 distinct histories, not 20,000
    assert time.perf_counter() - start < 2
    huge = btyd.summary_frame(x[:100], np.where(x[:100] > 0, x[:100], 0), [1e7] * 100, unit="D")
    with pytest.raises(ValueError, match=r"summary: .* this prediction would take about"):
        model.p_alive(huge)


# ------------------------------------------------------------------ engines and the crmlib command
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"threads": 0}, ValueError, r"threads: expected a whole number >= 1, got 0"),
        ({"threads": "4"}, TypeError, r"threads: .*'4' \(text\)"),
        ({"memory_limit": "lots"}, ValueError, r"memory_limit: expected an amount such as '4GB'"),
    ],
    ids=["threads-0", "threads-text", "memory-limit"],
)
def test_engine_connection_settings_are_checked_by_crmlib(kwargs, error, match):
    from crmlib.engines import duckdb as engine

    with pytest.raises(error, match=match):
        engine.connect(**kwargs)


def test_engine_predictions_name_models_and_horizon(summary, bg):
    from crmlib.engines import duckdb as engine

    gg = btyd.GammaGamma().fit(summary)
    with pytest.raises(TypeError, match=r"purchases: expected a fitted BetaGeo"):
        engine.predict_btyd(gg, bg, summary, 10)
    with pytest.raises(TypeError, match=r"spend: expected a fitted GammaGamma or None"):
        engine.predict_btyd(bg, bg, summary, 10)
    with pytest.raises(ValueError, match=r"horizon: expected a number > 0, got -5"):
        engine.predict_btyd(bg, gg, summary, -5)


def test_engines_warn_about_a_far_end_date_as_pandas_does(tx):
    from crmlib.engines import duckdb as engine

    lines = tx.rename(columns={"customer": "customer_id", "invoice": "invoice_id"})
    with pytest.warns(DataWarning, match=r"as_of: 2099-01-01 lies"):
        engine.rfm(lines, as_of="2099-01-01")
    with pytest.warns(DataWarning, match=r"observation_end: 2099-01-01 lies"):
        engine.btyd_summary(
            lines, customer="customer_id", date="date", observation_end="2099-01-01"
        )


def test_cli_names_a_missing_output_folder(tmp_path, capsys, tx):
    from crmlib import cli

    source = tmp_path / "sales.csv"
    tx.rename(columns={"customer": "customer_id", "invoice": "invoice_id"}).to_csv(
        source, index=False
    )
    folder = tmp_path / "nope"
    code = cli.main(["rfm", str(source), "-o", str(folder / "out.csv"), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and f"the folder {folder} does not exist" in err and "Traceback" not in err
