"""Tests for crmlib.warehouse: loading into SQLite, standardising, matching, scoring matches."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

import crmlib.warehouse as wh
from crmlib.datasets import make_bank
from crmlib.datasets.synthetic.bank import BANK_SYSTEMS

# --- database --------------------------------------------------------------------------


@pytest.fixture
def con():
    connection = sqlite3.connect(":memory:")
    yield connection
    connection.close()


def test_load_tables_round_trips_and_stores_dates_as_iso_text(con):
    df = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "day": pd.to_datetime(["2024-01-31", None, "1999-12-01"]),
            "stamp": pd.to_datetime(["2024-01-31 10:30", "2024-02-01 00:00", None]),
            "flag": [True, False, True],
            "kind": pd.Categorical(["x", None, "y"]),
            "amount": [1.5, np.nan, 3.0],
        }
    )
    before = df.copy()
    report = wh.load_tables(con, {"t": df})
    assert report.to_dict("records") == [{"table": "t", "rows": 3, "columns": 6}]
    rows = con.execute("SELECT id, day, stamp, flag, kind, amount FROM t ORDER BY id").fetchall()
    assert rows == [
        ("a", "2024-01-31", "2024-01-31 10:30:00", 1, "x", 1.5),
        ("b", None, "2024-02-01 00:00:00", 0, None, None),
        ("c", "1999-12-01", None, 1, "y", 3.0),
    ]
    pd.testing.assert_frame_equal(df, before)


def test_load_tables_refuses_to_overwrite_unless_asked(con):
    wh.load_tables(con, {"t": pd.DataFrame({"x": [1]})})
    with pytest.raises(ValueError, match="table 't' already exists; pass replace=True"):
        wh.load_tables(con, {"t": pd.DataFrame({"x": [2]})})
    wh.load_tables(con, {"t": pd.DataFrame({"x": [2]})}, replace=True)
    assert con.execute("SELECT x FROM t").fetchall() == [(2,)]


@pytest.mark.parametrize(
    "connection, tables, error, message",
    [
        ("db.sqlite", {"t": pd.DataFrame({"x": [1]})}, TypeError, "con: expected a sqlite3"),
        (None, [("t", 1)], TypeError, "tables: expected a non-empty mapping"),
        (None, {}, TypeError, "tables: expected at least one table"),
        (None, {"bad name": pd.DataFrame({"x": [1]})}, ValueError, "got 'bad name'"),
        (None, {"1t": pd.DataFrame({"x": [1]})}, ValueError, "letters, digits and underscores"),
        (None, {"t": [1, 2]}, TypeError, r"tables\['t'\]: expected a pandas DataFrame, got list"),
    ],
)
def test_load_tables_bad_inputs(con, connection, tables, error, message):
    with pytest.raises(error, match=message):
        wh.load_tables(con if connection is None else connection, tables)


def test_query_binds_parameters_and_keeps_sql_order(con):
    wh.load_tables(con, {"t": pd.DataFrame({"x": [3, 1, 2]})})
    out = wh.query(con, "SELECT x FROM t WHERE x >= :low ORDER BY x DESC", {"low": 2})
    assert out["x"].tolist() == [3, 2]
    assert wh.query(con, "SELECT x FROM t WHERE x = ?", (1,))["x"].tolist() == [1]


@pytest.mark.parametrize(
    "sql, params, message",
    [
        ("", None, "sql: expected the text of a SELECT statement"),
        (42, None, "sql: expected the text"),
        ("SELECT 1", "x", "params: expected a mapping .* got str"),
    ],
)
def test_query_bad_inputs(con, sql, params, message):
    with pytest.raises(TypeError, match=message):
        wh.query(con, sql, params)


# --- standardising ---------------------------------------------------------------------------


def test_standardise_name_ignores_order_case_hyphens_and_romanisation():
    names = pd.Series(
        ["Lee Min-jun", "MINJUN LEE", "YI, Min-jun", "Rhee Minjun", "Park Ji-woo", None, "---"],
        index=list("abcdefg"),
    )
    out = wh.standardise_name(names, aliases=wh.KOREAN_SURNAMES)
    assert out.index.tolist() == list("abcdefg")
    assert out.iloc[:4].tolist() == ["lee minjun"] * 4
    assert out["e"] == "jiwoo park"
    assert out.iloc[5:].isna().all()
    assert wh.standardise_name(["YI Minjun"]).tolist() == ["minjun yi"]  # no aliases given


@pytest.mark.parametrize(
    "names, aliases, message",
    [
        ("Lee Minjun", None, "names: expected a Series or list of text"),
        ([1, 2], None, "names: expected text .* got int values such as 1"),
        (["Lee"], {"yi": 3}, "aliases: expected a mapping of text to text"),
    ],
)
def test_standardise_name_bad_inputs(names, aliases, message):
    with pytest.raises(TypeError, match=message):
        wh.standardise_name(names, aliases=aliases)


def test_standardise_phone_formats_agree():
    phones = ["010-5227-9596", "01052279596", "+82-10-5227-9596", "010 5227 9596",
              "0082 10 5227 9596", "123", None]  # fmt: skip
    out = wh.standardise_phone(phones).tolist()
    assert out[:5] == ["01052279596"] * 5
    assert out[5] is pd.NA and out[6] is pd.NA
    assert wh.standardise_phone(["+1 415 555 0100"], country_code="1", trunk_prefix="")[0] == (
        "4155550100"
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"country_code": "+82"}, "country_code: expected a string of digits"),
        ({"trunk_prefix": 0}, "trunk_prefix: expected a string of digits"),
        ({"min_digits": 0}, "min_digits: expected a whole number >= 1"),
    ],
)
def test_standardise_phone_bad_inputs(kwargs, message):
    with pytest.raises(ValueError, match=message):
        wh.standardise_phone(["010"], **kwargs)


def test_standardise_address_formats_agree():
    out = wh.standardise_address(
        ["311 Dalgubeol-daero, Chuncheon-si, Gangwon", "Dalgubeol-daero 311, Chuncheon-si, Gangwon",
         "Gangwon Chuncheon-si Dalgubeol-daero 311", "311 Dalgubeol Daero, Gangwon", None]
    )  # fmt: skip
    assert out[0] == out[1] == out[2] == "311 chuncheon-si dalgubeol-daero gangwon"
    assert out[3] == "311 dalgubeol-daero gangwon"  # the district is simply not there
    assert out[4] is pd.NA
    with pytest.raises(TypeError, match="suffixes: expected a list of road-type words"):
        wh.standardise_address(["1 A Ro"], suffixes="ro")


def test_standardise_date_tries_formats_in_order():
    out = wh.standardise_date(pd.Series(["1992-03-19", "19920319", "19/03/1992", None]))
    assert out.iloc[:3].tolist() == [pd.Timestamp("1992-03-19")] * 3
    assert pd.isna(out.iloc[3])
    stamps = pd.Series(pd.to_datetime(["2024-01-01 13:00"]))
    assert wh.standardise_date(stamps).tolist() == [pd.Timestamp("2024-01-01")]
    with pytest.raises(ValueError, match=r"1 value\(s\) match none of the formats .*'03/19/1992'"):
        wh.standardise_date(["1992-03-19", "03/19/1992"])
    with pytest.raises(TypeError, match="formats: expected a non-empty list"):
        wh.standardise_date(["1992-03-19"], formats="%Y-%m-%d")


# --- comparing and matching ----------------------------------------------------------------


def test_name_similarity_properties():
    assert wh.name_similarity("kim minjun", "minjun kim") == 1.0
    pairs = [("kim youngjun", "kim yeongjoon"), ("lee seoyeon", "lee seoyun"), ("kim a", "park b")]
    for a, b in pairs:
        s = wh.name_similarity(a, b)
        assert 0 <= s <= 1
        assert s == wh.name_similarity(b, a)
    assert wh.name_similarity("kim youngjun", "kim yeongjoon") > wh.name_similarity(
        "kim youngjun", "kim minho"
    )
    assert np.isnan(wh.name_similarity(None, "kim")) and np.isnan(wh.name_similarity("", "kim"))
    with pytest.raises(TypeError, match="b: expected a name"):
        wh.name_similarity("kim", 3)


@pytest.fixture
def records() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "record_id": [10, 11, 12, 13],
            "name": ["kim minjun", "kim minjun", "lee seoyeon", "kim minjun"],
            "phone": ["0101", "0101", None, "0109"],
            "birth_date": pd.to_datetime(["1980-01-01", None, "1990-05-05", "1980-01-01"]),
        }
    )


def test_blocking_keys_and_max_block(records):
    keys = wh.blocking_keys(records, ["name", "phone"])
    assert keys[keys["record_id"] == 12]["key"].tolist() == ["name:lee seoyeon"]
    assert (keys["key"] == "name:kim minjun").sum() == 3
    capped = wh.blocking_keys(records, ["name", "phone"], max_block=2)
    assert "name:kim minjun" not in set(capped["key"])
    assert (capped["key"] == "phone:0101").sum() == 2
    dates = wh.blocking_keys(records, ["birth_date"])
    assert dates["key"].tolist() == ["birth_date:1980-01-01", "birth_date:1990-05-05",
                                     "birth_date:1980-01-01"]  # fmt: skip


@pytest.mark.parametrize(
    "change, columns, kwargs, error, message",
    [
        ({"record_id": [1, 1, 2, 3]}, ["name"], {}, ValueError, "unique, non-missing ID"),
        ({}, ["email"], {}, KeyError, r"records: missing column\(s\) 'email'"),
        ({}, "name", {}, TypeError, "columns: expected a list of column names"),
        ({}, [], {}, ValueError, "columns: expected at least one column name"),
        ({}, ["name"], {"max_block": 1}, ValueError, "max_block: expected a whole number >= 2"),
    ],
)
def test_blocking_keys_bad_inputs(records, change, columns, kwargs, error, message):
    with pytest.raises(error, match=message):
        wh.blocking_keys(records.assign(**change), columns, **kwargs)


def test_score_pairs_adds_agree_and_disagree_weights(records):
    before = records.copy()
    pairs = pd.DataFrame({"a": [11, 10, 12, 10], "b": [10, 13, 10, 11]})  # (10, 11) twice
    weights = {"name": (3.0, -3.0), "phone": (4.0, -2.0), "birth_date": (3.0, -4.0)}
    out = wh.score_pairs(records, pairs, weights, {"name": "bigram"})
    assert out[["left", "right"]].values.tolist() == [[10, 11], [10, 12], [10, 13]]
    first = out.iloc[0]  # same name, same phone, birth date missing on one side
    assert (first["name"], first["phone"]) == (1.0, 1.0) and np.isnan(first["birth_date"])
    assert first["score"] == pytest.approx(3 + 4)
    second = out.iloc[1]  # nothing alike in the name, phone missing, birth date differs
    assert second["score"] == pytest.approx(-3 - 4)
    third = out.iloc[2]  # same name, phone differs, birth date agrees
    assert third["score"] == pytest.approx(3 - 2 + 3)
    pd.testing.assert_frame_equal(records, before)


def test_score_pairs_overlap_compares_words(records):
    recs = records.assign(address=["1 a-ro seoul x-gu", "1 a-ro seoul", "2 b-ro", None])
    out = wh.score_pairs(
        recs, pd.DataFrame({"l": [10, 10, 10], "r": [11, 12, 13]}), {"address": (2.0, -1.0)},
        {"address": "overlap"},
    )  # fmt: skip
    assert out["address"].tolist()[:2] == [1.0, 0.0]
    assert np.isnan(out["address"].iloc[2]) and out["score"].iloc[2] == 0


@pytest.mark.parametrize(
    "pairs, weights, similarity, error, message",
    [
        (
            {"a": [10], "b": [99]},
            {"name": (1, 0)},
            None,
            ValueError,
            r"record IDs not found .* \[99\]",
        ),
        ({"a": [10]}, {"name": (1, 0)}, None, ValueError, "pairs: expected two columns"),
        ({"a": [10], "b": [11]}, {"name": 3}, None, TypeError, "expected \\(agree, disagree\\)"),
        ({"a": [10], "b": [11]}, {"name": (3, "x")}, None, TypeError, "expected a finite number"),
        ({"a": [10], "b": [11]}, {}, None, ValueError, "weights: expected at least one"),
        ({"a": [10], "b": [11]}, {"email": (1, 0)}, None, KeyError, "missing column"),
        ({"a": [10], "b": [11]}, {"name": (1, 0)}, {"name": "fuzzy"}, ValueError, "fuzzy"),
    ],
)
def test_score_pairs_bad_inputs(records, pairs, weights, similarity, error, message):
    with pytest.raises(error, match=message):
        wh.score_pairs(records, pd.DataFrame(pairs), weights, similarity)


def test_assign_ids_links_transitively_and_numbers_by_first_record():
    ids = wh.assign_ids(["e", "d", "c", "b", "a"], pd.DataFrame({"l": ["a", "c"], "r": ["c", "e"]}))
    assert ids.to_dict() == {"e": "C000001", "d": "C000002", "c": "C000001", "b": "C000003",
                             "a": "C000001"}  # fmt: skip
    alone = wh.assign_ids([1, 2], pd.DataFrame({"l": [], "r": []}), prefix="K", width=2)
    assert alone.tolist() == ["K01", "K02"]


@pytest.mark.parametrize(
    "record_ids, matches, kwargs, error, message",
    [
        ([], {"l": [], "r": []}, {}, ValueError, "record_ids: expected at least one"),
        (["a", "a"], {"l": [], "r": []}, {}, ValueError, "unique, non-missing IDs"),
        (["a", "b"], {"l": ["a"], "r": ["z"]}, {}, ValueError, "record IDs not found"),
        (["a"], {"l": [], "r": []}, {"width": 0}, ValueError, "width: expected a whole number"),
        (["a"], {"l": [], "r": []}, {"prefix": 1}, TypeError, "prefix: expected text"),
    ],
)
def test_assign_ids_bad_inputs(record_ids, matches, kwargs, error, message):
    with pytest.raises(error, match=message):
        wh.assign_ids(record_ids, pd.DataFrame(matches), **kwargs)


def test_match_quality_counts_pairs():
    # truth: p1 = {0,1,2}, p2 = {3,4}; found: c1 = {0,1}, c2 = {2,3,4}
    q = wh.match_quality(["c1", "c1", "c2", "c2", "c2"], ["p1", "p1", "p1", "p2", "p2"])
    assert q["true_pairs"] == 3 + 1 and q["found_pairs"] == 1 + 3 and q["correct_pairs"] == 2
    assert q["precision"] == 0.5 and q["recall"] == 0.5 and q["f1"] == 0.5
    assert (q["customers"], q["persons"], q["duplicates"], q["true_duplicates"]) == (2, 2, 3, 3)
    perfect = wh.match_quality([1, 1, 2], ["x", "x", "y"])
    assert perfect[["precision", "recall", "f1"]].tolist() == [1.0, 1.0, 1.0]
    assert np.isnan(wh.match_quality([1, 2], ["x", "y"])["precision"])


@pytest.mark.parametrize(
    "found, truth, error, message",
    [
        ([1, 2], [1], ValueError, "expected one label per record in both, got 2 and 1"),
        ([1, None], [1, 2], ValueError, "found: expected a label for every record, got 1 missing"),
        ("ab", [1, 2], TypeError, "found: expected a Series or list of labels"),
        ([], [], ValueError, "found: expected at least one record"),
        (pd.Series([1, 2]), pd.Series([1, 2], index=[5, 6]), ValueError, "the same index"),
    ],
)
def test_match_quality_bad_inputs(found, truth, error, message):
    with pytest.raises(error, match=message):
        wh.match_quality(found, truth)


def test_match_curve_trades_precision_for_recall():
    scored = pd.DataFrame({"left": [1, 2, 3], "right": [2, 3, 4], "score": [9.0, 1.0, 5.0]})
    curve = wh.match_curve([1, 2, 3, 4], scored, ["a", "a", "b", "b"], [0, 4, 10])
    assert curve["customers"].tolist() == [1, 2, 4]
    assert curve["precision"].iloc[1] == 1.0 and curve["recall"].iloc[1] == 1.0
    assert curve["precision"].iloc[0] < 1 and curve["recall"].iloc[2] == 0
    with pytest.raises(TypeError, match="thresholds: expected a list of numbers"):
        wh.match_curve([1], scored, ["a"], 3.5)
    with pytest.raises(KeyError, match="scored: missing column"):
        wh.match_curve([1], scored.drop(columns="score"), ["a"], [1])


def test_pipeline_recovers_the_persons_of_a_generated_bank():
    """End to end on make_bank: the defaults give high precision and recall."""
    bank = make_bank(n_persons=300, seed=3)
    con = sqlite3.connect(":memory:")
    wh.load_tables(con, {s: bank[s] for s in BANK_SYSTEMS})
    raw = wh.query(
        con,
        """
        SELECT 'deposits' AS system, deposit_customer_no AS source_id, name,
               birth_date AS birth, phone, address, NULL AS email FROM deposits
        UNION ALL SELECT 'loans', borrower_id, borrower_name, birth_yyyymmdd, phone, address,
               NULL FROM loans
        UNION ALL SELECT 'cards', card_customer_id, cardholder_name, NULL, phone, address,
               NULL FROM cards
        UNION ALL SELECT 'investments', investor_no, name, birth_date, NULL, NULL, lower(email)
               FROM investments
        UNION ALL SELECT 'online', user_id, display_name, NULL, mobile, NULL, lower(email)
               FROM online
        UNION ALL SELECT 'branch', branch_customer_no, name, NULL, phone, address, NULL
               FROM branch
        ORDER BY system, source_id
        """,
    )
    std = pd.DataFrame(
        {
            "record_id": np.arange(len(raw)),
            "name": wh.standardise_name(raw["name"], aliases=wh.KOREAN_SURNAMES),
            "birth_date": wh.standardise_date(raw["birth"]),
            "phone": wh.standardise_phone(raw["phone"]),
            "address": wh.standardise_address(raw["address"]),
            "email": raw["email"].astype("string"),
        }
    )
    keys = wh.blocking_keys(std, ["phone", "email", "birth_date", "address", "name"])
    pairs = keys.merge(keys, on="key")
    pairs = pairs[pairs["record_id_x"] < pairs["record_id_y"]][["record_id_x", "record_id_y"]]
    scored = wh.score_pairs(std, pairs)
    ids = wh.assign_ids(std["record_id"], scored[scored["score"] >= wh.DEFAULT_THRESHOLD])
    person = raw.merge(bank["truth"].astype({"system": str}), on=["system", "source_id"])
    q = wh.match_quality(ids.to_numpy(), person["person_id"].to_numpy())
    assert q["records"] == len(bank["truth"]) and q["persons"] == 300
    assert q["precision"] > 0.95
    assert q["recall"] > 0.85
    naive = wh.match_quality(raw["name"].str.lower().to_numpy(), person["person_id"].to_numpy())
    assert q["f1"] > naive["f1"] + 0.3  # far better than matching on the raw name


# --- staging: stack_sources, standardise_records, candidate_pairs ---------------------


def test_stack_sources_maps_fields_sorts_and_numbers_records():
    a = pd.DataFrame({"no": ["A2", "A1"], "nm": ["Kim Minjun", "Lee Seoyeon"],
                      "born": pd.to_datetime(["1980-01-02", None])})  # fmt: skip
    b = pd.DataFrame({"id": [7], "holder": ["MINJUN KIM"], "tel": ["010-1"]})
    out = wh.stack_sources(
        {"cards": b, "accounts": a},
        {
            "cards": {"source_id": "id", "name": "holder", "phone": "tel"},
            "accounts": {"source_id": "no", "name": "nm", "birth_date": "born"},
        },
    )
    assert out.columns.tolist() == ["record_id", "system", "source_id", "name", "phone",
                                    "birth_date"]  # fmt: skip
    assert out["record_id"].tolist() == [1, 2, 3]
    assert out["source_id"].tolist() == ["A1", "A2", "7"]  # IDs become text, sorted per system
    assert out["birth_date"].isna().tolist() == [True, False, True]
    assert out["birth_date"].iloc[1] == "1980-01-02"  # dates as ISO text
    assert out["phone"].isna().tolist() == [True, True, False]
    assert a["no"].tolist() == ["A2", "A1"]  # input not changed


def test_stack_sources_names_what_is_missing():
    a = pd.DataFrame({"no": ["A1"], "nm": ["Kim"]})
    with pytest.raises(ValueError, match="missing \\['cards'\\]"):
        wh.stack_sources({"accounts": a, "cards": a}, {"accounts": {"source_id": "no"}})
    with pytest.raises(ValueError, match="source_id"):
        wh.stack_sources({"accounts": a}, {"accounts": {"name": "nm"}})
    with pytest.raises(KeyError, match="phone_no"):
        wh.stack_sources({"accounts": a}, {"accounts": {"source_id": "no", "phone": "phone_no"}})


def test_standardise_records_matches_the_single_functions():
    bank = make_bank(n_persons=200, seed=3)
    from crmlib.datasets.synthetic.bank import BANK_MATCH_FIELDS

    raw = wh.stack_sources({s: bank[s] for s in BANK_SYSTEMS}, BANK_MATCH_FIELDS)
    std = wh.standardise_records(raw, aliases=wh.KOREAN_SURNAMES)
    assert len(std) == len(raw) and std["record_id"].equals(raw["record_id"])
    expected_names = wh.standardise_name(raw["name"].astype(object), aliases=wh.KOREAN_SURNAMES)
    assert std["name"].equals(expected_names)
    assert std["phone"].equals(wh.standardise_phone(raw["phone"].astype(object)))
    assert pd.api.types.is_datetime64_any_dtype(std["birth_date"])
    # every system that has birth dates got them parsed, whatever its format
    has_birth = raw["birth_date"].notna()
    assert std.loc[has_birth, "birth_date"].notna().all()
    assert (std["email"].dropna() == std["email"].dropna().str.lower()).all()
    # the truth: records of one person mostly share a standardised birth date
    truth = bank["truth"].astype({"system": str})
    person = raw[["system", "source_id"]].merge(truth, on=["system", "source_id"])["person_id"]
    births = std.assign(person=person.to_numpy()).dropna(subset=["birth_date"])
    assert (births.groupby("person")["birth_date"].nunique() == 1).mean() > 0.95


def test_candidate_pairs_equals_the_sql_self_join(con):
    recs = pd.DataFrame({"record_id": [1, 2, 3, 4, 5], "phone": ["a", "a", None, "b", "a"],
                         "name": ["x", "y", "y", "x", "z"]})  # fmt: skip
    keys = wh.blocking_keys(recs, ["phone", "name"])
    pairs = wh.candidate_pairs(keys)
    wh.load_tables(con, {"keys": keys})
    sql = wh.query(
        con,
        "SELECT DISTINCT a.record_id AS left, b.record_id AS right FROM keys a JOIN keys b "
        "ON a.key = b.key AND a.record_id < b.record_id ORDER BY 1, 2",
    )
    assert pairs.values.tolist() == sql.values.tolist()
    assert (pairs["left"] < pairs["right"]).all() and not pairs.duplicated().any()
    assert wh.candidate_pairs(keys.iloc[:0]).empty
