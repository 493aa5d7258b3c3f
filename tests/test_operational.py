"""Tests for crmlib.operational and the CRM generator: constraints, transactions, history."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

import crmlib.operational as op
from crmlib.datasets import make_crm


@pytest.fixture(scope="module")
def crm():
    return make_crm(seed=2)


@pytest.fixture
def con(crm):
    connection = sqlite3.connect(":memory:")
    op.create_schema(connection)
    for table in op.TABLES:
        op.insert_rows(connection, table, crm[table])
    yield connection
    connection.close()


def test_generated_records_satisfy_every_constraint(crm, con):
    counts = op.table_counts(con).set_index("table")["rows"]
    assert all(counts[t] == len(crm[t]) for t in op.TABLES)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []


def test_make_crm_is_deterministic_and_plants_channel_ages(crm):
    again = make_crm(seed=2)
    for name, frame in crm.items():
        pd.testing.assert_frame_equal(frame, again[name])
    assert not make_crm(seed=3)["transactions"].equals(crm["transactions"])
    act = crm["activities"].merge(crm["customers"][["customer_id", "birth_date"]])
    age = (pd.Timestamp("2024-06-30") - act["birth_date"]).dt.days / 365.25
    digital = act["channel"].isin(["web", "e-mail"])
    assert digital[age < 35].mean() > digital[age >= 60].mean() + 0.3


@pytest.mark.parametrize(
    "table, row, message",
    [
        ("activities", {"customer_id": "P999999", "channel": "web", "direction": "inbound",
                        "purpose": "enquiry", "occurred_at": "2024-06-30 10:00:00"},
         "FOREIGN KEY"),
        ("transactions", {"customer_id": "P000001", "product_id": "P01", "channel": "web",
                          "date": "2024-06-30", "amount": -1.0}, "amount > 0"),
        ("transactions", {"customer_id": "P000001", "product_id": "P01", "channel": "web",
                          "date": "30/06/2024", "amount": 1.0}, "date"),
        ("opportunities", {"customer_id": "P000001", "product_id": "P02", "stage": "won",
                           "amount": 1.0, "opened": "2024-06-01"}, "closed IS NOT NULL"),
        ("customers", {"customer_id": "P000001", "name": "Dup", "region": "Seoul",
                       "preferred_channel": "web", "joined": "2024-01-01"}, "UNIQUE"),
    ],
)  # fmt: skip
def test_the_database_refuses_wrong_rows(con, table, row, message):
    with pytest.raises(sqlite3.IntegrityError, match=message):
        op.insert_rows(con, table, pd.DataFrame([row]))


def test_a_refused_batch_leaves_nothing_behind(con):
    before = con.execute("SELECT COUNT(*) FROM activities").fetchone()[0]
    batch = pd.DataFrame({"customer_id": ["P000001", "P000002"], "channel": ["web", "fax"],
                          "direction": "inbound", "purpose": "enquiry",
                          "occurred_at": pd.Timestamp("2024-06-30 10:00")})  # fmt: skip
    with pytest.raises(sqlite3.IntegrityError):
        op.insert_rows(con, "activities", batch)
    assert con.execute("SELECT COUNT(*) FROM activities").fetchone()[0] == before
    assert op.insert_rows(con, "activities", batch.iloc[:1]) == 1


def test_insert_rows_names_bad_arguments(con):
    with pytest.raises(ValueError, match="no table 'nope'"):
        op.insert_rows(con, "nope", pd.DataFrame({"a": [1]}))
    with pytest.raises(ValueError, match="colour"):
        op.insert_rows(con, "products", pd.DataFrame({"colour": ["red"]}))
    with pytest.raises(TypeError, match="sqlite3.Connection"):
        op.insert_rows("db", "products", pd.DataFrame({"name": ["x"]}))


def test_contact_history_is_every_record_of_the_customer_in_time_order(crm, con):
    who = crm["service_cases"]["customer_id"].iloc[0]
    history = op.contact_history(con, who)
    expected = sum((crm[t]["customer_id"] == who).sum()
                   for t in ["activities", "service_cases", "opportunities", "transactions"])  # fmt: skip
    assert len(history) == expected
    assert history["time"].is_monotonic_increasing
    assert set(history["kind"]) <= {"activity", "service case", "opportunity", "transaction"}
