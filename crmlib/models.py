"""Predictive models for response and churn: thin, seeded helpers over scikit-learn.

Each builder returns an unfitted scikit-learn :class:`~sklearn.pipeline.Pipeline` with two
steps, ``"prep"`` (the :func:`preprocessor` for a mixed customer table) and ``"model"``, so it
fits, predicts and cross-validates like any estimator. Every random part is seeded, so a
notebook gives the same numbers on every run.

- :func:`logistic_regression`, read with :func:`odds_ratios`;
- :func:`decision_tree`, read with :func:`tree_rules` and drawn with :func:`plot_tree`;
- :func:`neural_network`, a small multi-layer perceptron;
- :func:`compare_models`, a cross-validated table of AUC, top-decile lift and accuracy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import sklearn.tree
from matplotlib.axes import Axes
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from crmlib.evaluate import gains_table
from crmlib.plots import axes
from crmlib.validation import (
    align,
    require_bool,
    require_choice,
    require_columns,
    require_frame,
    require_int_list,
    require_number,
    require_positive_int,
)

__all__ = [
    "column_types",
    "preprocessor",
    "logistic_regression",
    "odds_ratios",
    "decision_tree",
    "tree_rules",
    "plot_tree",
    "neural_network",
    "compare_models",
]


def column_types(
    X: pd.DataFrame,
    numeric: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
) -> tuple[list[str], list[str]]:
    """Split the columns of ``X`` into numeric and categorical ones.

    Columns with a numeric dtype (booleans excluded) are numeric; all others (text,
    category, boolean) are categorical. Columns named in ``numeric`` or ``categorical``
    override the dtype, e.g. a numeric region code that should be one-hot encoded, or a
    boolean flag to use as 0/1 (a column listed in ``numeric`` needs a numeric or boolean
    dtype).

    Returns
    -------
    tuple of two lists
        ``(numeric_columns, categorical_columns)``, each in the column order of ``X``.

    Examples
    --------
    >>> X = pd.DataFrame({"age": [30, 40], "job": ["admin", "retired"], "zip": [1, 2]})
    >>> column_types(X, categorical=["zip"])
    (['age'], ['job', 'zip'])
    """
    require_frame(X, "X")
    numeric, categorical = _check_overrides(numeric, categorical)
    require_columns(X, [*numeric, *categorical], "X")
    for col in numeric:
        if not pd.api.types.is_numeric_dtype(X[col]):  # booleans may be counted as 0/1
            raise TypeError(
                f"column {col!r}: listed in numeric= but has dtype {X[col].dtype}; "
                "convert it first, e.g. with pd.to_numeric"
            )
    is_num = [c in numeric or (c not in categorical and _is_number(X[c])) for c in X.columns]
    return (
        [c for c, n in zip(X.columns, is_num, strict=True) if n],
        [c for c, n in zip(X.columns, is_num, strict=True) if not n],
    )


def _is_number(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _check_overrides(
    numeric: Sequence[str] | None, categorical: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    for name, cols in (("numeric", numeric), ("categorical", categorical)):
        if isinstance(cols, str):
            raise TypeError(f"{name}: expected a list of column names, got the string {cols!r}")
    numeric, categorical = list(numeric or []), list(categorical or [])
    both = sorted(set(numeric) & set(categorical))
    if both:
        raise ValueError(
            f"numeric and categorical: a column can be only one type, got {both} in both"
        )
    return numeric, categorical


class _Columns:
    """Column selector for ColumnTransformer: picks one type at fit time from the frame."""

    def __init__(self, kind: str, numeric: list[str], categorical: list[str]) -> None:
        self.kind, self.numeric, self.categorical = kind, numeric, categorical

    def __call__(self, X: pd.DataFrame) -> list[str]:
        num, cat = column_types(X, self.numeric, self.categorical)
        return num if self.kind == "numeric" else cat

    def __repr__(self) -> str:
        return f"{self.kind} columns"


def _class_weight(value: object) -> object:
    if value is None or value == "balanced" or isinstance(value, Mapping):
        return value
    raise ValueError(
        f"class_weight: expected None, 'balanced' or a dict class -> weight, got {value!r}"
    )


def _depth(value: object, name: str, *, minimum: int) -> int | None:
    return None if value is None else require_positive_int(value, name, minimum=minimum)


def _onehot_name(feature: str, category: object) -> str:
    return f"{feature}={category}"


def preprocessor(
    numeric: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    *,
    scale: bool = True,
    drop: str | None = None,
) -> ColumnTransformer:
    """Return an unfitted transformer for a mixed numeric/categorical customer table.

    Numeric columns: missing values are filled with the median, then (if ``scale``)
    standardised. Categorical columns: missing values become the category ``"missing"``, then
    one-hot encoded, ignoring categories not seen in fitting. Column types come from
    :func:`column_types` when the transformer is fitted, and every column of the frame is
    used: drop identifiers and leaking columns before fitting.

    Parameters
    ----------
    numeric, categorical : list of str, optional
        Columns whose type overrides the one detected from the dtype.
    scale : bool, default True
        Standardise numeric columns (mean 0, standard deviation 1). Trees do not need it, and
        unscaled thresholds read better.
    drop : {None, "first", "if_binary"}, default None
        Passed to :class:`~sklearn.preprocessing.OneHotEncoder`. ``"first"`` makes the first
        category of each column the reference level; a category not seen in fitting is then
        encoded as that reference level.

    Output features have readable names such as ``age`` and ``job=retired``.

    Examples
    --------
    >>> X = pd.DataFrame({"age": [30.0, None, 50.0], "job": ["admin", "retired", None]})
    >>> prep = preprocessor().fit(X)
    >>> prep.get_feature_names_out().tolist()
    ['age', 'job=admin', 'job=missing', 'job=retired']
    >>> prep.transform(X)[:, 0].round(2).tolist()
    [-1.22, 0.0, 1.22]
    """
    numeric, categorical = _check_overrides(numeric, categorical)
    require_bool(scale, "scale")
    require_choice(drop, "drop", (None, "first", "if_binary"))
    # SimpleImputer refuses boolean columns: numbers go in as floats, categories as text.
    steps = [
        ("as_float", FunctionTransformer(_as_float, feature_names_out="one-to-one")),
        ("impute", SimpleImputer(strategy="median")),
    ]
    if scale:
        steps.append(("scale", StandardScaler()))
    onehot = OneHotEncoder(
        handle_unknown="ignore",
        drop=drop,
        sparse_output=False,
        feature_name_combiner=_onehot_name,
    )
    cat = Pipeline(
        [
            ("as_text", FunctionTransformer(_as_text, feature_names_out="one-to-one")),
            ("impute", SimpleImputer(strategy="constant", fill_value="missing")),
            ("onehot", onehot),
        ]
    )
    return ColumnTransformer(
        [
            ("numeric", Pipeline(steps), _Columns("numeric", numeric, categorical)),
            ("categorical", cat, _Columns("categorical", numeric, categorical)),
        ],
        verbose_feature_names_out=False,
    )


def _as_float(X: pd.DataFrame) -> pd.DataFrame:
    return X.astype(float)


def _as_text(X: pd.DataFrame) -> pd.DataFrame:
    """Every value as text (True -> "True"), missing values kept missing for the imputer."""
    return (
        X.astype(object)
        .where(X.notna(), np.nan)
        .map(lambda v: v if isinstance(v, float) and np.isnan(v) else str(v))
    )


def logistic_regression(
    numeric: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    *,
    C: float = 1.0,
    class_weight: str | dict | None = None,
    max_iter: int = 1000,
    seed: int = 0,
) -> Pipeline:
    """Return an unfitted logistic regression pipeline for a customer table.

    Categorical columns are one-hot encoded with the first category as reference level, so
    each coefficient compares a category with that level (see :func:`odds_ratios`); a
    category not seen in fitting is scored as the reference level, and scikit-learn warns
    when that happens. ``C`` is the inverse strength of the L2 penalty (scikit-learn's default
    1.0 shrinks a little); ``class_weight="balanced"`` reweights a rare response.

    Examples
    --------
    >>> X = pd.DataFrame({"age": [25, 35, 45, 55] * 5, "job": ["a", "b"] * 10})
    >>> y = [0, 0, 1, 1] * 5
    >>> model = logistic_regression().fit(X, y)
    >>> model.predict_proba(X).shape
    (20, 2)
    """
    require_number(C, "C", minimum=0, strict=True)
    require_positive_int(max_iter, "max_iter")
    _class_weight(class_weight)
    require_positive_int(seed, "seed", minimum=0)
    return Pipeline(
        [
            ("prep", preprocessor(numeric, categorical, drop="first")),
            (
                "model",
                LogisticRegression(
                    C=C, class_weight=class_weight, max_iter=max_iter, random_state=seed
                ),
            ),
        ]
    )


def _fitted(model: object, name: str, attribute: str) -> Pipeline:
    """Check ``model`` is a fitted crmlib pipeline whose final step has ``attribute``."""
    if not isinstance(model, Pipeline) or "prep" not in model.named_steps:
        raise TypeError(
            f"model: expected a pipeline from crmlib.models.{name}(), got {type(model).__name__}"
        )
    if not hasattr(model[-1], attribute):
        raise ValueError(
            f"model: expected a fitted {name}() pipeline (no {attribute!r}); call .fit(X, y) first"
        )
    return model


def _units(prep: ColumnTransformer) -> list[str]:
    """What a one-unit change of each output feature means, in output order."""
    units = []
    for name, trans, cols in prep.transformers_:
        if name == "numeric":
            scaler = trans.named_steps.get("scale")
            for i, _ in enumerate(cols):
                units.append(f"+1 SD ({scaler.scale_[i]:.4g})" if scaler else "+1 unit")
        elif name == "categorical":
            enc = trans.named_steps["onehot"]
            for i, col in enumerate(cols):
                cats = list(enc.categories_[i])
                ref = enc.drop_idx_[i] if enc.drop_idx_ is not None else None
                if ref is None:
                    units.extend("vs not this category" for _ in cats)
                else:
                    units.extend(f"vs {col}={cats[ref]}" for j, _ in enumerate(cats) if j != ref)
    return units


def odds_ratios(model: Pipeline) -> pd.DataFrame:
    """Return the fitted logistic regression's coefficients as an odds-ratio table.

    Parameters
    ----------
    model : Pipeline
        A fitted :func:`logistic_regression` pipeline (binary outcome).

    Returns
    -------
    pandas.DataFrame
        Columns ``feature`` (e.g. ``job=retired``), ``per`` (the change the odds ratio refers
        to: one standard deviation of a numeric column, shown in its own units, or the
        category vs the reference level), ``coefficient`` (log-odds) and ``odds_ratio``
        (``exp(coefficient)``: how the odds of the positive class multiply). Sorted by odds
        ratio, highest first; the intercept is left out.

    Examples
    --------
    >>> X = pd.DataFrame({"age": [25, 35, 45, 55] * 5, "job": ["a", "b"] * 10})
    >>> table = odds_ratios(logistic_regression().fit(X, [0, 0, 1, 1] * 5))
    >>> table[["feature", "per"]].values.tolist()
    [['age', '+1 SD (11.18)'], ['job=b', 'vs job=a']]
    >>> bool(table["odds_ratio"].iloc[0] > 1)
    True
    """
    model = _fitted(model, "logistic_regression", "coef_")
    coef = model[-1].coef_
    if coef.shape[0] != 1:
        raise ValueError(
            f"model: expected a binary classifier, got {coef.shape[0]} classes "
            f"{list(model[-1].classes_)}"
        )
    table = pd.DataFrame(
        {
            "feature": model.named_steps["prep"].get_feature_names_out(),
            "per": _units(model.named_steps["prep"]),
            "coefficient": coef[0],
            "odds_ratio": np.exp(coef[0]),
        }
    )
    table = table.sort_values(["coefficient", "feature"], ascending=[False, True], kind="stable")
    return table.reset_index(drop=True)


def decision_tree(
    numeric: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    *,
    max_depth: int | None = 3,
    min_samples_leaf: int = 50,
    class_weight: str | dict | None = None,
    seed: int = 0,
) -> Pipeline:
    """Return an unfitted decision tree pipeline; numeric columns stay unscaled.

    A shallow tree with large leaves (the defaults) gives rules a marketer can read; see
    :func:`tree_rules` and :func:`plot_tree`.

    Examples
    --------
    >>> X = pd.DataFrame({"age": [25, 35, 45, 55] * 5})
    >>> model = decision_tree(min_samples_leaf=2).fit(X, [0, 0, 1, 1] * 5)
    >>> model.predict(pd.DataFrame({"age": [30, 50]})).tolist()
    [0, 1]
    """
    _depth(max_depth, "max_depth", minimum=1)
    require_positive_int(min_samples_leaf, "min_samples_leaf")
    _class_weight(class_weight)
    require_positive_int(seed, "seed", minimum=0)
    return Pipeline(
        [
            ("prep", preprocessor(numeric, categorical, scale=False)),
            (
                "model",
                DecisionTreeClassifier(
                    max_depth=max_depth,
                    min_samples_leaf=min_samples_leaf,
                    class_weight=class_weight,
                    random_state=seed,
                ),
            ),
        ]
    )


def tree_rules(model: Pipeline, *, decimals: int = 2, show_weights: bool = True) -> str:
    """Return a fitted :func:`decision_tree`'s rules as indented text.

    A one-hot feature reads ``job=retired <= 0.50`` for "not retired" and ``> 0.50`` for
    "retired". Leaves show the predicted class and, if ``show_weights``, the number of
    training customers of each class (in ``classes_`` order; weighted if the tree used
    ``class_weight``), so each leaf's response rate can be read off.

    Examples
    --------
    >>> X = pd.DataFrame({"age": [25, 35, 45, 55] * 5})
    >>> model = decision_tree(min_samples_leaf=2).fit(X, [0, 0, 1, 1] * 5)
    >>> print(tree_rules(model, decimals=0))
    |--- age <= 40
    |   |--- weights: [10, 0] class: 0
    |--- age >  40
    |   |--- weights: [0, 10] class: 1
    <BLANKLINE>
    """
    model = _fitted(model, "decision_tree", "tree_")
    decimals = require_positive_int(decimals, "decimals", minimum=0)
    require_bool(show_weights, "show_weights")
    return sklearn.tree.export_text(
        model[-1],
        feature_names=list(model.named_steps["prep"].get_feature_names_out()),
        class_names=[str(c) for c in model[-1].classes_],
        decimals=decimals,
        show_weights=show_weights,
    )


def plot_tree(model: Pipeline, *, max_depth: int | None = None, ax: Axes | None = None) -> Axes:
    """Draw a fitted :func:`decision_tree`; the title names the first split.

    Examples
    --------
    >>> X = pd.DataFrame({"age": [25, 35, 45, 55] * 5})
    >>> ax = plot_tree(decision_tree(min_samples_leaf=2).fit(X, [0, 0, 1, 1] * 5))
    >>> ax.get_title()
    'The first split is on age'
    """
    model = _fitted(model, "decision_tree", "tree_")
    names = list(model.named_steps["prep"].get_feature_names_out())
    ax = axes(ax, figsize=(10.0, 6.0))
    max_depth = _depth(max_depth, "max_depth", minimum=0)
    sklearn.tree.plot_tree(
        model[-1],
        feature_names=names,
        class_names=[str(c) for c in model[-1].classes_],
        max_depth=max_depth,
        filled=True,
        impurity=False,
        proportion=True,
        rounded=True,
        fontsize=8,
        ax=ax,
    )
    root = model[-1].tree_.feature[0]
    ax.set_title(f"The first split is on {names[root]}" if root >= 0 else "The tree has no split")
    return ax


def neural_network(
    numeric: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    *,
    hidden_layer_sizes: tuple[int, ...] = (16,),
    alpha: float = 1.0,
    max_iter: int = 300,
    early_stopping: bool = False,
    seed: int = 0,
) -> Pipeline:
    """Return an unfitted small neural network (multi-layer perceptron) pipeline.

    One hidden layer of 16 units by default, trained with Adam. The strong L2 penalty
    ``alpha=1.0`` keeps this small network from over-fitting a customer table; on UCI Bank
    Marketing it ranks customers about as well as logistic regression, while early stopping
    (off by default) stopped too soon and ranked worse.

    Examples
    --------
    >>> X = pd.DataFrame({"age": [25, 35, 45, 55] * 250})
    >>> model = neural_network().fit(X, [0, 0, 1, 1] * 250)
    >>> model.predict(pd.DataFrame({"age": [25, 55]})).tolist()
    [0, 1]
    """
    if isinstance(hidden_layer_sizes, int | np.integer) and not isinstance(
        hidden_layer_sizes, bool
    ):
        raise TypeError(
            f"hidden_layer_sizes: expected a tuple of layer sizes, got the number "
            f"{hidden_layer_sizes}; write ({hidden_layer_sizes},) for one hidden layer"
        )
    require_int_list(hidden_layer_sizes, "hidden_layer_sizes")
    require_number(alpha, "alpha", minimum=0)
    require_positive_int(max_iter, "max_iter")
    require_bool(early_stopping, "early_stopping")
    require_positive_int(seed, "seed", minimum=0)
    return Pipeline(
        [
            ("prep", preprocessor(numeric, categorical)),
            (
                "model",
                MLPClassifier(
                    hidden_layer_sizes=hidden_layer_sizes,
                    alpha=alpha,
                    max_iter=max_iter,
                    early_stopping=early_stopping,
                    random_state=seed,
                ),
            ),
        ]
    )


def _top_decile_lift(estimator: BaseEstimator, X: pd.DataFrame, y: object) -> float:
    """Scorer: response rate in the top-scored 10 % over the overall rate."""
    positive = np.asarray(y) == estimator.classes_[1]
    return float(gains_table(positive, estimator.predict_proba(X)[:, 1], 10)["lift"].iloc[0])


def compare_models(
    models: Mapping[str, BaseEstimator],
    X: pd.DataFrame,
    y: object,
    cv: int = 5,
    seed: int = 0,
) -> pd.DataFrame:
    """Cross-validate several classifiers on the same folds and tabulate how they rank.

    The folds come from ``StratifiedKFold(cv, shuffle=True, random_state=seed)``, so every
    model sees the same splits and the table is the same on every run. The positive class is
    the model's ``classes_[1]`` (for labels "no"/"yes", "yes"; for 0/1, 1).

    Parameters
    ----------
    models : mapping of str to estimator
        Name -> unfitted classifier with ``predict_proba`` (e.g. from this module).
    X : pandas.DataFrame
        Customer features.
    y : array-like
        Binary outcome, same length as ``X``.
    cv : int, default 5
        Number of folds, at least 2.
    seed : int, default 0
        Seed of the fold shuffle.

    Returns
    -------
    pandas.DataFrame
        Indexed by model name in the given order, with the mean and standard deviation over
        folds of ``auc``, ``top_decile_lift`` and ``accuracy`` (columns ``auc_mean``,
        ``auc_std``, ...).

    Examples
    --------
    >>> X = pd.DataFrame({"age": [25, 35, 45, 55] * 10})
    >>> table = compare_models({"logit": logistic_regression()}, X, [0, 0, 1, 1] * 10, cv=2)
    >>> table.round(2).columns.tolist()[:2]
    ['auc_mean', 'auc_std']
    >>> float(table.loc["logit", "auc_mean"])
    1.0
    """
    require_frame(X, "X")
    if not isinstance(models, Mapping) or not models:
        raise TypeError(
            "models: expected a non-empty mapping of name -> estimator, "
            f"got {type(models).__name__}" + (" (empty)" if isinstance(models, Mapping) else "")
        )
    cv = require_positive_int(cv, "cv", minimum=2)
    if isinstance(y, pd.Series) and len(y) == len(X):
        X, y = align(X, y, ("X", "y"))  # pair by label, not by position
    y = np.asarray(y)
    if len(y) != len(X):
        raise ValueError(f"X and y: expected the same length, got {len(X)} and {len(y)}")
    classes = pd.unique(pd.Series(y, dtype=object))
    if len(classes) != 2 or pd.isna(classes).any():
        raise ValueError(
            f"y: expected exactly two classes and no missing values, got {list(classes)[:5]}"
        )
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    scoring = {"auc": "roc_auc", "top_decile_lift": _top_decile_lift, "accuracy": "accuracy"}
    rows = {}
    for name, model in models.items():
        scores = cross_validate(model, X, y, cv=folds, scoring=scoring, error_score="raise")
        rows[name] = {
            f"{metric}_{stat}": getattr(np, stat)(scores[f"test_{metric}"])
            for metric in scoring
            for stat in ("mean", "std")
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    return table
