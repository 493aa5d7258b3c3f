"""Tests for redundant-rule pruning in crmlib.basket (rule_improvement, prune_redundant)."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from crmlib.basket import (
    association_rules,
    frequent_itemsets,
    prune_redundant,
    rule_improvement,
)


def random_baskets(n: int = 800, seed: int = 3) -> list[list[str]]:
    """Independent items a-f at different rates, plus x that always comes with y."""
    rng = np.random.default_rng(seed)
    rates = {"a": 0.5, "b": 0.4, "c": 0.3, "d": 0.25, "e": 0.2, "f": 0.15}
    baskets = []
    for _ in range(n):
        basket = [item for item, rate in rates.items() if rng.random() < rate]
        if rng.random() < 0.2:
            basket += ["x", "y"]  # y is in every basket that holds x
        elif rng.random() < 0.1:
            basket.append("y")
        baskets.append(basket or ["f"])
    return baskets


@pytest.fixture(scope="module")
def mined():
    baskets = random_baskets()
    found = frequent_itemsets(baskets, min_support=0.02)
    rules = association_rules(found, metric="confidence", min_threshold=0.0)
    return baskets, found, rules


def brute_confidence(baskets: list[list[str]], a: frozenset, c: frozenset) -> Fraction:
    sets = [set(b) for b in baskets]
    n_a = sum(a <= s for s in sets)
    return Fraction(sum((a | c) <= s for s in sets), n_a)


def test_improvement_matches_a_brute_force_count(mined):
    baskets, found, rules = mined
    sample = rules[rules["antecedents"].map(len) >= 2].head(40)
    assert len(sample) >= 10, "the fixture should give rules with long antecedents"
    table = rule_improvement(sample, found)
    for (_, rule), improvement in zip(sample.iterrows(), table["improvement"], strict=True):
        a, c = rule["antecedents"], rule["consequents"]
        own = brute_confidence(baskets, a, c)
        simpler = [
            brute_confidence(baskets, frozenset(sub), c)
            for size in range(len(a))
            for sub in combinations(sorted(a), size)
        ]
        assert improvement == pytest.approx(float(own - max(simpler)), abs=1e-12)


def test_an_item_implied_by_another_gives_improvement_exactly_zero(mined):
    _, found, rules = mined
    table = rule_improvement(rules, found)
    # x is always with y, so adding y to an antecedent holding x changes nothing: such a
    # rule never beats the same rule without y (improvement <= 0), and ties it exactly
    implied = table[table["antecedents"].map(lambda a: {"x", "y"} <= a)]
    assert len(implied) > 0
    assert (implied["improvement"] <= 0.0).all()
    assert (implied["improvement"] == 0.0).sum() >= 3


def test_one_item_antecedent_improvement_is_support_times_lift_minus_one(mined):
    _, found, rules = mined
    single = rules[rules["antecedents"].map(len) == 1]
    table = rule_improvement(single, found)
    expected = single["consequent support"] * (single["lift"] - 1)
    np.testing.assert_allclose(table["improvement"], expected, atol=1e-12)
    assert table["simpler_rule"].str.startswith("(any basket) -> ").all()


def test_prune_keeps_exactly_the_rules_that_improve(mined):
    _, found, rules = mined
    table = rule_improvement(rules, found)
    for threshold in (0.0, 0.05):
        kept = prune_redundant(rules, found, min_improvement=threshold)
        expected = table.loc[table["improvement"] > threshold, "rule"].tolist()
        assert kept["rule"].tolist() == expected  # original order kept
        assert (kept["improvement"] > threshold).all()
    assert len(prune_redundant(rules, found)) < len(rules)
    # every kept one-item rule has lift above 1
    kept = prune_redundant(rules, found)
    assert (kept.loc[kept["antecedents"].map(len) == 1, "lift"] > 1).all()


def test_inputs_are_not_changed_and_index_is_kept(mined):
    _, found, rules = mined
    part = rules.iloc[5:25]
    before = part.copy()
    table = rule_improvement(part, found)
    pd.testing.assert_frame_equal(part, before)
    assert table.index.equals(part.index)
    assert list(table.columns) == [*part.columns, "improvement", "simpler_rule"]


def test_supports_alone_give_the_same_answer_up_to_rounding(mined):
    _, found, rules = mined
    with_counts = rule_improvement(rules, found)["improvement"]
    without = rule_improvement(rules, found.drop(columns="count"))["improvement"]
    np.testing.assert_allclose(with_counts, without, atol=1e-9)


def test_missing_subset_is_refused_with_its_name(mined):
    _, found, rules = mined
    long_rule = rules[rules["antecedents"].map(len) >= 2].head(1)
    subset = sorted(next(iter(long_rule["antecedents"])))[0]
    filtered = found[found["items"] != subset]
    with pytest.raises(ValueError, match=f"{subset}.*missing"):
        rule_improvement(long_rule, filtered)


@pytest.mark.parametrize("bad", [-0.1, 1.0, "0.1"])
def test_min_improvement_out_of_range_is_refused(mined, bad):
    _, found, rules = mined
    with pytest.raises((ValueError, TypeError), match="min_improvement"):
        prune_redundant(rules, found, min_improvement=bad)


def test_missing_columns_are_named():
    with pytest.raises(KeyError, match="confidence"):
        rule_improvement(pd.DataFrame({"antecedents": [], "consequents": []}), pd.DataFrame())


def test_empty_rules_give_an_empty_table(mined):
    _, found, rules = mined
    table = prune_redundant(rules.iloc[:0], found)
    assert len(table) == 0 and "improvement" in table.columns
