"""crmlib.intervals: Wilson's interval against published values and SciPy's own."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binomtest

from crmlib.intervals import wilson

# Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I,
# method 3 (score interval without continuity correction), 95 %.
NEWCOMBE_TABLE_I = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("k", "n", "low", "high"), NEWCOMBE_TABLE_I)
def test_wilson_reproduces_newcombes_table(k, n, low, high):
    assert [round(x, 4) for x in wilson(k, n)] == [low, high]


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.sampled_from([0.8, 0.9, 0.95, 0.99]))  # fmt: skip
def test_wilson_equals_scipys_and_stays_in_bounds(counts, confidence):
    k, n = counts
    low, high = wilson(k, n, confidence=confidence)
    ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    assert low == pytest.approx(ci.low, abs=1e-12) and high == pytest.approx(ci.high, abs=1e-12)
    assert 0.0 <= low <= k / n <= high <= 1.0
    assert (low == 0.0) == (k == 0) and (high == 1.0) == (k == n)


def test_wilson_takes_arrays_and_gives_nan_for_empty_groups():
    low, high = wilson(np.array([0, 3, 0]), np.array([10, 3, 0]))
    assert low[:2].tolist() == [0.0, pytest.approx(0.4385, abs=1e-4)]
    assert high[:2].tolist() == [pytest.approx(0.2775, abs=1e-4), 1.0]
    assert np.isnan(low[2]) and np.isnan(high[2])
