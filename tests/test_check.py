"""The exercise self-check: verdicts, hints, and a key that does not give the answer away."""

import doctest
import json

import numpy as np
import pandas as pd
import pytest

import crm_workbook.check
from crm_workbook.check import Checker, compare, fingerprint


def verdict(answer, expected, **options):
    return compare(answer, fingerprint(expected, **options))


def test_doctests():
    assert doctest.testmod(crm_workbook.check).failed == 0


@pytest.mark.parametrize(
    "expected, answer",
    [
        (0.2537, 0.25371),  # more digits than compared
        (1234.5, 1234.4999),  # the rounding boundary
        (0.235, 0.2349999),  # just below a boundary of the third digit
        (3, np.int64(3)),
        (True, np.True_),
        ("Champions", "  champions "),
        ([1, 2, 3], (1, 2, 3)),
        ({"a", "b"}, {"b", "a"}),
    ],
)
def test_equal_answers_pass(expected, answer):
    assert verdict(answer, expected) is None


@pytest.mark.parametrize(
    "expected, answer, hint",
    [
        (0.25, 25.0, "100 times too large: a percentage where a fraction"),
        (25.0, 0.25, "100 times too small: a fraction where a percentage"),
        (1500.0, 1.5e6, "1000 times too large"),
        (0.25, -0.25, "wrong sign"),
        (0.25, 0.27, "Not the expected value"),
        (0.25, "0.25", "Expected a number, got str"),
        (0.25, float("nan"), "division by zero or missing data"),
        (True, 1.0, "Expected True or False"),
    ],
)
def test_wrong_numbers_get_a_hint(expected, answer, hint):
    assert hint in verdict(answer, expected)


def test_frames_hint_at_shape_columns_and_order():
    expected = pd.DataFrame({"segment": ["a", "b", "c"], "share": [0.5, 0.3, 0.2]})
    assert verdict(expected.copy(), expected) is None
    assert "Too few rows or items (2)" in verdict(expected.head(2), expected)
    assert "3" not in verdict(expected.head(2), expected), "the hint must not give the count"
    assert "missing ['share'], unexpected ['pct']" in verdict(
        expected.rename(columns={"share": "pct"}), expected
    )
    assert "another order" in verdict(expected[["share", "segment"]], expected)
    shuffled = expected.iloc[[2, 0, 1]].reset_index(drop=True)
    key = fingerprint(expected)
    key["unordered_hash"] = fingerprint(expected, ordered=False)["hash"]
    assert "order is not" in compare(shuffled, key)
    assert verdict(shuffled, expected, ordered=False) is None
    assert "Expected a DataFrame, got Series" in verdict(expected["share"], expected)


def test_series_and_collections():
    s = pd.Series([3, 1, 2], name="n")
    assert verdict(s.copy(), s) is None
    assert "Not the expected values" in verdict(s * 2, s)
    assert verdict([1, 2], [1, 2, 3]) == "Too few rows or items (2): check your filter."
    assert "Too many" in verdict([1, 2, 3, 4], [1, 2, 3])
    assert verdict([545, 544], ["545", "544"]) == "Expected the values as text (str), got numbers."
    assert "Not the expected answer (capitalisation" in verdict("B", "A")
    assert ".item()" in verdict(pd.Series([0.25]), 0.25)


def test_key_does_not_contain_the_answer(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CRM_WORKBOOK_RECORD_ANSWERS", str(tmp_path))
    Checker("nb")("q1", 0.4187)
    Checker("nb")("q2", "Hibernating")
    text = (tmp_path / "nb.json").read_text()
    for secret in ("0.4187", "4.19", "hibernating", "Hibernating", "0.419"):
        assert secret not in text
    assert capsys.readouterr().out == "q1: passed\nq2: passed\n"
    assert set(json.loads(text)) == {"q1", "q2"}


def test_checker_verdicts(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CRM_WORKBOOK_RECORD_ANSWERS", str(tmp_path))
    Checker("nb")("q1", 42.0)
    capsys.readouterr()
    monkeypatch.delenv("CRM_WORKBOOK_RECORD_ANSWERS")
    check = Checker("nb", key_dir=tmp_path)
    check("q1", 42.0)
    check("q1", None)
    check("q1", ...)
    check("q1", 4200.0)
    check("q9", 1)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "q1: passed"
    assert out[1] == out[2] == "q1: not answered yet"
    assert out[3].startswith("q1: not yet. Your answer is about 100 times too large")
    assert out[4] == "q9: no answer key for this question in nb"


def test_recording_again_replaces_only_that_question(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_WORKBOOK_RECORD_ANSWERS", str(tmp_path))
    Checker("nb")("q1", 1.0)
    Checker("nb")("q2", 2.0)
    Checker("nb")("q1", 3.0)
    key = json.loads((tmp_path / "nb.json").read_text())
    assert compare(3.0, key["q1"]) is None and compare(2.0, key["q2"]) is None


def test_series_labels_are_part_of_the_answer():
    rates = pd.Series([0.45, 0.19], index=["Electronic check", "Mailed check"], name="churn")
    assert verdict(rates.copy(), rates) is None
    relabelled = rates.set_axis(["Mailed check", "Electronic check"])
    assert "Not the expected values" in verdict(relabelled, rates)
    assert "labels in the index" in verdict(rates.reset_index(drop=True), rates)
    frame = rates.rename_axis("method").reset_index()
    assert "should be column(s), not the index" in verdict(frame.set_index("method"), frame)
    assert "plain 0, 1, 2" in verdict(frame.set_index("churn", drop=False), frame)
    assert verdict(frame.iloc[::-1].reset_index(drop=True), frame, ordered=False) is None
