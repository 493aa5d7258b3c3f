"""Recency, frequency and monetary value (RFM): summarise, score, segment, read responses.

The four steps of the classic RFM analysis, each a function over a tidy frame:

1. :func:`summarize` turns transaction lines into one row per customer
   (``recency``, ``frequency``, ``monetary``);
2. :func:`score` cuts each measure into quantile scores 1..``bins`` (higher is better) and
   adds the RFM cell such as ``"545"``;
3. :func:`segment` names customers from their scores with a plain, replaceable scheme
   (:data:`DEFAULT_SCHEME`);
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

from crmlib.validation import (
    _preview,
    as_datetime,
    as_numeric,
    require_columns,
    require_frame,
    require_positive_int,
)

__all__ = [
    "DEFAULT_SCHEME",
    "RFMDataWarning",
    "summarize",
    "score",
    "name_segments",
    "cell_response",
]

_MEASURES = ("recency", "frequency", "monetary")
_SCORES = ("r_score", "f_score", "m_score")

#: Segments from recency and frequency scores (1..5); monetary is left out because it moves
#: with frequency. Each segment maps a score letter (``"r"``, ``"f"``, ``"m"``) to an inclusive
#: ``(low, high)`` range or a single score; a letter left out matches every score. The rules
#: cover each of the 125 cells exactly once. Copy it, edit it and pass it to :func:`segment`.
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

    records = _Records(tx[customer], tx[invoice], ticks, money)
    n_missing = records.lines(records.group == 0)
    if n_missing:
        warnings.warn(
            f"tx: {n_missing} row(s) with no {customer!r} are left out",
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
        shown = _preview(customers[~bought[1:]][:5].tolist())
        warnings.warn(
            f"tx: {n_silent} customer(s) with no purchase line (only cancellations, returns "
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
    index = pd.Index(customers[bought[1:]] if n_silent else customers, name=customer)
    out = pd.DataFrame(
        {"recency": recency, "frequency": frequency[bought], "monetary": monetary[bought]},
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


def _quantile_bins(values: np.ndarray, order: np.ndarray, bins: int) -> np.ndarray:
    """Quantile bin 1..bins of each value, ties broken by position in ``order``.

    Ranks are 1..n in the order (value, then ``order``); rank r goes to bin
    ceil((r - 1) * bins / (n - 1)) (at least 1), which is what
    ``pd.qcut(ranks, bins)`` does, in exact integer arithmetic.
    """
    n = len(values)
    if n == 1:
        return np.array([(bins + 1) // 2])
    sorted_pos = order[np.argsort(values[order], kind="stable")]
    rank0 = np.empty(n, dtype=np.int64)
    rank0[sorted_pos] = np.arange(n)
    return np.maximum(1, -((-rank0 * bins) // (n - 1)))


def _cell_labels(r: np.ndarray, f: np.ndarray, m: np.ndarray, bins: int) -> np.ndarray:
    """Cell names: "545" for up to 9 bins, "10-4-5" beyond (digits would be ambiguous)."""
    if bins <= 9:
        return (r * 100 + f * 10 + m).astype(str)
    label = r.astype(str)
    for part in (f, m):
        label = np.char.add(np.char.add(label, "-"), part.astype(str))
    return label


def score(summary: pd.DataFrame, bins: int = 5) -> pd.DataFrame:
    """Add quantile scores 1..``bins`` for recency, frequency and monetary (higher is better).

    Each measure is ranked with ties broken deterministically: by the value, then by the
    customer id (the index), as ``rank(method="first")`` does on a frame sorted by customer.
    Rank r of n goes to score ceil((r - 1) * bins / (n - 1)) (at least 1), the bins of
    ``pd.qcut(ranks, bins)``, so every score holds n / bins customers (+-1) even when a
    measure has fewer distinct values than ``bins``; customers with equal values may then
    get neighbouring scores. Low recency (a recent purchase) gives a high ``r_score``.
    A single customer gets the middle score on all three measures.

    Parameters
    ----------
    summary : DataFrame
        The output of :func:`summarize` (columns ``recency``, ``frequency``, ``monetary``,
        indexed by unique customer ids); it is not modified.
    bins : int, default 5
        Number of scores per measure, at least 2 (5 gives quintiles, "RFM 555").

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
    """
    require_frame(summary, "summary")
    require_columns(summary, _MEASURES, "summary")
    bins = require_positive_int(bins, "bins", minimum=2)
    if not summary.index.is_unique:
        dup = summary.index[summary.index.duplicated()].unique()
        raise ValueError(f"summary: expected one row per customer, repeated: {_preview(dup)}")
    order = np.asarray(summary.index.argsort(), dtype=np.intp)
    scores = {}
    for measure, name in zip(_MEASURES, _SCORES, strict=True):
        values = as_numeric(summary[measure], measure).to_numpy(np.float64)
        if np.isnan(values).any():
            raise ValueError(f"column {measure!r}: expected no missing values, found some")
        scores[name] = _quantile_bins(values, order, bins)
    scores["r_score"] = bins + 1 - scores["r_score"]
    out = summary.copy()
    for name in _SCORES:
        out[name] = scores[name]
    out["rfm_cell"] = _cell_labels(*(scores[name] for name in _SCORES), bins)
    out["rfm_score"] = scores["r_score"] + scores["f_score"] + scores["m_score"]
    return out


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
        problems.append(f"{len(cells)} cell(s) in no segment: {_preview(cells.tolist(), 12)}")
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
                f"column {name!r}: expected scores 1..{bins}, found {_preview(bad.tolist())}"
            )
        at.append(values - 1)
    out = scored.copy()
    out["segment"] = pd.Categorical.from_codes(table[tuple(at)], categories=names)
    return out


def cell_response(scored: pd.DataFrame, responded: pd.Series | str) -> pd.DataFrame:
    """Response rate, count and index by RFM cell, best cells first.

    Parameters
    ----------
    scored : DataFrame
        The output of :func:`score` (needs ``rfm_cell``), indexed by customer.
    responded : Series or str
        Whether each customer responded (bool, or 0/1), indexed by the same customers as
        ``scored`` in any order; or the name of such a column of ``scored``.

    Returns
    -------
    DataFrame
        Indexed by ``rfm_cell``, sorted by response rate (highest first; ties by cell), with
        ``customers``, ``responders``, ``response_rate`` (responders / customers) and
        ``response_index`` (the cell's rate / the overall rate x 100; 100 is average, and it
        is NaN when nobody responded).

    Examples
    --------
    >>> scored = pd.DataFrame({"rfm_cell": ["555", "555", "111", "111"]}, index=[1, 2, 3, 4])
    >>> cell_response(scored, pd.Series([True, True, False, True], index=[1, 2, 3, 4]))  # doctest: +NORMALIZE_WHITESPACE
              customers  responders  response_rate  response_index
    rfm_cell
    555               2           2            1.0      133.333333
    111               2           1            0.5       66.666667
    """
    require_frame(scored, "scored")
    require_columns(scored, ["rfm_cell"], "scored")
    if isinstance(responded, str):
        require_columns(scored, [responded], "scored")
        flags = scored[responded]
        name = f"column {responded!r}"
    elif isinstance(responded, pd.Series):
        name = "responded"
        if not responded.index.is_unique:
            dup = responded.index[responded.index.duplicated()].unique()
            raise ValueError(
                f"responded: expected one value per customer, repeated: {_preview(dup)}"
            )
        if not responded.index.equals(scored.index):
            missing = scored.index.difference(responded.index)
            extra = responded.index.difference(scored.index)
            if len(missing) or len(extra):
                raise ValueError(
                    "responded: expected the same customers as scored's index; "
                    f"{len(missing)} in scored are missing from responded ({_preview(missing)}), "
                    f"{len(extra)} in responded are not in scored ({_preview(extra)})"
                )
        flags = responded.reindex(scored.index)
    else:
        raise TypeError(
            f"responded: expected a boolean Series or a column name, got {type(responded).__name__}"
        )
    if flags.isna().any():
        raise ValueError(f"{name}: expected True/False for every customer, found missing values")
    if not pd.api.types.is_bool_dtype(flags):
        ok = pd.api.types.is_numeric_dtype(flags) and flags.isin([0, 1]).all()
        if not ok:
            raise TypeError(f"{name}: expected booleans or 0/1, got {flags.dtype} values")
    hit = flags.to_numpy(np.int64)
    cells = pd.DataFrame({"rfm_cell": scored["rfm_cell"].to_numpy(), "hit": hit})
    out = cells.groupby("rfm_cell", sort=True).agg(
        customers=("hit", "size"), responders=("hit", "sum")
    )
    out["response_rate"] = out["responders"] / out["customers"]
    overall = hit.mean()
    out["response_index"] = out["response_rate"] / overall * 100 if overall > 0 else np.nan
    return out.sort_values("response_rate", ascending=False, kind="stable")
