"""Tests of the generated teaching data: determinism, bundled bytes, dtypes, planted effects."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmlib import datasets
from crmlib.datasets import synthetic
from crmlib.datasets.synthetic import (
    _common,
    bank,
    baskets,
    bundled,
    cafe,
    campaign,
    pipeline,
    retail,
    scorecard,
    telecom,
    tickets,
)

MODULES = [
    _common,
    bank,
    baskets,
    bundled,
    cafe,
    campaign,
    pipeline,
    retail,
    scorecard,
    telecom,
    tickets,
]
EVENTS = ["marriage", "child", "retirement", "home_purchase"]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bundled")
    datasets.write_bundled(folder)
    return folder


# --- API, doctests, bundled files ---------------------------------------------------------


def test_public_names_are_reexported():
    assert set(synthetic.__all__) <= set(datasets.__all__)
    for name in synthetic.__all__:
        assert getattr(datasets, name) is getattr(synthetic, name)


def test_regenerated_files_equal_the_committed_ones(regenerated, repo):
    for item in bundled.BUNDLED:
        new = (regenerated / item.filename).read_bytes()
        committed = (repo / "crmlib" / "datasets" / "data" / item.filename).read_bytes()
        assert new == committed, item.filename


def test_regenerating_twice_gives_the_same_bytes(regenerated, tmp_path):
    retail._simulate.cache_clear()  # really recompute, not reuse the cached retail run
    paths = datasets.write_bundled(tmp_path / "again")
    assert [p.name for p in paths] == [b.filename for b in bundled.BUNDLED]
    for p in paths:
        assert p.read_bytes() == (regenerated / p.name).read_bytes(), p.name


def test_bundled_size_and_format(repo):
    files = [repo / "crmlib" / "datasets" / "data" / b.filename for b in bundled.BUNDLED]
    assert sum(f.stat().st_size for f in files) < 20_000_000
    for f in files:
        data = f.read_bytes()
        assert b"\r" not in data and data.endswith(b"\n"), f.name
        data.decode("utf-8")


def test_output_does_not_depend_on_pythonhashseed():
    code = (
        "import hashlib\n"
        "from crmlib.datasets.synthetic import bundled as b, _common as c\n"
        "from crmlib.datasets import make_bank, make_baskets, make_retail\n"
        "h = hashlib.sha256()\n"
        "h.update(c.to_csv_bytes(make_retail(30, 5), b.RETAIL_SCHEMA))\n"
        "h.update(c.to_csv_bytes(make_baskets(200, 5), b.BASKETS_SCHEMA))\n"
        "h.update(c.to_csv_bytes(make_bank(120, 5)['online'], b.BANK_SCHEMAS['online']))\n"
        "print(h.hexdigest())\n"
    )
    digests = set()
    for hashseed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True)  # fmt: skip
        digests.add(out.stdout.strip())
    h = hashlib.sha256()
    h.update(_common.to_csv_bytes(datasets.make_retail(30, 5), retail.RETAIL_SCHEMA))
    h.update(_common.to_csv_bytes(datasets.make_baskets(200, 5), baskets.BASKETS_SCHEMA))
    h.update(
        _common.to_csv_bytes(datasets.make_bank(120, 5)["online"], bank.BANK_SCHEMAS["online"])
    )
    digests.add(h.hexdigest())
    assert len(digests) == 1


def test_seed_changes_the_data():
    assert not datasets.make_telecom(100, seed=1).equals(datasets.make_telecom(100, seed=2))
    assert datasets.make_telecom(100, seed=1).equals(datasets.make_telecom(100, seed=1))


@pytest.mark.parametrize(
    ("load", "make"),
    [
        (datasets.load_retail, lambda: datasets.make_retail(800, 0)),
        (datasets.load_retail_customers, lambda: datasets.make_retail_customers(800, 0)),
        (datasets.load_campaign, lambda: datasets.make_campaign(800, 0)),
        (datasets.load_baskets, lambda: datasets.make_baskets(20000, 0)),
        (datasets.load_telecom, lambda: datasets.make_telecom(5000, 0)),
        (datasets.load_tickets, lambda: datasets.make_tickets(8000, 0)),
        (datasets.load_pipeline, lambda: datasets.make_pipeline(3000, 0)),
        (datasets.load_cafe_survey, lambda: datasets.make_cafe_survey(3000, 0)),
    ],
    ids=lambda f: getattr(f, "__name__", ""),
)
def test_loaded_file_equals_generated_frame(load, make):
    pd.testing.assert_frame_equal(load(), make())


def test_loaded_multi_table_datasets_equal_generated(repo):
    made, loaded = (
        datasets.make_bank(4000, 0),
        datasets.load_bank(repo / "crmlib" / "datasets" / "data"),
    )
    assert list(loaded) == list(made)
    for key in made:
        pd.testing.assert_frame_equal(loaded[key], made[key], obj=key)
    made, loaded = (
        datasets.make_scorecard(seed=0),
        datasets.load_scorecard(str(repo / "crmlib" / "datasets" / "data")),
    )
    for key in made:
        pd.testing.assert_frame_equal(loaded[key], made[key], obj=key)


def test_dtypes():
    tx = datasets.load_retail()
    assert tx["quantity"].dtype == "int64" and tx["unit_price"].dtype == "float64"
    assert tx["customer_id"].dtype == "Int64" and tx["invoice_date"].dtype == "datetime64[us]"
    assert isinstance(tx["country"].dtype, pd.CategoricalDtype)
    assert pd.api.types.is_string_dtype(tx["invoice_no"])
    camp = datasets.load_campaign()
    assert camp["responded"].dtype == bool and camp["response_date"].dtype == "datetime64[us]"
    b = datasets.load_baskets()
    assert b["timestamp"].dtype == "datetime64[us]" and b["basket_id"].dtype == "int64"
    t = datasets.load_telecom()
    assert t["contract"].cat.ordered and list(t["contract"].cat.categories)[0] == "month-to-month"
    tk = datasets.load_tickets()
    assert tk["satisfaction"].dtype == "Int64" and tk["satisfaction"].isna().any()
    p = datasets.load_pipeline()
    assert list(p["stage"].cat.categories) == pipeline.STAGES and p["closed_date"].isna().any()
    bk = datasets.load_bank()
    assert bk["loans"]["delinquent"].dtype == bool
    assert bk["deposits"]["birth_date"].dtype == "datetime64[us]"
    assert pd.api.types.is_string_dtype(bk["loans"]["birth_yyyymmdd"])
    assert bk["loans"]["birth_yyyymmdd"].str.fullmatch(r"\d{8}").all()
    assert bk["customers"]["marriage"].dtype == bool
    sc = datasets.load_scorecard()
    assert sc["survey"]["score"].dtype == "int64" and sc["survey"]["score"].between(1, 5).all()
    cs = datasets.load_cafe_survey()
    assert cs["repurchased"].dtype == bool and cs["satisfaction"].dtype == "int64"
    items = [i for group in cafe.CAFE_ITEMS.values() for i in group]
    assert cs[items].apply(lambda c: c.between(1, 7).all()).all()


# --- planted effects ------------------------------------------------------------------------


def test_retail_story():
    tx, truth = datasets.load_retail(), datasets.load_retail_customers()
    cancel = tx["invoice_no"].str.startswith("C")
    assert cancel.any() and (tx.loc[cancel, "quantity"] < 0).all()
    assert (tx.loc[~cancel, "quantity"] > 0).all()
    assert tx.loc[cancel, "customer_id"].notna().all()
    assert 0.15 < tx["customer_id"].isna().mean() < 0.3
    assert tx["invoice_date"].min() >= retail.START and tx[
        "invoice_date"
    ].max() < retail.END + pd.Timedelta(days=1)
    assert not (tx["invoice_date"].dt.day_of_week == 5).any()  # closed on Saturdays
    numbers = tx["invoice_no"].str.lstrip("C").astype(int)
    assert (numbers.diff().dropna() >= 0).all() and numbers.is_monotonic_increasing
    # each cancelled product was bought earlier by the same customer
    sales = tx[~cancel].groupby(["customer_id", "stock_code"])["invoice_date"].min()
    first = sales.reindex(pd.MultiIndex.from_frame(tx.loc[cancel, ["customer_id", "stock_code"]]))
    assert (first.to_numpy() <= tx.loc[cancel, "invoice_date"].to_numpy()).all()
    abroad = tx[tx["country"] != "United Kingdom"].groupby("invoice_no")["stock_code"]
    assert abroad.apply(lambda s: "POST" in set(s)).mean() > 0.95
    # segments have different rhythms; churned customers stop buying
    per = tx[~cancel].groupby("customer_id")["invoice_no"].nunique()
    freq = truth.set_index("customer_id")["segment"].to_frame().join(per.rename("n"))
    means = freq.groupby("segment", observed=True)["n"].mean()
    assert means["wholesale"] > means["regular"] > means["occasional"]
    last = tx[~cancel].groupby("customer_id")["invoice_date"].max()
    gone = truth[truth["churned"]].set_index("customer_id")
    assert (last.reindex(gone.index) < gone["churn_date"] + pd.Timedelta(days=1)).all()
    assert set(truth["customer_id"]) == set(tx["customer_id"].dropna())
    seasonal = tx[tx["customer_id"].isin(truth.loc[truth["segment"] == "seasonal", "customer_id"])]
    assert seasonal["invoice_date"].dt.month.isin([9, 10, 11, 12]).mean() > 0.6


def test_campaign_lift_and_rfm_dependence():
    camp, tx = datasets.load_campaign(), datasets.load_retail()
    assert set(camp["customer_id"]) == set(tx["customer_id"].dropna())
    rate = camp.groupby("group", observed=True)["responded"].mean()
    assert rate["treatment"] > 1.5 * rate["control"]
    assert (camp["mailed"] == (camp["group"] == "treatment")).all()
    assert camp["response_date"].notna().eq(camp["responded"]).all()
    assert camp["order_value"].notna().eq(camp["responded"]).all()
    sales = tx[~tx["invoice_no"].str.startswith("C")]
    last = sales.groupby("customer_id")["invoice_date"].max()
    freq = sales.groupby("customer_id")["invoice_no"].nunique()
    treated = camp[camp["mailed"]].set_index("customer_id")
    recent = (campaign.SNAPSHOT - last.reindex(treated.index)).dt.days < 90
    frequent = freq.reindex(treated.index) >= freq.median()
    assert treated.loc[recent, "responded"].mean() > 2 * treated.loc[~recent, "responded"].mean()
    assert treated.loc[frequent, "responded"].mean() > treated.loc[~frequent, "responded"].mean()


def _lift(wide: pd.DataFrame, a: str, b: str) -> float:
    return (wide[a] & wide[b]).mean() / (wide[a].mean() * wide[b].mean())


def test_beer_and_diapers_on_weekday_evenings():
    b = datasets.load_baskets()
    wide = pd.crosstab(b["basket_id"], b["item"]).gt(0)
    ts = b.groupby("basket_id")["timestamp"].first()
    evening = ((ts.dt.day_of_week < 5) & ts.dt.hour.between(17, 21)).to_numpy()
    assert _lift(wide[evening], "beer", "diapers") > 2
    assert 0.7 < _lift(wide[~evening], "beer", "diapers") < 1.3
    assert _lift(wide, "coffee", "sandwich") > 1.5
    assert _lift(wide, "instant noodles", "kimchi") > 2
    morning = ts.dt.hour.between(6, 10).to_numpy()
    assert wide.loc[morning, "coffee"].mean() > 2 * wide.loc[~morning, "coffee"].mean()
    assert not b.duplicated(["basket_id", "item"]).any()
    assert (b.groupby("basket_id")["timestamp"].nunique() == 1).all()


def test_telecom_churn_drivers():
    t = datasets.load_telecom()
    by_complaints = t.groupby(t["complaints"].clip(upper=2))["churned"].mean()
    assert by_complaints.is_monotonic_increasing and by_complaints[2] > 2 * by_complaints[0]
    by_contract = t.groupby("contract", observed=True)["churned"].mean()
    assert by_contract["month-to-month"] > by_contract["one year"] > by_contract["two year"]
    short = t["tenure_months"] < 12
    assert t.loc[short, "churned"].mean() > t.loc[~short, "churned"].mean()
    assert t["subscriber_id"].is_unique


def test_cafe_drivers_and_satisfaction_curve():
    cs = datasets.load_cafe_survey()
    rate = cs.groupby("satisfaction")["repurchased"].mean()
    assert rate.is_monotonic_increasing
    # the jump from "satisfied" to "completely satisfied" is the largest step
    assert rate.diff().idxmax() == 5 and rate[5] - rate[4] > 0.2
    assert (cs.loc[~cs["repurchased"], "spend_next_year"] == 0).all()
    index = pd.DataFrame({k: cs[v].mean(axis=1) for k, v in cafe.CAFE_ITEMS.items()})
    z = (index - index.mean()) / index.std()
    X = np.column_stack([np.ones(len(cs)), z.to_numpy()])
    beta = np.linalg.lstsq(X, cs["spend_next_year"].to_numpy(), rcond=None)[0][1:]
    assert beta[0] > beta[2] > beta[1] > 0  # value > relationship > brand
    assert cs["satisfaction"].value_counts(normalize=True)[4] > 0.3


def test_tickets_satisfaction_and_peak():
    tk = datasets.load_tickets()
    csat = tk.groupby("first_contact_resolution")["satisfaction"].mean()
    assert csat[True] - csat[False] > 1
    assert (tk.loc[tk["first_contact_resolution"], "contacts"] == 1).all()
    assert (tk.loc[~tk["first_contact_resolution"], "contacts"] >= 2).all()
    assert (tk["resolved_at"] >= tk["created_at"]).all()
    delivery = tk[tk["category"] == "delivery"].groupby(tk["created_at"].dt.month).size()
    assert delivery[[11, 12]].mean() > 2 * delivery[list(range(1, 11))].mean()
    # the peak adds delivery tickets on top: the other categories stay, the volume rises
    month = tk["created_at"].dt.month
    others = tk[tk["category"] != "delivery"].groupby(month).size()
    assert others[[11, 12]].mean() == pytest.approx(others[list(range(1, 11))].mean(), rel=0.1)
    volume = tk.groupby(month).size()
    assert volume[[11, 12]].mean() > 1.2 * volume[list(range(1, 11))].mean()
    fcr = tk.groupby("channel", observed=True)["first_contact_resolution"].mean()
    assert fcr["phone"] > fcr["e-mail"] and fcr["chat"] > fcr["web form"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tickets_come_from_a_plausible_customer_base(seed):
    """Most customers contact the centre once or not at all a year; a minority repeat."""
    tk = datasets.load_tickets() if seed == 0 else datasets.make_tickets(8000, seed)
    per_customer = tk.groupby("customer_id").size()
    pool = tickets.customer_pool(len(tk))
    assert pool == round(len(tk) / tickets.TICKETS_PER_CUSTOMER)
    assert tk["customer_id"].between(10001, 10000 + pool).all()
    contacted = len(per_customer) / pool
    assert 0.15 < contacted < 0.25  # most customers never contact the centre in the year
    repeat = (per_customer > 1).mean()
    assert 0.12 < repeat < 0.28  # of those who do, a minority open more than one ticket
    assert per_customer.max() <= 12


def test_a_small_ticket_file_still_has_mostly_single_ticket_customers():
    made = datasets.make_tickets(500, seed=3)
    assert tickets.customer_pool(500) == 2000
    assert made["customer_id"].nunique() > 0.75 * len(made)


def test_pipeline_funnel():
    p = datasets.load_pipeline()
    won = p["status"] == "won"
    assert (p.loc[won, "stage"] == "won").all() and p.loc[won, "negotiation_date"].notna().all()
    assert p.loc[p["status"] == "open", "closed_date"].isna().all()
    order = p[["created_date", "qualified_date", "proposal_date", "negotiation_date"]]
    diffs = order.diff(axis=1).iloc[:, 1:]
    assert (diffs.stack().dropna().dt.days > 0).all()
    rate = p.assign(won=won).groupby("source", observed=True)["won"].mean()
    assert rate["referral"] > 2 * rate["web form"] > 2 * rate["cold call"]
    reps = p.assign(won=won).groupby("sales_rep", observed=True)["won"].mean()
    assert reps.idxmax() == "Jung"
    value = p.groupby("company_size", observed=True)["deal_value"].median()
    assert value["large"] > 5 * value["small"]


def test_scorecard_causal_chain():
    sc = datasets.load_scorecard()
    means = (
        sc["survey"].groupby(["business_unit", "quarter", "perspective"], observed=True)["score"]
        .mean().unstack()
    )  # fmt: skip
    df = means.join(sc["kpis"].set_index(["business_unit", "quarter"]))
    corr = df.corr()
    assert corr.loc["infrastructure", "process"] > 0.4
    assert corr.loc["process", "customer"] > 0.4
    assert corr.loc["customer", "profit_margin"] > corr.loc["infrastructure", "profit_margin"]
    x = np.column_stack([np.ones(len(df)), df[["infrastructure", "process", "customer"]]])
    coef = np.linalg.lstsq(x, df["profit_margin"], rcond=None)[0]
    assert coef[3] > 3 * abs(coef[1]) and coef[3] > 3 * abs(coef[2])  # full mediation
    np.testing.assert_allclose(sc["kpis"]["churn_rate"], 1 - sc["kpis"]["retention_rate"])
    assert len(sc["kpis"]) == len(scorecard.BUSINESS_UNITS) * 12


def test_bank_matching_truth_is_consistent():
    bk = datasets.load_bank()
    truth = bk["truth"]
    assert not truth.duplicated(["system", "source_id"]).any()
    for system, key in zip(datasets.BANK_SYSTEMS, [next(iter(bank.BANK_SCHEMAS[s]))
                                                   for s in datasets.BANK_SYSTEMS], strict=True):  # fmt: skip
        ids = bk[system][key]
        assert ids.is_unique, system
        assert set(ids) == set(truth.loc[truth["system"] == system, "source_id"]), system
    assert set(truth["person_id"]) == set(bk["customers"]["person_id"])
    per_person = truth.groupby("person_id").size()
    assert per_person.mean() > 2.5 and (per_person > 1).mean() > 0.6
    dup = truth[truth["system"] == "deposits"].groupby("person_id").size()
    assert (dup == 2).any()
    # the same person is written differently across systems
    deposits = bk["deposits"].merge(truth, left_on="deposit_customer_no", right_on="source_id")
    cards = bk["cards"].merge(truth, left_on="card_customer_id", right_on="source_id")
    both = deposits.merge(cards, on="person_id")
    assert (both["name"].str.upper() != both["cardholder_name"]).mean() > 0.3
    variants = bk["loans"]["borrower_name"].str.contains(r"\b(?:Yi|Rhee|Pak|Gim)\b")
    assert variants.any()


def test_bank_profit_is_reproducible_from_the_source_systems():
    bk = datasets.load_bank()
    r = bank.PROFIT_RATES
    truth = bk["truth"].set_index("source_id")["person_id"]
    parts = [
        bk["deposits"].assign(v=r["deposit_margin"] * bk["deposits"]["balance"])
        .set_index("deposit_customer_no")["v"],
        bk["loans"].assign(v=bk["loans"]["outstanding"] * (r["loan_margin"] - r["delinquency_loss"]
                                                            * bk["loans"]["delinquent"]))
        .set_index("borrower_id")["v"],
        bk["cards"].assign(v=r["card_interchange"] * 12 * bk["cards"]["monthly_spend"]
                           + r["card_revolving"] * bk["cards"]["revolving_balance"])
        .set_index("card_customer_id")["v"],
        bk["investments"].assign(v=r["investment_fee"] * bk["investments"]["assets_under_management"])
        .set_index("investor_no")["v"],
        bk["online"].assign(v=-r["online_login_cost"] * bk["online"]["logins_per_year"])
        .set_index("user_id")["v"],
        bk["branch"].assign(v=-r["branch_visit_cost"] * bk["branch"]["visits_per_year"])
        .set_index("branch_customer_no")["v"],
    ]  # fmt: skip
    values = pd.concat(parts)
    profit = values.groupby(truth.reindex(values.index).to_numpy()).sum() - r["fixed_cost"]
    expected = bk["customers"].set_index("person_id")["annual_profit"]
    np.testing.assert_allclose(profit.reindex(expected.index), expected, atol=0.06)
    top = expected.sort_values(ascending=False)
    assert top.iloc[: len(top) // 10].sum() > 0.4 * top.sum() and (top < 0).any()


def test_bank_pilot_lift_and_life_events():
    bk = datasets.load_bank()
    pilot = bk["pilot"].merge(bk["customers"], on="person_id")
    rate = pilot.groupby("group", observed=True)["responded"].mean()
    assert rate["treatment"] > 1.4 * rate["control"]
    event = pilot[EVENTS].any(axis=1)
    assert pilot.loc[event, "responded"].mean() > 2 * pilot.loc[~event, "responded"].mean()
    assert pilot["product"].notna().eq(pilot["responded"]).all()
    homes = pilot[pilot["home_purchase"] & pilot["responded"]]
    assert (homes["product"] == "mortgage").all()
    assert (pilot["group"] == "treatment").mean() == pytest.approx(0.5)
    cust = bk["customers"]
    assert cust.loc[cust["retirement"], "age"].between(58, 66).all()
    assert cust.loc[cust["marriage"], "age"].between(26, 38).all()


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: datasets.make_retail(5),
            ValueError,
            r"n_customers: expected a whole number >= 10, got 5",
        ),
        (lambda: datasets.make_retail(100.0), TypeError, r"n_customers: expected a whole number"),
        (lambda: datasets.make_retail_customers(True), TypeError, r"n_customers: .*got True"),
        (lambda: datasets.make_campaign(3), ValueError, r"n_customers: .* >= 10, got 3"),
        (lambda: datasets.make_bank(50), ValueError, r"n_persons: .* >= 100, got 50"),
        (lambda: datasets.make_baskets("10"), TypeError, r"n_baskets: .*got '10'"),
        (lambda: datasets.make_telecom(10), ValueError, r"n_subscribers: .* >= 50"),
        (lambda: datasets.make_tickets(99), ValueError, r"n_tickets: .* >= 100"),
        (lambda: datasets.make_pipeline(0), ValueError, r"n_leads: .* >= 100"),
        (lambda: datasets.make_cafe_survey(20), ValueError, r"n_customers: .* >= 50, got 20"),
        (lambda: datasets.make_scorecard(n_quarters=1), ValueError, r"n_quarters: .* >= 2"),
        (lambda: datasets.make_scorecard(n_employees=1), ValueError, r"n_employees: .* >= 2"),
        (lambda: datasets.make_scorecard(n_customers=0), ValueError, r"n_customers: .* >= 2"),
        (
            lambda: datasets.make_telecom(100, seed=-1),
            ValueError,
            r"seed: expected a whole number >= 0, got -1",
        ),
        (lambda: datasets.make_baskets(100, seed=1.5), TypeError, r"seed: .*got 1.5"),
        (lambda: datasets.make_retail(100, seed=None), TypeError, r"seed: .*got None"),
        (lambda: datasets.write_bundled(3), TypeError, r"folder: expected a path .*got int"),
        (
            lambda: datasets.load_retail(folder=1.5),
            TypeError,
            r"folder: expected a path .*got float",
        ),
    ],
)
def test_bad_arguments_are_refused(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_missing_bundled_file_is_explained(tmp_path):
    with pytest.raises(
        FileNotFoundError, match=r"'telecom.csv' not found .*write_bundled\(folder\)"
    ):
        datasets.load_telecom(tmp_path)


# --- documentation --------------------------------------------------------------------------

CARDS = {
    "retail.md": ["retail.csv", "retail_customers.csv"],
    "campaign.md": ["campaign.csv"],
    "bank.md": [f"bank_{k}.csv" for k in (*datasets.BANK_SYSTEMS, "truth", "customers", "pilot")],
    "baskets.md": ["baskets.csv"],
    "telecom.md": ["telecom.csv"],
    "tickets.md": ["tickets.csv"],
    "pipeline.md": ["pipeline.csv"],
    "scorecard.md": ["scorecard_survey.csv", "scorecard_kpis.csv"],
    "cafe_survey.md": ["cafe_survey.csv"],
}


def test_every_bundled_file_has_a_data_card(repo):
    covered = {f for files in CARDS.values() for f in files}
    assert covered == {b.filename for b in bundled.BUNDLED}
    calls = {b.filename: b.call for b in bundled.BUNDLED}
    for card, files in CARDS.items():
        text = (repo / "crmlib" / "datasets" / "data" / card).read_text(encoding="utf-8")
        for f in files:
            assert f in text, (card, f)
            assert calls[f].split("[")[0] in text, (card, calls[f])
            for column in bundled._BY_NAME[f].schema:
                assert f"`{column}`" in text, (card, column)
        assert "CC BY 4.0" in text and "seed" in text


def test_readme_indexes_every_dataset(repo):
    text = (repo / "crmlib" / "datasets" / "data" / "README.md").read_text(encoding="utf-8")
    for card in CARDS:
        assert f"]({card})" in text, card
    for fetched in ["fetch_online_retail", "fetch_cdnow", "fetch_groceries", "fetch_bank_marketing",
                    "fetch_telco_churn", "fetch_online_shoppers"]:  # fmt: skip
        assert fetched in text, fetched
