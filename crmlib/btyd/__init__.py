"""Customer-base ("buy till you die") models: who is still a customer, what they will buy.

The workflow: turn a transaction log into one row per customer with :func:`summarize`
(``repeat_purchases``, ``age_at_last_purchase``, ``age``, ``mean_repeat_spend``; the time
unit in ``summary.attrs["unit"]``), fit a model of *how often* customers buy and *whether
they are still active* (:class:`BetaGeo`, :class:`ParetoNBD`, :class:`ModifiedBetaGeo`; or
:class:`BetaGeoBetaBinom` for discrete purchase opportunities), fit a model of *how much*
they spend (:class:`GammaGamma`), and combine the two with :func:`expected_clv`.
:func:`compare_models` picks a purchase model; the diagnostics in
:mod:`crmlib.btyd.diagnostics` and :mod:`crmlib.btyd.plots` check it. Contractual settings,
where churn is observed, use :class:`ShiftedBetaGeo` (a retention model, not a
buy-till-you-die model).

Every model is a scikit-learn estimator (``get_params``, ``clone``); ``fit`` takes the summary
frame, so a summary built in SQL or Spark works, and every prediction takes one too.

References
----------
- Schmittlein, Morrison & Colombo (1987), Management Science 33(1). (Pareto/NBD)
- Fader, Hardie & Lee (2005a), "Counting your customers the easy way", Marketing Science
  24(2). (BG/NBD; Pareto/NBD estimates on CDNOW)
- Fader, Hardie & Lee (2005b), "RFM and CLV: using iso-value curves for customer base
  analysis", Journal of Marketing Research 42(4). (Gamma-Gamma)
- Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of models for
  customer base analysis", International Journal of Research in Marketing 24(3). (MBG/NBD)
- Fader & Hardie (2007), "How to project customer retention", Journal of Interactive
  Marketing 21(1). (shifted-beta-geometric)
- Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time noncontractual
  setting", Marketing Science 29(6). (BG/BB)
"""

from sklearn.exceptions import ConvergenceWarning, NotFittedError

from crmlib.btyd._base import LIFETIMES_NAMES
from crmlib.btyd.bg_bb import BetaGeoBetaBinom
from crmlib.btyd.bg_nbd import BetaGeo
from crmlib.btyd.compare import Comparison, compare_models
from crmlib.btyd.diagnostics import (
    calibration_holdout,
    frequency_recency_matrix,
    repeat_purchase_histogram,
    tracking,
)
from crmlib.btyd.gamma_gamma import GammaGamma
from crmlib.btyd.lifetime_value import expected_clv
from crmlib.btyd.mbg_nbd import ModifiedBetaGeo
from crmlib.btyd.pareto_nbd import ParetoNBD
from crmlib.btyd.sbg import ShiftedBetaGeo
from crmlib.btyd.summary import repeat_purchases_by_period, summarize, summary_frame

__all__ = [
    "summarize",
    "summary_frame",
    "repeat_purchases_by_period",
    "LIFETIMES_NAMES",
    "BetaGeo",
    "ParetoNBD",
    "ModifiedBetaGeo",
    "GammaGamma",
    "ShiftedBetaGeo",
    "BetaGeoBetaBinom",
    "expected_clv",
    "compare_models",
    "Comparison",
    "calibration_holdout",
    "tracking",
    "frequency_recency_matrix",
    "repeat_purchase_histogram",
    "ConvergenceWarning",
    "NotFittedError",
]
