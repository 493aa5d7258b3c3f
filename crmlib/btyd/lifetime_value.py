"""Expected customer lifetime value from a purchase model and a spend model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.btyd._base import DAYS_PER_UNIT, PurchaseModel, histories
from crmlib.btyd.gamma_gamma import GammaGamma
from crmlib.validation import require_fraction, require_number, require_positive_int

__all__ = ["expected_clv"]


def expected_clv(
    purchase_model: PurchaseModel,
    spend_model: GammaGamma,
    summary: pd.DataFrame,
    *,
    horizon_years: float,
    annual_discount_rate: float,
    margin: float = 1.0,
    periods_per_year: int = 12,
) -> pd.Series:
    """Expected CLV of each customer over the next ``horizon_years``, discounted.

    The horizon is cut into ``periods_per_year`` periods a year (months by default). Period
    ``i`` contributes ``E[purchases in period i] * E[spend per purchase] * margin``, received
    at the period's end and discounted by ``(1 + annual_discount_rate) ** (i /
    periods_per_year)``: the convention of lifetimes' ``customer_lifetime_value``. Purchases
    come from ``purchase_model.conditional_expected_purchases`` and spend from
    ``spend_model.conditional_expected_spend``. The time unit of the ages is the one the
    purchase model was fitted in (``purchase_model.unit_``): no conversion by the caller.

    Parameters
    ----------
    purchase_model : BetaGeo, ParetoNBD or ModifiedBetaGeo
        A fitted purchase model.
    spend_model : GammaGamma
        A fitted spend model.
    summary : DataFrame
        The customers, with ``repeat_purchases``, ``age_at_last_purchase``, ``age`` and
        ``mean_repeat_spend`` in the purchase model's unit.
    horizon_years : float
        Length of the future to value, in years (``horizon_years * periods_per_year`` must be a
        whole number of periods).
    annual_discount_rate : float
        Interest rate per **year** used to discount (0.15 for 15% a year); it is converted to
        the rate per period, ``(1 + annual_discount_rate) ** (1 / periods_per_year) - 1``.
    margin : float
        Share of spend that is profit, a fraction in (0, 1] (1 values revenue).
    periods_per_year : int
        Number of cash-flow periods in a year (12: monthly).

    Returns
    -------
    Series
        ``expected_clv`` per customer, indexed like ``summary``, in the currency of the spend.

    Examples
    --------
    >>> from crmlib.btyd import BetaGeo, GammaGamma, summary_frame
    >>> bg = BetaGeo().set_fitted("W", r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> gg = GammaGamma().set_fitted(p=6.25, q=3.74, gamma=15.44)
    >>> one = summary_frame(2, 30.43, 38.86, 30.0, unit="W")  # two repeat purchases of $30
    >>> clv = expected_clv(bg, gg, one, horizon_years=1, annual_discount_rate=0.0)
    >>> bool(np.isclose(clv.item(), bg.conditional_expected_purchases(one, 365.25 / 7).item()
    ...      * gg.conditional_expected_spend(one).item()))
    True
    """
    if not isinstance(purchase_model, PurchaseModel):
        raise TypeError(
            "purchase_model: expected a fitted BetaGeo, ParetoNBD or ModifiedBetaGeo, got "
            f"{type(purchase_model).__name__}"
        )
    if not isinstance(spend_model, GammaGamma):
        raise TypeError(
            f"spend_model: expected a fitted GammaGamma, got {type(spend_model).__name__}"
        )
    purchase_model._params()
    spend_model._params()
    unit = getattr(purchase_model, "unit_", None)
    if unit is None:
        raise ValueError(
            "purchase_model: its time unit is unknown; fit it on a summary with "
            "attrs['unit'] (or fit(..., unit='W'))"
        )
    periods_per_year = require_positive_int(periods_per_year, "periods_per_year")
    years = require_number(horizon_years, "horizon_years", minimum=0, strict=True)
    n_periods = years * periods_per_year
    if abs(n_periods - round(n_periods)) > 1e-9:
        raise ValueError(
            f"horizon_years: expected a whole number of periods ({periods_per_year} a year), "
            f"got {horizon_years!r} years = {n_periods:g} periods"
        )
    rate = require_number(annual_discount_rate, "annual_discount_rate", minimum=-1, strict=True)
    if rate > 1:
        raise ValueError(
            f"annual_discount_rate: expected a fraction per year (0.1 for 10%), got {rate:g}"
            + (f"; a percentage? Give {rate / 100:g} for {rate:g}%" if rate <= 100 else "")
        )
    margin = require_fraction(margin, "margin")
    histories(summary)
    period = 365.25 / periods_per_year / DAYS_PER_UNIT[unit]  # one period in the model's unit
    spend = spend_model.conditional_expected_spend(summary).to_numpy()
    cumulative = np.zeros(len(summary))
    total = np.zeros(len(summary))
    for i in range(1, int(round(n_periods)) + 1):
        now = purchase_model.conditional_expected_purchases(summary, i * period).to_numpy()
        total += (now - cumulative) / (1 + rate) ** (i / periods_per_year)
        cumulative = now
    out = pd.Series(margin * spend * total, index=summary.index, name="expected_clv")
    return out
