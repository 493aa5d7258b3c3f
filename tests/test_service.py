"""crmlib.service: service KPIs per group, checked by hand and on the bundled tickets."""

import pandas as pd
import pytest

from crmlib import datasets, service


@pytest.fixture
def tickets():
    return pd.DataFrame(
        {
            "team": ["a", "a", "a", "b"],
            "first_contact_resolution": [True, False, False, True],
            "created_at": pd.to_datetime(["2023-01-01 08:00"] * 4),
            "resolved_at": pd.to_datetime(
                ["2023-01-01 09:00", "2023-01-02 08:00", None, "2023-01-04 08:00"]
            ),
            "wait_minutes": [1.0, 2.0, 6.0, 10.0],
            "satisfaction": pd.array([5, pd.NA, 1, 3], dtype="Int64"),
        }
    )


def test_kpis_by_hand(tickets):
    kpis = service.service_kpis(tickets, "team")
    a = kpis.loc["a"]
    assert a["tickets"] == 3 and a["fcr_rate"] == pytest.approx(1 / 3)
    assert a["resolved_rate"] == pytest.approx(2 / 3)
    assert a["resolved_within"] == pytest.approx(2 / 3)  # 1 h and exactly 24 h; open ones fail
    assert a["median_hours"] == pytest.approx(12.5)
    assert a["mean_wait_minutes"] == pytest.approx(3.0)
    assert a["csat"] == pytest.approx(3.0) and a["csat_answers"] == 2
    assert kpis.loc["b", "resolved_within"] == 0.0
    assert service.service_kpis(tickets, "team", within_hours=72).loc["b", "resolved_within"] == 1


def test_overall_row_and_optional_columns(tickets):
    kpis = service.service_kpis(tickets, wait=None, satisfaction=None)
    assert kpis.index.tolist() == ["all"] and kpis.loc["all", "tickets"] == 4
    assert "csat" not in kpis and "mean_wait_minutes" not in kpis
    assert service.service_kpis(tickets.iloc[::-1], "team").equals(
        service.service_kpis(tickets, "team")
    )


def test_bundled_tickets_show_the_planted_channel_effect():
    kpis = service.service_kpis(datasets.load_tickets(), ["channel"])
    assert kpis.loc["phone", "fcr_rate"] > kpis.loc["e-mail", "fcr_rate"]
    assert kpis.loc["phone", "csat"] > kpis.loc["e-mail", "csat"]
    assert kpis["resolved_rate"].eq(1).all()


def test_bad_inputs_are_named(tickets):
    with pytest.raises(KeyError, match="channel"):
        service.service_kpis(tickets, "channel")
    with pytest.raises(ValueError, match="first_contact_resolution"):
        service.service_kpis(tickets.assign(first_contact_resolution="yes"))
    with pytest.raises(ValueError, match="resolved_at: expected a time after"):
        service.service_kpis(tickets.assign(resolved_at=pd.Timestamp("2022-12-31")))
    with pytest.raises(ValueError, match="within_hours"):
        service.service_kpis(tickets, within_hours=0)
    with pytest.raises(TypeError, match="tickets"):
        service.service_kpis([1, 2])
