"""crmlib.control: p-chart limits reproduce Montgomery's Example 7.1; bad inputs are named."""

import numpy as np
import pandas as pd
import pytest

from crmlib import control

# Montgomery (2009), Introduction to Statistical Quality Control, 6th ed., Example 7.1:
# 30 samples of 50 frozen orange juice cans, the number of nonconforming cans in each.
# Published: p-bar = 0.2313, UCL = 0.4102, LCL = 0.0524; samples 15 and 23 above the UCL.
ORANGE_JUICE = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
                8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]  # fmt: skip


def test_p_chart_reproduces_montgomery_example_7_1():
    chart = control.p_chart(ORANGE_JUICE, [50] * 30)
    assert chart["centre"].iloc[0] == pytest.approx(0.2313, abs=5e-5)
    assert chart["ucl"].iloc[0] == pytest.approx(0.4102, abs=5e-5)
    assert chart["lcl"].iloc[0] == pytest.approx(0.0524, abs=5e-5)
    assert (np.flatnonzero(chart["above"]) + 1).tolist() == [15, 23]
    assert not chart["below"].any()


def test_baseline_sets_the_centre_and_later_samples_are_judged_against_it():
    events = pd.Series([10, 10, 10, 30], index=list("abcd"))
    chart = control.p_chart(events, pd.Series(100, index=list("abcd")),
                            baseline=[True, True, True, False])  # fmt: skip
    assert chart["centre"].iloc[0] == pytest.approx(0.1)
    assert chart["above"].tolist() == [False, False, False, True]
    whole = control.p_chart(events, pd.Series(100, index=list("abcd")))
    assert whole["centre"].iloc[0] == pytest.approx(0.15)


def test_limits_widen_for_small_samples_and_stay_within_0_1():
    low, high = control.control_limits(0.5, [4, 100, 10_000])
    assert (np.diff(high) < 0).all() and (np.diff(low) > 0).all()
    assert low[0] == 0.0 and high[0] == 1.0  # 0.5 +- 3 * 0.25 is clipped
    low, high = control.control_limits(0.3, 50, sigmas=2)
    assert high - 0.3 == pytest.approx(2 * np.sqrt(0.3 * 0.7 / 50))


def test_series_are_paired_by_index():
    events = pd.Series([5, 40], index=["w1", "w2"])
    totals = pd.Series([50, 100], index=["w2", "w1"])
    chart = control.p_chart(events, totals)
    assert chart.loc["w1", "n"] == 100 and chart.loc["w2", "p"] == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"events": [5, 60], "totals": [50, 50]}, ValueError, "events.*swapped"),
        ({"events": [5, 6], "totals": [50, 0]}, ValueError, "totals: expected at least 1"),
        ({"events": [5, 6], "totals": [50]}, ValueError, "same length"),
        ({"events": [5, -1], "totals": [50, 50]}, ValueError, "events: expected whole"),
        ({"events": [5, 1.5], "totals": [50, 50]}, ValueError, "events: expected whole"),
        ({"events": [5, 6], "totals": [50, 50], "baseline": [1, 0]}, ValueError, "baseline"),
        ({"events": [5, 6], "totals": [50, 50], "baseline": [False, False]}, ValueError,
         "baseline: expected at least one True"),
        ({"events": [5, 6], "totals": [50, 50], "sigmas": 0}, ValueError, "sigmas"),
        ({"events": [5, 6], "totals": [50, 50], "sigmas": "3"}, TypeError, "sigmas"),
        ({"events": [], "totals": []}, ValueError, "totals: expected at least one"),
    ],
)  # fmt: skip
def test_p_chart_refuses_bad_inputs_naming_them(kwargs, error, match):
    with pytest.raises(error, match=match):
        control.p_chart(**kwargs)


def test_control_limits_refuse_a_percentage_and_empty_samples():
    with pytest.raises(ValueError, match="centre: .*percentage"):
        control.control_limits(23.1, 50)
    with pytest.raises(ValueError, match="n: expected at least 1"):
        control.control_limits(0.2, [50, 0])


def test_plot_p_chart_marks_the_signals_and_refuses_other_frames():
    chart = control.p_chart(ORANGE_JUICE, [50] * 30)
    ax = control.plot_p_chart(chart)
    assert len(ax.collections[0].get_offsets()) == 2  # samples 15 and 23
    with pytest.raises(ValueError, match="chart: expected the columns"):
        control.plot_p_chart(pd.DataFrame({"p": [0.1]}))
