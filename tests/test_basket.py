"""Tests for crmlib.basket: itemsets and rules match mlxtend, order is fixed, bad input fails."""

from __future__ import annotations

import doctest
import json
import os
import re
import subprocess
import sys
import time
import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from mlxtend.frequent_patterns import apriori, fpgrowth
from mlxtend.frequent_patterns import association_rules as mlxtend_rules

from crmlib import basket, datasets
from crmlib.basket import (
    association_rules,
    baskets_from_lines,
    binding_threshold,
    cross_sell_decision,
    cross_sell_whatif,
    encode,
    frequent_itemsets,
    rule_counts,
    rule_thresholds,
    rules_by_context,
    rules_with,
)

RULE_VALUES = [
    "antecedent support",
    "consequent support",
    "support",
    "confidence",
    "lift",
    "leverage",
    "conviction",
]


@pytest.fixture(scope="module")
def groceries(shared_data) -> list[list[str]]:
    lines = (shared_data / "groceries.csv").read_text(encoding="ascii").splitlines()
    return [line.split(",") for line in lines]


@pytest.fixture(scope="module")
def groceries_frame(groceries) -> pd.DataFrame:
    matrix, labels = encode(groceries)
    return pd.DataFrame(matrix.toarray(), columns=list(labels))


def synthetic(n: int = 3000, n_items: int = 40, seed: int = 7) -> list[list]:
    """Zipf-like baskets over integer items, with a planted pair of rare items (30, 31)."""
    rng = np.random.default_rng(seed)
    popularity = 1 / np.arange(1, n_items + 1)
    popularity /= popularity.sum()
    baskets = []
    for size in rng.poisson(3, n) + 1:
        items = set(rng.choice(n_items, size=size, p=popularity).tolist())
        if rng.random() < 0.05:
            items |= {30, 31}
        baskets.append(sorted(items))
    return baskets


def as_dict(frame: pd.DataFrame) -> dict:
    return dict(zip(frame["itemsets"], frame["support"], strict=True))


def assert_same_rules(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    """Same rules; values equal up to mlxtend's rounding (we divide exact counts)."""
    ours, theirs = (
        dict(
            zip(
                zip(f["antecedents"], f["consequents"], strict=True),
                f[RULE_VALUES].to_numpy(),
                strict=True,
            )
        )
        for f in (ours, theirs)
    )
    assert ours.keys() == theirs.keys()
    keys = list(ours)
    np.testing.assert_allclose(
        [ours[k] for k in keys], [theirs[k] for k in keys], rtol=1e-12, atol=1e-15
    )


# --------------------------------------------------------------------------------------------
# Module
# --------------------------------------------------------------------------------------------


def test_doctests_pass():
    result = doctest.testmod(basket)
    assert result.attempted >= 10
    assert result.failed == 0


# --------------------------------------------------------------------------------------------
# Baskets and encoding
# --------------------------------------------------------------------------------------------


def test_baskets_from_lines_groups_dedupes_and_keeps_order():
    tx = pd.DataFrame(
        {
            "InvoiceNo": ["B", "B", "A", "B", "A"],
            "Description": ["beer", "chips", "milk", "beer", "bread"],
        }
    )
    original = tx.copy()
    baskets = baskets_from_lines(tx, invoice="InvoiceNo", item="Description")
    assert baskets.index.tolist() == ["B", "A"]
    assert baskets.index.name == "InvoiceNo"
    assert baskets.tolist() == [["beer", "chips"], ["milk", "bread"]]
    pd.testing.assert_frame_equal(tx, original)


def test_baskets_from_lines_refuses_missing_values_and_columns():
    tx = pd.DataFrame({"inv": [1, 1, 2], "item": ["beer", None, "milk"]})
    with pytest.raises(ValueError, match=r"column 'item'.*found 1.*dropna"):
        baskets_from_lines(tx, invoice="inv", item="item")
    with pytest.raises(KeyError, match="missing column.*'product'"):
        baskets_from_lines(tx, invoice="inv", item="product")
    with pytest.raises(TypeError, match="tx: expected a pandas DataFrame"):
        baskets_from_lines([["beer"]], invoice="inv", item="item")


def test_encode_is_sparse_boolean_with_sorted_labels(groceries):
    matrix, labels = encode(groceries)
    assert isinstance(matrix, sp.csr_array)
    assert matrix.dtype == bool
    assert matrix.shape == (9835, 169)
    assert matrix.nnz == 43367  # items in total, README of the dataset
    assert list(labels) == sorted(labels)
    counts = dict(zip(labels, np.asarray(matrix.sum(axis=0)).ravel(), strict=True))
    assert counts["whole milk"] == 2513 and counts["yogurt"] == 1372  # README top items


def test_encode_accepts_series_tuples_sets_and_generators():
    expected, labels = encode([["a", "b"], ["b"], ["c", "a"]])
    inputs = [
        pd.Series([["a", "b"], ["b"], ["c", "a"]], index=[10, 11, 12]),
        [("a", "b"), ("b",), ("c", "a")],
        [{"a", "b"}, {"b"}, {"c", "a"}],
        (iter(b) for b in [["a", "b"], ["b"], ["c", "a"]]),
    ]
    for baskets in inputs:
        matrix, other = encode(baskets)
        assert (matrix != expected).nnz == 0
        assert list(other) == list(labels)


def test_encode_matches_mlxtend_on_its_sparse_frame(groceries):
    matrix, labels = encode(groceries)
    frame = pd.DataFrame.sparse.from_spmatrix(matrix, columns=list(labels))
    theirs = apriori(frame, min_support=0.02, use_colnames=True)
    assert as_dict(theirs) == as_dict(frequent_itemsets(groceries, 0.02))


def test_duplicate_items_are_counted_once_with_a_warning():
    baskets = [["beer", "beer", "chips"], ["beer"], ["chips", "milk", "chips"]]
    original = [list(b) for b in baskets]
    with pytest.warns(UserWarning, match=r"2 basket\(s\) list an item more than once"):
        found = frequent_itemsets(baskets, 0.1)
    assert baskets == original
    counts = dict(zip(found["items"], found["count"], strict=True))
    assert counts["beer"] == 2 and counts["chips"] == 2 and counts["beer + chips"] == 1


def test_series_baskets_are_named_by_index_in_messages():
    baskets = pd.Series([["beer"], []], index=["inv-1", "inv-2"])
    with pytest.raises(ValueError, match=r"1 empty basket\(s\) \(basket 'inv-2'\)"):
        encode(baskets)


@pytest.mark.parametrize(
    ("baskets", "error", "match"),
    [
        ([], ValueError, "expected at least one basket, got none"),
        ([["beer"], [], ["milk"], []], ValueError, r"found 2 empty basket\(s\) \(baskets 1, 3\)"),
        ([["beer", ["diapers"]]], TypeError, "hashable items.*basket 0 holds.*type list"),
        ([["beer"], ["milk", None]], ValueError, r"missing value \(None/NaN\).*basket 1"),
        ([["beer"], ["milk", np.nan]], ValueError, r"missing value \(None/NaN\).*basket 1"),
        ([["beer"], "milk"], TypeError, "basket 1 is str 'milk'.*\\['beer'\\]"),
        ([["beer"], 3], TypeError, "basket 1 is int 3"),
        ("beer", TypeError, "expected a list of item lists.*got str"),
        (pd.DataFrame({"a": [1]}), TypeError, "got a DataFrame.*baskets_from_lines"),
        (None, TypeError, "expected a list of item lists.*got NoneType"),
    ],
)
def test_encode_refuses_bad_baskets(baskets, error, match):
    with pytest.raises(error, match=match):
        encode(baskets)
    with pytest.raises(error, match=match):
        frequent_itemsets(baskets, 0.5)


# --------------------------------------------------------------------------------------------
# Frequent itemsets
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("min_support", "max_len"), [(0.02, None), (0.005, None), (0.003, 2)])
def test_itemsets_match_mlxtend_on_groceries(groceries, groceries_frame, min_support, max_len):
    ours = frequent_itemsets(groceries, min_support, max_len)
    for algorithm in (apriori, fpgrowth):
        theirs = algorithm(groceries_frame, min_support, use_colnames=True, max_len=max_len)
        assert as_dict(ours) == as_dict(theirs)  # same itemsets, bit-identical supports
    assert (ours["count"] == np.round(ours["support"] * 9835)).all()
    assert (ours["length"] == ours["itemsets"].map(len)).all()
    if max_len:
        assert ours["length"].max() == max_len


@pytest.mark.parametrize(("min_support", "max_len"), [(0.01, None), (0.003, None), (0.003, 3)])
def test_itemsets_match_mlxtend_on_synthetic_data(min_support, max_len):
    baskets = synthetic()
    matrix, labels = encode(baskets)
    frame = pd.DataFrame(matrix.toarray(), columns=list(labels))
    ours = frequent_itemsets(baskets, min_support, max_len)
    assert ours["length"].max() >= 3
    for algorithm in (apriori, fpgrowth):
        theirs = algorithm(frame, min_support, use_colnames=True, max_len=max_len)
        assert as_dict(ours) == as_dict(theirs)


def random_baskets(n: int, n_items: int, mean_size: float, seed: int) -> list[list[str]]:
    """Baskets of Zipf-like items (strings), sizes 1 .. 3 * mean_size."""
    rng = np.random.default_rng(seed)
    popularity = 1 / np.arange(1, n_items + 1) ** rng.uniform(0.5, 1.5)
    popularity /= popularity.sum()
    sizes = np.clip(rng.poisson(mean_size, n), 1, min(3 * mean_size, n_items))
    return [
        [f"i{j:03d}" for j in rng.choice(n_items, size=s, replace=False, p=popularity)]
        for s in sizes
    ]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    ("min_support", "max_len"), [(0.2, None), (0.05, None), (0.02, 3), (0.01, 2)]
)
def test_itemsets_match_mlxtend_on_random_baskets(seed, min_support, max_len):
    # Varied shapes: few or many items, small or large baskets (long itemsets).
    n_items, mean_size = [(12, 6), (60, 4), (200, 10)][seed]
    baskets = random_baskets(1500, n_items, mean_size, seed)
    matrix, labels = encode(baskets)
    frame = pd.DataFrame(matrix.toarray(), columns=list(labels))
    ours = frequent_itemsets(baskets, min_support, max_len)
    theirs = fpgrowth(frame, min_support, use_colnames=True, max_len=max_len)
    assert as_dict(ours) == as_dict(theirs)
    assert ours["length"].max() == (max_len or ours["length"].max()) >= 2


def test_support_threshold_is_inclusive_like_mlxtend():
    baskets = [["a", "b"]] * 7 + [["c"]] * 93  # 7 / 100 == 0.07 exactly in floating point
    found = frequent_itemsets(baskets, 0.07)
    assert set(found["items"]) == {"a", "b", "a + b", "c"}
    assert "a" not in set(frequent_itemsets(baskets, 0.0700001)["items"])


def test_rows_sorted_by_support_length_and_items(groceries):
    found = frequent_itemsets(groceries, 0.005)
    keys = list(zip(-found["count"], found["length"], found["itemsets"].map(sorted), strict=True))
    assert keys == sorted(keys)
    assert found["items"].iloc[0] == "whole milk"
    assert (found["items"] == found["itemsets"].map(lambda s: " + ".join(sorted(s)))).all()
    assert found.columns.tolist() == ["itemsets", "items", "length", "support", "count"]


def test_mixed_item_types_are_sorted_and_displayed():
    found = frequent_itemsets([[2, "x"], [10, "x"], [2, 10, "x"]], 0.6)
    assert found["items"].tolist() == ["x", "2", "10", "2 + x", "10 + x"]


ORDER_SCRIPT = """
import json
from crmlib.basket import association_rules, frequent_itemsets
lines = open({path!r}, encoding="ascii").read().splitlines()
found = frequent_itemsets([line.split(",") for line in lines], 0.01)
rules = association_rules(found, metric="confidence", min_threshold=0.1)
print(json.dumps([found["items"].tolist(), found["support"].tolist(),
                  [sorted(s) for s in found["itemsets"]], rules["rule"].tolist(),
                  rules["lift"].tolist(), [sorted(s) for s in rules["antecedents"]]]))
"""


def test_output_order_does_not_depend_on_the_hash_seed(shared_data, repo):
    script = ORDER_SCRIPT.format(path=str(shared_data / "groceries.csv"))
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=repo, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]
    assert len(outputs[0][0]) > 50 and len(outputs[0][3]) > 50


def test_nothing_frequent_gives_an_empty_frame_with_a_warning():
    with pytest.warns(UserWarning, match=r"no item reaches it .*0\.5 of the baskets"):
        found = frequent_itemsets([["a"], ["b"]], 0.9)
    assert found.empty
    assert found.columns.tolist() == ["itemsets", "items", "length", "support", "count"]
    rules = association_rules(found)
    assert rules.empty and "lift" in rules.columns


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (50, ValueError, r"fraction of baskets in \(0, 1\], not a count, got 50; 50 of your "),
        (1.5, ValueError, "not a count, got 1.5"),
        (0, ValueError, r"min_support: expected a fraction in \(0, 1\], got 0"),
        (-0.1, ValueError, r"min_support: expected a fraction in \(0, 1\], got -0.1"),
        (float("nan"), TypeError, "min_support: expected a number"),
        ("0.1", TypeError, "min_support: expected a number.*'0.1'"),
        (True, TypeError, "min_support: expected a number.*True"),
    ],
)
def test_min_support_must_be_a_fraction(groceries, value, error, match):
    with pytest.raises(error, match=match):
        frequent_itemsets(groceries, value)


def test_count_given_as_min_support_suggests_the_fraction(groceries):
    with pytest.raises(ValueError, match=r"50 of your 9,835 baskets is min_support=0.00508388"):
        frequent_itemsets(groceries, 50)


def test_max_len_and_max_itemsets_are_checked():
    with pytest.raises(ValueError, match="max_len: expected a whole number >= 1, got 0"):
        frequent_itemsets([["a"]], 0.5, max_len=0)
    with pytest.raises(TypeError, match="max_len: expected a whole number >= 1, got 2.5"):
        frequent_itemsets([["a"]], 0.5, max_len=2.5)
    with pytest.raises(ValueError, match="max_itemsets: expected a whole number >= 1"):
        frequent_itemsets([["a"]], 0.5, max_itemsets=-1)


def test_exploding_support_is_refused_with_an_estimate_and_a_working_suggestion(groceries):
    with pytest.raises(ValueError, match="would give about") as info:
        frequent_itemsets(groceries, 0.0002, max_itemsets=20_000)
    message = str(info.value)
    assert "min_support=0.0002" in message and "max_itemsets=20,000" in message
    suggested = float(message.split("try min_support=")[1].split(" ")[0])
    assert suggested > 0.0002
    assert len(frequent_itemsets(groceries, suggested)) <= 20_000


def test_whole_basket_explosion_is_refused_quickly():
    # 30 items always bought together: 2**30 - 1 frequent itemsets.
    baskets = [list(range(30))] * 20 + [[99]] * 20
    with pytest.raises(ValueError, match=r"the rest extrapolated.*try min_support=0.525 "):
        frequent_itemsets(baskets, 0.1)


def test_cap_applies_while_a_length_is_being_counted(groceries):
    sizes = frequent_itemsets(groceries, 0.002)["length"].value_counts()
    cap = int(sizes[1] + sizes[2] + sizes[3] // 2)  # passes the cap halfway through length 3
    with pytest.raises(ValueError, match=r"found up to length 3, before stopping"):
        frequent_itemsets(groceries, 0.002, max_itemsets=cap)
    assert len(frequent_itemsets(groceries, 0.002, max_len=2, max_itemsets=cap)) <= cap


# --------------------------------------------------------------------------------------------
# Association rules
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("min_support", "metric", "threshold"),
    [(0.005, "lift", 1.0), (0.003, "confidence", 0.3), (0.01, "leverage", 0.001)],
)
def test_rules_match_mlxtend_on_groceries(groceries, min_support, metric, threshold):
    found = frequent_itemsets(groceries, min_support)
    ours = association_rules(found, metric=metric, min_threshold=threshold)
    theirs = mlxtend_rules(found, num_itemsets=9835, metric=metric, min_threshold=threshold)
    assert len(ours) > 100
    assert_same_rules(ours, theirs)


@pytest.mark.parametrize(
    ("metric", "threshold"), [("lift", 1.0), ("confidence", 0.5), ("conviction", 1.1)]
)
def test_rules_match_mlxtend_on_synthetic_data_up_to_exact_ties(metric, threshold):
    baskets = synthetic()
    found = frequent_itemsets(baskets, 0.003)
    ours = association_rules(found, metric=metric, min_threshold=threshold)
    theirs = mlxtend_rules(found, len(baskets), metric=metric, min_threshold=threshold)
    # A rule whose metric equals the threshold exactly is kept here (exact counts decide);
    # mlxtend's rounding keeps or drops it at random. Those are the only differences allowed.
    count = dict(zip(found["itemsets"], found["count"], strict=True))
    n = len(baskets)

    def exact(a, c):
        ac, a_, c_ = Fraction(count[a | c], n), Fraction(count[a], n), Fraction(count[c], n)
        confidence = ac / a_
        return {
            "lift": confidence / c_,
            "confidence": confidence,
            "conviction": (1 - c_) / (1 - confidence) if confidence < 1 else None,
        }[metric]

    keys = [set(zip(f["antecedents"], f["consequents"], strict=True)) for f in (ours, theirs)]
    assert all(exact(a, c) == Fraction(str(threshold)) for a, c in keys[0] ^ keys[1])
    common = keys[0] & keys[1]
    assert len(common) > 50
    assert_same_rules(
        ours[[k in common for k in zip(ours["antecedents"], ours["consequents"], strict=True)]],
        theirs[
            [k in common for k in zip(theirs["antecedents"], theirs["consequents"], strict=True)]
        ],
    )


def test_rules_accept_mlxtend_itemsets_and_find_the_planted_pair():
    baskets = synthetic()
    matrix, labels = encode(baskets)
    frame = pd.DataFrame(matrix.toarray(), columns=list(labels))
    itemsets = fpgrowth(frame, 0.01, use_colnames=True)  # no count column: supports are used
    ours = association_rules(itemsets, metric="lift", min_threshold=1.5)
    planted = ours.set_index("rule").loc[["30 -> 31", "31 -> 30"], "lift"]
    assert (planted > 5).all()
    theirs = mlxtend_rules(itemsets, num_itemsets=1, metric="lift", min_threshold=1.5)
    assert_same_rules(ours, theirs)


def test_rules_are_sorted_and_displayed(groceries):
    rules = association_rules(frequent_itemsets(groceries, 0.005), metric="lift")
    assert (rules["lift"] >= 1.0).all()
    assert rules["lift"].is_monotonic_decreasing
    assert rules.columns.tolist() == basket.RULE_COLUMNS
    first = rules.iloc[0]
    assert first["rule"] == f"{first['antecedent_items']} -> {first['consequent_items']}"
    assert first["antecedent_items"] == " + ".join(sorted(first["antecedents"]))
    conf_one = rules["confidence"] == 1.0
    assert np.isinf(rules.loc[conf_one, "conviction"]).all()


def test_rules_refuse_bad_input(groceries):
    found = frequent_itemsets(groceries, 0.01)
    with pytest.raises(ValueError, match=r"metric: expected one of support, .*got 'jaccard'"):
        association_rules(found, metric="jaccard")
    with pytest.raises(TypeError, match="min_threshold: expected a number, got '1'"):
        association_rules(found, min_threshold="1")
    with pytest.raises(ValueError, match="support of every subset.*not a filtered part"):
        association_rules(found[found["length"] > 1])
    with pytest.raises(KeyError, match="itemsets: missing column.*'support'"):
        association_rules(found.drop(columns="support"))
    with pytest.raises(TypeError, match="itemsets: expected a pandas DataFrame, got list"):
        association_rules([["beer"]])


def candidate_rules(itemsets: pd.DataFrame) -> int:
    """Every split of every itemset into A -> C, counted by hand."""
    return sum(2 ** len(s) - 2 for s in itemsets["itemsets"])


def suggested_support(message: str) -> float:
    return float(re.search(r"min_support=([0-9.e-]+) keeps", message).group(1))


@pytest.mark.parametrize("with_counts", [True, False])
def test_rule_guard_refuses_with_the_count_and_a_support_that_fits(groceries, with_counts):
    found = frequent_itemsets(groceries, 0.002)
    if not with_counts:  # an mlxtend-style frame: supports only
        found = found.drop(columns=["count", "items", "length"])
    total, cap = candidate_rules(found), 5000
    assert total > cap
    with pytest.raises(ValueError) as err:
        association_rules(found, max_rules=cap)
    message = str(err.value)
    assert message.startswith("max_rules=5,000: ")
    assert f"these {len(found):,} itemsets" in message
    assert f"give {total:,} candidate rules" in message and "raise max_rules" in message
    # the suggestion fits, and is the lowest support that does (one basket less would not)
    support = suggested_support(message)
    left = frequent_itemsets(groceries, support)
    assert f"keeps {len(left):,} of them, with {candidate_rules(left):,}" in message
    assert candidate_rules(left) <= cap
    assert len(association_rules(left, max_rules=cap)) > 0
    needed = left["count"].min()
    assert candidate_rules(frequent_itemsets(groceries, (needed - 1) / len(groceries))) > cap


def test_rule_guard_stops_before_the_rules_are_built(groceries):
    found = frequent_itemsets(groceries, 0.0003)  # 3.9 million candidate rules
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"max_rules=1,000,000: .* candidate rules"):
        association_rules(found, metric="lift", min_threshold=1.2)
    assert time.perf_counter() - start < 5  # building them takes minutes


def test_rule_guard_leaves_results_below_the_cap_unchanged(groceries):
    found = frequent_itemsets(groceries, 0.005)
    total = candidate_rules(found)
    default = association_rules(found, metric="confidence", min_threshold=0.1)
    at_cap = association_rules(found, metric="confidence", min_threshold=0.1, max_rules=total)
    pd.testing.assert_frame_equal(at_cap, default)
    with pytest.raises(ValueError, match=f"max_rules={total - 1:,}: "):
        association_rules(found, metric="confidence", min_threshold=0.1, max_rules=total - 1)
    assert association_rules(found.iloc[:0], max_rules=1).empty


@pytest.mark.parametrize("value", [0, 1.5, True, "10"])
def test_rule_guard_checks_max_rules(value):
    found = frequent_itemsets([["a", "b"], ["a"]], 0.5)
    with pytest.raises((TypeError, ValueError), match="max_rules: expected"):
        association_rules(found, max_rules=value)


# --------------------------------------------------------------------------------------------
# Working with rules
# --------------------------------------------------------------------------------------------


def test_rules_with_filters_by_side(groceries):
    rules = association_rules(frequent_itemsets(groceries, 0.005))
    anywhere = rules_with(rules, "bottled beer")
    left = rules_with(rules, "bottled beer", side="antecedent")
    right = rules_with(rules, "bottled beer", side="consequent")
    assert len(left) and len(right)
    assert len(anywhere) == len(left) + len(right)  # never on both sides of one rule
    assert all("bottled beer" in a for a in left["antecedents"])
    assert all("bottled beer" in c for c in right["consequents"])
    assert anywhere["lift"].is_monotonic_decreasing
    assert anywhere.index.tolist() == list(range(len(anywhere)))


def test_rules_with_warns_on_unknown_items_and_refuses_bad_arguments(groceries):
    rules = association_rules(frequent_itemsets(groceries, 0.01))
    with pytest.warns(UserWarning, match=r"'bottled beeer' appears in no rule; did you mean"):
        assert rules_with(rules, "bottled beeer").empty
    with pytest.raises(ValueError, match="side: expected one of any, antecedent, consequent"):
        rules_with(rules, "beer", side="left")
    with pytest.raises(TypeError, match="item: expected one hashable item.*got list"):
        rules_with(rules, ["beer"])
    with pytest.raises(KeyError, match="rules: missing column.*'antecedents'"):
        rules_with(rules.drop(columns="antecedents"), "beer")


def beer_and_diapers_lines(seed: int = 3) -> pd.DataFrame:
    """Lines where beer and diapers go together on weekday evenings only."""
    rng = np.random.default_rng(seed)
    rows = []
    for invoice in range(4000):
        band = ["weekday evening", "weekday day", "weekend"][invoice % 3]
        items = set(rng.choice(["milk", "bread", "eggs", "chips", "beer", "diapers"], 2))
        if band == "weekday evening" and rng.random() < 0.3:
            items |= {"beer", "diapers"}
        rows += [(invoice, band, item) for item in sorted(items)]
    return pd.DataFrame(rows, columns=["invoice", "band", "product"])


def test_rules_by_context_finds_the_evening_pair():
    tx = beer_and_diapers_lines()
    by = rules_by_context(
        tx, "band", invoice="invoice", item="product", min_support=0.02, min_threshold=1.3
    )
    assert by.columns[:2].tolist() == ["band", "baskets"]
    assert by["band"].unique().tolist() == ["weekday evening"]
    pair = rules_with(by, "beer", side="antecedent")
    assert pair["consequent_items"].tolist()[0] == "diapers"
    evening = baskets_from_lines(
        tx[tx["band"] == "weekday evening"], invoice="invoice", item="product"
    )
    assert (by["baskets"] == len(evening)).all()
    expected = association_rules(frequent_itemsets(evening, 0.02), min_threshold=1.3)
    pd.testing.assert_frame_equal(by.drop(columns=["band", "baskets"]), expected)


def test_rules_by_context_with_baskets_keeps_categorical_order():
    baskets = [["beer", "diapers"]] * 4 + [["milk"]] * 2
    when = pd.Categorical(["evening", "morning"] * 3, categories=["morning", "evening"])
    for context in (when, pd.Series(when, index=range(10, 16))):
        by = rules_by_context(baskets, context, min_support=0.3, metric="confidence")
        assert by["context"].unique().tolist() == ["morning", "evening"]
        assert by["baskets"].tolist() == [3, 3, 3, 3]


def test_rules_by_context_refuses_bad_context():
    tx = beer_and_diapers_lines()
    kwargs = {"invoice": "invoice", "item": "product", "min_support": 0.05}
    mixed = tx.assign(band=np.where(tx.index % 2 == 0, "a", "b"))
    with pytest.raises(ValueError, match=r"column 'band': expected one value per invoice"):
        rules_by_context(mixed, "band", **kwargs)
    with pytest.raises(ValueError, match=r"column 'band': expected a context value.*found 1"):
        rules_by_context(tx.assign(band=tx["band"].where(tx.index != 0)), "band", **kwargs)
    with pytest.raises(KeyError, match="data: missing column.*'hour'"):
        rules_by_context(tx, "hour", **kwargs)
    with pytest.raises(TypeError, match="invoice, item: expected the names"):
        rules_by_context(tx, "band", min_support=0.05)
    with pytest.raises(ValueError, match="min_support: expected a fraction of baskets.*count"):
        rules_by_context(tx, "band", invoice="invoice", item="product", min_support=20)
    baskets = [["beer"], ["milk"]]
    with pytest.raises(TypeError, match="context: for baskets pass one context value"):
        rules_by_context(baskets, "band", min_support=0.5)
    with pytest.raises(ValueError, match=r"context: expected one value per basket \(2\), got 3"):
        rules_by_context(baskets, ["a", "b", "c"], min_support=0.5)
    with pytest.raises(ValueError, match="context: expected a context value.*found 1"):
        rules_by_context(baskets, ["a", None], min_support=0.5)


def test_warnings_point_at_the_caller():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        encode([["a", "a"]])
    assert caught and caught[0].filename == __file__


# --------------------------------------------------------------------------------------------
# Acting on one rule: rule_counts and cross_sell_whatif
# --------------------------------------------------------------------------------------------


def test_rule_counts_match_association_rules(groceries):
    rules = association_rules(frequent_itemsets(groceries, 0.02, max_len=2))
    row = rules[rules["rule"] == "pip fruit -> tropical fruit"].iloc[0]
    counts = rule_counts(groceries, "pip fruit", "tropical fruit")
    assert counts.index.tolist() == ["all baskets"]
    got = counts.iloc[0]
    assert got["baskets"] == len(groceries)
    assert got["antecedent_baskets"] == sum("pip fruit" in b for b in groceries)
    assert got["both_baskets"] == sum({"pip fruit", "tropical fruit"} <= set(b) for b in groceries)
    for metric in ("support", "confidence", "lift"):
        assert got[metric] == pytest.approx(row[metric], rel=1e-12)


def test_rule_counts_per_context_agree_with_rules_by_context():
    tx = beer_and_diapers_lines()
    baskets = baskets_from_lines(tx, invoice="invoice", item="product")
    band = tx.groupby("invoice", sort=False)["band"].first()
    counts = rule_counts(baskets, "beer", "diapers", context=band)
    assert counts.index.tolist() == ["weekday day", "weekday evening", "weekend"]
    assert counts["baskets"].sum() == len(baskets)
    by = rules_by_context(
        tx, "band", invoice="invoice", item="product", min_support=0.02, min_threshold=1.0
    )
    pair = by[by["rule"] == "beer -> diapers"].set_index("band")
    assert pair.index.tolist() == ["weekday evening"]  # lift < 1 elsewhere: no rule there
    for metric in ("support", "confidence", "lift"):
        assert counts.loc["weekday evening", metric] == pytest.approx(pair.iloc[0][metric])
    assert (counts.drop(index="weekday evening")["lift"] < 1).all()


def test_rule_counts_leave_undefined_metrics_missing():
    baskets = [["beer", "diapers"], ["beer"], ["milk"], ["milk", "diapers"]]
    counts = rule_counts(baskets, "beer", "diapers", context=["a", "a", "b", "c"])
    assert counts["antecedent_baskets"].tolist() == [2, 0, 0]
    assert counts["confidence"].iloc[0] == 0.5
    assert counts[["confidence", "lift"]].iloc[1:].isna().all().all()
    assert counts["support"].tolist() == [0.5, 0.0, 0.0]


def test_rule_counts_refuse_bad_items_and_contexts():
    baskets = [["beer", "diapers"], ["beer"]]
    with pytest.raises(ValueError, match=r"consequent: 'diaper' is in no basket; did you mean"):
        rule_counts(baskets, "beer", "diaper")
    with pytest.raises(ValueError, match="antecedent: 'wine' is in no basket$"):
        rule_counts(baskets, "wine", "beer")
    with pytest.raises(ValueError, match="consequent: expected an item other than"):
        rule_counts(baskets, "beer", "beer")
    with pytest.raises(TypeError, match="antecedent: expected one hashable item.*got list"):
        rule_counts(baskets, ["beer"], "diapers")
    with pytest.raises(TypeError, match="context: expected one value per basket.*got 'band'"):
        rule_counts(baskets, "beer", "diapers", context="band")
    with pytest.raises(ValueError, match=r"context: expected one value per basket \(2\), got 1"):
        rule_counts(baskets, "beer", "diapers", context=["a"])
    with pytest.raises(ValueError, match="context: expected a context value.*found 1 missing"):
        rule_counts(baskets, "beer", "diapers", context=["a", None])


def test_cross_sell_whatif_by_hand():
    # 30 diapers baskets over 2 weeks: 18 with beer, 12 without; 5 beer-only baskets
    baskets = [["diapers", "beer"]] * 18 + [["diapers", "milk"]] * 12 + [["beer"]] * 5
    before = [list(b) for b in baskets]
    whatif = cross_sell_whatif(
        baskets,
        "diapers",
        "beer",
        take_up=[0.25, 0.5],
        margin=3.0,
        price_discount=[0.0, 0.1],
        bundle_price=20.0,
        fixed_cost=1.0,
        periods=2,
    )
    assert baskets == before
    assert whatif["price_discount"].tolist() == [0.0, 0.0, 0.1, 0.1]
    assert whatif["take_up"].tolist() == [0.25, 0.5, 0.25, 0.5]
    assert (whatif["antecedent_baskets"] == 15).all() and (whatif["both_before"] == 9).all()
    assert (whatif["target_baskets"] == 6).all()
    assert whatif["extra_units"].tolist() == [1.5, 3.0, 1.5, 3.0]
    assert whatif["confidence_after"].tolist() == pytest.approx([0.7, 0.8, 0.7, 0.8])
    assert whatif["bundles"].tolist() == [0.0, 0.0, 10.5, 12.0]
    assert whatif["discount_cost"].tolist() == pytest.approx([0, 0, 21.0, 24.0])
    assert whatif["net"].tolist() == pytest.approx([3.5, 8.0, 4.5 - 21 - 1, 9 - 24 - 1])
    # placement: 6 x 3.0 per unit of take-up pays the fixed 1.0; bundle: 6 x (3 - 2) vs 19
    assert whatif["break_even_take_up"].tolist() == pytest.approx([1 / 18, 1 / 18, 19 / 6, 19 / 6])


def test_cross_sell_whatif_net_is_zero_at_the_break_even_take_up():
    baskets = [["a", "b"]] * 7 + [["a"]] * 40 + [["b"]] * 3
    first = cross_sell_whatif(
        baskets,
        "a",
        "b",
        take_up=0.1,
        margin=5.0,
        price_discount=[0.0, 0.05],
        bundle_price=40.0,
        fixed_cost=2.5,
    )
    again = cross_sell_whatif(
        baskets,
        "a",
        "b",
        take_up=first["break_even_take_up"].iloc[1],
        margin=5.0,
        price_discount=0.05,
        bundle_price=40.0,
        fixed_cost=2.5,
    )
    assert 0 < first["break_even_take_up"].iloc[1] < 1
    assert again["net"].iloc[0] == pytest.approx(0, abs=1e-12)


def test_cross_sell_whatif_break_even_edges():
    baskets = [["a", "b"], ["a"], ["b"]]
    free = cross_sell_whatif(baskets, "a", "b", take_up=0.0, margin=0.0)
    assert free["break_even_take_up"].tolist() == [0.0] and free["net"].tolist() == [0.0]
    eaten = cross_sell_whatif(
        baskets, "a", "b", take_up=1.0, margin=1.0, price_discount=0.5, bundle_price=2.0
    )
    assert eaten["break_even_take_up"].tolist() == [np.inf]  # the discount eats the margin
    nobody = cross_sell_whatif(
        [["a", "b"], ["b"]], "a", "b", take_up=0.5, margin=1.0, fixed_cost=1.0
    )
    assert nobody["target_baskets"].tolist() == [0] and nobody["break_even_take_up"].tolist() == [
        np.inf
    ]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"take_up": 1.5}, ValueError, r"take_up: expected a fraction in \[0, 1\], got 1.5"),
        ({"take_up": -0.1}, ValueError, r"take_up: expected a fraction in \[0, 1\]"),
        ({"take_up": []}, ValueError, "take_up: expected at least one value"),
        ({"take_up": "0.1"}, TypeError, "take_up: expected a number"),
        (
            {"price_discount": 1.0},
            ValueError,
            r"price_discount: expected a fraction in \[0, 1\), got 1.0",
        ),
        (
            {"price_discount": 0.1},
            ValueError,
            "bundle_price: expected the full price.*price_discount 0.1",
        ),
        ({"discount": 0.1}, TypeError, "unexpected keyword argument 'discount'"),
        ({"margin": -1.0}, ValueError, "margin: expected a number >= 0, got -1.0"),
        ({"margin": True}, TypeError, "margin: expected a finite number, got True"),
        ({"bundle_price": -5.0}, ValueError, "bundle_price: expected a number >= 0"),
        ({"fixed_cost": float("nan")}, TypeError, "fixed_cost: expected a finite number"),
        ({"periods": 0}, ValueError, "periods: expected a number > 0, got 0"),
    ],
)
def test_cross_sell_whatif_refuses_bad_numbers(kwargs, error, match):
    arguments = {"take_up": 0.1, "margin": 1.0, **kwargs}
    with pytest.raises(error, match=match):
        cross_sell_whatif([["a", "b"], ["a"]], "a", "b", **arguments)


def test_break_even_price_discount_nets_zero_and_bounds_the_bundles_that_pay():
    baskets = [["a", "b"]] * 7 + [["a"]] * 40 + [["b"]] * 3
    common = {"margin": 5.0, "bundle_price": 40.0, "fixed_cost": 2.5}
    grid = cross_sell_whatif(
        baskets, "a", "b", take_up=[0.1, 0.3], price_discount=[0.0, 0.01, 0.05], **common
    )
    # one break-even discount per take-up, whatever the row's own discount
    per_take_up = grid.groupby("take_up")["break_even_price_discount"].nunique()
    assert (per_take_up == 1).all()
    for take_up, d in grid.groupby("take_up")["break_even_price_discount"].first().items():
        at = cross_sell_whatif(baskets, "a", "b", take_up=take_up, price_discount=d, **common)
        assert at["net"].iloc[0] == pytest.approx(0, abs=1e-9)
        # a bundle pays below it and loses above it
        for other, sign in ((d * 0.9, 1), (min(d * 1.1, 0.99), -1)):
            row = cross_sell_whatif(
                baskets, "a", "b", take_up=take_up, price_discount=other, **common
            )
            assert np.sign(row["net"].iloc[0]) == sign
    # by hand at take-up 0.3: extra 12, (12 x 5 - 2.5) / (40 x (7 + 12))
    assert grid["break_even_price_discount"].iloc[1] == pytest.approx(57.5 / 760)
    # without a bundle price there is no discount to solve for
    plain = cross_sell_whatif(baskets, "a", "b", take_up=0.1, margin=5.0)
    assert plain["break_even_price_discount"].isna().all()
    # an action that loses money at full price: no discount breaks even
    losing = cross_sell_whatif(baskets, "a", "b", take_up=0.01, **{**common, "fixed_cost": 50})
    assert (losing["break_even_price_discount"] < 0).all()


def test_cross_sell_decision_picks_the_larger_net_and_explains_the_bundle():
    baskets = [["diapers", "beer"]] * 12 + [["diapers"]] * 8 + [["beer"]] * 10
    common = {"margin": 2.0, "bundle_price": 20.0}
    facts = cross_sell_decision(
        baskets, "diapers", "beer", placement_take_up=0.25, price_discount=0.1,
        bundle_take_up=0.5, **common,
    )  # fmt: skip
    assert facts.choice == "placement"
    assert facts.placement["price_discount"] == 0 and facts.placement["take_up"] == 0.25
    assert facts.bundle["price_discount"] == 0.1 and facts.bundle["take_up"] == 0.5
    assert facts.discount_per_bundle == pytest.approx(2.0)
    assert facts.margin_kept == pytest.approx(0.0)
    assert facts.giveaway == pytest.approx(12 * 2.0)
    assert facts.loss_from == pytest.approx(0.1)
    assert facts.max_price_discount == pytest.approx(8 * 2.0 / (20.0 * 20))
    assert facts.max_price_discount_at_take_up == pytest.approx(4 * 2.0 / (20.0 * 16))
    # a generous margin and a small discount make the bundle win
    rich = cross_sell_decision(
        baskets, "diapers", "beer", margin=50.0, bundle_price=20.0, placement_take_up=0.1,
        price_discount=0.05, bundle_take_up=1.0,
    )  # fmt: skip
    assert rich.choice == "bundle" and rich.bundle["net"] > rich.placement["net"] > 0
    # a fixed cost larger than anything either can earn: neither
    costly = cross_sell_decision(
        baskets, "diapers", "beer", placement_take_up=0.25, price_discount=0.1,
        bundle_take_up=0.5, fixed_cost=100.0, **common,
    )  # fmt: skip
    assert costly.choice == "neither" and costly.max_price_discount < 0


def test_cross_sell_decision_refuses_a_bundle_without_price_or_discount():
    baskets = [["a", "b"], ["a"]]
    args = {"margin": 1.0, "placement_take_up": 0.1, "bundle_take_up": 0.1}
    with pytest.raises(ValueError, match="bundle_price: expected a number > 0, got 0"):
        cross_sell_decision(baskets, "a", "b", bundle_price=0, price_discount=0.1, **args)
    with pytest.raises(ValueError, match=r"price_discount: expected a fraction in \(0, 1\)"):
        cross_sell_decision(baskets, "a", "b", bundle_price=5.0, price_discount=0.0, **args)


# Which threshold binds: binding_threshold and rule_thresholds

THRESHOLD_BASKETS = (
    [["beer", "diapers"]] * 3 + [["beer"]] * 5 + [["milk", "bread"]] * 2 + [["milk"]] * 2
)


def test_binding_threshold_names_each_threshold_and_its_suggestion_lets_a_rule_through():
    cases = {
        # beer -> diapers: confidence 0.375, lift 1.5; diapers -> beer: 1.0, 1.5;
        # bread -> milk: 1.0, 3.0; milk -> bread: 0.5, 3.0
        (0.1, 0.5, 1.2): (),
        (0.5, 0.1, 1.0): ("min_support",),
        (0.1, 0.9, 3.5): ("min_lift",),
        (0.2, 0.9, 1.6): ("min_lift",),  # milk + bread is too rare at 0.2
        # no pair is in 0.3 of the baskets; bread -> milk passes the others at 1/6
        (0.3, 0.9, 2.0): ("min_support",),
        # ... and no pair has lift 3.5 at any support: lower min_support and min_lift
        (0.3, 0.9, 3.5): ("min_support", "min_lift"),
    }
    # a -> b and b -> a: confidence 0.5, lift 1.0
    independent = [["a", "b"]] * 2 + [["a"]] * 2 + [["b"]] * 2 + [["c"]] * 2
    all_three = ("min_support", "min_confidence", "min_lift")
    independent_cases = [((0.2, 0.8, 1.5), all_three[1:]), ((0.3, 0.8, 1.5), all_three)]
    for (support, confidence, lift), binds in [*cases.items(), *independent_cases]:
        data = THRESHOLD_BASKETS if (support, confidence, lift) in cases else independent
        check = binding_threshold(
            data, min_support=support, min_confidence=confidence, min_lift=lift
        )
        assert check.binds == binds, (support, confidence, lift)
        if not binds:
            assert check.passing > 0 and check.suggestion == {}
            assert check.describe().startswith("no threshold binds")
            continue
        assert check.passing == 0 and set(check.suggestion) == set(binds)
        named = binds[0] if len(binds) == 1 else f"{', '.join(binds[:-1])} and {binds[-1]}"
        assert check.describe().startswith(f"{named} b"), check.describe()
        relaxed = {"min_support": support, "min_confidence": confidence, "min_lift": lift}
        relaxed.update(check.suggestion)
        assert binding_threshold(data, **relaxed).passing > 0


def test_binding_threshold_min_confidence_and_pairs_only():
    # a triple rule passes only when rules of any size count
    baskets = [["a", "b", "c"]] * 4 + [["a"]] * 4 + [["b"]] * 4 + [["c"]] * 4 + [["d"]] * 4
    # a + b -> c: confidence 1.0, lift 2.5; a -> b: confidence 0.5, lift 1.25
    args = {"min_support": 0.2, "min_confidence": 0.9, "min_lift": 1.2}
    assert binding_threshold(baskets, **args).passing == 3
    pairs = binding_threshold(baskets, pairs_only=True, **args)
    assert pairs.binds == ("min_confidence",) and pairs.pairs_only
    assert "rule between two items" in pairs.describe()
    best = pairs.highest["confidence"]
    assert best == pytest.approx(0.5) and pairs.suggestion == {"min_confidence": 0.5}


def test_binding_threshold_min_support_suggests_the_most_common_pair():
    check = binding_threshold(THRESHOLD_BASKETS, min_support=0.5, min_confidence=0.1, min_lift=1.0)
    assert check.highest["pair support"] == pytest.approx(3 / 12)
    assert check.suggestion == {"min_support": 0.25}
    assert "the most common pair is in 0.25" in check.describe()
    lonely = binding_threshold([["a"], ["b"]], min_support=0.5, min_confidence=0.1, min_lift=1)
    assert lonely.suggestion == {} and "no two items are ever in one basket" in lonely.describe()


def test_binding_threshold_names_every_threshold_that_binds_on_the_store():
    # the instructor's 0.03 / 0.5 / 2: lowering min_support to the most common pair's
    # support is not enough, so min_confidence (or min_lift) binds as well
    lines = datasets.load_baskets()
    baskets = baskets_from_lines(lines, invoice="basket_id", item="item")
    given = {"min_support": 0.03, "min_confidence": 0.5, "min_lift": 2.0}
    check = binding_threshold(baskets, **given)
    assert check.binds[0] == "min_support" and len(check.binds) > 1
    assert binding_threshold(baskets, **{**given, **check.suggestion}).passing > 0
    # the suggestion is needed in full: the support alone lets nothing through
    alone = {**given, "min_support": check.suggestion["min_support"]}
    assert binding_threshold(baskets, **alone).passing == 0
    assert "at any support" in check.describe()


def test_binding_threshold_refuses_bad_thresholds():
    with pytest.raises(ValueError, match="min_support: expected a fraction of baskets"):
        binding_threshold(THRESHOLD_BASKETS, min_support=5, min_confidence=0.1, min_lift=1)
    with pytest.raises(ValueError, match=r"min_confidence: expected a fraction in \[0, 1\]"):
        binding_threshold(THRESHOLD_BASKETS, min_support=0.1, min_confidence=2, min_lift=1)
    with pytest.raises(ValueError, match="min_lift: expected a number >= 0"):
        binding_threshold(THRESHOLD_BASKETS, min_support=0.1, min_confidence=0.1, min_lift=-1)


def test_rule_thresholds_agree_with_the_rule_table():
    table = rule_thresholds(
        THRESHOLD_BASKETS, "beer", "diapers", min_support=0.2, min_confidence=0.5, min_lift=1.2
    )
    counts = rule_counts(THRESHOLD_BASKETS, "beer", "diapers").iloc[0]
    assert table["value"].tolist() == pytest.approx(
        [counts["support"], counts["confidence"], counts["lift"]]
    )
    assert table["passes"].tolist() == [True, False, True]
    # a rule that passes every threshold is in association_rules' table at those thresholds
    rules = association_rules(frequent_itemsets(THRESHOLD_BASKETS, 0.2), "lift", 1.2)
    for _, rule in rules.iterrows():
        check = rule_thresholds(
            THRESHOLD_BASKETS,
            rule["antecedent_items"],
            rule["consequent_items"],
            min_support=0.2,
            min_confidence=0.0,
            min_lift=1.2,
        )
        assert check["passes"].all()
