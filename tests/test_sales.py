"""crmlib.sales: funnel conversion, win rates, time in stage, snapshots and the weighted forecast."""

import numpy as np
import pandas as pd
import pytest

from crmlib import datasets, sales

STAGES = ["lead", "offer", "won"]
ENTERED = {"lead": "created", "offer": "offer"}


def deals_frame():
    """Six deals worked by hand: two lost as leads, one open lead, one lost at the offer,
    one open at the offer, one won."""
    return pd.DataFrame(
        {
            "stage": ["lead", "lead", "lead", "offer", "offer", "won"],
            "status": ["lost", "lost", "open", "lost", "open", "won"],
            "source": ["web", "web", "web", "referral", "referral", "referral"],
            "created": pd.to_datetime(
                ["2024-01-01", "2024-01-05", "2024-03-01", "2024-01-01", "2024-02-01", "2024-01-10"]
            ),  # fmt: skip
            "offer": pd.to_datetime([None, None, None, "2024-01-15", "2024-02-20", "2024-01-20"]),
            "closed": pd.to_datetime(
                ["2024-01-08", "2024-01-06", None, "2024-02-01", None, "2024-02-15"]
            ),  # fmt: skip
            "deal_value": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
        }
    )


def test_funnel_by_hand_leaves_open_deals_out_of_the_conversion():
    f = sales.funnel(deals_frame(), stages=STAGES).set_index("stage")
    assert f["reached"].tolist() == [6, 3, 1]
    assert f["moved_on"].tolist() == [3, 1, 0]
    assert f["lost"].tolist() == [2, 1, 0]
    assert f["open"].tolist() == [1, 1, 0]
    # lead: 3 moved on, 2 lost, the open lead is not a failure -> 3/5; offer: 1 of 2 known
    assert f.loc["lead", "conversion"] == pytest.approx(3 / 5)
    assert f.loc["offer", "conversion"] == pytest.approx(1 / 2)
    assert np.isnan(f.loc["won", "conversion"])
    assert f["win_probability"].tolist() == pytest.approx([0.3, 0.5, 1.0])
    assert f["share_of_first"].tolist() == pytest.approx([1.0, 0.5, 1 / 6])


def test_funnel_reads_the_stage_order_from_an_ordered_categorical():
    deals = deals_frame()
    deals["stage"] = pd.Categorical(deals["stage"], categories=STAGES, ordered=True)
    pd.testing.assert_frame_equal(sales.funnel(deals), sales.funnel(deals, stages=STAGES))


def test_funnel_by_group_equals_the_funnel_of_each_group():
    deals = deals_frame()
    both = sales.funnel(deals, stages=STAGES, by="source")
    assert both.columns[0] == "source"
    for source, part in deals.groupby("source"):
        alone = sales.funnel(part, stages=STAGES)
        mine = both[both["source"] == source].drop(columns="source").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)


def test_funnel_win_probability_of_the_first_stage_is_the_win_rate_without_open_deals():
    p = datasets.load_pipeline()
    closed = p[p["status"] != "open"]
    first = sales.funnel(closed)["win_probability"].iloc[0]
    assert first == pytest.approx((closed["status"] == "won").mean())


def test_funnel_refuses_bad_inputs():
    deals = deals_frame()
    with pytest.raises(TypeError, match="ordered categorical"):
        sales.funnel(deals)
    with pytest.raises(ValueError, match="'stage'.*'demo'"):
        sales.funnel(deals.assign(stage=["demo", *deals["stage"][1:]]), stages=STAGES)
    with pytest.raises(ValueError, match="'status'.*'pending'"):
        sales.funnel(deals.assign(status=["pending", *deals["status"][1:]]), stages=STAGES)
    with pytest.raises(ValueError, match="won' exactly when"):
        sales.funnel(deals.assign(status=["won", *deals["status"][1:]]), stages=STAGES)
    with pytest.raises(KeyError, match="region"):
        sales.funnel(deals, stages=STAGES, by="region")
    with pytest.raises(ValueError, match="two or more distinct"):
        sales.funnel(deals, stages=["lead", "lead"])
    with pytest.raises(TypeError, match="DataFrame"):
        sales.funnel(deals["stage"], stages=STAGES)


@pytest.mark.parametrize(
    ("won", "n", "low", "high"),
    # Newcombe (1998), Statistics in Medicine 17, 857-872, Table I, method 3 (Wilson score)
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],  # fmt: skip
)
def test_win_rate_interval_reproduces_newcombe(won, n, low, high):
    deals = pd.DataFrame({"status": ["won"] * won + ["lost"] * (n - won) + ["open"] * 3})
    row = sales.win_rate(deals).iloc[0]
    assert (row["won"], row["closed"], row["open"]) == (won, n, 3)
    assert row["win_rate"] == pytest.approx(won / n)
    assert (row["low"], row["high"]) == pytest.approx((low, high), abs=5e-5)


def test_win_rate_by_group_and_a_wider_interval_at_higher_confidence():
    deals = deals_frame()
    table = sales.win_rate(deals, by="source").set_index("source")
    assert table.loc["referral", "win_rate"] == pytest.approx(1 / 2)
    assert table.loc["web", "win_rate"] == 0.0
    narrow = sales.win_rate(deals, confidence=0.8).iloc[0]
    wide = sales.win_rate(deals, confidence=0.99).iloc[0]
    assert wide["low"] < narrow["low"] and wide["high"] > narrow["high"]
    with pytest.raises(ValueError, match="confidence"):
        sales.win_rate(deals, confidence=95)


def test_stage_durations_by_hand():
    d = sales.stage_durations(deals_frame(), ENTERED, closed="closed")
    assert d["deal"].tolist() == [0, 1, 2, 3, 3, 4, 4, 5, 5]
    assert d["outcome"].tolist() == ["lost", "lost", "open", "moved on", "lost", "moved on",
                                     "open", "moved on", "won"]  # fmt: skip
    assert d["days"].iloc[:2].tolist() == [7.0, 1.0]
    assert np.isnan(d["days"].iloc[2])  # still open, no as_of
    assert d.loc[(d["deal"] == 5), "days"].tolist() == [10.0, 26.0]
    counted = sales.stage_durations(deals_frame(), ENTERED, closed="closed", as_of="2024-03-31")
    assert counted["days"].iloc[2] == 30.0


def test_stage_durations_refuses_bad_inputs():
    deals = deals_frame()
    with pytest.raises(TypeError, match="entered"):
        sales.stage_durations(deals, ["created", "offer"], closed="closed")
    with pytest.raises(KeyError, match="proposal_date"):
        sales.stage_durations(deals, {"lead": "created", "p": "proposal_date"}, closed="closed")
    early = deals.assign(offer=deals["offer"].where(deals.index != 3, pd.Timestamp("2023-12-01")))
    with pytest.raises(ValueError, match="out of order"):
        sales.stage_durations(early, ENTERED, closed="closed")
    with pytest.raises(ValueError, match="creation date"):
        sales.stage_durations(deals.assign(created=pd.NaT), ENTERED, closed="closed")


def test_snapshot_shows_the_pipeline_as_it_stood():
    deals = deals_frame()
    snap = sales.snapshot(deals, "2024-01-31", ENTERED, closed="closed")
    assert snap.index.tolist() == [0, 1, 3, 5]  # deals 2 and 4 did not exist yet
    assert snap["status"].tolist() == ["lost", "lost", "open", "open"]
    assert snap["stage"].astype(str).tolist() == ["lead", "lead", "offer", "offer"]
    assert snap["closed"].isna().tolist() == [False, False, True, True]
    assert deals["status"].tolist()[3] == "lost"  # the input is not changed
    later = sales.snapshot(deals, "2099-01-01", ENTERED, closed="closed")
    pd.testing.assert_frame_equal(later, deals)


def test_snapshot_keeps_category_dtypes_and_feeds_the_funnel():
    p = datasets.load_pipeline()
    entered = {"lead": "created_date", "qualified": "qualified_date",
               "proposal": "proposal_date", "negotiation": "negotiation_date"}  # fmt: skip
    snap = sales.snapshot(p, "2024-06-30", entered)
    assert snap["stage"].dtype == p["stage"].dtype and snap["status"].dtype == p["status"].dtype
    assert (snap["created_date"] <= "2024-06-30").all()
    assert snap[["qualified_date", "closed_date"]].max().max() <= pd.Timestamp("2024-06-30")
    assert sales.funnel(snap)["reached"].iloc[0] == len(snap)


def test_weighted_pipeline_by_hand_and_bad_probabilities():
    deals = deals_frame()
    table = sales.weighted_pipeline(deals, {"lead": 0.3, "offer": 0.5, "won": 1.0})
    assert table["stage"].tolist() == ["lead", "offer"]
    assert table["value"].tolist() == [30.0, 50.0]  # only the open deals
    assert table["weighted_value"].sum() == pytest.approx(30 * 0.3 + 50 * 0.5)
    with pytest.raises(KeyError, match="'offer'"):
        sales.weighted_pipeline(deals, {"lead": 0.3})
    with pytest.raises(ValueError, match="win_probability"):
        sales.weighted_pipeline(deals, {"lead": 30, "offer": 50})
    with pytest.raises(KeyError, match="amount"):
        sales.weighted_pipeline(deals, {"lead": 0.3, "offer": 0.5}, value="amount")
