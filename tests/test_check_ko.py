"""The Korean edition's self-checks: every message the checks print has a Korean version,
the English messages and the key are unchanged, and an author's own hint is never mangled."""

import re

import numpy as np
import pandas as pd
import pytest

from crm_workbook import check as checks
from crm_workbook.check import Checker, compare, fingerprint, korean

RECORD = "CRM_WORKBOOK_RECORD_ANSWERS"
# Code, names and values a Korean message may still show in Latin letters.
KEPT = {
    "q1", "q2", "q3", "q4", "nb", "item", "iloc", "reset_index", "set_index", "groupby",
    "DataFrame", "Series", "str", "list", "float", "int", "True", "False", "inf", "nan",
    "crm", "workbook", "execute", "segment", "share", "pct", "b", "r", "index",
}  # fmt: skip


def english_words(message):
    return sorted(set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", message)) - KEPT)


def assert_korean(message):
    translated = korean(message)
    assert re.search(r"[\uac00-\ud7a3]", translated), f"no Korean in {translated!r}"
    assert english_words(translated) == [], f"{message!r} -> {translated!r}"
    return translated


# Answers that make compare() give each of its hints (expected, answer, options).
FRAME = pd.DataFrame({"segment": ["a", "b", "c"], "share": [0.5, 0.3, 0.2]})
CASES = [
    (0.25, "0.25", {}),  # wrong type
    (0.25, pd.Series([0.25]), {}),  # a single value to take out with .item()
    (0.25, float("nan"), {}),  # division by zero or missing data
    (True, 1.0, {}),
    ("A", "B", {}),  # text
    (0.25, 0.3, {}),  # not the expected value, the default tolerance
    (3, 4, {}),  # a whole number, compared exactly
    (0.25, 0.3, {"rtol": 0.01}),
    (0.25, 0.3, {"rtol": 0.0}),
    ([1, 2, 3], [1, 2], {}),  # too few
    ([1, 2, 3], [1, 2, 3, 4], {}),  # too many
    (["545", "544"], [545, 544], {}),  # values as text
    ([1, 2, 3], [3, 1, 2], {}),  # the order
    (pd.Series([3, 1, 2], name="n"), pd.Series([10, 8, 9], name="n"), {}),
    (FRAME, FRAME.rename(columns={"share": "pct"}), {}),
    (FRAME, FRAME[["share", "segment"]], {}),
    (FRAME, FRAME.set_index("segment"), {}),  # a column in the index
    (FRAME, FRAME.assign(share=FRAME["share"] + 0.1), {}),  # numbers and labels
    (FRAME.set_index("segment"), FRAME, {}),  # labels expected in the index
    (FRAME.set_index("segment")["share"], FRAME["share"], {}),  # a plain index expected
    (pd.Series([1.5], index=["x"]), pd.Series([1.5]), {}),
    (FRAME.set_index("segment"), FRAME.set_index("segment") * 100, {}),  # value hint, frame
    (FRAME, FRAME.assign(segment="segment=" + FRAME["segment"]), {}),  # labels differ
    (FRAME.set_index("segment")["share"], FRAME.set_index("segment")["share"].rename_axis(None)
     .rename(lambda s: s + "!"), {}),  # labels of an unnamed index differ
]  # fmt: skip


@pytest.mark.parametrize("expected, answer, options", CASES)
def test_every_hint_of_compare_has_korean(expected, answer, options):
    hint = compare(answer, fingerprint(expected, **options))
    assert hint is not None
    assert_korean(f"q1: not yet. {hint}")


@pytest.mark.parametrize("why", [why for _, why, _ in checks._HINTS])
@pytest.mark.parametrize("what", ["Your answer is", "Your values are"])
def test_every_value_hint_has_korean(what, why):
    """A hint added to the English list fails here until it has its Korean."""
    translated = assert_korean(f"q1: not yet. {what} {why}")
    assert translated.startswith(
        "q1: 아직 아닙니다. " + ("답이 " if "answer" in what else "값들이 ")
    )


def test_value_hints_read_as_korean_sentences():
    assert korean("q1: not yet. Your answer is about 100 times too large: a percentage where a "
                  "fraction is expected?") == (
        "q1: 아직 아닙니다. 답이 약 100배 큽니다. 비율(0~1)을 써야 할 곳에 퍼센트를 쓰지 않았나요?"
    )  # fmt: skip
    assert korean("q1: not yet. Your answer is about 1000 times too small: thousands where "
                  "units are expected?") == (
        "q1: 아직 아닙니다. 답이 약 1000배 작습니다. 낱개 단위로 쓸 곳에 천 단위로 쓰지 않았나요?"
    )  # fmt: skip
    assert korean(
        "q1: not yet. Not the expected values (numbers within 1% pass; whole numbers and "
        "labels must match exactly)."
    ) == (
        "q1: 아직 아닙니다. 기대한 값이 아닙니다(수치는 1% 이내로 다르면 통과합니다; "
        "정수와 레이블은 정확히 일치해야 합니다)."
    )


def test_a_python_error_is_shown_as_raised():
    assert korean("q1: not yet. Could not read the answer: bad value") == (
        "q1: 아직 아닙니다. 답을 읽을 수 없습니다: bad value"
    )


def test_an_authors_hint_is_shown_as_written():
    """Mistake hints and model answers come from the solution, in its author's language."""
    for hint in (
        "You counted every purchase; the question asks about repeat purchases.",
        "Your answer is the share who stayed; the question asks who left.",
        "Expected a rate, got a count.",
        "Too many customers: you kept the cancelled invoices.",
        "재구매만 세어야 합니다.",
    ):
        assert korean(f"q1: not yet. {hint}") == f"q1: 아직 아닙니다. {hint}"
    assert korean("A model answer that mentions compared exactly.") == (
        "A model answer that mentions compared exactly."
    )


def record(tmp_path, monkeypatch, steps, **options):
    monkeypatch.setenv(RECORD, str(tmp_path))
    steps(Checker("nb"))
    monkeypatch.delenv(RECORD)
    return Checker("nb", key_dir=tmp_path, **options)


def solution(check):
    check.mistake("q1", 0.75, "That is the share who stayed.")
    check("q1", 0.25)
    check.written("q2", "Keep the customers first: retention costs a sixth of acquisition, " * 2)
    check.mistake("q3", "a", "A is the cheaper option, not the better one.")
    check.choice("q3", "b", "Retention money goes further than acquisition money.")


def student(check):
    check("q1", None)
    check("q1", 0.2501)
    check("q1", 25.0)
    check("q1", 0.75)
    check("q1", 0.3)
    check("q1", "0.25")
    check("q4", 1)
    check("q2", 0.5)
    check.written("q2", "")
    check.written("q2", "Keep them.")
    check.written(
        "q2",
        "유지 비용이 획득 비용보다 훨씬 적게 들기 때문에 기존 고객을 먼저 지켜야 한다. "
        "이탈 고객을 모두 붙잡은 뒤에야 획득에 돈을 쓴다.",
    )
    check.choice("q3", "b", "")
    check.choice("q3", "Lee", "retention pays for itself first")
    check.choice("q3", "a", "a costs less than the others")
    check.choice("q3", "c", "c costs less than the others")
    check.choice("q3", "b", "retention pays for itself first")


def test_a_korean_checker_prints_the_english_verdicts_in_korean(tmp_path, monkeypatch, capsys):
    english = record(tmp_path, monkeypatch, solution)
    capsys.readouterr()
    student(english)
    said = capsys.readouterr().out.splitlines()
    student(Checker("nb", key_dir=tmp_path, lang="ko"))
    shown = capsys.readouterr().out.splitlines()
    assert shown == [korean(line) for line in said], "ko prints korean(the English message)"
    authors = ("That is the share", "A is the cheaper", "Keep the customers", "Retention money")
    for line in shown:
        if line.startswith("  ") or any(a in line for a in authors):
            continue  # the model answer, a reason or a hint the solution's author wrote
        assert english_words(line) == [], line
    assert shown[:5] == [
        "q1: 아직 답하지 않았습니다",
        "q1: 통과",
        "q1: 아직 아닙니다. 답이 약 100배 큽니다. 비율(0~1)을 써야 할 곳에 퍼센트를 쓰지 않았나요?",
        "q1: 아직 아닙니다. That is the share who stayed.",
        "q1: 아직 아닙니다. 기대한 값이 아닙니다(기대한 값과 0.5% 이내로 다르면 통과합니다).",
    ]
    assert "q4: nb의 답안 키에 이 문제가 없습니다" in shown
    assert any(line.startswith("q2: 답을 확인했습니다(") for line in shown)
    assert shown[-2] == "q3: 통과. 풀이에 적힌 이유입니다. 자신의 이유와 비교해 보세요:"


def test_a_korean_checker_takes_an_unordered_frame_sorted_its_own_way(
    tmp_path, monkeypatch, capsys
):
    """The same comparison in both editions: where the row order does not count, a frame
    sorted another way passes (its index holds the old positions) and a mistake in another
    order gets its author's hint."""
    lifts = pd.DataFrame({"segment": ["Loyal", "Lost", "Champions"], "lift": [1.3, 0.0, 3.1]})
    confidences = lifts.assign(lift=[0.19, 0.0, 0.45])

    def steps(check):
        check.mistake("q1", confidences, "향상도가 아니라 신뢰도입니다.")
        check("q1", lifts, ordered=False)

    check = record(tmp_path, monkeypatch, steps, lang="ko")
    capsys.readouterr()
    check("q1", lifts.sort_values("lift"))
    check("q1", confidences.sort_values("lift"))
    check("q1", lifts.set_index("segment"))
    assert capsys.readouterr().out.splitlines() == [
        "q1: 통과",
        "q1: 아직 아닙니다. 향상도가 아니라 신뢰도입니다.",
        "q1: 아직 아닙니다. ['segment']은(는) 인덱스가 아니라 열이어야 합니다. "
        ".reset_index()를 붙이세요.",
    ]


def test_english_stays_the_default_and_the_key_is_the_same(tmp_path, monkeypatch, capsys):
    record(tmp_path / "en", monkeypatch, solution)
    record(tmp_path / "ko", monkeypatch, lambda c: solution(Checker("nb", lang="ko")))
    assert (tmp_path / "en" / "nb.json").read_text() == (tmp_path / "ko" / "nb.json").read_text()
    capsys.readouterr()
    Checker("nb", key_dir=tmp_path / "en")("q1", 0.3)
    assert capsys.readouterr().out == (
        "q1: not yet. Not the expected value (answers within 0.5% of it pass).\n"
    )


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match=r"lang: expected one of \['en', 'ko'\], got 'kr'"):
        Checker("nb", lang="kr")


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_an_infinite_answer_is_explained_in_korean(value):
    assert korean(f"q1: not yet. {compare(value, fingerprint(0.25))}").startswith(
        "q1: 아직 아닙니다. 답이 "
    )
