"""Which purchase model? Fit candidates on one summary and compare fit and forecasts."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone

from crmlib.btyd._base import HOLDOUT_X, PurchaseModel, as_array, histories
from crmlib.btyd.bg_nbd import BetaGeo
from crmlib.btyd.diagnostics import group_labels, holdout_predictions
from crmlib.btyd.mbg_nbd import ModifiedBetaGeo
from crmlib.btyd.pareto_nbd import ParetoNBD
from crmlib.validation import require_positive_int

__all__ = ["compare_models", "Comparison"]


@dataclass
class Comparison:
    """What :func:`compare_models` found.

    Attributes
    ----------
    table : DataFrame
        One row per model: ``parameters``, ``log_likelihood``, ``bic`` (lower is better),
        and, when the summary has a holdout, ``holdout_total_error`` (forecast total over
        actual total, minus 1) and ``holdout_group_mae`` (mean absolute error of the mean
        holdout purchases per frequency group, each group counted once).
    by_group : DataFrame
        Per frequency group: ``customers``, ``actual`` mean holdout purchases and one column
        of mean predictions per model (empty without a holdout).
    models : dict
        The fitted models, by name.
    """

    table: pd.DataFrame
    by_group: pd.DataFrame
    models: dict = field(default_factory=dict)


def compare_models(
    summary: pd.DataFrame,
    candidates: dict[str, PurchaseModel] | None = None,
    *,
    max_group: int = 7,
) -> Comparison:
    """Fit each candidate on ``summary`` and compare likelihood, BIC and holdout error.

    BIC is ``k * ln(n) - 2 * log_likelihood`` with ``k`` parameters and ``n`` customers; a
    difference of more than 10 is strong evidence for the lower. The holdout error needs
    ``holdout_purchases`` and ``holdout_length`` in the summary.

    Parameters
    ----------
    summary : DataFrame
        The calibration summary (with its holdout columns, if any).
    candidates : dict, optional
        Unfitted purchase models by name (they are cloned, not changed). Default: BG/NBD,
        Pareto/NBD and MBG/NBD.
    max_group : int
        The last frequency group is "``max_group`` or more".

    Returns
    -------
    Comparison

    Examples
    --------
    >>> from crmlib.btyd import BetaGeo, summary_frame
    >>> s = summary_frame([0, 1, 3, 0, 2], [0, 5, 20, 0, 30], [30, 35, 40, 38, 36], unit="W")
    >>> import warnings
    >>> with warnings.catch_warnings():  # 5 customers: the parameters run off
    ...     warnings.simplefilter("ignore")
    ...     compare_models(s, {"BG/NBD": BetaGeo()}).table.columns.tolist()
    ['parameters', 'log_likelihood', 'bic']
    """
    x, _, _ = histories(summary)
    max_group = require_positive_int(max_group, "max_group")
    if candidates is None:
        candidates = {"BG/NBD": BetaGeo(), "Pareto/NBD": ParetoNBD(), "MBG/NBD": ModifiedBetaGeo()}
    if not isinstance(candidates, dict) or not candidates:
        raise TypeError("candidates: expected a non-empty dict of models by name")
    has_holdout = HOLDOUT_X in summary.columns
    rows, predictions, models = {}, {}, {}
    for name, candidate in candidates.items():
        if not isinstance(candidate, PurchaseModel):
            raise TypeError(
                f"candidates[{name!r}]: expected a purchase model (BetaGeo, ParetoNBD, "
                f"ModifiedBetaGeo), got {type(candidate).__name__}"
            )
        model = clone(candidate).fit(summary)
        models[name] = model
        k = len(model.params_)
        rows[name] = {
            "parameters": k,
            "log_likelihood": model.log_likelihood_,
            "bic": k * np.log(model.n_customers_) - 2 * model.log_likelihood_,
        }
        if has_holdout:
            predictions[name] = holdout_predictions(model, summary)
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")
    by_group = pd.DataFrame()
    if has_holdout:
        actual = as_array(summary[HOLDOUT_X], HOLDOUT_X)
        frame = pd.DataFrame({"group": group_labels(x, max_group), "actual": actual})
        for name, pred in predictions.items():
            frame[name] = pred
        by_group = frame.groupby("group", observed=False).agg(
            customers=("actual", "size"),
            actual=("actual", "mean"),
            **{name: (name, "mean") for name in predictions},
        )
        by_group.index = pd.Index(by_group.index.astype(str), name="repeat_purchases")
        for name, pred in predictions.items():
            table.loc[name, "holdout_total_error"] = pred.sum() / actual.sum() - 1
            table.loc[name, "holdout_group_mae"] = float(
                (by_group[name] - by_group["actual"]).abs().mean()
            )
    return Comparison(table=table, by_group=by_group, models=models)
