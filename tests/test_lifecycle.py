"""Tests for crmlib.lifecycle: statuses per customer and period, and the flow table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib import lifecycle


def random_log(seed: int, customers: int = 40, lines: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-01")
    return pd.DataFrame(
        {
            "customer": rng.integers(0, customers, lines),
            "date": start + pd.to_timedelta(rng.integers(0, 365, lines), unit="D"),
            "amount": np.round(rng.gamma(2.0, 20.0, lines), 2)
            * np.where(rng.random(lines) < 0.05, -1, 1),
        }
    )


def brute_force(tx: pd.DataFrame, growth: float = 0.0) -> pd.DataFrame:
    """The statuses from their definitions, one customer and one month at a time."""
    tx = tx.assign(period=tx["date"].dt.to_period("M"))
    months = pd.period_range(tx["period"].min(), tx["period"].max(), freq="M")
    rows = []
    for c, own in tx.groupby("customer"):
        spend = own.groupby("period")["amount"].sum().reindex(months, fill_value=0.0)
        active = own[own["amount"] > 0].groupby("period").size().reindex(months).notna()
        for i, m in enumerate(months):
            was = i > 0 and active.iloc[i - 1]
            ever = bool(active.iloc[:i].any())
            prev = spend.iloc[i - 1] if i > 0 else 0.0
            if active.iloc[i]:
                if not ever:
                    s = "acquired"
                elif not was:
                    s = "reactivated"
                else:
                    s = "enhanced" if spend.iloc[i] > (1 + growth) * prev else "retained"
            elif was:
                s = "lapsed"
            else:
                continue
            rows.append((c, m, s, spend.iloc[i] if active.iloc[i] else 0.0))
    return pd.DataFrame(rows, columns=["customer", "period", "status", "amount"])


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("growth", [0.0, 0.25])
def test_statuses_match_their_definitions(seed, growth):
    tx = random_log(seed)
    got = lifecycle.period_status(tx, growth=growth)
    want = brute_force(tx, growth).sort_values(["period", "customer"], kind="stable")
    assert got["customer"].tolist() == want["customer"].tolist()
    assert got["period"].tolist() == want["period"].tolist()
    assert got["status"].astype(str).tolist() == want["status"].tolist()
    assert np.allclose(got["amount"], want["amount"].astype(float))


def test_every_active_customer_month_is_counted_once():
    tx = random_log(3)
    status = lifecycle.period_status(tx)
    table = lifecycle.flow_table(status)
    active = tx[tx["amount"] > 0].assign(period=tx["date"].dt.to_period("M"))
    per_month = active.groupby("period")["customer"].nunique()
    assert (table.drop(columns="lapsed").sum(axis=1) == per_month).all()
    # whoever was active last month is retained, enhanced or lapsed this month
    kept = table[["retained", "enhanced", "lapsed"]].sum(axis=1)
    assert (kept.iloc[1:].to_numpy() == per_month.iloc[:-1].to_numpy()).all()
    assert list(table.columns) == list(lifecycle.STATUSES)


def test_spending_tables_add_up():
    tx = random_log(4)
    status = lifecycle.period_status(tx)
    amount = lifecycle.flow_table(status, value="amount")
    assert amount["lapsed"].eq(0).all()
    by_month = tx.assign(period=tx["date"].dt.to_period("M")).groupby("period")["amount"].sum()
    active_spend = status[status["status"] != "lapsed"].groupby("period")["amount"].sum()
    assert np.allclose(amount.sum(axis=1), active_spend.reindex(amount.index, fill_value=0))
    # what the lapsed customers spent the month before is what walked away
    lost = lifecycle.flow_table(status, value="previous_amount")["lapsed"]
    monthly = tx.assign(period=tx["date"].dt.to_period("M"))
    spend = monthly.groupby(["customer", "period"])["amount"].sum()
    lapsed = status[status["status"] == "lapsed"]
    pairs = zip(lapsed["customer"], lapsed["period"], strict=True)
    expected = [spend.get((c, p - 1), 0.0) for c, p in pairs]
    assert np.isclose(lost.sum(), sum(expected))
    assert np.isclose(amount.sum().sum(), active_spend.sum())
    assert by_month.sum() != 0


def test_quarters_and_missing_customers():
    tx = random_log(5)
    tx.loc[:20, "customer"] = np.nan
    quarters = lifecycle.period_status(tx, freq="Q")
    assert quarters["period"].dt.quarter.between(1, 4).all()
    assert quarters["period"].nunique() == 4
    assert quarters["customer"].notna().all()
    assert len(quarters) < len(lifecycle.period_status(tx))


def test_the_input_is_not_changed():
    tx = random_log(6)
    before = tx.copy()
    lifecycle.period_status(tx)
    pd.testing.assert_frame_equal(tx, before)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"freq": "W"}, ValueError, "freq: expected one of"),
        ({"growth": -0.1}, ValueError, "growth: expected a number >= 0"),
        ({"customer": "client"}, KeyError, "missing column"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        lifecycle.period_status(random_log(7), **kwargs)


def test_text_amounts_are_refused():
    tx = random_log(8).astype({"amount": str})
    tx.loc[0, "amount"] = "ten"
    with pytest.raises(TypeError, match="column 'amount': expected numbers"):
        lifecycle.period_status(tx)


def test_flow_table_value_is_checked():
    status = lifecycle.period_status(random_log(9))
    with pytest.raises(ValueError, match="value: expected one of"):
        lifecycle.flow_table(status, value="revenue")


def test_churn_per_period_divides_leavers_by_customer_months():
    rng = np.random.default_rng(3)
    subs = pd.DataFrame(
        {
            "churn": rng.random(200) < 0.3,
            "tenure": rng.integers(0, 60, 200),
            "contract": rng.choice(["a", "b"], 200),
        }
    )
    rate = lifecycle.churn_per_period(subs)
    assert rate == pytest.approx(subs["churn"].sum() / subs["tenure"].sum())
    assert rate < subs["churn"].mean()  # the literal reading overstates it here
    per = lifecycle.churn_per_period(subs, by="contract")
    part = subs[subs["contract"] == "b"]
    assert per["b"] == pytest.approx(part["churn"].sum() / part["tenure"].sum())
    assert list(per.index) == ["a", "b"]


def test_churn_per_period_names_bad_input():
    with pytest.raises(KeyError, match="tenure"):
        lifecycle.churn_per_period(pd.DataFrame({"churn": [True]}))
    with pytest.raises(ValueError, match="tenure"):
        lifecycle.churn_per_period(pd.DataFrame({"churn": [True], "tenure": [-1]}))
