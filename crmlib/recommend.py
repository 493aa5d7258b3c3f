"""Collaborative filtering (협업적 필터링, 공동여과): recommend products from purchases.

Collaborative filtering recommends to a customer what customers with similar purchases
bought, without knowing anything about the products themselves. This module implements the
*item-based* top-N method of Deshpande & Karypis (2004), the method behind Amazon's
"customers who bought this also bought" (Linden, Smith & York 2003), for purchase data
(bought or not, no ratings):

1. each product is a vector over customers (1 = bought it at least once);
2. the similarity of two products is the cosine of their vectors,
   ``n(i and j) / sqrt(n(i) n(j))``, where ``n`` counts customers;
3. each product keeps only its ``neighbours`` most similar products (the model);
4. a customer's score for a product is the sum of its similarities to the products the
   customer bought; the top ``n`` products the customer has not bought are recommended.

Deshpande & Karypis also scale each product's similarities to sum to one; that is left out
here (it matters little for purchase data and keeps the scores readable as sums of cosines).

:class:`PopularityRecommender` is the baseline every recommender must beat: the best-selling
products the customer has not bought. :func:`split_by_date` holds out later purchases and
:func:`evaluate_top_n` scores recommendations on them (hit rate, precision and recall at
``n``, the measures of Deshpande & Karypis and of Cremonesi, Koren & Turrin 2010).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from crmlib.validation import (
    as_datetime,
    as_timestamp,
    preview,
    require_columns,
    require_frame,
    require_ids,
    require_positive_int,
)

__all__ = [
    "ItemBasedRecommender",
    "PopularityRecommender",
    "split_by_date",
    "evaluate_top_n",
]

_CHUNK = 2048  # customers scored at once: bounds the dense block to 2,048 x items


def _pairs(tx: object, customer: str, item: str) -> pd.DataFrame:
    """The distinct (customer, item) purchases of ``tx``, checked."""
    tx = require_frame(tx, "tx")
    require_columns(tx, [customer, item], "tx")
    for column in (customer, item):
        missing = tx[column].isna()
        if missing.any():
            raise ValueError(
                f"column {column!r}: expected no missing values, got {int(missing.sum())}; "
                "drop the lines without a customer or a product first"
            )
        require_ids(tx[column], column)
    return tx[[customer, item]].drop_duplicates()


def _matrix(
    pairs: pd.DataFrame, customer: str, item: str
) -> tuple[sp.csr_array, pd.Index, pd.Index]:
    """Customers x items 0/1 matrix with sorted labels."""
    customers = pd.Index(np.sort(pd.unique(pairs[customer])), name=customer)
    items = pd.Index(np.sort(pd.unique(pairs[item])), name=item)
    rows = customers.get_indexer(pairs[customer])
    cols = items.get_indexer(pairs[item])
    data = np.ones(len(pairs), dtype=np.float64)
    return sp.csr_array((data, (rows, cols)), shape=(len(customers), len(items))), customers, items


def _positions(labels: pd.Index, wanted: object, name: str, hint: str) -> np.ndarray:
    if wanted is None:
        return np.arange(len(labels))
    many = isinstance(wanted, Iterable) and not isinstance(wanted, str | bytes)
    wanted = list(wanted) if many else [wanted]
    found = labels.get_indexer(wanted)
    if (found < 0).any():
        unknown = [w for w, f in zip(wanted, found, strict=True) if f < 0]
        raise ValueError(
            f"{name}: expected values seen in fit, got {len(unknown)} unknown such as "
            f"{preview(unknown, 3)}{hint}"
        )
    return found


def _top_n(scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the positions of the ``n`` highest scores (ties: the earlier column first)."""
    order = np.argsort(-scores, axis=1, kind="stable")[:, :n]
    return order, np.take_along_axis(scores, order, axis=1)


def _frame(
    customers: pd.Index, rows: np.ndarray, items: pd.Index, order: np.ndarray, top: np.ndarray
) -> pd.DataFrame:
    keep = np.isfinite(top) & (top > 0)
    r, k = np.nonzero(keep)
    return pd.DataFrame(
        {
            customers.name: customers[rows[r]],
            "rank": k + 1,
            items.name: items[order[r, k]],
            "score": top[r, k],
        }
    )


class ItemBasedRecommender:
    """Item-based collaborative filtering for purchase data (Deshpande & Karypis 2004).

    Parameters
    ----------
    neighbours : int or None, default 50
        How many most similar products each product keeps (the model's *k*); None keeps
        every similarity.

    Attributes
    ----------
    customers_, items_ : pandas.Index
        The customers and products seen in :meth:`fit`, sorted.
    buyers_ : pandas.Series
        Number of customers who bought each product.
    similarity_ : scipy.sparse.csr_array
        Products x products cosine similarities, each row cut to its ``neighbours`` largest
        (diagonal 0). Row i holds the products recommended *because of* product i.

    Examples
    --------
    Four customers. Bread and butter share two of their buyers: cosine 2 / sqrt(3 x 2) =
    0.816; butter and milk one: 1 / sqrt(2 x 3) = 0.408. Customer 1 (bread and butter) gets
    milk with a score of 0.667 + 0.408 (milk's similarities to bread and to butter):

    >>> tx = pd.DataFrame({"customer": [1, 1, 2, 2, 2, 3, 3, 4],
    ...                    "item": ["bread", "butter", "bread", "butter", "milk",
    ...                             "bread", "milk", "milk"]})
    >>> model = ItemBasedRecommender(neighbours=None).fit(tx)
    >>> model.similar_items("butter").round(3)
         item  similarity
    0   bread       0.816
    1    milk       0.408
    >>> model.recommend([1, 4], n=1).round(3)
       customer  rank   item  score
    0         1     1   milk  1.075
    1         4     1  bread  0.667
    """

    def __init__(self, neighbours: int | None = 50) -> None:
        self.neighbours = neighbours

    def fit(self, tx: pd.DataFrame, *, customer: str = "customer", item: str = "item"):
        """Learn the product similarities from purchase lines (one row per line or pair)."""
        neighbours = self.neighbours
        if neighbours is not None:
            neighbours = require_positive_int(neighbours, "neighbours")
        pairs = _pairs(tx, customer, item)
        X, self.customers_, self.items_ = _matrix(pairs, customer, item)
        counts = np.asarray(X.sum(axis=0)).ravel()
        self.buyers_ = pd.Series(counts.astype(int), index=self.items_, name="buyers")
        sim = sp.csr_array(X.T @ X)
        sim.sort_indices()
        rows = np.repeat(np.arange(sim.shape[0]), np.diff(sim.indptr))
        sim.data = sim.data / np.sqrt(counts[rows] * counts[sim.indices])
        sim.data[rows == sim.indices] = 0.0  # an item is not its own neighbour
        sim.eliminate_zeros()
        if neighbours is not None:
            sim = self._cut(sim, neighbours)
        self.similarity_ = sim
        self._purchases = X
        return self

    @staticmethod
    def _cut(sim: sp.csr_array, k: int) -> sp.csr_array:
        """Keep each row's ``k`` largest entries (ties: the earlier product)."""
        indptr, indices, data = sim.indptr, sim.indices, sim.data
        keep = np.zeros(len(data), dtype=bool)
        for row in range(sim.shape[0]):
            start, end = indptr[row], indptr[row + 1]
            values = data[start:end]
            if len(values) <= k:
                keep[start:end] = True
                continue
            # the k-th largest value; below it nothing is kept, above it everything, and
            # among values equal to it the earliest columns (indices are sorted) fill up to k
            kth = np.partition(values, len(values) - k)[len(values) - k]
            above = values > kth
            ties = np.flatnonzero(values == kth)[: k - int(above.sum())]
            keep[start:end] = above
            keep[start + ties] = True
        rows = np.repeat(np.arange(sim.shape[0]), np.diff(indptr))
        return sp.csr_array((data[keep], (rows[keep], indices[keep])), shape=sim.shape)

    def _check_fitted(self) -> None:
        if not hasattr(self, "similarity_"):
            raise RuntimeError(f"{type(self).__name__}: call fit(tx) before using the model")

    def similar_items(self, item: Hashable, n: int = 10) -> pd.DataFrame:
        """The ``n`` products most similar to ``item``, with their cosine similarity."""
        self._check_fitted()
        n = require_positive_int(n, "n")
        position = _positions(self.items_, [item], "item", "")[0]
        row = self.similarity_[[position], :].toarray()
        order, top = _top_n(row, n)
        keep = top[0] > 0
        return pd.DataFrame(
            {self.items_.name: self.items_[order[0][keep]], "similarity": top[0][keep]}
        )

    def recommend(self, customers: object = None, n: int = 10) -> pd.DataFrame:
        """Top-``n`` products for each customer, excluding products the customer bought.

        Parameters
        ----------
        customers : label or list of labels, optional
            Customers seen in :meth:`fit`; default every one of them.
        n : int, default 10
            Products per customer. A customer gets fewer when fewer products have a score
            above 0 (no similarity to anything the customer bought).

        Returns
        -------
        pandas.DataFrame
            Columns customer, ``rank`` (1 = best), item and ``score`` (the sum of cosine
            similarities to the customer's products), sorted by customer and rank.
        """
        self._check_fitted()
        n = require_positive_int(n, "n")
        rows = _positions(
            self.customers_,
            customers,
            "customers",
            "; a customer without purchases has no neighbours to go by: recommend the "
            "best-sellers (PopularityRecommender) to new customers",
        )
        parts = []
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start : start + _CHUNK]
            bought = self._purchases[chunk, :]
            scores = (bought @ self.similarity_).toarray()
            scores[bought.toarray() > 0] = -np.inf
            order, top = _top_n(scores, n)
            parts.append(_frame(self.customers_, chunk, self.items_, order, top))
        return pd.concat(parts, ignore_index=True)


class PopularityRecommender:
    """The baseline: the best-selling products (most customers) the customer has not bought.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer": [1, 1, 2, 2, 2, 3, 3, 4],
    ...                    "item": ["bread", "butter", "bread", "butter", "milk",
    ...                             "bread", "milk", "milk"]})
    >>> PopularityRecommender().fit(tx).recommend([1, 4, 9], n=1)
       customer  rank   item  score
    0         1     1   milk    3.0
    1         4     1  bread    3.0
    2         9     1  bread    3.0
    """

    def fit(self, tx: pd.DataFrame, *, customer: str = "customer", item: str = "item"):
        """Count the customers who bought each product."""
        pairs = _pairs(tx, customer, item)
        X, self.customers_, self.items_ = _matrix(pairs, customer, item)
        counts = np.asarray(X.sum(axis=0)).ravel()
        self.buyers_ = pd.Series(counts.astype(int), index=self.items_, name="buyers")
        self._purchases = X
        return self

    def recommend(self, customers: object = None, n: int = 10) -> pd.DataFrame:
        """Top-``n`` best-sellers per customer, without what the customer bought.

        Customers not seen in :meth:`fit` get the overall best-sellers. Ties in the number
        of buyers go to the product that sorts first. Columns as
        :meth:`ItemBasedRecommender.recommend`, ``score`` being the number of buyers.
        """
        if not hasattr(self, "buyers_"):
            raise RuntimeError("PopularityRecommender: call fit(tx) before using the model")
        n = require_positive_int(n, "n")
        if customers is None:
            labels = self.customers_
        else:
            many = isinstance(customers, Iterable) and not isinstance(customers, str | bytes)
            labels = pd.Index(list(customers) if many else [customers], name=self.customers_.name)
        known = self.customers_.get_indexer(labels)
        parts = []
        counts = self.buyers_.to_numpy(dtype=float)
        for start in range(0, len(labels), _CHUNK):
            chunk = known[start : start + _CHUNK]
            scores = np.tile(counts, (len(chunk), 1))
            seen = chunk >= 0
            if seen.any():
                bought = self._purchases[chunk[seen], :].toarray() > 0
                block = scores[seen]
                block[bought] = -np.inf
                scores[seen] = block
            order, top = _top_n(scores, n)
            positions = np.arange(start, start + len(chunk))
            parts.append(_frame(labels, positions, self.items_, order, top))
        return pd.concat(parts, ignore_index=True)


def split_by_date(
    tx: pd.DataFrame,
    *,
    cutoff: object,
    customer: str = "customer",
    item: str = "item",
    date: str = "date",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hold out later purchases to test recommendations on: the past predicts the future.

    Parameters
    ----------
    tx : DataFrame
        Purchase lines with the customer, product and date columns.
    cutoff : date-like
        Lines before ``cutoff`` train the model; later lines are the test.
    customer, item, date : str
        Column names.

    Returns
    -------
    train : DataFrame
        The lines dated before ``cutoff`` (all columns).
    held_out : DataFrame
        One row per customer and product (columns customer and item, sorted): products a
        customer who bought before ``cutoff`` bought from ``cutoff`` on, and had not bought
        before. Products first sold after ``cutoff`` are kept: no recommender built on the
        past can suggest them, and an honest recall counts them as missed.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer": [1, 1, 1, 2, 3],
    ...                    "item": ["a", "b", "a", "c", "a"],
    ...                    "date": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-03-02",
    ...                                            "2024-01-10", "2024-04-01"])})
    >>> train, held_out = split_by_date(tx, cutoff="2024-02-01")
    >>> len(train), held_out.to_dict("records")
    (2, [{'customer': 1, 'item': 'b'}])
    """
    tx = require_frame(tx, "tx")
    require_columns(tx, [customer, item, date], "tx")
    when = as_datetime(tx[date], date)
    cut = as_timestamp(cutoff, "cutoff", "2011-09-01")
    before = (when < cut).to_numpy()
    if not before.any() or before.all():
        raise ValueError(
            f"cutoff: expected a date inside the data ({when.min():%Y-%m-%d} to "
            f"{when.max():%Y-%m-%d}) so that both parts have lines, got {cut:%Y-%m-%d}"
        )
    train = tx[before]
    past = _pairs(train, customer, item)
    later = _pairs(tx[~before], customer, item)
    later = later[later[customer].isin(past[customer])]
    seen = later.merge(past, on=[customer, item], how="left", indicator=True)
    held_out = seen.loc[seen["_merge"] == "left_only", [customer, item]]
    held_out = held_out.sort_values([customer, item], kind="stable").reset_index(drop=True)
    return train, held_out


def evaluate_top_n(
    recommendations: pd.DataFrame,
    held_out: pd.DataFrame,
    *,
    n: int,
    customer: str = "customer",
    item: str = "item",
) -> pd.Series:
    """Score top-``n`` recommendations against the purchases that followed.

    Every customer in ``held_out`` counts, also one who got no recommendation (0 hits). A
    *hit* is a recommended product the customer went on to buy.

    Parameters
    ----------
    recommendations : DataFrame
        Columns customer, ``rank`` and item (as from ``recommend``); ranks above ``n`` are
        ignored.
    held_out : DataFrame
        Columns customer and item: what each customer bought afterwards (as from
        :func:`split_by_date`).
    n : int
        The list length judged.
    customer, item : str
        Column names.

    Returns
    -------
    pandas.Series
        ``customers`` (in ``held_out``), ``hit_rate`` (share of them with at least one hit),
        ``precision`` (hits / n, averaged over customers), ``recall`` (hits / products the
        customer bought afterwards, averaged) and ``hits`` (total).

    Examples
    --------
    >>> recs = pd.DataFrame({"customer": [1, 1, 2, 2], "rank": [1, 2, 1, 2],
    ...                      "item": ["a", "b", "a", "c"]})
    >>> later = pd.DataFrame({"customer": [1, 2, 2, 3], "item": ["b", "d", "e", "a"]})
    >>> evaluate_top_n(recs, later, n=2).round(3).to_dict()
    {'customers': 3.0, 'hit_rate': 0.333, 'precision': 0.167, 'recall': 0.333, 'hits': 1.0}
    """
    n = require_positive_int(n, "n")
    recommendations = require_frame(recommendations, "recommendations", allow_empty=True)
    require_columns(recommendations, [customer, "rank", item], "recommendations")
    held_out = require_frame(held_out, "held_out")
    require_columns(held_out, [customer, item], "held_out")
    truth = held_out[[customer, item]].drop_duplicates()
    recs = recommendations.loc[recommendations["rank"] <= n, [customer, item]].drop_duplicates()
    hits = truth.merge(recs, on=[customer, item], how="inner").groupby(customer).size()
    bought = truth.groupby(customer).size()
    hits = hits.reindex(bought.index, fill_value=0)
    return pd.Series(
        {
            "customers": float(len(bought)),
            "hit_rate": float((hits > 0).mean()),
            "precision": float((hits / n).mean()),
            "recall": float((hits / bought).mean()),
            "hits": float(hits.sum()),
        },
        name="top_n",
    )
