"""Tests for crmlib.value.concentration: the share of value held by the top customers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib.value import concentration


def test_concentration_by_hand():
    values = [5, 50, 0, 10, 20, 5, 10, 0, 0, 0]
    assert concentration(values, top=0.1) == pytest.approx(0.5)
    assert concentration(values, top=0.2) == pytest.approx(0.7)
    assert concentration(values, top=1.0) == pytest.approx(1.0)
    assert concentration(pd.Series(values, index=list("abcdefghij")), 0.3) == pytest.approx(0.8)


def test_concentration_rises_with_top_and_counts_losses():
    rng = np.random.default_rng(0)
    profit = rng.lognormal(0, 1.5, 1000) - 0.3
    shares = [concentration(profit, t) for t in (0.05, 0.1, 0.2, 0.5, 1.0)]
    assert shares == sorted(shares)
    # with loss-makers in the total, the profitable customers hold more than all of it
    n_profitable = int((profit > 0).sum())
    assert concentration(profit, n_profitable / len(profit)) > 1


def test_concentration_rounds_the_top_group_and_keeps_at_least_one():
    values = np.arange(1, 11, dtype=float)  # total 55
    assert concentration(values, top=0.26) == pytest.approx((10 + 9 + 8) / 55)  # round(2.6) = 3
    assert concentration(values, top=0.01) == pytest.approx(10 / 55)  # at least one customer


@pytest.mark.parametrize(
    "values, top, error, match",
    [
        ([1, 2], 0.0, ValueError, r"top: expected a fraction in \(0, 1\]"),
        ([1, 2], 1.5, ValueError, r"top: expected a fraction in \(0, 1\]"),
        ([], 0.1, ValueError, "values: expected a non-empty 1-D list"),
        (
            [1, np.nan],
            0.5,
            ValueError,
            "values: expected a value for every customer, got 1 missing",
        ),
        ([1, -1], 0.5, ValueError, "values: expected a positive total"),
        (["a", "b"], 0.5, TypeError, "values: expected numbers"),
    ],
)
def test_concentration_refuses_bad_input(values, top, error, match):
    with pytest.raises(error, match=match):
        concentration(values, top)
