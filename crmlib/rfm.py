"""Recency, frequency and monetary value (RFM): summarise, score, segment, read responses.

The four steps of the classic RFM analysis, each a function over a tidy frame:

1. :func:`summarize` turns transaction lines into one row per customer
   (``recency``, ``frequency``, ``monetary``);
2. :func:`score` cuts each measure into quantile scores 1..``bins`` (higher is better), or
   by fixed cut-offs, and adds the RFM cell such as ``"545"``; :func:`weighted_score`
   combines the three scores with weights (the weighted RFM score, 가중 RFM 점수), and
   :func:`response_weights` estimates such weights from a mailing's responses;
3. :func:`name_segments` names customers from their scores with a plain, replaceable scheme
   (:data:`DEFAULT_SCHEME`); :func:`segment_summary` gives each segment's size and revenue;
4. :func:`cell_response` reads a campaign's response rate by cell ("mail the best cells").

:func:`summarize` is written for size: it merges adjacent lines of one invoice, factorizes
each key once and aggregates with ``numpy.bincount`` and ``numpy.maximum.at`` on integer
codes and int64 timestamps, so a 10-million-line log takes well under a second on one core
(see ``bench/bench_rfm.py``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crmlib.validation import (
    as_datetime,
    as_numeric,
    first_ids,
    preview,
    require_columns,
    require_frame,
    require_ids,
    require_number,
    require_outcomes,
    require_positive_int,
    round_amounts,
    warn_far_after,
)

__all__ = [
    "DEFAULT_SCHEME",
    "RFMDataWarning",
    "summarize",
    "TIES",
    "score",
    "weighted_score",
    "response_weights",
    "name_segments",
    "segment_summary",
    "cell_response",
]

_MEASURES = ("recency", "frequency", "monetary")
_SCORES = ("r_score", "f_score", "m_score")

#: How :func:`score` treats customers with equal values: ``"first"`` breaks ties by customer
#: id, ``"low"`` gives all of them the lowest score any of them could get, ``"high"`` the
#: highest.
TIES = ("first", "low", "high")

#: Segments from recency and frequency scores (1..5); monetary is left out because it moves
#: with frequency. Each segment maps a score letter (``"r"``, ``"f"``, ``"m"``) to an inclusive
#: ``(low, high)`` range or a single score; a letter left out matches every score. The rules
#: cover each of the 125 cells exactly once. Copy it, edit it and pass it to
#: :func:`name_segments`.
DEFAULT_SCHEME: dict[str, dict[str, tuple[int, int]]] = {
    "Champions": {"r": (5, 5), "f": (4, 5)},
    "Loyal": {"r": (3, 4), "f": (4, 5)},
    "Potential loyalist": {"r": (4, 5), "f": (2, 3)},
    "New": {"r": (5, 5), "f": (1, 1)},
    "Promising": {"r": (4, 4), "f": (1, 1)},
    "Need attention": {"r": (3, 3), "f": (3, 3)},
    "About to sleep": {"r": (3, 3), "f": (1, 2)},
    "At risk": {"r": (1, 2), "f": (3, 4)},
    "Can't lose": {"r": (1, 2), "f": (5, 5)},
    "Hibernating": {"r": (2, 2), "f": (1, 2)},
    "Lost": {"r": (1, 1), "f": (1, 2)},
}


class RFMDataWarning(UserWarning):
    """Rows or customers that :func:`summarize` leaves out, with how many."""


def summarize(
    tx: pd.DataFrame,
    *,
    customer: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    invoice: str = "invoice_id",
    as_of: object = None,
) -> pd.DataFrame:
    """Summarise transaction lines into recency, frequency and monetary value per customer.

    A *purchase line* is a line with a positive ``amount``. Returns and cancellations
    (negative amounts, e.g. Online Retail's ``C`` invoices) are netted into ``monetary`` but
    are not purchases, so they move neither ``recency`` nor ``frequency``.

    Parameters
    ----------
    tx : DataFrame
        One row per transaction line; it is not modified.
    customer, date, amount, invoice : str
        Column names. Dates may be datetime64 or date strings (time zones are dropped, the
        local wall-clock date is kept); amounts must be numbers.
    as_of : date-like, optional
        The day the analysis is made (its time of day is ignored). Default: the day after
        the last date in ``tx`` (all rows, with or without a customer). It may not be earlier
        than the last purchase date: cut ``tx`` to the period first.

    Returns
    -------
    DataFrame
        Indexed by customer (sorted, named after ``customer``) with columns

        - ``recency``: whole calendar days from the date of the last purchase line to
          ``as_of`` (int; 1 for a purchase on the last day with the default ``as_of``);
        - ``frequency``: number of distinct invoices with at least one purchase line (int);
          cancellation invoices do not count;
        - ``monetary``: net amount, the sum of all lines, returns included (float). It can be
          zero or negative when returns exceed purchases (e.g. a purchase made before the data
          starts): such customers are kept, and :func:`score` ranks them lowest on monetary.

    Warns
    -----
    RFMDataWarning
        When rows have no customer (they are dropped) and when customers have no purchase
        line at all, only cancellations, returns or zero amounts (they are left out, since
        they have no recency). The message gives the counts.

    Raises
    ------
    TypeError, KeyError, ValueError
        If ``tx`` is not a non-empty frame, a column is missing or of the wrong type, a row
        with a customer has no date, amount or invoice, or ``as_of`` is before a purchase.

    Notes
    -----
    Recency counts calendar days, so all purchases on one day are alike whatever their time.
    (The common ``(as_of - x.max()).days`` on timestamps counts one day less for a purchase
    made after midnight.) An invoice booked to several customers counts for each of them.
    Runs of adjacent lines with the same customer and invoice, as in most transaction logs,
    are merged before anything is hashed, which is what makes large logs fast; lines in
    random order give the same result, about three times more slowly.

    Examples
    --------
    >>> tx = pd.DataFrame({
    ...     "customer_id": [1, 1, 1, 2],
    ...     "invoice_id": ["A1", "A1", "C9", "A2"],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-05", "2024-01-09"]),
    ...     "amount": [10.0, 5.0, -5.0, 20.0],
    ... })
    >>> summarize(tx)  # doctest: +NORMALIZE_WHITESPACE
                 recency  frequency  monetary
    customer_id
    1                  9          1      10.0
    2                  1          1      20.0
    """
    require_frame(tx, "tx")
    require_columns(tx, [customer, date, amount, invoice], "tx")
    dates = as_datetime(tx[date], date)
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        dates = dates.dt.tz_localize(None)
    stamps = dates.to_numpy()
    unit = np.datetime_data(stamps.dtype)[0]
    ticks = stamps.view(np.int64)
    money = as_numeric(tx[amount], amount).to_numpy(np.float64)
    has_customer = None  # computed only when needed: it costs a pass over the customers
    for column, missing in ((date, ticks == _NO_TIME), (amount, np.isnan(money))):
        if missing.any():
            has_customer = tx[customer].notna().to_numpy() if has_customer is None else has_customer
            n = int(np.count_nonzero(missing & has_customer))
            if n:
                raise ValueError(f"column {column!r}: expected no missing values, found {n}")

    records = _Records(require_ids(tx[customer], customer), tx[invoice], ticks, money)
    n_missing = records.lines(records.group == 0)
    if n_missing == len(tx):
        raise ValueError(f"column {customer!r}: every row is missing its customer id")
    if n_missing:
        warnings.warn(
            f"tx: {n_missing:,} row(s) with no {customer!r} are left out",
            RFMDataWarning,
            stacklevel=2,
        )
    if (records.inv < 0).any():
        n = records.lines((records.inv < 0) & (records.group > 0))
        if n:
            raise ValueError(f"column {invoice!r}: expected no missing values, found {n}")

    customers = records.customers
    n_groups = len(customers) + 1
    last = np.full(n_groups, _NO_TIME)
    np.maximum.at(last, records.group, records.last)
    monetary = np.bincount(records.group, weights=records.money, minlength=n_groups)
    frequency = _purchase_invoices(records, n_groups)

    end = pd.Timestamp(ticks.max(), unit=unit) + pd.Timedelta(days=1) if as_of is None else as_of
    as_of_day = _as_day(end)
    bought = frequency > 0
    bought[0] = False
    n_silent = int(np.count_nonzero(~bought[1:]))
    if n_silent:
        shown = preview(first_ids(customers[~bought[1:]], 5))
        warnings.warn(
            f"tx: {n_silent:,} customer(s) with no purchase line (only cancellations, returns "
            f"or zero amounts) are left out, e.g. {shown}",
            RFMDataWarning,
            stacklevel=2,
        )
    last_day = last[bought].view(f"datetime64[{unit}]").astype("datetime64[D]").view(np.int64)
    recency = as_of_day - last_day
    if len(recency) and recency.min() < 0:
        latest = np.datetime64(int(last_day.max()), "D")
        raise ValueError(
            f"as_of: expected a date on or after the last purchase ({latest}), got {as_of!r}; "
            "cut tx to the period before as_of first"
        )
    if as_of is not None and len(recency):  # the same bounds as crmlib.engines
        latest, earliest = (
            pd.Timestamp(as_of_day - int(r), unit="D") for r in (recency.min(), recency.max())
        )
        warn_far_after(pd.Timestamp(as_of_day, unit="D"), earliest, latest, "as_of")
    index = pd.Index(customers[bought[1:]] if n_silent else customers, name=customer)
    out = pd.DataFrame(
        {
            "recency": recency,
            "frequency": frequency[bought],
            "monetary": round_amounts(monetary[bought]),
        },
        index=index,
    )
    return out.sort_index(kind="stable")


_NO_TIME = np.iinfo(np.int64).min  # NaT's int64 value; also "no purchase yet" in a maximum


def _keys(values: pd.Series, *, codes_ok: bool) -> np.ndarray | None:
    """The column as a NumPy array cheap to compare and factorize, or None if there is none.

    A categorical's codes (-1 = missing) stand in for it where labels are not needed.
    """
    if codes_ok and isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy()
    if isinstance(values.dtype, np.dtype) or (
        isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "python"
    ):
        # A python-backed StringArray holds an object array: factorizing that is ~1.5x faster.
        return values.to_numpy()
    return None


def _run_starts(*keys: np.ndarray) -> np.ndarray | None:
    """Where runs of adjacent lines with equal keys start, or None if runs are too short.

    Logs list an invoice's lines together; collapsing them first means hashing one key per
    invoice rather than per line. The result is exact in any order, only the speed changes.
    """
    n = len(keys[0])
    probe = min(n, 4096)
    try:
        change = np.zeros(n, dtype=bool)
        change[0] = True
        for key in keys:
            change[1:probe] |= key[1:probe] != key[: probe - 1]
        if n < 2 or change[:probe].mean() > 0.5:
            return None
        for key in keys:
            change[probe:] |= key[probe:] != key[probe - 1 : -1]
    except TypeError:  # pd.NA among objects: its comparisons are not True/False
        return None
    return np.flatnonzero(change)


class _Records:
    """Transaction lines, adjacent lines of one customer and invoice merged into a record.

    ``group`` is the customer's code + 1 (0: no customer, so such rows need no copy to
    drop), ``inv`` the invoice code (-1: missing), ``money`` the net amount, ``last`` the
    latest time of a purchase line (``_NO_TIME`` if none) and ``purchase`` whether there is
    one.
    """

    def __init__(self, customer: pd.Series, invoice: pd.Series, ticks, money) -> None:
        cust_keys, inv_keys = _keys(customer, codes_ok=False), _keys(invoice, codes_ok=True)
        purchase = money > 0
        last = np.where(purchase, ticks, _NO_TIME)
        starts = None
        if cust_keys is not None and inv_keys is not None:
            starts = _run_starts(cust_keys, inv_keys)
        if starts is None:
            cust, self.customers = pd.factorize(customer if cust_keys is None else cust_keys)
            inv_keys = invoice if inv_keys is None else inv_keys
            self.rows = None
        else:
            cust, self.customers = pd.factorize(cust_keys[starts])
            inv_keys = inv_keys[starts]
            self.rows = np.diff(starts, append=len(money))
            money = np.add.reduceat(money, starts)
            last = np.maximum.reduceat(last, starts)
            purchase = np.logical_or.reduceat(purchase, starts)
        if isinstance(invoice.dtype, pd.CategoricalDtype):
            inv = inv_keys.astype(np.intp)  # the codes themselves, -1 for missing
        else:
            inv = pd.factorize(inv_keys)[0]
        self.group, self.inv = cust + 1, inv
        self.money, self.last, self.purchase = money, last, purchase

    def lines(self, mask: np.ndarray) -> int:
        """Number of transaction lines in the records selected by ``mask``."""
        return int(np.count_nonzero(mask) if self.rows is None else self.rows[mask].sum())


def _purchase_invoices(records: _Records, n_groups: int) -> np.ndarray:
    """Number of distinct invoices with a purchase line, per group."""
    group, inv, purchase = records.group, records.inv, records.purchase
    n_inv = int(inv.max()) + 1
    owner = np.empty(n_inv, dtype=group.dtype)
    owner[inv] = group
    has_purchase = np.zeros(n_inv, dtype=np.int8)
    np.maximum.at(has_purchase, inv, purchase.view(np.int8))
    if np.array_equal(owner[inv], group):
        # Usual case, every invoice belongs to one customer: count invoices per owner.
        return np.bincount(owner[has_purchase.view(bool)], minlength=n_groups)
    # An invoice shared by customers counts once for each of them.
    pairs = pd.unique(group[purchase].astype(np.int64) * n_inv + inv[purchase])
    return np.bincount(pairs // n_inv, minlength=n_groups)


def _as_day(value: object) -> int:
    """Days since 1970-01-01 of a date-like ``as_of``; raise naming ``as_of`` otherwise."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as err:
        raise TypeError(f"as_of: expected a date, got {value!r}") from err
    if pd.isna(stamp):
        raise TypeError(f"as_of: expected a date, got {value!r}")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return int(np.datetime64(stamp.date(), "D").view(np.int64))


def _quantile_bins(
    values: np.ndarray, order: np.ndarray | None, bins: int, ties: str
) -> np.ndarray:
    """Quantile bin 1..bins of each value (bin 1 holds the smallest values).

    Ranks are 1..n in the order (value, then ``order``: the rows' customer order, None when
    the rows are sorted by customer); rank r goes to bin ceil((r - 1) * bins / (n - 1)) (at
    least 1), which is what ``pd.qcut(ranks, bins)`` does, in exact integer arithmetic. With
    ``ties="first"`` each customer keeps their own rank; with ``"low"`` (``"high"``) equal
    values all take the lowest (highest) rank among them, as ``rank(method="min")``
    (``"max"``) does.
    """
    n = len(values)
    if n == 1:
        return np.array([(bins + 1) // 2])
    if ties == "first":
        if order is None:
            sorted_pos = np.argsort(values, kind="stable")
        else:
            sorted_pos = order[np.argsort(values[order], kind="stable")]
        rank0 = np.empty(n, dtype=np.int64)
        rank0[sorted_pos] = np.arange(n)
    else:
        ordered = np.sort(values)
        side = "left" if ties == "low" else "right"
        rank0 = np.searchsorted(ordered, values, side=side).astype(np.int64)
        if ties == "high":
            rank0 -= 1
    return np.maximum(1, -((-rank0 * bins) // (n - 1)))


def _cutoff_bins(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Bin 1..len(edges)+1: a value equal to an edge goes to the lower bin."""
    return np.searchsorted(edges, values, side="left") + 1


def _cutoffs(cutoffs: object, bins: int) -> dict[str, np.ndarray]:
    """Validated cut-offs per measure: bins - 1 increasing finite numbers each."""
    if cutoffs is None:
        return {}
    if not isinstance(cutoffs, Mapping):
        raise TypeError(
            f"cutoffs: expected a mapping from a measure ({', '.join(_MEASURES)}) to "
            f"{bins - 1} increasing numbers, got {type(cutoffs).__name__}"
        )
    out = {}
    for measure, edges in cutoffs.items():
        if measure not in _MEASURES:
            raise ValueError(f"cutoffs: expected keys among {_MEASURES}, got {measure!r}")
        name = f"cutoffs[{measure!r}]"
        try:
            array = np.asarray(edges, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise TypeError(f"{name}: expected {bins - 1} numbers, got {edges!r}") from err
        if array.ndim != 1 or len(array) != bins - 1:
            raise ValueError(
                f"{name}: expected {bins - 1} cut-offs for {bins} scores, got {edges!r}"
            )
        if not np.isfinite(array).all() or (np.diff(array) <= 0).any():
            raise ValueError(f"{name}: expected strictly increasing finite numbers, got {edges!r}")
        out[measure] = array
    return out


def _cell_labels(
    r: np.ndarray, f: np.ndarray, m: np.ndarray, bins: int
) -> pd.arrays.ArrowStringArray:
    """Cell names: "545" for up to 9 bins, "10-4-5" beyond (digits would be ambiguous).

    Made by Arrow's vectorised casts (a string per customer through Python costs more than
    the scoring itself).
    """
    if bins <= 9:
        return pd.array(pa.array(r * 100 + f * 10 + m).cast(pa.string()), dtype="str")
    parts = [pa.array(x).cast(pa.string()) for x in (r, f, m)]
    return pd.array(pc.binary_join_element_wise(*parts, "-"), dtype="str")


def _score_columns(
    values: Mapping[str, np.ndarray],
    bins: int,
    ties: str,
    edges: Mapping[str, np.ndarray],
    index: pd.Index,
) -> dict[str, object]:
    """The score columns :func:`score` adds, from the three measures' values.

    ``values`` maps each measure to a float array, one value per customer of ``index`` (in
    any order: ties are broken by the customer id); ``bins``, ``ties`` and ``edges``
    (:func:`_cutoffs`) are checked already. The engines (:mod:`crmlib.engines`) score their
    per-customer results with it, so every path scores with this code.
    """
    # Customers usually come sorted (engines sort them): no argsort then.
    order = None if index.is_monotonic_increasing else np.asarray(index.argsort(), np.intp)
    # A low recency is good, so its value bins are reversed: "low" scores take high bins.
    swapped = {"first": "first", "low": "high", "high": "low"}
    scores = {}
    for measure, name in zip(_MEASURES, _SCORES, strict=True):
        column = values[measure]
        if np.isnan(column).any():
            raise ValueError(f"column {measure!r}: expected no missing values, found some")
        if measure in edges:
            scores[name] = _cutoff_bins(column, edges[measure]).astype(np.int64)
        else:
            how = swapped[ties] if measure == "recency" else ties
            scores[name] = _quantile_bins(column, order, bins, how).astype(np.int64)
    scores["r_score"] = bins + 1 - scores["r_score"]
    scores["rfm_cell"] = _cell_labels(*(scores[name] for name in _SCORES), bins)
    scores["rfm_score"] = scores["r_score"] + scores["f_score"] + scores["m_score"]
    return scores


def score(
    summary: pd.DataFrame,
    bins: int = 5,
    *,
    ties: str = "first",
    cutoffs: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """Add scores 1..``bins`` for recency, frequency and monetary (higher is better).

    By default each measure is cut into quantiles. Rank r of n goes to score
    ceil((r - 1) * bins / (n - 1)) (at least 1), the bins of ``pd.qcut(ranks, bins)``.
    Low recency (a recent purchase) gives a high ``r_score``. A single customer gets the
    middle score on every quantile-scored measure.

    Customers with equal values (ties; frequency has many) are handled by ``ties``:

    - ``"first"`` (default): ranked by the value, then by the customer id (the index), as
      ``rank(method="first")`` does on a frame sorted by customer. Every score then holds
      n / bins customers (+-1), but customers with the same value may get neighbouring
      scores, decided by their ids alone;
    - ``"low"``: all of them get the lowest score any of them would get under ``"first"``;
    - ``"high"``: all of them get the highest.

    ``"low"`` and ``"high"`` give equal values equal scores, and the scores are then no
    longer equal fifths. Comparing them shows how much a result depends on the tie order.
    ``cutoffs`` scores a measure by fixed values instead of quantiles, so that a customer's
    score changes only when their own purchases do.

    Parameters
    ----------
    summary : DataFrame
        The output of :func:`summarize` (columns ``recency``, ``frequency``, ``monetary``,
        indexed by unique customer ids); it is not modified.
    bins : int, default 5
        Number of scores per measure, at least 2 (5 gives quintiles, "RFM 555").
    ties : {"first", "low", "high"}, default "first"
        How customers with equal values are scored (see above).
    cutoffs : mapping, optional
        Measure name -> ``bins - 1`` strictly increasing values in the measure's unit. A
        value up to the first cut-off is in the lowest value band, up to the second in the
        next, and so on; a value equal to a cut-off belongs to the band below it. Frequency
        ``[1, 2, 4, 9]`` gives F 1 to 5 for 1, 2, 3-4, 5-9 and 10+ invoices; recency
        ``[30, 90, 180, 365]`` gives R 5 for up to 30 days and R 1 beyond 365. Measures not
        named are scored by quantiles.

    Returns
    -------
    DataFrame
        ``summary`` with ``r_score``, ``f_score``, ``m_score`` (int), ``rfm_cell`` (str: the
        three scores as digits, e.g. ``"545"``, or joined with ``-`` when ``bins`` > 9) and
        ``rfm_score`` (int: the sum of the three scores, 3..3 * bins).

    Examples
    --------
    >>> summary = pd.DataFrame(
    ...     {"recency": [5, 40, 200], "frequency": [9, 3, 1], "monetary": [900.0, 80.0, 15.0]},
    ...     index=pd.Index([11, 12, 13], name="customer_id"),
    ... )
    >>> score(summary, bins=3)[["r_score", "f_score", "m_score", "rfm_cell", "rfm_score"]]  # doctest: +NORMALIZE_WHITESPACE
                 r_score  f_score  m_score rfm_cell  rfm_score
    customer_id
    11                 3        3        3      333          9
    12                 2        2        2      222          6
    13                 1        1        1      111          3

    Four customers, two of them with one invoice: ``"first"`` splits the tie by id,
    ``"low"`` and ``"high"`` do not, and cut-offs score by the count itself.

    >>> four = pd.DataFrame(
    ...     {"recency": [1, 2, 3, 4], "frequency": [1, 1, 2, 3], "monetary": [1.0, 2, 3, 4]}
    ... )
    >>> [score(four, 2, ties=t)["f_score"].tolist() for t in TIES]
    [[1, 1, 2, 2], [1, 1, 2, 2], [1, 1, 2, 2]]
    >>> [score(four, 3, ties=t)["f_score"].tolist() for t in TIES]
    [[1, 1, 2, 3], [1, 1, 2, 3], [1, 1, 2, 3]]
    >>> [score(four, 4, ties=t)["f_score"].tolist() for t in TIES]
    [[1, 2, 3, 4], [1, 1, 3, 4], [2, 2, 3, 4]]
    >>> score(four, 3, cutoffs={"frequency": [1, 2]})["f_score"].tolist()
    [1, 1, 2, 3]
    """
    require_frame(summary, "summary")
    require_columns(summary, _MEASURES, "summary")
    bins = require_positive_int(bins, "bins", minimum=2)
    if ties not in TIES:
        raise ValueError(f"ties: expected one of {TIES}, got {ties!r}")
    edges = _cutoffs(cutoffs, bins)
    if not summary.index.is_unique:
        dup = summary.index[summary.index.duplicated()].unique()
        raise ValueError(f"summary: expected one row per customer, repeated: {preview(dup)}")
    values = {m: as_numeric(summary[m], m).to_numpy(np.float64) for m in _MEASURES}
    scores = _score_columns(values, bins, ties, edges, summary.index)
    out = summary.copy()
    for name, column in scores.items():
        out[name] = column
    return out


def _score_weights(weights: object) -> np.ndarray:
    """Weights for r, f and m as a float array; raise naming ``weights``."""
    if isinstance(weights, pd.DataFrame) and "weight" in weights.columns:
        weights = weights["weight"]
    if isinstance(weights, pd.Series):
        weights = weights.to_dict()
    if not isinstance(weights, Mapping) or set(weights) != {"r", "f", "m"}:
        raise ValueError(
            f"weights: expected a mapping with exactly the keys 'r', 'f' and 'm', got {weights!r}"
        )
    out = []
    for letter in "rfm":
        w = weights[letter]
        if isinstance(w, bool) or not isinstance(w, int | float | np.integer | np.floating):
            raise TypeError(f"weights[{letter!r}]: expected a number, got {w!r}")
        if not np.isfinite(w) or w < 0:
            raise ValueError(f"weights[{letter!r}]: expected a finite number >= 0, got {w!r}")
        out.append(float(w))
    if sum(out) == 0:
        raise ValueError("weights: expected at least one weight > 0, got all zero")
    return np.array(out)


def weighted_score(scored: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """Add the weighted RFM score (가중 RFM 점수): w_r R + w_f F + w_m M.

    The plain ``rfm_score`` adds the three scores, as if recency, frequency and monetary
    value mattered equally. Where one of them predicts the next purchase better (often
    recency), it gets a larger weight. Weights come from the business's judgement or from
    data, e.g. :func:`response_weights` on a past mailing. Weights that sum to 1 keep the
    result on the scores' own scale (1..bins); weights of 1 each give ``rfm_score``.

    Parameters
    ----------
    scored : DataFrame
        The output of :func:`score` (``r_score``, ``f_score``, ``m_score``); not modified.
    weights : mapping
        ``{"r": w_r, "f": w_f, "m": w_m}``, numbers >= 0, not all zero (a Series with that
        index, or the frame of :func:`response_weights`, also works).

    Returns
    -------
    DataFrame
        ``scored`` with ``weighted_score`` (float).

    Examples
    --------
    >>> scored = pd.DataFrame(
    ...     {"r_score": [5, 1], "f_score": [1, 5], "m_score": [3, 3]}, index=["ann", "bob"]
    ... )
    >>> weighted_score(scored, {"r": 0.5, "f": 0.3, "m": 0.2})["weighted_score"]
    ann    3.4
    bob    2.6
    Name: weighted_score, dtype: float64

    With equal weights the two customers tie, as their ``rfm_score`` (9) does; weighting
    recency puts the recent buyer first.
    """
    require_frame(scored, "scored")
    require_columns(scored, _SCORES, "scored")
    w = _score_weights(weights)
    values = np.column_stack(
        [as_numeric(scored[name], name).to_numpy(np.float64) for name in _SCORES]
    )
    if np.isnan(values).any():
        raise ValueError("scored: expected r_score, f_score and m_score without missing values")
    out = scored.copy()
    out["weighted_score"] = values @ w
    return out


def _flags(scored: pd.DataFrame, responded: pd.Series | str) -> np.ndarray:
    """0/1 responses aligned with ``scored``'s rows; raise naming ``responded``."""
    if isinstance(responded, str):
        require_columns(scored, [responded], "scored")
        flags = scored[responded]
        name = f"column {responded!r}"
    elif isinstance(responded, pd.Series):
        name = "responded"
        if not responded.index.is_unique:
            dup = responded.index[responded.index.duplicated()].unique()
            raise ValueError(
                f"responded: expected one value per customer, repeated: {preview(dup)}"
            )
        if not responded.index.equals(scored.index):
            missing = scored.index.difference(responded.index)
            extra = responded.index.difference(scored.index)
            if len(missing) or len(extra):
                raise ValueError(
                    "responded: expected the same customers as scored's index; "
                    f"{len(missing)} in scored are missing from responded ({preview(missing)}), "
                    f"{len(extra)} in responded are not in scored ({preview(extra)})"
                )
        flags = responded.reindex(scored.index)
    else:
        raise TypeError(
            f"responded: expected a boolean Series or a column name, got {type(responded).__name__}"
        )
    return require_outcomes(flags, name).astype(np.int64)


def response_weights(scored: pd.DataFrame, responded: pd.Series | str) -> pd.DataFrame:
    """Weights for :func:`weighted_score` estimated from a mailing's responses.

    Fits a logistic regression of the response on ``r_score``, ``f_score`` and ``m_score``
    (maximum likelihood, Newton's method). The three scores share one scale, so each
    coefficient is the change in the log-odds of responding for one score step, and the
    coefficients can be compared. A score whose coefficient is negative gets weight 0 (a
    higher score should never lower the weighted score); the rest are divided by their sum.

    Parameters
    ----------
    scored : DataFrame
        The output of :func:`score` for the customers who were contacted; not modified.
    responded : Series or str
        Whether each customer responded, as in :func:`cell_response`. Both responders and
        non-responders must be present.

    Returns
    -------
    DataFrame
        Indexed by ``"r"``, ``"f"``, ``"m"``, with ``coefficient`` (log-odds per score step)
        and ``weight`` (>= 0, summing to 1).

    Raises
    ------
    ValueError
        If nobody or everybody responded, a score does not vary, or the fit does not
        converge (responders and non-responders perfectly separated by the scores).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> scored = pd.DataFrame(rng.integers(1, 6, (2000, 3)), columns=["r_score", "f_score", "m_score"])
    >>> chance = 1 / (1 + np.exp(-(-4 + 0.6 * scored["r_score"] + 0.3 * scored["f_score"])))
    >>> responded = pd.Series(rng.random(2000) < chance)
    >>> response_weights(scored, responded).round(2)  # doctest: +NORMALIZE_WHITESPACE
       coefficient  weight
    r         0.62    0.64
    f         0.34    0.35
    m         0.00    0.00
    """
    require_frame(scored, "scored")
    require_columns(scored, _SCORES, "scored")
    y = _flags(scored, responded).astype(np.float64)
    if y.min() == y.max():
        raise ValueError(
            f"responded: expected both responders and non-responders, got {int(y.sum())} "
            f"responders among {len(y)} customers"
        )
    columns = []
    for name in _SCORES:
        values = as_numeric(scored[name], name).to_numpy(np.float64)
        if np.isnan(values).any() or np.ptp(values) == 0:
            raise ValueError(f"column {name!r}: expected scores that vary, without missing values")
        columns.append(values)
    x = np.column_stack([np.ones(len(y)), *columns])
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise ValueError(
            "scored: the r, f and m scores are collinear; their weights cannot be told apart"
        )
    beta, converged = np.zeros(x.shape[1]), False
    for _ in range(100):
        p = np.exp(-np.logaddexp(0, -(x @ beta)))  # the logistic function, without overflow
        hessian = x.T @ (x * (p * (1 - p))[:, None])
        try:
            step = np.linalg.solve(hessian, x.T @ (y - p))
        except np.linalg.LinAlgError:
            break
        beta += step
        if not np.isfinite(beta).all() or np.abs(beta).max() > 50:
            break  # log-odds of 50 per score step: the fit runs off to infinity
        if np.abs(step).max() < 1e-10:
            converged = True
            break
    if not converged:
        raise ValueError(
            "responded: the fit did not converge; the scores separate responders from "
            "non-responders (almost) perfectly, so no finite weights describe them"
        )
    coefficient = beta[1:]
    positive = np.clip(coefficient, 0, None)
    if positive.sum() == 0:
        raise ValueError(
            "responded: no score raises the chance of responding (every coefficient <= 0), "
            "so no weights can be derived"
        )
    weight = positive / positive.sum()
    return pd.DataFrame({"coefficient": coefficient, "weight": weight}, index=pd.Index(list("rfm")))


def _scheme_table(scheme: Mapping, bins: int) -> tuple[np.ndarray, list[str]]:
    """The segment number of every (r, f, m) cell; raise naming bad rules and cells."""
    if not isinstance(scheme, Mapping) or not scheme:
        raise TypeError(f"scheme: expected a non-empty mapping of segment rules, got {scheme!r}")
    names = list(scheme)
    table = np.full((bins, bins, bins), -1)
    hits = np.zeros((bins, bins, bins), dtype=int)
    for i, (name, rule) in enumerate(scheme.items()):
        if not isinstance(rule, Mapping) or set(rule) - {"r", "f", "m"}:
            raise ValueError(
                f"scheme[{name!r}]: expected a mapping from 'r', 'f' and/or 'm' to a score "
                f"or a (low, high) range, got {rule!r}"
            )
        box = []
        for letter in "rfm":
            low, high = _score_range(rule.get(letter, (1, bins)), f"scheme[{name!r}][{letter!r}]")
            if not 1 <= low <= high <= bins:
                raise ValueError(
                    f"scheme[{name!r}][{letter!r}]: expected scores with "
                    f"1 <= low <= high <= {bins}, got ({low}, {high})"
                )
            box.append(slice(low - 1, high))
        hits[tuple(box)] += 1
        table[tuple(box)] = i
    cell = np.indices(table.shape) + 1
    problems = []
    if (hits == 0).any():
        cells = _cell_labels(*(c[hits == 0] for c in cell), bins)
        problems.append(f"{len(cells)} cell(s) in no segment: {preview(cells.tolist(), 12)}")
    if (hits > 1).any():
        twice = []
        rs, fs, ms = (c[hits > 1] for c in cell)
        for label, r, f, m in zip(_cell_labels(rs, fs, ms, bins), rs, fs, ms, strict=True):
            owners = [n for n, rule in scheme.items() if _in_rule(rule, (r, f, m), bins)]
            twice.append(f"{label} {owners}")
        problems.append(f"{len(twice)} cell(s) in several segments: {'; '.join(twice[:12])}")
    if problems:
        raise ValueError(
            "scheme: every RFM cell must belong to exactly one segment; " + "; ".join(problems)
        )
    return table, names


def _score_range(value: object, name: str) -> tuple[int, int]:
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return int(value), int(value)
    if (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in value)
    ):
        return int(value[0]), int(value[1])
    raise TypeError(f"{name}: expected a score or a (low, high) pair of scores, got {value!r}")


def _in_rule(rule: Mapping, cell: tuple[int, int, int], bins: int) -> bool:
    return all(
        lo <= s <= hi
        for s, (lo, hi) in zip(
            cell, (_score_range(rule.get(k, (1, bins)), k) for k in "rfm"), strict=True
        )
    )


def name_segments(
    scored: pd.DataFrame,
    scheme: Mapping[str, Mapping[str, object]] | None = None,
    *,
    bins: int = 5,
) -> pd.DataFrame:
    """Name each customer's segment from the r, f and m scores.

    Parameters
    ----------
    scored : DataFrame
        The output of :func:`score` (``r_score``, ``f_score``, ``m_score``); not modified.
    scheme : mapping, optional
        Segment name -> rule; a rule maps ``"r"``, ``"f"`` and/or ``"m"`` to a score or an
        inclusive ``(low, high)`` range, and a letter left out matches any score. Every one
        of the ``bins ** 3`` cells must fall in exactly one rule, otherwise a ``ValueError``
        names the cells left out or claimed twice. Default: :data:`DEFAULT_SCHEME`.
    bins : int, default 5
        The ``bins`` that :func:`score` used.

    Returns
    -------
    DataFrame
        ``scored`` with ``segment``, a categorical whose categories keep the scheme's order.

    Examples
    --------
    >>> scored = pd.DataFrame({"r_score": [5, 1, 3], "f_score": [5, 1, 3], "m_score": [4, 2, 3]})
    >>> name_segments(scored)["segment"].tolist()
    ['Champions', 'Lost', 'Need attention']
    >>> name_segments(scored, {"Recent": {"r": (4, 5)}, "Other": {"r": (1, 3)}})["segment"].tolist()
    ['Recent', 'Other', 'Other']
    """
    require_frame(scored, "scored")
    require_columns(scored, _SCORES, "scored")
    bins = require_positive_int(bins, "bins", minimum=2)
    table, names = _scheme_table(DEFAULT_SCHEME if scheme is None else scheme, bins)
    at = []
    for name in _SCORES:
        values = scored[name]
        if not pd.api.types.is_integer_dtype(values) or values.isna().any():
            raise TypeError(f"column {name!r}: expected whole-number scores, got {values.dtype}")
        values = values.to_numpy(np.int64)
        if ((values < 1) | (values > bins)).any():
            bad = np.unique(values[(values < 1) | (values > bins)])
            raise ValueError(
                f"column {name!r}: expected scores 1..{bins}, found {preview(bad.tolist())}"
            )
        at.append(values - 1)
    out = scored.copy()
    out["segment"] = pd.Categorical.from_codes(table[tuple(at)], categories=names)
    return out


def segment_summary(segmented: pd.DataFrame, segment: str = "segment") -> pd.DataFrame:
    """Size, revenue and typical customer of each segment, the largest revenue first.

    Parameters
    ----------
    segmented : DataFrame
        One row per customer with ``recency``, ``frequency``, ``monetary`` and a segment
        column, e.g. the output of :func:`name_segments`; not modified.
    segment : str, default "segment"
        The column that names each customer's segment.

    Returns
    -------
    DataFrame
        Indexed by segment (segments without customers left out), sorted by ``revenue``
        (highest first; ties by more customers, then by name), with ``customers``,
        ``share_of_customers``, ``revenue`` (sum of ``monetary``), ``share_of_revenue``
        (of the total over all segments; a negative total gives NaN) and the segment's
        median ``recency``, ``frequency`` and ``monetary``.

    Examples
    --------
    >>> segmented = pd.DataFrame({
    ...     "recency": [3, 5, 200, 300],
    ...     "frequency": [9, 7, 1, 2],
    ...     "monetary": [900.0, 500.0, 40.0, 60.0],
    ...     "segment": ["Champions", "Champions", "Lost", "Lost"],
    ... })
    >>> summary = segment_summary(segmented)
    >>> summary[["customers", "revenue", "share_of_revenue", "recency"]]  # doctest: +NORMALIZE_WHITESPACE
               customers  revenue  share_of_revenue  recency
    segment
    Champions          2   1400.0          0.933333      4.0
    Lost               2    100.0          0.066667    250.0
    """
    require_frame(segmented, "segmented")
    require_columns(segmented, [*_MEASURES, segment], "segmented")
    if segmented[segment].isna().any():
        raise ValueError(
            f"column {segment!r}: expected a segment for every customer, found missing"
        )
    numbers = pd.DataFrame(
        {m: as_numeric(segmented[m], m) for m in _MEASURES} | {segment: segmented[segment]}
    )
    out = numbers.groupby(segment, observed=True, sort=True).agg(
        customers=("monetary", "size"),
        revenue=("monetary", "sum"),
        recency=("recency", "median"),
        frequency=("frequency", "median"),
        monetary=("monetary", "median"),
    )
    out.insert(1, "share_of_customers", out["customers"] / out["customers"].sum())
    total = out["revenue"].sum()
    out.insert(3, "share_of_revenue", out["revenue"] / total if total > 0 else np.nan)
    out.index = pd.Index(out.index.astype(object), name=segment)
    return out.sort_values(["revenue", "customers"], ascending=False, kind="stable")


def cell_response(
    scored: pd.DataFrame,
    responded: pd.Series | str,
    *,
    cost_per_contact: float | None = None,
    value_per_response: float | None = None,
) -> pd.DataFrame:
    """Response rate, count and index by RFM cell, best cells first.

    Parameters
    ----------
    scored : DataFrame
        The output of :func:`score` (needs ``rfm_cell``), indexed by customer.
    responded : Series or str
        Whether each customer responded (bool, or 0/1), indexed by the same customers as
        ``scored`` in any order; or the name of such a column of ``scored``.
    cost_per_contact, value_per_response : float, optional
        Give both to add each cell's profit and whether it is worth mailing: a cell pays
        when its response rate is above the break-even rate
        ``cost_per_contact / value_per_response``.

    Returns
    -------
    DataFrame
        Indexed by ``rfm_cell``, sorted by response rate (highest first; ties by cell), with
        ``customers``, ``responders``, ``response_rate`` (responders / customers) and
        ``response_index`` (the cell's rate / the overall rate x 100; 100 is average, and it
        is NaN when nobody responded); with costs, also ``profit`` (responders x
        value_per_response - customers x cost_per_contact) and ``mail`` (bool: the rate is
        above break-even, so the profit is positive).

    Examples
    --------
    >>> scored = pd.DataFrame({"rfm_cell": ["555", "555", "111", "111"]}, index=[1, 2, 3, 4])
    >>> cell_response(scored, pd.Series([True, True, False, True], index=[1, 2, 3, 4]))  # doctest: +NORMALIZE_WHITESPACE
              customers  responders  response_rate  response_index
    rfm_cell
    555               2           2            1.0      133.333333
    111               2           1            0.5       66.666667
    >>> cells = cell_response(scored, pd.Series([1, 1, 0, 0], index=[1, 2, 3, 4]),
    ...                       cost_per_contact=2.0, value_per_response=30.0)
    >>> cells[["profit", "mail"]]  # doctest: +NORMALIZE_WHITESPACE
              profit   mail
    rfm_cell
    555         56.0   True
    111         -4.0  False
    """
    require_frame(scored, "scored")
    require_columns(scored, ["rfm_cell"], "scored")
    if (cost_per_contact is None) != (value_per_response is None):
        raise ValueError(
            "cost_per_contact, value_per_response: expected both or neither, got "
            f"{cost_per_contact!r} and {value_per_response!r}"
        )
    hit = _flags(scored, responded)
    cells = pd.DataFrame({"rfm_cell": scored["rfm_cell"].to_numpy(), "hit": hit})
    out = cells.groupby("rfm_cell", sort=True).agg(
        customers=("hit", "size"), responders=("hit", "sum")
    )
    out["response_rate"] = out["responders"] / out["customers"]
    overall = hit.mean()
    out["response_index"] = out["response_rate"] / overall * 100 if overall > 0 else np.nan
    if cost_per_contact is not None:
        cost = require_number(cost_per_contact, "cost_per_contact", minimum=0)
        worth = require_number(value_per_response, "value_per_response", minimum=0, strict=True)
        out["profit"] = out["responders"] * worth - out["customers"] * cost
        out["mail"] = out["response_rate"] > cost / worth
    return out.sort_values("response_rate", ascending=False, kind="stable")
