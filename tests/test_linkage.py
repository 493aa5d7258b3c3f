"""Tests for crmlib.linkage: Splink's Fellegi-Sunter model behind crmlib's blocking."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import crmlib.linkage as lk
import crmlib.warehouse as wh
from crmlib.datasets import make_bank
from crmlib.datasets.synthetic.bank import BANK_MATCH_FIELDS, BANK_SYSTEMS


@pytest.fixture(scope="module")
def bank_records():
    bank = make_bank(n_persons=600, seed=5)
    raw = wh.stack_sources({s: bank[s] for s in BANK_SYSTEMS}, BANK_MATCH_FIELDS)
    records = wh.standardise_records(raw, aliases=wh.KOREAN_SURNAMES)
    truth = bank["truth"].astype({"system": str})
    person = raw[["system", "source_id"]].merge(truth, on=["system", "source_id"])["person_id"]
    return records, person


@pytest.fixture(scope="module")
def fitted(bank_records):
    records, _ = bank_records
    return lk.SplinkMatcher(seed=0, max_pairs=2e5).fit(records)


def test_block_columns_blanks_big_blocks_like_blocking_keys():
    recs = pd.DataFrame({"record_id": range(1, 7), "name": ["a", "a", "a", "b", "b", None],
                         "born": pd.to_datetime(["1980-01-01"] * 3 + [None] * 3)})  # fmt: skip
    out = lk.block_columns(recs, ["name", "born"], max_block=2)
    assert out["block_name"].isna().tolist() == [True, True, True, False, False, True]
    assert out["block_born"].isna().all()  # the only date is shared by 3 > 2 records
    assert lk.block_columns(recs, ["born"])["block_born"].iloc[0] == "1980-01-01"
    assert "block_name" not in recs  # input not changed
    with pytest.raises(ValueError, match="max_block"):
        lk.block_columns(recs, ["name"], max_block=1)
    with pytest.raises(KeyError, match="phone"):
        lk.block_columns(recs, ["phone"])


def test_splink_blocks_exactly_the_pairs_of_crmlib_blocking(bank_records, fitted):
    records, _ = bank_records
    keys = wh.blocking_keys(records, lk.DEFAULT_BLOCKING, max_block=20)
    ours = wh.candidate_pairs(keys)
    theirs = fitted.predict()[["left", "right"]]
    assert theirs.values.tolist() == ours.values.tolist()


def test_learned_weights_point_the_right_way(fitted):
    w = fitted.params_.set_index(["comparison", "level"])["match_weight"]
    assert w[("phone", "Exact match on phone")] > 5
    assert w[("birth_date", "Exact match on birth_date")] > 5
    assert w[("name", "Exact match on name")] > w[("name", "letter pairs >= 0.65")] > 0
    assert w[("name", "All other comparisons")] < 0
    assert 0 < fitted.prior_ < 0.01
    assert fitted.prior_weight_ == pytest.approx(math.log2(fitted.prior_ / (1 - fitted.prior_)))


def test_matching_is_precise_and_finds_most_true_pairs(bank_records, fitted):
    records, person = bank_records
    pairs = fitted.predict(0.5)
    found = wh.assign_ids(records["record_id"], pairs[["left", "right"]])
    quality = wh.match_quality(found.to_numpy(), person.to_numpy())
    assert quality["precision"] > 0.97
    assert quality["recall"] > 0.8
    # predict(threshold) keeps exactly the pairs at or above it
    everything = fitted.predict()
    assert len(pairs) == (everything["match_probability"] >= 0.5).sum()
    assert (everything["left"] < everything["right"]).all()


def test_same_seed_same_model(bank_records, fitted):
    records, _ = bank_records
    again = lk.SplinkMatcher(seed=0, max_pairs=2e5).fit(records)
    pd.testing.assert_frame_equal(again.params_, fitted.params_)


def test_explain_adds_up_to_the_pair_weight(fitted):
    pairs = fitted.predict()
    row = pairs.sort_values(["match_weight", "left"], kind="stable").iloc[len(pairs) // 2]
    table = fitted.explain(row["right"], row["left"])  # order does not matter
    parts = table["match_weight"].iloc[:-1].sum()
    assert parts == pytest.approx(table["match_weight"].iloc[-1], abs=1e-6)
    assert table["match_weight"].iloc[-1] == pytest.approx(row["match_weight"])
    w = table["match_weight"].iloc[-1]
    assert table["probability"].iloc[-1] == pytest.approx(2**w / (1 + 2**w))
    assert (table.loc[table["level"] == "missing", "match_weight"] == 0).all()
    with pytest.raises(ValueError, match="not a blocked candidate pair"):
        fitted.explain(-1, -2)


def test_matcher_refuses_bad_settings(bank_records):
    records, _ = bank_records
    with pytest.raises(RuntimeError, match="fit"):
        lk.SplinkMatcher().predict()
    with pytest.raises(ValueError, match="training_blocks"):
        lk.SplinkMatcher(training_blocks=["region"]).fit(records)
    with pytest.raises(ValueError, match="prior_recall"):
        lk.SplinkMatcher(prior_recall=1.5).fit(records)
    with pytest.raises(ValueError, match="unique"):
        lk.SplinkMatcher().fit(pd.concat([records.iloc[:3], records.iloc[:1]]))


def test_mailing_errors_counts_duplicates_and_missed_persons():
    # p1 split in two customers (one duplicate letter); p2 and p3 merged (p3 missed)
    out = lk.mailing_errors(["c1", "c2", "c3", "c3"], ["p1", "p1", "p2", "p3"],
                            cost_per_contact=2.0, value_per_response=100.0,
                            response_rate=0.1)  # fmt: skip
    assert out["mailings"] == 3 and out["reached"] == 2
    assert out["duplicate_mailings"] == 1 and out["missed_persons"] == 1
    assert out["total_cost"] == pytest.approx(2.0 + 0.1 * 100.0)
    perfect = lk.mailing_errors(["a", "a", "b"], ["x", "x", "y"], cost_per_contact=1,
                                value_per_response=1, response_rate=0.5)  # fmt: skip
    assert perfect["total_cost"] == 0
    none = lk.mailing_errors(np.arange(4), ["x", "x", "y", "y"], cost_per_contact=1,
                             value_per_response=1, response_rate=0.5)  # fmt: skip
    assert none["duplicate_mailings"] == 2 and none["missed_persons"] == 0
    with pytest.raises(ValueError, match="response_rate"):
        lk.mailing_errors(["a"], ["x"], cost_per_contact=1, value_per_response=1,
                          response_rate=5)  # fmt: skip
