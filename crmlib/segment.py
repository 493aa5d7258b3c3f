"""Customer segmentation with k-means, and profiles that say what each segment is.

Variables are standardised before clustering (a :class:`~sklearn.pipeline.Pipeline` of
:class:`~sklearn.preprocessing.StandardScaler` and :class:`~sklearn.cluster.KMeans`), so a
variable measured in large units does not dominate the distances.

Segment labels are deterministic: clusters are renumbered by size, largest first (0, 1, ...),
ties broken by the cluster centres, so the same data gives the same labels whatever seed
k-means starts from, and the fitted pipeline's ``predict`` uses the same numbering.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations
from typing import NamedTuple

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from scipy.cluster import hierarchy
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from crmlib.plots import axes
from crmlib.validation import (
    as_numeric,
    require_columns,
    require_fraction,
    require_frame,
    require_int_list,
    require_positive_int,
)

__all__ = [
    "Segmentation",
    "kmeans_segments",
    "choose_k",
    "plot_choose_k",
    "stability",
    "plot_dendrogram",
    "profile",
    "plot_profile",
]


class Segmentation(NamedTuple):
    """Result of :func:`kmeans_segments`: ``labels`` and the fitted ``pipeline``."""

    labels: pd.Series
    pipeline: Pipeline


def _numeric_frame(df: pd.DataFrame, columns: Sequence[str] | None) -> pd.DataFrame:
    """The clustering variables as a numeric frame without missing values."""
    require_frame(df, "df")
    if columns is None:
        columns = [
            c
            for c in df.columns
            if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
        ]
        if not columns:
            raise ValueError(
                f"df: expected at least one numeric column, got dtypes {df.dtypes.to_dict()}"
            )
    elif isinstance(columns, str) or not columns:
        raise ValueError(f"columns: expected a non-empty list of column names, got {columns!r}")
    require_columns(df, columns, "df")
    data = pd.DataFrame({c: as_numeric(df[c], c) for c in columns}, index=df.index)
    missing = data.isna().sum()
    if missing.any():
        col = missing.index[missing.to_numpy() > 0][0]
        raise ValueError(
            f"column {col!r}: expected no missing values, got {missing[col]}; "
            "fill or drop them before segmenting"
        )
    return data


def _pipeline(k: int, seed: int, n_init: int) -> Pipeline:
    return Pipeline(
        [
            ("scale", StandardScaler()),
            ("kmeans", KMeans(n_clusters=k, n_init=n_init, random_state=seed)),
        ]
    )


def kmeans_segments(
    df: pd.DataFrame,
    k: int,
    columns: Sequence[str] | None = None,
    seed: int = 0,
    *,
    n_init: int = 10,
) -> Segmentation:
    """Segment customers with k-means on standardised variables.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per customer.
    k : int
        Number of segments, from 2 to the number of customers.
    columns : list of str, optional
        Variables to cluster on; by default every numeric (non-boolean) column.
    seed : int, default 0
        Seed of k-means' random starts.
    n_init : int, default 10
        Number of random starts; the best (lowest inertia) is kept.

    Returns
    -------
    Segmentation
        ``labels``: a Series named ``segment`` on ``df``'s index, 0 = largest segment;
        ``pipeline``: the fitted scaler + k-means, whose ``predict`` gives the same labels.

    Examples
    --------
    >>> df = pd.DataFrame({"recency": [1, 2, 1, 30, 32, 31, 29], "frequency": [9, 8, 9, 1, 2, 1, 1]})
    >>> labels, pipeline = kmeans_segments(df, k=2)
    >>> labels.tolist()
    [1, 1, 1, 0, 0, 0, 0]
    >>> pipeline.predict(df.iloc[:1]).tolist()
    [1]
    """
    data = _numeric_frame(df, columns)
    k = require_positive_int(k, "k", minimum=2)
    if k > len(data):
        raise ValueError(f"k: expected at most the number of customers ({len(data)}), got {k}")
    pipeline = _pipeline(k, seed, require_positive_int(n_init, "n_init")).fit(data)
    km = pipeline.named_steps["kmeans"]
    sizes = np.bincount(km.labels_, minlength=k)
    # Largest first; equal sizes ordered by centre coordinates, so the result is seed-free.
    order = np.lexsort((*km.cluster_centers_.T[::-1], -sizes))
    # Refit from the renumbered centres rather than editing the fitted KMeans: the search
    # starts at its own solution, so scikit-learn's fit returns the same clusters, now in
    # the new numbering, with every fitted attribute its own (and clone(pipeline).fit(df)
    # reproduces it).
    pipeline.set_params(kmeans__init=km.cluster_centers_[order], kmeans__n_init=1).fit(data)
    labels = pd.Series(pipeline.named_steps["kmeans"].labels_, index=df.index, name="segment")
    return Segmentation(labels, pipeline)


def choose_k(
    df: pd.DataFrame,
    k_range: Iterable[int] = range(2, 9),
    columns: Sequence[str] | None = None,
    seed: int = 0,
    *,
    n_init: int = 10,
    sample_size: int | None = 5000,
) -> pd.DataFrame:
    """Return inertia (for the elbow) and silhouette for each number of segments.

    Parameters
    ----------
    df, columns, seed, n_init
        As in :func:`kmeans_segments`.
    k_range : iterable of int, default range(2, 9)
        Numbers of segments to try, each from 2 to the number of customers - 1.
    sample_size : int or None, default 5000
        Silhouette costs time proportional to n squared, so above this many customers it is
        computed on a seeded random sample of this size; None uses everyone.

    Returns
    -------
    pandas.DataFrame
        Columns ``k``, ``inertia`` (within-segment sum of squares on standardised variables;
        look for the elbow) and ``silhouette`` (-1 to 1, higher = better separated).

    Examples
    --------
    >>> df = pd.DataFrame({"x": [0, 0.1, 0.2, 5, 5.1, 5.2, 10, 10.1, 10.2]})
    >>> choose_k(df, k_range=[2, 3, 4]).round(2)
       k  inertia  silhouette
    0  2     2.25        0.69
    1  3     0.00        0.97
    2  4     0.00        0.70
    """
    data = _numeric_frame(df, columns)
    ks = require_int_list(k_range, "k_range", minimum=2)
    if max(ks) >= len(data):
        raise ValueError(
            f"k_range: expected values below the number of customers ({len(data)}), got {max(ks)}"
        )
    if sample_size is not None:
        sample_size = require_positive_int(sample_size, "sample_size", minimum=2)
        sample_size = sample_size if sample_size < len(data) else None
    rows = []
    for k in ks:
        pipeline = _pipeline(k, seed, require_positive_int(n_init, "n_init")).fit(data)
        scaled = pipeline.named_steps["scale"].transform(data)
        labels = pipeline.named_steps["kmeans"].labels_
        silhouette = silhouette_score(scaled, labels, sample_size=sample_size, random_state=seed)
        rows.append((k, pipeline.named_steps["kmeans"].inertia_, silhouette))
    return pd.DataFrame(rows, columns=["k", "inertia", "silhouette"])


def plot_choose_k(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Plot a :func:`choose_k` table: inertia (left axis) and silhouette (right axis).

    Examples
    --------
    >>> df = pd.DataFrame({"x": [0, 0.1, 0.2, 5, 5.1, 5.2, 10, 10.1, 10.2]})
    >>> plot_choose_k(choose_k(df, k_range=[2, 3, 4])).get_title()
    'Silhouette is highest at k=3'
    """
    require_frame(table, "table")
    require_columns(table, ["k", "inertia", "silhouette"], "table")
    ax = axes(ax)
    palette = sns.color_palette()
    ax.plot(table["k"], table["inertia"], marker="o", color=palette[0])
    ax.set_xlabel("Number of segments k")
    ax.set_ylabel("Inertia (within-segment sum of squares)", color=palette[0])
    right = ax.twinx()
    right.plot(table["k"], table["silhouette"], marker="s", color=palette[1])
    right.set_ylabel("Silhouette (higher = better separated)", color=palette[1])
    right.grid(False)
    best = int(table.loc[table["silhouette"].idxmax(), "k"])
    ax.set_title(f"Silhouette is highest at k={best}")
    ax.set_xticks(table["k"])
    return ax


def stability(
    df: pd.DataFrame,
    k_range: Iterable[int] = range(2, 9),
    columns: Sequence[str] | None = None,
    seed: int = 0,
    *,
    n_resamples: int = 5,
    sample_share: float = 0.5,
    n_init: int = 10,
) -> pd.DataFrame:
    """Return how stable the k-means segments are for each number of segments.

    Segments worth naming should come back when the analysis is repeated on other customers.
    For each k, k-means is fitted on ``n_resamples`` random subsamples (each ``sample_share``
    of the customers, drawn without replacement), each fit assigns *every* customer to a
    segment, and the assignments are compared pairwise with the adjusted Rand index (1 = the
    same segments, 0 = no more agreement than chance; segment numbers do not matter).

    Parameters
    ----------
    df, columns, n_init
        As in :func:`kmeans_segments`.
    k_range : iterable of int, default range(2, 9)
        Numbers of segments to try, each from 2 to the subsample size - 1.
    seed : int, default 0
        Seed of the subsamples and of k-means' starts.
    n_resamples : int, default 5
        Number of subsamples, at least 2.
    sample_share : float, default 0.5
        Share of customers in each subsample, in (0, 1).

    Returns
    -------
    pandas.DataFrame
        Columns ``k``, ``stability`` (mean adjusted Rand index over the pairs of subsamples)
        and ``stability_min`` (the worst pair).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": np.r_[rng.normal(0, 1, 50), rng.normal(10, 1, 50)]})
    >>> stability(df, k_range=[2, 3]).round(2)
       k  stability  stability_min
    0  2       1.00            1.0
    1  3       0.69            0.5
    """
    data = _numeric_frame(df, columns)
    ks = require_int_list(k_range, "k_range", minimum=2)
    n_resamples = require_positive_int(n_resamples, "n_resamples", minimum=2)
    share = require_fraction(sample_share, "sample_share", high_inclusive=False)
    n_init = require_positive_int(n_init, "n_init")
    size = int(round(share * len(data)))
    if max(ks) >= size:
        raise ValueError(
            f"k_range: expected values below the subsample size ({size} = sample_share x "
            f"{len(data)} customers), got {max(ks)}"
        )
    rng = np.random.default_rng(seed)
    samples = [np.sort(rng.choice(len(data), size, replace=False)) for _ in range(n_resamples)]
    rows = []
    for k in ks:
        assigned = [
            _pipeline(k, seed + i, n_init).fit(data.iloc[rows_]).predict(data)
            for i, rows_ in enumerate(samples)
        ]
        agreement = [adjusted_rand_score(a, b) for a, b in combinations(assigned, 2)]
        rows.append((k, float(np.mean(agreement)), float(np.min(agreement))))
    return pd.DataFrame(rows, columns=["k", "stability", "stability_min"])


def plot_dendrogram(
    df: pd.DataFrame,
    columns: Sequence[str] | None = None,
    sample_size: int = 200,
    seed: int = 0,
    *,
    ax: Axes | None = None,
) -> Axes:
    """Draw Ward's hierarchical clustering of a random sample of customers as a dendrogram.

    Variables are standardised as in :func:`kmeans_segments`. Hierarchical clustering keeps
    every pairwise distance (memory grows with n squared), so it is drawn on a seeded sample;
    the tree shows the last 30 merges. The title names the number of clusters left when the
    tree is cut in its largest gap between successive merge heights, a common rule of thumb.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [0, 0.1, 0.2, 5, 5.1, 5.2, 10, 10.1, 10.2]})
    >>> plot_dendrogram(df).get_title()
    "Ward's tree of 9 customers: the largest gap leaves 3 clusters"
    """
    data = _numeric_frame(df, columns)
    sample_size = require_positive_int(sample_size, "sample_size", minimum=3)
    if sample_size < len(data):
        data = data.sample(sample_size, random_state=seed).sort_index(kind="stable")
    scaled = StandardScaler().fit_transform(data)
    tree = hierarchy.linkage(scaled, method="ward")
    heights = tree[:, 2]
    # Cutting just below merge i (counted from the last) leaves i + 1 clusters.
    gaps = np.diff(heights)[::-1]
    clusters = int(np.argmax(gaps)) + 2
    ax = axes(ax, figsize=(8.0, 4.0))
    hierarchy.dendrogram(
        tree,
        truncate_mode="lastp",
        p=30,
        no_labels=True,
        color_threshold=float(heights[-clusters + 1] + heights[-clusters]) / 2,
        ax=ax,
    )
    ax.grid(False, axis="x")
    ax.set(
        xlabel="Customers (groups of the sample; the tree shows the last 30 merges)",
        ylabel="Merge height (Ward distance, standardised)",
        title=f"Ward's tree of {len(data)} customers: the largest gap leaves {clusters} clusters",
    )
    return ax


def profile(df: pd.DataFrame, labels: object, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Return the segment profile: size, share, mean of each variable and its index.

    The index compares a segment with the whole customer base: segment mean / overall mean
    x 100, so 100 is average, 150 is half as much again. It is meant for positive variables
    (amounts, counts, days); where the overall mean is 0 it is NaN.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per customer.
    labels : array-like or pandas.Series
        Segment of each row of ``df``, e.g. from :func:`kmeans_segments`; a Series must
        have ``df``'s index.
    columns : list of str, optional
        Variables to profile; by default every numeric (non-boolean) column.

    Returns
    -------
    pandas.DataFrame
        One row per segment (sorted by label), with two-level columns
        ``("customers", "size")``, ``("customers", "share")`` and, for each variable,
        ``("mean", variable)`` and ``("index", variable)``; so ``table["index"]`` is the index
        table alone.

    Examples
    --------
    >>> df = pd.DataFrame({"spend": [10.0, 20, 30, 100], "visits": [1, 1, 1, 5]})
    >>> profile(df, [0, 0, 0, 1])  # doctest: +NORMALIZE_WHITESPACE
            customers        mean        index
                 size share spend visits spend visits
    segment
    0               3  0.75  20.0    1.0  50.0   50.0
    1               1  0.25 100.0    5.0 250.0  250.0
    """
    data = _numeric_frame(df, columns)
    labels = _labels(labels, df)
    groups = data.groupby(labels.to_numpy(), sort=True)
    means = groups.mean()
    overall = data.mean()
    index = means / overall.where(overall != 0) * 100
    sizes = groups.size()
    table = pd.concat(
        {
            "customers": pd.DataFrame({"size": sizes, "share": sizes / len(data)}),
            "mean": means,
            "index": index,
        },
        axis=1,
    )
    table.index.name = "segment"
    return table


def _labels(labels: object, df: pd.DataFrame) -> pd.Series:
    """``labels`` as a Series on ``df``'s index, refusing a mismatch or missing labels."""
    if isinstance(labels, pd.Series):
        if not labels.index.equals(df.index):
            raise ValueError(
                "labels: expected a Series with df's index; pass labels.to_numpy() "
                "to match rows by position"
            )
    else:
        values = np.asarray(labels)
        if values.ndim != 1 or len(values) != len(df):
            raise ValueError(
                f"labels: expected one label per row of df ({len(df)}), got shape {values.shape}"
            )
        labels = pd.Series(values, index=df.index)
    n_missing = int(labels.isna().sum())
    if n_missing:
        raise ValueError(f"labels: expected a segment for every row, got {n_missing} missing")
    return labels


def plot_profile(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Draw the index part of a :func:`profile` table as a heatmap centred on 100.

    Blue is below the base average, red above; colours saturate below 0 and above 200 (the
    numbers in the cells are exact). The title names the segment and variable furthest from
    the average.

    Examples
    --------
    >>> df = pd.DataFrame({"spend": [10.0, 20, 30, 100], "visits": [1, 1, 2, 3]})
    >>> plot_profile(profile(df, [0, 0, 0, 1])).get_title()
    'Segment 1 stands out on spend (index 250)'
    """
    require_frame(table, "table")
    if "index" not in table.columns.get_level_values(0):
        raise KeyError("table: expected a profile() table with 'index' columns")
    index = table["index"]
    ax = axes(ax, figsize=(1.0 + 1.1 * index.shape[1], 1.0 + 0.6 * index.shape[0]))
    # Colour limits symmetric about 100 centre the palette; beyond 0-200 colours saturate,
    # so one extreme segment does not wash out the rest.
    spread = min(np.nanmax(np.abs(index.to_numpy(dtype=float) - 100), initial=1.0), 100.0)
    sns.heatmap(
        index,
        vmin=100 - spread,
        vmax=100 + spread,
        cmap="vlag",
        annot=True,
        fmt=".0f",
        cbar=False,
        ax=ax,
    )
    seg, var = (index - 100).abs().stack().idxmax()
    ax.set(
        xlabel="Variable",
        ylabel="Segment",
        title=f"Segment {seg} stands out on {var} (index {index.loc[seg, var]:.0f})",
    )
    return ax
