"""Tests for crmlib.segment: k-means segments, choosing k, and segment profiles."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

import crmlib.segment as sg


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def blobs() -> tuple[pd.DataFrame, np.ndarray]:
    """Three separated groups of 60, 40 and 25 customers, plus a text column to ignore."""
    rng = np.random.default_rng(0)
    centers = np.array([[0, 0], [6, 0], [0, 6]])
    sizes = [60, 40, 25]
    xy = np.vstack([rng.normal(c, 1, (s, 2)) for c, s in zip(centers, sizes, strict=True)])
    df = pd.DataFrame(
        {"spend": xy[:, 0] + 20, "visits": xy[:, 1] + 10, "name": "x"},
        index=pd.RangeIndex(100, 225),
    )
    truth = np.repeat([0, 1, 2], sizes)
    return df, truth


def _raw_kmeans_labels(df: pd.DataFrame, seed: int) -> np.ndarray:
    scaled = StandardScaler().fit_transform(df[["spend", "visits"]])
    return KMeans(3, n_init=10, random_state=seed).fit(scaled).labels_


def test_segments_are_numbered_by_size_whatever_the_seed(blobs):
    df, truth = blobs
    # These two seeds find the same clusters under different raw numbers ...
    raw0, raw1 = _raw_kmeans_labels(df, 0), _raw_kmeans_labels(df, 1)
    assert adjusted_rand_score(raw0, raw1) == 1.0
    assert not np.array_equal(raw0, raw1)
    # ... which kmeans_segments renumbers identically: 0 = largest.
    a = sg.kmeans_segments(df, 3, seed=0)
    b = sg.kmeans_segments(df, 3, seed=1)
    pd.testing.assert_series_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.labels.to_numpy(), truth)
    assert a.labels.name == "segment"
    assert a.labels.index.equals(df.index)


def test_pipeline_predict_uses_the_renumbered_labels(blobs):
    df, _ = blobs
    labels, pipeline = sg.kmeans_segments(df, 3, seed=1)
    np.testing.assert_array_equal(pipeline.predict(df[["spend", "visits"]]), labels)
    assert pipeline.named_steps["kmeans"].labels_.tolist() == labels.tolist()


def test_equal_size_segments_are_ordered_by_centre_not_seed():
    rng = np.random.default_rng(4)
    xy = np.vstack([rng.normal(c, 0.5, (30, 2)) for c in ([0, 0], [5, 5], [0, 5])])
    df = pd.DataFrame(xy, columns=["a", "b"])
    results = [sg.kmeans_segments(df, 3, seed=s).labels for s in range(4)]
    for other in results[1:]:
        pd.testing.assert_series_equal(results[0], other)


def test_variables_are_scaled_before_clustering():
    # Groups differ in 'x' (small units); 'noise' has a huge spread but no structure.
    rng = np.random.default_rng(1)
    group = np.repeat([0, 1], 100)
    df = pd.DataFrame({"x": group * 1.0 + rng.normal(0, 0.05, 200)})
    df["noise"] = rng.uniform(0, 10_000, 200)
    labels = sg.kmeans_segments(df, 2).labels
    assert adjusted_rand_score(labels, group) == 1.0


def test_kmeans_segments_uses_given_columns_and_does_not_mutate(blobs):
    df, truth = blobs
    before = df.copy()
    labels = sg.kmeans_segments(df, 2, columns=["visits"]).labels
    # On 'visits' alone, only the third group (visits around 16) stands apart.
    assert adjusted_rand_score(labels, truth == 2) == 1.0
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize(
    ("change", "kwargs", "error", "match"),
    [
        (None, {"k": 1}, ValueError, r"k: expected a whole number >= 2, got 1"),
        (None, {"k": 2.0}, TypeError, r"k: expected a whole number"),
        (None, {"k": 126}, ValueError, r"k: expected at most the number of customers \(125\)"),
        (None, {"k": 2, "columns": ["spend", "age"]}, KeyError, r"df: missing column\(s\) 'age'"),
        (None, {"k": 2, "columns": ["name"]}, TypeError, r"column 'name': expected numbers"),
        (None, {"k": 2, "columns": "spend"}, ValueError, r"columns: expected a non-empty list"),
        (None, {"k": 2, "columns": []}, ValueError, r"columns: expected a non-empty list"),
        ("nan", {"k": 2}, ValueError, r"column 'visits': expected no missing values, got 1"),
        ("text", {"k": 2}, ValueError, r"df: expected at least one numeric column"),
        ("empty", {"k": 2}, ValueError, r"df: expected at least one row"),
    ],
)
def test_kmeans_segments_bad_input(blobs, change, kwargs, error, match):
    df, _ = blobs
    if change == "nan":
        df.loc[105, "visits"] = np.nan
    elif change == "text":
        df = df[["name"]]
    elif change == "empty":
        df = df.iloc[:0]
    with pytest.raises(error, match=match):
        sg.kmeans_segments(df, **kwargs)


def test_choose_k_finds_the_three_groups(blobs):
    df, _ = blobs
    table = sg.choose_k(df, k_range=range(2, 7))
    assert table.columns.tolist() == ["k", "inertia", "silhouette"]
    assert table["k"].tolist() == [2, 3, 4, 5, 6]
    assert table["inertia"].is_monotonic_decreasing
    assert table.loc[table["silhouette"].idxmax(), "k"] == 3
    assert table["silhouette"].between(-1, 1).all()
    # Inertia is k-means' own, on the standardised variables.
    labels, pipeline = sg.kmeans_segments(df, 3)
    assert table.loc[1, "inertia"] == pytest.approx(pipeline.named_steps["kmeans"].inertia_)


def test_choose_k_samples_silhouette_deterministically(blobs):
    df, _ = blobs
    full = sg.choose_k(df, k_range=[3], sample_size=None)
    sampled = sg.choose_k(df, k_range=[3], sample_size=50)
    pd.testing.assert_frame_equal(sampled, sg.choose_k(df, k_range=[3], sample_size=50))
    assert sampled.loc[0, "silhouette"] != full.loc[0, "silhouette"]
    assert sampled.loc[0, "silhouette"] == pytest.approx(full.loc[0, "silhouette"], abs=0.1)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"k_range": []}, ValueError, r"k_range: expected at least one"),
        ({"k_range": [1, 2]}, ValueError, r"k_range: expected a whole number >= 2, got 1"),
        ({"k_range": [2, 125]}, ValueError, r"k_range: .*below the number of customers \(125\)"),
        ({"sample_size": 1}, ValueError, r"sample_size: expected a whole number >= 2"),
    ],
)
def test_choose_k_bad_input(blobs, kwargs, error, match):
    df, _ = blobs
    with pytest.raises(error, match=match):
        sg.choose_k(df, **kwargs)


def test_plot_choose_k_returns_axes_and_states_best_k(blobs):
    df, _ = blobs
    fig, ax = plt.subplots()
    assert sg.plot_choose_k(sg.choose_k(df, k_range=[2, 3, 4]), ax=ax) is ax
    assert ax.get_title() == "Silhouette is highest at k=3"
    with pytest.raises(KeyError, match=r"table: missing column\(s\) 'silhouette'"):
        sg.plot_choose_k(pd.DataFrame({"k": [2], "inertia": [1.0]}))


def test_profile_sizes_means_and_index(blobs):
    df, truth = blobs
    labels = sg.kmeans_segments(df, 3).labels
    table = sg.profile(df, labels)
    assert table.index.name == "segment"
    assert table.index.tolist() == [0, 1, 2]
    assert table["customers", "size"].tolist() == [60, 40, 25]
    assert table["customers", "share"].sum() == pytest.approx(1.0)
    means = df[["spend", "visits"]].groupby(truth).mean()
    np.testing.assert_allclose(table["mean"], means)
    np.testing.assert_allclose(
        table["index"], means / df[["spend", "visits"]].mean().to_numpy() * 100
    )
    # The share-weighted index averages to 100: the segments make up the whole base.
    weighted = (table["index"].mul(table["customers", "share"], axis=0)).sum()
    np.testing.assert_allclose(weighted, 100.0)


def test_profile_accepts_positional_labels_and_flags_zero_means():
    df = pd.DataFrame({"spend": [1.0, 3.0, 5.0], "balance": [-1.0, 1.0, 0.0]})
    table = sg.profile(df, np.array(["b", "a", "a"]))
    assert table.index.tolist() == ["a", "b"]
    assert table["index"]["balance"].isna().all()
    assert table.loc["a", ("index", "spend")] == pytest.approx(4 / 3 * 100)


@pytest.mark.parametrize(
    ("labels", "error", "match"),
    [
        (pd.Series([0, 1, 0]), ValueError, r"labels: expected a Series with df's index"),
        ([0, 1], ValueError, r"labels: expected one label per row of df \(3\), got shape \(2,\)"),
        ([0, None, 1], ValueError, r"labels: expected a segment for every row, got 1 missing"),
    ],
)
def test_profile_bad_labels(labels, error, match):
    df = pd.DataFrame({"spend": [1.0, 3.0, 5.0]}, index=[10, 11, 12])
    with pytest.raises(error, match=match):
        sg.profile(df, labels)


def test_plot_profile_heatmap_names_the_strongest_deviation(blobs):
    df, _ = blobs
    table = sg.profile(df, sg.kmeans_segments(df, 3).labels)
    fig, ax = plt.subplots()
    assert sg.plot_profile(table, ax=ax) is ax
    deviation = (table["index"] - 100).abs()
    seg, var = deviation.stack().idxmax()
    assert ax.get_title().startswith(f"Segment {seg} stands out on {var}")
    assert len(ax.texts) == table["index"].size  # one annotation per cell
    with pytest.raises(KeyError, match="table: expected a profile"):
        sg.plot_profile(pd.DataFrame({"a": [1]}))


# --- fitted objects are scikit-learn's own; stability; dendrogram ----------------------------


def test_fitted_kmeans_is_not_edited_and_refits_identically(blobs):
    df, _ = blobs
    labels, pipeline = sg.kmeans_segments(df, 3, seed=1)
    km = pipeline.named_steps["kmeans"]
    scaled = pipeline.named_steps["scale"].transform(df[["spend", "visits"]])
    # Every fitted attribute agrees with the others, as scikit-learn's fit leaves them ...
    np.testing.assert_array_equal(km.predict(scaled), km.labels_)
    centres = pd.DataFrame(scaled).groupby(km.labels_).mean().to_numpy()
    np.testing.assert_allclose(km.cluster_centers_, centres)
    assert km.inertia_ == pytest.approx(((scaled - centres[km.labels_]) ** 2).sum())
    # ... and the settings reproduce them: a clone fitted on the same data gives the same
    # segments (an edited KMeans would come back in its raw numbering).
    refit = clone(pipeline).fit(df[["spend", "visits"]])
    np.testing.assert_array_equal(refit.named_steps["kmeans"].labels_, labels)


def test_stability_is_high_for_real_groups_and_lower_for_too_many(blobs):
    df, _ = blobs
    table = sg.stability(df, k_range=[2, 3, 6], n_resamples=4)
    assert table.columns.tolist() == ["k", "stability", "stability_min"]
    assert table["k"].tolist() == [2, 3, 6]
    three = table.set_index("k")
    assert three.loc[3, "stability"] > 0.95
    assert three.loc[6, "stability"] < three.loc[3, "stability"]
    assert (table["stability_min"] <= table["stability"] + 1e-12).all()
    pd.testing.assert_frame_equal(table, sg.stability(df, k_range=[2, 3, 6], n_resamples=4))


def test_stability_is_near_zero_without_structure():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"a": rng.uniform(size=400), "b": rng.uniform(size=400)})
    noise = sg.stability(df, k_range=[5], n_resamples=4).loc[0, "stability"]
    assert noise < 0.9  # uniform noise: the cut moves from one subsample to the next


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"k_range": []}, ValueError, r"k_range: expected at least one"),
        ({"n_resamples": 1}, ValueError, r"n_resamples: expected a whole number >= 2"),
        ({"sample_share": 1.0}, ValueError, r"sample_share: expected a fraction in \(0, 1\)"),
        ({"k_range": [70]}, ValueError, r"k_range: .*below the subsample size \(62"),
    ],
)
def test_stability_bad_input(blobs, kwargs, error, match):
    df, _ = blobs
    with pytest.raises(error, match=match):
        sg.stability(df, **kwargs)


def test_plot_dendrogram_finds_the_planted_groups_on_a_sample(blobs):
    df, _ = blobs
    fig, ax = plt.subplots()
    assert sg.plot_dendrogram(df, sample_size=90, ax=ax) is ax
    assert ax.get_title() == "Ward's tree of 90 customers: the largest gap leaves 3 clusters"
    # The same sample on every call.
    again = sg.plot_dendrogram(df, sample_size=90)
    assert [t.get_text() for t in again.texts] == [t.get_text() for t in ax.texts]
    with pytest.raises(ValueError, match="sample_size: expected a whole number >= 3"):
        sg.plot_dendrogram(df, sample_size=2)
