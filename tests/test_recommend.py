"""Tests for crmlib.recommend: item-based collaborative filtering on purchases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics.pairwise import cosine_similarity

from crmlib import recommend as rc


def _random_purchases(seed: int = 0, customers: int = 60, items: int = 25) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    taste = rng.integers(0, 3, customers)
    rows = []
    for c in range(customers):
        # three taste groups prefer three blocks of items, so similarities are not flat
        p = np.where(np.arange(items) % 3 == taste[c], 0.35, 0.05)
        for i in np.flatnonzero(rng.random(items) < p):
            rows.append((f"c{c:03d}", f"i{i:02d}"))
    return pd.DataFrame(rows, columns=["customer", "item"])


def test_similarity_is_the_cosine_of_the_items_customer_vectors():
    # Independent check: scikit-learn's cosine_similarity on the dense 0/1 matrix.
    tx = _random_purchases()
    model = rc.ItemBasedRecommender(neighbours=None).fit(tx)
    dense = pd.crosstab(tx["customer"], tx["item"]).clip(upper=1)
    dense = dense.reindex(index=model.customers_, columns=model.items_)
    expected = cosine_similarity(dense.T.to_numpy())
    np.fill_diagonal(expected, 0)
    np.testing.assert_allclose(model.similarity_.toarray(), expected, atol=1e-12)


def test_scores_are_sums_of_similarities_to_what_the_customer_bought():
    tx = _random_purchases(seed=1)
    model = rc.ItemBasedRecommender(neighbours=5).fit(tx)
    sim = model.similarity_.toarray()
    assert ((sim > 0).sum(axis=1) <= 5).all() and (sim > 0).sum() > 0
    recs = model.recommend(["c007"], n=3)
    bought = set(tx.loc[tx["customer"] == "c007", "item"])
    rows = model.items_.get_indexer(sorted(bought))
    expected = sim[rows].sum(axis=0)
    expected[rows] = -np.inf
    best = np.argsort(-expected, kind="stable")[:3]
    assert recs["item"].tolist() == model.items_[best].tolist()
    np.testing.assert_allclose(recs["score"], expected[best])
    assert not set(recs["item"]) & bought
    assert recs["rank"].tolist() == [1, 2, 3]


def test_neighbours_keep_the_largest_similarities_per_item():
    tx = _random_purchases(seed=2)
    full = rc.ItemBasedRecommender(neighbours=None).fit(tx).similarity_.toarray()
    cut = rc.ItemBasedRecommender(neighbours=4).fit(tx).similarity_.toarray()
    for row_full, row_cut in zip(full, cut, strict=True):
        kept = row_cut[row_cut > 0]
        assert len(kept) == min(4, (row_full > 0).sum())
        assert kept.min() >= np.sort(row_full)[-len(kept)] - 1e-12


def test_hand_worked_example():
    tx = pd.DataFrame(
        {"customer": [1, 1, 2, 2, 2, 3, 3, 4], "item": list("ABABCACC")}
    )  # A = bread, B = butter, C = milk
    model = rc.ItemBasedRecommender(neighbours=None).fit(tx)
    assert model.similar_items("B")["similarity"].tolist() == pytest.approx(
        [2 / np.sqrt(6), 1 / np.sqrt(6)]
    )
    recs = model.recommend(n=5)
    assert recs.loc[recs["customer"] == 1, "item"].tolist() == ["C"]
    assert recs.loc[recs["customer"] == 1, "score"].item() == pytest.approx(2 / 3 + 1 / np.sqrt(6))
    assert recs.loc[recs["customer"] == 2].empty  # bought everything


def test_popularity_excludes_what_was_bought_and_serves_new_customers():
    tx = _random_purchases(seed=3)
    model = rc.PopularityRecommender().fit(tx)
    ranking = tx.drop_duplicates().groupby("item").size()
    ranking = ranking.sort_index().sort_values(ascending=False, kind="stable")
    new = model.recommend(["stranger"], n=4)
    assert new["item"].tolist() == ranking.index[:4].tolist()
    known = model.recommend(["c000"], n=4)
    bought = set(tx.loc[tx["customer"] == "c000", "item"])
    expected = [i for i in ranking.index if i not in bought][:4]
    assert known["item"].tolist() == expected


def test_split_by_date_holds_out_new_products_of_returning_customers():
    tx = pd.DataFrame(
        {
            "customer": [1, 1, 1, 1, 2, 3],
            "item": ["a", "b", "a", "z", "c", "a"],
            "date": pd.to_datetime(
                ["2024-01-05", "2024-03-01", "2024-03-02", "2024-03-03", "2024-01-10", "2024-04-01"]
            ),
        }
    )
    train, held_out = rc.split_by_date(tx, cutoff="2024-02-01")
    assert len(train) == 2
    # 'a' was bought before; customer 3 is new; 'z' is new to the shop and still counts
    assert held_out.to_dict("records") == [
        {"customer": 1, "item": "b"},
        {"customer": 1, "item": "z"},
    ]


def test_evaluate_counts_customers_without_recommendations_as_misses():
    recs = pd.DataFrame({"customer": [1, 1, 1], "rank": [1, 2, 3], "item": ["a", "b", "c"]})
    later = pd.DataFrame({"customer": [1, 1, 2], "item": ["c", "d", "a"]})
    at_2 = rc.evaluate_top_n(recs, later, n=2)
    assert at_2["hits"] == 0 and at_2["hit_rate"] == 0
    at_3 = rc.evaluate_top_n(recs, later, n=3)
    assert at_3["customers"] == 2 and at_3["hit_rate"] == 0.5
    assert at_3["precision"] == pytest.approx((1 / 3 + 0) / 2)
    assert at_3["recall"] == pytest.approx((1 / 2 + 0) / 2)


def test_item_based_beats_popularity_when_tastes_differ():
    # Planted taste groups: neighbours should find a customer's group, best-sellers cannot.
    tx = _random_purchases(seed=4, customers=300, items=30)
    rng = np.random.default_rng(5)
    tx["date"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 100, len(tx)), "D")
    train, held_out = rc.split_by_date(tx, cutoff="2024-03-01")
    customers = held_out["customer"].unique()
    cf = rc.ItemBasedRecommender(neighbours=10).fit(train).recommend(customers, n=3)
    pop = rc.PopularityRecommender().fit(train).recommend(customers, n=3)
    assert (
        rc.evaluate_top_n(cf, held_out, n=3)["precision"]
        > rc.evaluate_top_n(pop, held_out, n=3)["precision"]
    )


def test_input_is_not_changed_and_order_does_not_matter():
    tx = _random_purchases(seed=6)
    before = tx.copy()
    a = rc.ItemBasedRecommender().fit(tx).recommend(n=5)
    b = rc.ItemBasedRecommender().fit(tx.sample(frac=1, random_state=0)).recommend(n=5)
    pd.testing.assert_frame_equal(tx, before)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda tx: rc.ItemBasedRecommender(neighbours=0).fit(tx), ValueError, "neighbours"),
        (lambda tx: rc.ItemBasedRecommender(neighbours="5").fit(tx), TypeError, "neighbours"),
        (lambda tx: rc.ItemBasedRecommender().fit(tx, item="sku"), KeyError, "sku"),
        (lambda tx: rc.ItemBasedRecommender().fit(tx).recommend(["nobody"]), ValueError,
         "customers: .*PopularityRecommender"),
        (lambda tx: rc.ItemBasedRecommender().fit(tx).recommend(n=0), ValueError, "^n:"),
        (lambda tx: rc.ItemBasedRecommender().fit(tx).similar_items("zz"), ValueError, "item"),
        (lambda tx: rc.ItemBasedRecommender().recommend(), RuntimeError, "fit"),
        (lambda tx: rc.PopularityRecommender().recommend(), RuntimeError, "fit"),
        (lambda tx: rc.ItemBasedRecommender().fit(tx.assign(customer=None)), ValueError,
         "'customer'.*missing"),
        (lambda tx: rc.split_by_date(tx.assign(date="2024-01-01"), cutoff="2030-01-01"),
         ValueError, "cutoff"),
        (lambda tx: rc.split_by_date(tx.assign(date="2024-01-01"), cutoff="soon"), ValueError,
         "cutoff"),
        (lambda tx: rc.evaluate_top_n(tx, tx, n=3), KeyError, "rank"),
    ],
)  # fmt: skip
def test_bad_inputs_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call(_random_purchases(seed=7))


def test_an_id_written_two_ways_is_refused():
    tx = pd.DataFrame({"customer": [1, "1"], "item": ["a", "b"]})
    with pytest.raises(ValueError, match="customer.*two ways"):
        rc.ItemBasedRecommender().fit(tx)
