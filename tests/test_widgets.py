"""The CLV calculator: its schedule adds up to value.clv, its figure states the numbers,
and its sliders feed the report function."""

import doctest
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crm_workbook import widgets  # noqa: E402
from crmlib import value  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_doctests_pass():
    with korean_font():  # some examples draw in Korean
        assert doctest.testmod(widgets).failed == 0


def reference_schedule(margin, retention, discount_rate, horizon, timing):
    """The period-by-period sum written out as a loop, independently of value.clv."""
    rows, total = [], 0.0
    for t in range(1, horizon + 1):
        k = t if timing == "end" else t - 1
        pv = margin * retention**k / (1 + discount_rate) ** k
        total += pv
        rows.append((retention**k, pv, total))
    return np.array(rows)


@pytest.mark.parametrize("timing", ["end", "start"])
@pytest.mark.parametrize(
    "margin, retention, discount_rate, horizon",
    [(100, 0.8, 0.1, 10), (25.5, 0.95, 0.01, 36), (-40, 0.5, 0.0, 3), (10, 0.0, 0.2, 1)],
)
def test_schedule_matches_the_sum_and_value_clv(margin, retention, discount_rate, horizon, timing):
    out = widgets.clv_schedule(margin, retention, discount_rate, horizon, timing=timing)
    assert list(out.columns) == ["still_customer", "present_value", "clv_to_date"]
    assert out.index.name == "period" and out.index.tolist() == list(range(1, horizon + 1))
    np.testing.assert_allclose(
        out.to_numpy(), reference_schedule(margin, retention, discount_rate, horizon, timing)
    )
    assert out["clv_to_date"].iloc[-1] == pytest.approx(
        value.clv(margin, retention, discount_rate, horizon=horizon, timing=timing)
    )


def test_schedule_approaches_the_infinite_horizon_clv():
    long = widgets.clv_schedule(100, 0.8, 0.1, 200)
    assert long["clv_to_date"].iloc[-1] == pytest.approx(100 * 0.8 / (1 + 0.1 - 0.8))
    assert (long["present_value"].diff().dropna() < 0).all(), "later margins are worth less"


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"horizon": 0}, ValueError, r"horizon: expected a whole number >= 1, got 0"),
        ({"horizon": 2.5}, TypeError, r"horizon: expected a whole number >= 1, got 2.5"),
        ({"horizon": True}, TypeError, r"horizon: expected a whole number >= 1, got True"),
        ({"retention": 1.0}, ValueError, r"retention: expected numbers >= 0 and < 1, got 1.0"),
        ({"retention": "high"}, TypeError, r"retention: expected numbers"),
        (
            {"discount_rate": -0.1},
            ValueError,
            r"discount_rate: expected numbers >= 0 and <= 1, got -0.1",
        ),
        ({"margin": [100, 200]}, ValueError, r"margin: expected one number, got \[100, 200\]"),
        ({"timing": "middle"}, ValueError, r"timing: expected one of \('end', 'start'\)"),
    ],
)
def test_schedule_refuses_bad_input(kwargs, error, match):
    args = {"margin": 100.0, "retention": 0.8, "discount_rate": 0.1, "horizon": 5, **kwargs}
    with pytest.raises(error, match=match):
        widgets.clv_schedule(**args)


def test_plot_states_the_computed_numbers():
    schedule = widgets.clv_schedule(50, 0.9, 0.05, 20)
    ax = widgets.plot_clv_schedule(schedule, lifetime=value.clv(50, 0.9, 0.05))
    total, lifetime = schedule["clv_to_date"].iloc[-1], 50 * 0.9 / 0.15
    assert ax.get_title() == (
        f"CLV over 20 periods: {total:,.0f}, {total / lifetime:.0%} of the {lifetime:,.0f} "
        "a customer is worth in all"
    )
    assert ax.get_xlabel() == "period" and "value per customer" in ax.get_ylabel()
    assert len(ax.patches) == 20, "one bar per period"
    plain = widgets.plot_clv_schedule(schedule)
    assert plain.get_title() == f"CLV over 20 periods: {total:,.0f}"
    fig, own = plt.subplots()
    assert widgets.plot_clv_schedule(schedule, ax=own) is own


@pytest.mark.parametrize(
    "frame, match",
    [
        (pd.DataFrame({"clv_to_date": [1.0]}), r"columns \['present_value', 'clv_to_date'\]"),
        (pd.DataFrame({"present_value": [], "clv_to_date": []}), "got 0 rows"),
    ],
)
def test_plot_refuses_a_frame_that_is_not_a_schedule(frame, match):
    with pytest.raises(ValueError, match=match):
        widgets.plot_clv_schedule(frame)


def test_report_draws_one_figure_and_returns_the_rounded_schedule():
    before = len(plt.get_fignums())
    table = widgets.clv_report(120.0, 0.75, 0.08, 6)
    assert len(plt.get_fignums()) == before + 1
    expected = widgets.clv_schedule(120.0, 0.75, 0.08, 6).round(2)
    pd.testing.assert_frame_equal(table, expected)
    title = plt.gcf().axes[0].get_title()
    assert f"{expected['clv_to_date'].iloc[-1]:,.0f}" in title
    assert f"{value.clv(120.0, 0.75, 0.08):,.0f}" in title


def test_calculator_sliders_feed_the_report(monkeypatch, capsys):
    calls = []

    def fake_parts(**values):
        calls.append(values)
        fig, _ = plt.subplots()
        return fig, pd.DataFrame({"calls": [len(calls)]})

    monkeypatch.setattr(widgets, "_clv_parts", fake_parts)
    ui = widgets.clv_calculator(margin=60.0, retention=0.7, discount_rate=0.05, horizon=8)
    sliders = {s.description: s for column in ui.children[0].children for s in column.children}
    words = {"unit": None, "lang": "en"}
    assert calls == [
        {"margin": 60.0, "retention": 0.7, "discount_rate": 0.05, "horizon": 8, **words}
    ]
    assert "calls" in capsys.readouterr().out, "the table is displayed"
    sliders["retention"].value = 0.9
    sliders["horizon"].value = 12
    assert calls[-1] == {"margin": 60.0, "retention": 0.9, "discount_rate": 0.05, "horizon": 12,
                         **words}  # fmt: skip
    assert (sliders["retention"].min, sliders["retention"].max) == (0.0, 0.99)
    assert sliders["horizon"].min == 1 and sliders["discount rate"].min == 0.0


def test_a_value_echoed_with_a_rounding_difference_draws_nothing(monkeypatch):
    """The browser echoes a slider at 0.8 back as 0.8000000000000002 (issue 14): the first
    chart must stay, not be redrawn while the cell is still finishing."""
    calls = []
    real = widgets._clv_parts
    monkeypatch.setattr(widgets, "_clv_parts", lambda **v: (calls.append(v), real(**v))[1])
    ui = widgets.clv_calculator(retention=0.8)
    ui.controls["retention"].value = 0.8000000000000002
    ui.controls["margin"].value = 100.0
    assert len(calls) == 1
    ui.controls["retention"].value = 0.81
    assert len(calls) == 2 and calls[-1]["retention"] == 0.81
    assert len(plt.get_fignums()) == 0, "the explorer closes the figures it draws"


def test_calculator_output_is_what_the_library_computes(capsys):
    ui = widgets.clv_calculator(margin=100.0, retention=0.8, discount_rate=0.1, horizon=10)
    ui.controls["retention"].value = 0.9
    expected = widgets.clv_schedule(100.0, 0.9, 0.1, 10).round(2)
    pd.testing.assert_frame_equal(ui._table, expected)
    assert ui._png.startswith(b"\x89PNG"), "the figure is sent as a PNG image"


def test_calculator_reads_as_text_and_as_a_figure_where_widgets_do_not_render(capsys):
    ui = widgets.clv_calculator()
    capsys.readouterr()
    bundle = ui._repr_mimebundle_()
    assert bundle["text/plain"].startswith("CLV calculator: sliders for margin, retention")
    assert "application/vnd.jupyter.widget-view+json" in bundle
    page = bundle["text/html"]
    assert '<img alt="CLV calculator' in page and "data:image/png;base64," in page
    assert "retention <b>0.8</b>" in page and "horizon <b>10</b>" in page
    last = widgets.clv_schedule(100.0, 0.8, 0.1, 10)["clv_to_date"].iloc[-1]
    assert f"{last:.2f}" in page, "the table is in the static form"
    assert "Loading widget" not in page


# The RFM segment explorer (chapter 05).

from crmlib import rfm  # noqa: E402


@pytest.fixture
def segmented():
    rng = np.random.default_rng(5)
    n = 400
    summary = pd.DataFrame(
        {
            "recency": rng.integers(1, 365, n),
            "frequency": rng.geometric(0.3, n),
            "monetary": rng.gamma(2.0, 150.0, n).round(2),
        },
        index=pd.Index(np.arange(1000, 1000 + n), name="customer_id"),
    )
    return rfm.name_segments(rfm.score(summary))


def test_rfm_profile_matches_a_direct_selection(segmented):
    before = segmented.copy()
    out = widgets.rfm_profile(segmented, "Loyal", m=(4, 5))
    pd.testing.assert_frame_equal(segmented, before)  # the input is not modified
    chosen = segmented[(segmented["segment"] == "Loyal") & (segmented["m_score"] >= 4)]
    assert 0 < len(chosen) < len(segmented)
    assert out.index.tolist() == ["Loyal, M 4-5", "All customers"]
    sel, base = out.iloc[0], out.iloc[1]
    assert out["customers"].tolist() == [len(chosen), len(segmented)]
    assert sel["share_of_customers"] == pytest.approx(len(chosen) / len(segmented))
    assert sel["revenue"] == pytest.approx(chosen["monetary"].sum())
    assert sel["share_of_revenue"] == pytest.approx(
        chosen["monetary"].sum() / segmented["monetary"].sum()
    )
    assert sel["recency_days"] == chosen["recency"].median()
    assert sel["frequency"] == chosen["frequency"].median()
    assert base["share_of_customers"] == base["share_of_revenue"] == 1.0
    assert base["monetary"] == pytest.approx(segmented["monetary"].median())


def test_rfm_profile_ranges_combine_and_name_the_selection(segmented):
    whole = widgets.rfm_profile(segmented, r=(1, 5), f=None)
    assert whole.index.tolist() == ["(all segments)", "All customers"], "two rows, as documented"
    assert whole["customers"].tolist() == [len(segmented)] * 2
    single = widgets.rfm_profile(segmented, r=5, f=(2, 4))
    assert single.index[0] == "R 5, F 2-4"
    expected = segmented["r_score"].eq(5) & segmented["f_score"].between(2, 4)
    assert single["customers"].iloc[0] == expected.sum()
    # Segments of the default scheme are boxes in R x F: Champions are R 5 and F 4-5.
    champions = widgets.rfm_profile(segmented, "Champions")
    box = widgets.rfm_profile(segmented, r=5, f=(4, 5))
    assert champions["customers"].iloc[0] == box["customers"].iloc[0]


def test_rfm_profile_of_an_empty_selection(segmented):
    out = widgets.rfm_profile(segmented, "Lost", r=5)
    assert out["customers"].iloc[0] == 0 and out["revenue"].iloc[0] == 0.0
    assert out[["recency_days", "frequency", "monetary"]].iloc[0].isna().all()
    ax = widgets.plot_rfm_selection(segmented, "Lost", r=5)
    assert ax.get_title() == "Lost, R 5: no customers"


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"segment": "Best"}, ValueError, r"segment: expected one of 'Champions', .*got 'Best'"),
        ({"r": (0, 3)}, ValueError, r"r: expected a score or a \(low, high\) pair .* got \(0, 3\)"),
        ({"f": (4, 2)}, ValueError, r"f: expected .*1 <= low <= high <= 5, got \(4, 2\)"),
        ({"m": 6}, ValueError, r"m: expected .* got 6"),
        ({"m": True}, ValueError, r"m: expected .* got True"),
        ({"r": "high"}, ValueError, r"r: expected .* got 'high'"),
        ({"r": (1.0, 2)}, ValueError, r"r: expected .* got \(1.0, 2\)"),
        ({"bins": 1}, ValueError, r"bins: expected a whole number >= 2, got 1"),
    ],
)
def test_rfm_profile_refuses_bad_selections(segmented, kwargs, error, match):
    with pytest.raises(error, match=match):
        widgets.rfm_profile(segmented, **kwargs)


def test_rfm_profile_refuses_a_frame_that_is_not_scored(segmented):
    with pytest.raises(TypeError, match=r"segmented: expected a pandas DataFrame, got list"):
        widgets.rfm_profile([1, 2])
    with pytest.raises(KeyError, match=r"segmented: missing column\(s\) 'm_score'"):
        widgets.rfm_profile(segmented.drop(columns="m_score"))
    with pytest.raises(KeyError, match=r"segmented: missing column\(s\) 'segment'"):
        widgets.rfm_profile(segmented.drop(columns="segment"), "Champions")
    with pytest.raises(ValueError, match=r"segmented: expected at least one row"):
        widgets.rfm_profile(segmented.iloc[:0])
    # Without a segment column, score ranges still work.
    out = widgets.rfm_profile(segmented.drop(columns="segment"), f=5)
    assert out["customers"].iloc[0] == segmented["f_score"].eq(5).sum()


def test_plot_rfm_selection_counts_the_selection_on_the_grid(segmented):
    ax = widgets.plot_rfm_selection(segmented, "At risk")
    chosen = segmented[segmented["segment"] == "At risk"]
    profile = widgets.rfm_profile(segmented, "At risk")
    assert ax.get_title() == (
        f"At risk: {profile['share_of_customers'].iloc[0]:.0%} of customers bring "
        f"{profile['share_of_revenue'].iloc[0]:.0%} of revenue"
    )
    labels = [int(t.get_text().replace(",", "")) for t in ax.texts]
    assert sum(labels) == len(chosen)
    assert len(labels) == chosen.groupby(["r_score", "f_score"]).ngroups
    assert "recency score" in ax.get_ylabel() and "frequency score" in ax.get_xlabel()
    fig, own = plt.subplots()
    assert widgets.plot_rfm_selection(segmented, ax=own) is own


def test_rfm_report_draws_one_figure_and_returns_the_rounded_profile(segmented):
    before = len(plt.get_fignums())
    table = widgets.rfm_report(segmented, "Champions", m=(3, 5))
    assert len(plt.get_fignums()) == before + 1
    profile = widgets.rfm_profile(segmented, "Champions", m=(3, 5))
    assert table["customers"].tolist() == profile["customers"].tolist()
    assert table["share_of_revenue"].iloc[0] == round(profile["share_of_revenue"].iloc[0], 3)
    assert table["revenue"].dtype == "int64"
    assert table["revenue"].tolist() == profile["revenue"].round().astype(int).tolist()


def test_rfm_explorer_controls_feed_the_report(segmented, monkeypatch, capsys):
    calls = []

    def fake_parts(frame, segment, **ranges):
        calls.append((frame is segmented, segment, ranges))
        fig, _ = plt.subplots()
        return fig, pd.DataFrame({"calls": [len(calls)]})

    monkeypatch.setattr(widgets, "_rfm_parts", fake_parts)
    ui = widgets.rfm_explorer(segmented, "Loyal", m=(2, 5))
    menu, sliders = ui.children[0].children
    r, f, m = sliders.children
    full, words = (1, 5), {"unit": None, "lang": "en"}
    assert calls == [(True, "Loyal", {"r": full, "f": full, "m": (2, 5), "bins": 5, **words})]
    assert "calls" in capsys.readouterr().out, "the profile is displayed"
    assert menu.options[0] == "(all segments)" and menu.description == "segment"
    assert list(menu.options[1:]) == list(segmented["segment"].cat.categories)
    menu.value = "(all segments)"
    r.value = (4, 5)
    assert calls[-1] == (True, None, {"r": (4, 5), "f": full, "m": (2, 5), "bins": 5, **words})
    assert (f.min, f.max) == (1, 5)
    with pytest.raises(ValueError, match=r"segment: expected one of"):
        widgets.rfm_explorer(segmented, "Best")


def test_rfm_explorer_with_every_segment_shows_its_label_and_two_rows(segmented, capsys):
    ui = widgets.rfm_explorer(segmented)
    menu = ui.children[0].children[0]
    assert menu.value == menu.label == "(all segments)", "the menu is not blank"
    assert ui._table.index.tolist() == ["(all segments)", "All customers"]
    assert ui._table["customers"].tolist() == [len(segmented)] * 2
    menu.value = "Champions"
    expected = widgets.rfm_profile(segmented, "Champions")
    assert ui._table["customers"].tolist() == expected["customers"].tolist()
    assert "segment <b>Champions</b>" in ui.static_html()


def test_rfm_explorer_reads_as_text_where_widgets_do_not_render(segmented, capsys):
    ui = widgets.rfm_explorer(segmented)
    capsys.readouterr()
    bundle = ui._repr_mimebundle_()
    assert bundle["text/plain"].startswith("RFM segment explorer: a segment menu")
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "data:image/png;base64," in bundle["text/html"]


# The association-rule explorer (beer-and-diapers case).

from crmlib import basket, campaign  # noqa: E402


@pytest.fixture
def baskets():
    rng = np.random.default_rng(3)
    items = ["beer", "diapers", "milk", "bread", "chips", "wipes"]
    out = []
    for _ in range(600):
        chosen = [i for i in items if rng.random() < 0.3]
        if "diapers" in chosen and rng.random() < 0.5:
            chosen.append("beer")
        out.append(sorted(set(chosen)) or ["milk"])
    return out


def fresh_rules(baskets, min_support, min_confidence, min_lift=0.0):
    """The rules between two items at these thresholds, mined from scratch by crmlib."""
    with warnings.catch_warnings():  # a support no item reaches gives no rule, as it should
        warnings.filterwarnings("ignore", "min_support=.*: no item reaches it", UserWarning)
        itemsets = basket.frequent_itemsets(baskets, min_support, max_len=2)
    rules = basket.association_rules(itemsets, "confidence", min_confidence)
    return rules[rules["lift"] >= min_lift]


@pytest.mark.parametrize(
    ("min_support", "min_confidence", "min_lift"),
    [(0.05, 0.0, 0.0), (0.09, 0.3, 1.0), (0.15, 0.45, 1.2), (0.3, 0.0, 0.0), (0.6, 0.0, 0.0)],
)
def test_rules_mined_once_and_filtered_are_the_rules_mined_at_the_threshold(
    baskets, min_support, min_confidence, min_lift
):
    mined = widgets.pair_rules(baskets, 0.01)
    got = widgets.filter_rules(
        mined, min_support=min_support, min_confidence=min_confidence, min_lift=min_lift
    )
    want = fresh_rules(baskets, min_support, min_confidence, min_lift)
    columns = ["support", "confidence", "lift"]
    assert sorted(got["rule"]) == sorted(want["rule"])
    pd.testing.assert_frame_equal(
        got.set_index("rule")[columns].sort_index(), want.set_index("rule")[columns].sort_index()
    )
    ordered = got[["lift", "support"]].to_numpy()
    assert all(tuple(-ordered[i]) <= tuple(-ordered[i + 1]) for i in range(len(ordered) - 1))


def test_filter_rules_names_a_bad_threshold(baskets):
    mined = widgets.pair_rules(baskets, 0.05)
    with pytest.raises(ValueError, match="min_confidence"):
        widgets.filter_rules(mined, min_confidence=20)
    with pytest.raises(ValueError, match="min_lift: expected a number >= 0, got -1"):
        widgets.filter_rules(mined, min_lift=-1)


def test_rules_report_shows_the_rules_and_the_whatif_of_the_library(baskets, capsys):
    reached = baskets[:300]
    table = widgets.rules_report(
        baskets, "diapers", "beer", min_support=0.05, min_confidence=0.3, take_up=0.2,
        margin=2.0, price_discount=0.1, bundle_price=10.0, fixed_cost=1.0, periods=4,
        reached=reached, where="the first 300 baskets", unit="EUR per week",
    )  # fmt: skip
    rules = fresh_rules(baskets, 0.05, 0.3)
    assert 0 < len(table) <= 10
    assert set(table.index) <= set(rules["rule"])
    top = rules.sort_values("lift", ascending=False, kind="stable").iloc[0]
    assert table["lift"].iloc[0] == pytest.approx(top["lift"], abs=5e-4)
    whatif = basket.cross_sell_whatif(reached, "diapers", "beer", take_up=0.2, margin=2.0,
                                      price_discount=0.1, bundle_price=10.0, fixed_cost=1.0,
                                      periods=4).iloc[0]  # fmt: skip
    printed = capsys.readouterr().out
    assert f"net {whatif['net']:+,.2f} EUR per week" in printed
    before = whatif["both_before"] / whatif["antecedent_baskets"]
    # the what-if's confidence is over the reached baskets, and the line says so
    assert (
        "in the first 300 baskets: the confidence of diapers -> beer there goes from "
        f"{before:.1%} to {whatif['confidence_after']:.1%}"
    ) in printed
    # the count is of rules between two items, over all the baskets
    assert f"{len(rules):,} of the" in printed
    assert "mined rules between two items pass" in printed and "over all the baskets" in printed
    title = plt.gcf().axes[0].get_title()
    assert "diapers -> beer, bundle 10% off" in title and f"{whatif['net']:+,.2f}" in title
    plt.close("all")


def test_rules_report_shows_a_tiny_support_and_confidence_as_nonzero(capsys):
    # one basket of 6,000 holds the pair (support 0.017%, which 3 decimals would show as 0),
    # one of the 5,000 whisky baskets (confidence 0.02%, which ".1%" would show as 0.0%)
    baskets = [["whisky", "brandy"]] + [["whisky"]] * 4999 + [["milk"]] * 1000
    table = widgets.rules_report(
        baskets, "whisky", "brandy", min_support=0.0001, min_confidence=0.0, take_up=0.0
    )
    plt.close("all")
    assert table.loc["whisky -> brandy", "support"] == pytest.approx(1 / 6000, rel=0.05)
    printed = capsys.readouterr().out
    assert "goes from 0.02% to 0.02%" in printed and "0.0%" not in printed


def test_rules_explorer_filters_on_thresholds_and_recomputes_one_whatif(
    baskets, capsys, monkeypatch
):
    ui = widgets.rules_explorer(baskets, "diapers", "beer", min_support=0.05, margin=2.0,
                                bundle_price=10.0)  # fmt: skip
    assert ui.controls["min_support"].min == widgets.RULES_FLOOR
    want = fresh_rules(baskets, 0.08, 0.5, 1.1)
    calls = {"frequent_itemsets": 0, "cross_sell_whatif": 0}
    for name in calls:
        original = getattr(basket, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(basket, name, counted)
    before = ui._table
    ui.controls["min_confidence"].value = 0.5
    ui.controls["min_support"].value = 0.08
    ui.controls["min_lift"].value = 1.1
    assert calls == {"frequent_itemsets": 0, "cross_sell_whatif": 0}, "thresholds only filter"
    after = ui._table
    assert len(after) < len(before) and sorted(after.index) == sorted(want["rule"])
    ui.controls["take_up"].value = 0.3
    assert calls == {"frequent_itemsets": 0, "cross_sell_whatif": 1}, "one what-if, one rule"
    expected = basket.cross_sell_whatif(
        baskets, "diapers", "beer", take_up=0.3, margin=2.0, bundle_price=10.0
    ).iloc[0]
    assert f"net <b>{expected['net']:+,.2f}</b>" in ui._summary
    assert ui.controls["price_discount"].max == 0.5
    static = ui.static_html()
    assert "Rules between two items only" in static and "mined once" in static
    assert "min support <b>0.08</b>" in static and ">NaN<" not in static
    with pytest.raises(ValueError, match="take_up"):
        widgets.rules_explorer(baskets, "diapers", "beer", take_up=1.5)


# The campaign test-vs-control explorer (Bank of America case).


def test_pilot_table_has_the_groups_and_responders_asked_for():
    table = widgets.pilot_table(200, 0.155, 100, 0.05)
    counts = table.groupby("group", sort=True)["responded"].agg(["size", "sum"])
    assert counts.loc["treatment"].tolist() == [200, 31]
    assert counts.loc["control"].tolist() == [100, 5]
    with pytest.raises(ValueError, match=r"rate_control: expected a fraction in \[0, 1\], got 1.5"):
        widgets.pilot_table(10, 0.1, 10, 1.5)
    with pytest.raises(ValueError, match="n_treatment"):
        widgets.pilot_table(0, 0.1, 10, 0.1)


def test_pilot_report_is_the_library_result(capsys):
    table = widgets.pilot_report(1200, 0.12, 800, 0.07, value_per_response=300,
                                 cost_per_contact=10)  # fmt: skip
    test = campaign.uplift_test(144, 1200, 56, 800)
    shown = table["pilot"].map(float)  # numbers written as text, each in its own format
    assert shown["uplift"] == pytest.approx(test.uplift, abs=1e-4)
    assert shown["uplift_low"] == pytest.approx(test.uplift_low, abs=1e-4)
    profit = test.uplift * 1200 * 300 - 1200 * 10
    assert shown["incremental_profit"] == pytest.approx(profit, abs=0.01)
    assert table.loc["n_treatment", "pilot"] == "1200"
    assert table.loc["p_value", "pilot"] == f"{test.p_value:.4f}", "not 3.000e-04"
    title = plt.gcf().axes[0].get_title()
    assert f"profit {profit:,.0f}" in title
    plt.close("all")


def test_pilot_explorer_sliders_feed_the_report(capsys):
    ui = widgets.pilot_explorer(1000, 0.10, 1000, 0.06, value_per_response=400,
                                cost_per_contact=20)  # fmt: skip
    ui.controls["rate_treatment"].value = 0.14
    ui.controls["n_control"].value = 500
    test = campaign.uplift_test(140, 1000, 30, 500)
    assert float(ui._table.loc["uplift", "pilot"]) == pytest.approx(test.uplift, abs=1e-4)
    assert ui._table.loc["n_control", "pilot"] == "500"
    assert "treated rate <b>14.0%</b>" in ui.static_html()  # as the slider reads


@pytest.mark.parametrize(
    "start, shown",
    [
        ((1000, 0.7, 1000, 0.3), ["treated rate <b>70.0%</b>", "control rate <b>30.0%</b>"]),
        ((5, 0.5, 5, 0.2), ["treated <b>5</b>", "control <b>5</b>"]),
        ((8000, 0.95, 20, 1.0), ["treated <b>8000</b>", "control rate <b>100.0%</b>"]),
    ],
)
def test_pilot_explorer_starts_from_exactly_the_values_passed(capsys, start, shown):
    """Start values beyond the usual slider ranges widen the ranges; none is clamped."""
    ui = widgets.pilot_explorer(*start, value_per_response=5000, cost_per_contact=250)
    names = ["n_treatment", "rate_treatment", "n_control", "rate_control"]
    assert [ui.values()[n] for n in names] == list(start)
    assert ui.values()["value_per_response"] == 5000 and ui.values()["cost_per_contact"] == 250
    for name in names:
        control = ui.controls[name]
        assert control.min <= control.value <= control.max, name
    static = ui.static_html()
    for text in shown:
        assert text in static
    n_t, rate_t, n_c, rate_c = start
    r_t, r_c = round(rate_t * n_t), round(rate_c * n_c)  # whole customers: 2.5 of 5 -> 2
    expected = campaign.uplift_test(r_t, n_t, r_c, n_c)
    table = ui._table["pilot"]
    assert table["n_treatment"] == str(n_t) and table["n_control"] == str(n_c)
    assert float(table["rate_treatment"]) == pytest.approx(r_t / n_t, abs=1e-4)
    assert float(table["uplift_low"]) == pytest.approx(expected.uplift_low, abs=1e-4)
    plt.close("all")


def test_pilot_explorer_names_its_unit_and_the_rounding_of_responders(capsys):
    ui = widgets.pilot_explorer(750, 0.115, 750, 0.061, unit="thousand won")
    static = ui.static_html()
    assert "rounded to whole customers (rate × customers)" in static
    assert "in thousand won" in static and "Newcombe" in static
    widgets.pilot_report(750, 0.115, 750, 0.061, unit="thousand won")
    assert plt.gcf().axes[0].get_xlabel().endswith("(thousand won)")
    plt.close("all")
    with pytest.raises(ValueError, match=r"rate_treatment: expected a fraction in \[0, 1\]"):
        widgets.pilot_explorer(100, 1.2, 100, 0.1)


def test_a_runner_kernel_shows_the_static_form_and_opens_no_comm(tmp_path):
    """Runners (execute, build, case, make test) set HEADLESS: the kernel opens no widget
    comm (a runner's client can stall on them) and keeps the static form as the output."""
    import nbformat

    from crm_workbook import notebooks

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from crm_workbook.session import setup\nsetup()"),
        nbformat.v4.new_code_cell(
            "from crm_workbook.widgets import clv_calculator\nclv_calculator()"
        ),
    ]
    notebooks.execute(nb, tmp_path)  # its kernel_env sets HEADLESS
    outputs = nb.cells[1].outputs
    assert "widgets" not in nb.metadata, "no widget state: no comm was opened"
    assert [o.output_type for o in outputs] == ["execute_result"], "one output, no live draws"
    assert '<div class="workbook-widget">' in outputs[0].data["text/html"]
    assert "data:image/png;base64," in outputs[0].data["text/html"]


# The Korean edition: lang="ko" changes the words of every explorer, never its numbers.

import ast  # noqa: E402
import contextlib  # noqa: E402
import html  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

import ipywidgets  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
#: English that may stay in a Korean explorer: abbreviations, code names and units.
ALLOWED_ENGLISH = {"CLV", "RFM", "R", "F", "M", "p", "crmlib.campaign.evaluate_pilot",
                   "Newcombe"}  # fmt: skip
KO_BASKETS = (
    [["기저귀", "맥주"]] * 30 + [["기저귀"]] * 20 + [["맥주"]] * 25 + [["우유", "빵"]] * 25
)  # item names are data, shown as they are: Korean ones leave no English in the figure


@contextlib.contextmanager
def korean_font():
    """What setup(lang="ko") sets for figures, and any glyph the font lacks an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import koreanize_matplotlib  # noqa: F401

    with matplotlib.rc_context({"font.family": "NanumGothic", "axes.unicode_minus": False}):
        with warnings.catch_warnings():
            warnings.filterwarnings("error", "Glyph .* missing", UserWarning)
            yield


def english_words(texts):
    """Words in Latin letters that are not allowed to stay in a Korean explorer."""
    words = set()
    for text in texts:
        text = re.sub(r"<img [^>]*>", "", str(text))  # the figure, as base64
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))  # tags (classes, table markup)
        words |= set(re.findall(r"[A-Za-z][A-Za-z_.-]*[A-Za-z]|[A-Za-z]", text))
    return words - ALLOWED_ENGLISH


def figure_texts(figure):
    """Every text of a figure: titles, axis labels, legend entries, colour-bar labels."""
    out = []
    for ax in figure.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        if ax.get_legend() is not None:
            out += [t.get_text() for t in ax.get_legend().get_texts()]
    return [t for t in out if t]


def header_texts(table, rows=False):
    out = [*table.columns, table.columns.name, table.index.name, *(table.index if rows else [])]
    return [str(t) for t in out if t is not None]


def numbers(text):
    """The numbers a text states, in order of size (the order of words differs by language)."""
    return sorted(re.findall(r"[-+]?\d(?:[\d,]*\d)?(?:\.\d+)?%?", text))


def both(report, *args, rows=False, **kwargs):
    """The English and Korean table and figure of one report function."""
    out = {}
    for lang in ("en", "ko"):
        with korean_font():
            table = report(*args, **kwargs, lang=lang)
            figure = plt.gcf()
            figure.savefig(io.BytesIO(), format="png")  # every glyph drawn: none may be missing
        out[lang] = table, figure
    (en_table, en_figure), (ko_table, ko_figure) = out["en"], out["ko"]
    np.testing.assert_array_equal(en_table.to_numpy(), ko_table.to_numpy())
    assert en_table.shape == ko_table.shape
    assert numbers(en_figure.axes[0].get_title()) == numbers(ko_figure.axes[0].get_title())
    texts = figure_texts(ko_figure) + header_texts(ko_table, rows)
    assert english_words(texts) == set(), texts
    return en_table, ko_table, ko_figure


def test_a_korean_report_in_an_english_session_draws_hangul():
    """An analyst's session set up in English (default fonts): lang="ko" adds the Korean font
    as a fallback, so every glyph is drawn, and English figures keep their font."""
    with matplotlib.rc_context(matplotlib.rcParamsDefault):
        with warnings.catch_warnings():
            warnings.filterwarnings("error", "Glyph .* missing", UserWarning)
            widgets.clv_report(10.0, 0.8, 0.1, 10, unit="만원", lang="ko")
            plt.gcf().savefig(io.BytesIO(), format="png")
            plt.close("all")
        assert matplotlib.rcParams["font.family"][0] == "sans-serif"  # still first
        assert "NanumGothic" in matplotlib.rcParams["font.family"]


def test_clv_report_in_korean_has_the_same_numbers_and_no_english():
    en, ko, figure = both(widgets.clv_report, 10.0, 0.8, 0.1, 10, unit="만원")
    assert (
        list(ko.columns) == ["남아 있을 확률", "현재가치", "누적 CLV"] and ko.index.name == "기간"
    )
    ax = figure.axes[0]
    assert ax.get_ylabel() == "고객 1인당 가치 (만원)" and ax.get_xlabel() == "기간"
    total, lifetime = en["clv_to_date"].iloc[-1], value.clv(10.0, 0.8, 0.1)
    assert ax.get_title() == (
        f"10기간 동안의 CLV {total:,.2f}: 고객 한 명의 전체 가치 {lifetime:,.2f}의 "
        f"{total / lifetime:.0%}"
    )
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["누적 CLV", "무한 기간의 CLV", "그 기간 마진의 현재가치"]


def test_rfm_report_in_korean_names_the_segments_as_chapter_05_does(segmented):
    en, ko, figure = both(widgets.rfm_report, segmented, "At risk", m=(4, 5), unit="파운드",
                          rows=True)  # fmt: skip
    assert ko.index.tolist() == ["이탈위험고객, M 4-5", "전체 고객"]
    assert list(ko.columns) == ["고객 수", "고객 비율", "매출 (파운드)", "매출 비율",
                                "최근성 중앙값 (일)", "구매빈도 중앙값", "구매액 중앙값 (파운드)"]  # fmt: skip
    shares = en.iloc[0]
    assert figure.axes[0].get_title() == (
        f"이탈위험고객, M 4-5: 고객의 {shares['share_of_customers']:.0%}가 "
        f"매출의 {shares['share_of_revenue']:.0%}를 낸다"
    )
    assert figure.axes[-1].get_ylabel() == "선택된 고객 수", "the colour bar"
    # the chapter's display name selects the same customers as the code's name
    with korean_font():
        by_korean = widgets.rfm_report(
            segmented, "이탈위험고객", m=(4, 5), unit="파운드", lang="ko"
        )
    pd.testing.assert_frame_equal(by_korean, ko)
    with pytest.raises(ValueError, match="segment: expected one of"):
        widgets.rfm_report(segmented, "이탈위험고객")  # Korean names in lang="ko" only
    empty = widgets.plot_rfm_selection(segmented, "Lost", r=5, lang="ko")
    assert empty.get_title() == "이탈고객, R 5: 해당 고객 없음"


def test_rules_report_in_korean_has_the_same_numbers_and_no_english(capsys):
    kwargs = {"min_support": 0.1, "min_confidence": 0.3, "take_up": 0.2, "margin": 2.0,
              "price_discount": 0.1, "bundle_price": 10.0, "top": 2}  # fmt: skip
    en, ko, figure = both(widgets.rules_report, KO_BASKETS, "기저귀", "맥주", **kwargs)
    assert list(ko.columns) == ["지지도", "신뢰도", "향상도"] and ko.columns.name == "규칙"
    english, korean = capsys.readouterr().out.strip().split("\n")
    assert numbers(english) == numbers(korean)
    assert english_words([korean]) == set(), korean
    assert "기준(지지도 ≥ 0.1, 신뢰도 ≥ 0.30, 향상도 ≥ 0.00)을 통과한다" in korean
    assert "순이익: " in korean and "기간당 금액" in korean
    assert "수락률 (기저귀만 담은 장바구니 가운데 맥주도 담는 비율)" == figure.axes[0].get_xlabel()


def test_pilot_report_in_korean_has_the_same_numbers_and_no_english():
    en, ko, figure = both(widgets.pilot_report, 800, 0.12, 800, 0.06, unit="만원",
                          confidence=0.9, rows=True)  # fmt: skip
    assert ko.columns.tolist() == ["시범 캠페인"]
    assert ko.index.tolist()[:5] == ["실험집단 (명)", "통제집단 (명)", "실험집단 반응률",
                                     "통제집단 반응률", "증분 반응률"]  # fmt: skip
    assert "증분 반응률 90% 하한" in ko.index and "증분 이익 (만원)" in ko.index
    assert figure.axes[0].get_xlabel() == "실험집단 고객 800명에게 접촉한 증분 이익 (만원)"


@pytest.mark.parametrize(
    "build, labels",
    [
        (lambda: widgets.clv_calculator(10.0, lang="ko", unit="만원"),
         ["마진 <b>10</b>", "고객유지율 <b>0.8</b>", "할인율 <b>0.1</b>", "기간 수 <b>10</b>"]),
        (lambda: widgets.pilot_explorer(lang="ko"),
         ["실험집단 <b>1000</b>", "실험집단 반응률 <b>10.0%</b>", "통제집단 <b>1000</b>",
          "반응 1건의 가치 <b>400</b>", "접촉 1건의 비용 <b>20</b>", "단위: 금액"]),
        (lambda: widgets.rules_explorer(KO_BASKETS, "기저귀", "맥주", min_support=0.1,
                                        lang="ko"),
         ["최소 지지도 <b>0.1</b>", "수락률 <b>10%</b>", "가격 할인 <b>0%</b>",
          "같은 장바구니에서 기저귀 → 맥주 규칙에 적용한다", "통과한다"]),
    ],
)  # fmt: skip
def test_explorers_in_korean_label_their_controls_and_static_form_in_korean(build, labels, capsys):
    with korean_font():
        ui = build()
    page = ui.static_html()
    assert "조작 장치는 실행 중인 노트북에서만 반응한다" in page and '<img alt="' in page
    for label in labels:
        assert label in page
    assert english_words([page]) == set()
    assert english_words([ui._repr_mimebundle_()["text/plain"]]) == set()
    assert english_words(c.description for c in ui.controls.values()) == set()
    assert ui.lang == "ko"


def test_rfm_explorer_in_korean_shows_korean_names_and_reports_the_frames(segmented, capsys):
    with korean_font():
        ui = widgets.rfm_explorer(segmented, "최우수 고객", lang="ko")
    menu = ui.controls["segment"]
    assert menu.value == "Champions" and menu.label == "최우수 고객"
    assert menu.options[0] == ("(모든 세그먼트)", widgets.ALL_SEGMENTS)
    names = list(segmented["segment"].cat.categories)
    assert [value for _, value in menu.options[1:]] == names
    assert [label for label, _ in menu.options[1:]] == [widgets.SEGMENTS_KO[n] for n in names]
    assert [c.description for c in ui.controls.values()] == [
        "세그먼트",
        "R 점수",
        "F 점수",
        "M 점수",
    ]
    page = ui.static_html()
    assert "세그먼트 <b>최우수 고객</b>" in page and "전체 고객" in page
    assert english_words([page]) == set()
    with korean_font():
        menu.value = "Lost"
    assert ui._table.index.tolist() == ["이탈고객", "전체 고객"]
    expected = widgets.rfm_profile(segmented, "Lost")
    assert ui._table["고객 수"].tolist() == expected["customers"].tolist()
    # a frame already named in Korean (as chapter 05 once did) works as it is
    named = segmented.assign(
        segment=segmented["segment"].cat.rename_categories(widgets.SEGMENTS_KO)
    )
    with korean_font():
        ui = widgets.rfm_explorer(named, "충성고객", lang="ko")
    assert ui.controls["segment"].value == ui.controls["segment"].label == "충성고객"


def test_korean_segment_names_are_those_of_the_scheme_and_of_chapter_05():
    assert list(widgets.SEGMENTS_KO) == list(rfm.DEFAULT_SCHEME)
    chapter = json.loads((ROOT / "ko/notebooks/05_rfm_share_of_customer.ipynb").read_text())
    for cell in chapter["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and source.startswith("segment_ko = {"):
            tree = ast.parse(source).body[0]
            assert ast.literal_eval(tree.value) == widgets.SEGMENTS_KO
            break
    else:
        raise AssertionError("ko/05 no longer defines segment_ko: compare SEGMENTS_KO with it")


def test_every_korean_text_has_the_fields_of_its_english():
    field = re.compile(r"{(\w*)}")
    for english, korean in widgets.KOREAN.items():
        assert set(field.findall(english)) == set(field.findall(korean)) or english in (
            "uplift_low", "uplift_high", "incremental_profit", "incremental_profit_low",
            "incremental_profit_high",
        ), english  # fmt: skip
        assert "\u2212" not in korean and re.search("[가-힣]", korean), english


@pytest.mark.parametrize(
    "call",
    [
        lambda lang: widgets.clv_report(lang=lang),
        lambda lang: widgets.clv_calculator(lang=lang),
        lambda lang: widgets.plot_clv_schedule(widgets.clv_schedule(1, 0.5, 0.1, 2), lang=lang),
        lambda lang: widgets.rfm_report(SCORED, lang=lang),
        lambda lang: widgets.rfm_explorer(SCORED, lang=lang),
        lambda lang: widgets.plot_rfm_selection(SCORED, lang=lang),
        lambda lang: widgets.rules_report(KO_BASKETS, "기저귀", "맥주", lang=lang),
        lambda lang: widgets.rules_explorer(KO_BASKETS, "기저귀", "맥주", lang=lang),
        lambda lang: widgets.pilot_report(lang=lang),
        lambda lang: widgets.pilot_explorer(lang=lang),
        lambda lang: widgets.Explorer({}, ipywidgets.HBox(), lambda: None, "x", lang=lang),
    ],
)
@pytest.mark.parametrize("lang", ["kr", "KO", None, "english"])
def test_a_language_other_than_en_or_ko_is_refused(call, lang):
    with pytest.raises(ValueError, match=rf"lang: expected one of \['en', 'ko'\], got {lang!r}"):
        call(lang)
    assert plt.get_fignums() == [], "refused before anything is drawn"


SCORED = pd.DataFrame(
    {"recency": [5, 30, 200], "frequency": [9, 4, 1], "monetary": [700.0, 200.0, 20.0],
     "r_score": [5, 3, 1], "f_score": [5, 3, 1], "m_score": [5, 3, 1]}
)  # fmt: skip
