"""The exercise self-check: a tolerance without gaps, hints only when true, named mistakes,
written and choice answers, and a key that does not show the answer."""

import json

import numpy as np
import pandas as pd
import pytest

from crm_workbook.check import Checker, compare, fingerprint, word_count

RECORD = "CRM_WORKBOOK_RECORD_ANSWERS"


def verdict(answer, expected, **options):
    return compare(answer, fingerprint(expected, **options))


# --- the tolerance ----------------------------------------------------------------------

KEYS = [316.67, 0.2537, 1234.5, 0.0283185, -0.147776, 35.9437, 607425.0, 1e-7, 4.345]
STEPS = np.linspace(-0.012, 0.012, 241)  # relative offsets, 0.01% apart


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("rtol", [None, 0.005, 0.01, 0.001])
def test_tolerance_has_no_gaps(key, rtol):
    """On a fine grid around the key, exactly the offsets within the tolerance pass."""
    fp = fingerprint(key, rtol=rtol)
    tol = 0.005 if rtol is None else rtol
    for step in STEPS:
        if abs(abs(step) - tol) < 1e-9:
            continue  # the boundary itself is floating-point noise either way
        answer = key * (1 + step)
        passed = compare(answer, fp) is None
        assert passed == (abs(step) < tol), (key, rtol, step)


@pytest.mark.parametrize("key", KEYS)
def test_closer_values_always_pass(key):
    """Whatever passes, every value closer to the key passes too (also across 'roundings')."""
    fp = fingerprint(key)
    grid = sorted(key * (1 + np.linspace(-0.02, 0.02, 4001)), key=lambda v: abs(v - key))
    verdicts = [compare(v, fp) is None for v in grid]
    first_fail = verdicts.index(False)
    assert all(verdicts[:first_fail]) and not any(verdicts[first_fail:])


def test_issue_examples():
    assert verdict(316.0, 316.67) is None  # was rejected by the rounded hash
    assert verdict(315.2, 316.67) is None  # 0.46% off
    assert verdict(315.0, 316.67) is not None  # 0.53% off: farther values no longer pass
    months = 1000 / 4.345  # weeks to months with 4.345 weeks a month
    assert verdict(1000 / 4.35, months) is None  # 4.35 is within 0.5% of 4.345


def test_whole_numbers_are_exact_unless_a_tolerance_is_given():
    assert verdict(69, 69) is None and verdict(np.float64(69.0), 69) is None
    assert "whole number, compared exactly" in verdict(70, 69)
    assert verdict(4340, 4338, rtol=0.005) is None
    assert "within 0.5%" in verdict(4370, 4338, rtol=0.005)


def test_tolerance_is_stated():
    assert verdict(0.3, 0.25) == "Not the expected value (answers within 0.5% of it pass)."
    assert "within 2%" in verdict(0.3, 0.25, rtol=0.02)
    assert "within 0.5%" in verdict(pd.Series([1.0, 3.0]), pd.Series([1.0, 2.0]))


def test_zero_key_accepts_floating_point_noise():
    assert verdict(1e-17, 0.0) is None and verdict(-1e-12, 0.0) is None
    assert verdict(0.01, 0.0) is not None


def test_bad_tolerance_is_refused():
    with pytest.raises(ValueError, match="rtol: expected a relative tolerance"):
        fingerprint(1.0, rtol=-0.1)


def test_frames_are_compared_cell_by_cell_with_the_tolerance():
    expected = pd.DataFrame({"r_score": [1, 2, 3], "rate": [0.1, 0.25, 0.4]})
    near = expected.assign(rate=expected["rate"] * [1.004, 0.996, 1.0049])
    assert verdict(near, expected) is None
    far = expected.assign(rate=expected["rate"] * [1.0, 1.0, 1.006])
    assert "Not the expected values" in verdict(far, expected)
    shifted = expected.assign(r_score=[1, 2, 4])  # labels are exact
    assert verdict(shifted, expected) is not None
    assert verdict(near.iloc[::-1].reset_index(drop=True), expected, ordered=False) is None


# --- equal answers, structural hints ---------------------------------------------------


@pytest.mark.parametrize(
    "expected, answer",
    [
        (0.2537, 0.25371),
        (1234.5, 1234.4999),
        (0.235, 0.2349999),
        (3, np.int64(3)),
        (True, np.True_),
        ("Champions", "  champions "),
        ([1, 2, 3], (1, 2, 3)),
        ({"a", "b"}, {"b", "a"}),
    ],
)
def test_equal_answers_pass(expected, answer):
    ordered = not isinstance(expected, set)
    assert verdict(answer, expected, ordered=ordered) is None


@pytest.mark.parametrize(
    "expected, answer, hint",
    [
        (0.25, "0.25", "Expected a number, got str"),
        (0.25, float("nan"), "division by zero or missing data"),
        (True, 1.0, "Expected True or False"),
        ("A", "B", "Not the expected answer (capitalisation"),
    ],
)
def test_wrong_type_or_missing(expected, answer, hint):
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
    assert "order is not" in verdict(shuffled, expected)
    assert verdict(shuffled, expected, ordered=False) is None
    assert "Expected a DataFrame, got Series" in verdict(expected["share"], expected)


def test_series_and_collections():
    s = pd.Series([3, 1, 2], name="n")
    assert verdict(s.copy(), s) is None
    assert "Not the expected values" in verdict(s + 7, s)
    assert verdict([1, 2], [1, 2, 3]) == "Too few rows or items (2): check your filter."
    assert "Too many" in verdict([1, 2, 3, 4], [1, 2, 3])
    assert verdict([545, 544], ["545", "544"]) == "Expected the values as text (str), got numbers."


@pytest.mark.parametrize(
    "single",
    [pd.Series([0.25]), pd.Series([0.25], index=[5]), pd.Series([0.25], index=["x"]), [0.25]],
)
def test_single_value_hint_does_not_raise_and_its_advice_works(single):
    hint = verdict(single, 0.25)
    assert ".item()" in hint
    if isinstance(single, pd.Series):
        assert verdict(single.item(), 0.25) is None
        assert verdict(single.iloc[0], 0.25) is None


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


# --- value hints only when true -----------------------------------------------------------

HINTS = [
    # (key, transformation a wrong answer made, words of the hint it must get)
    (0.25, lambda x: x * 100, "100 times too large: a percentage where a fraction"),
    (25.0, lambda x: x / 100, "100 times too small: a fraction where a percentage"),
    (1500.0, lambda x: x * 1000, "1000 times too large"),
    (0.1478, lambda x: -x, "wrong sign"),
    (0.0283, lambda x: 1 - x, "complement"),
    (230.15, lambda x: x * 4.345, "weeks where months"),
    (0.0085, lambda x: (1 + x) ** 12 - 1, "a yearly rate where a monthly one"),
    (0.12, lambda x: x / 12, "times too small"),
    (0.01, lambda x: x * 12, "12 times too large: a yearly figure"),
    (52.0, lambda x: x * 7, "days where weeks"),
    (12.5, lambda x: x * 10000, "won where 만원"),
]


@pytest.mark.parametrize("key, wrong, words", HINTS)
def test_value_hint_fires_when_true(key, wrong, words):
    fp = fingerprint(key)
    assert words in compare(wrong(key), fp)
    assert words in compare(wrong(key * 1.003), fp), "within the tolerance it still applies"


@pytest.mark.parametrize("key, wrong, words", HINTS)
def test_value_hint_is_silent_when_false(key, wrong, words):
    """The same transformation of a value that is off by 3% is not that mistake."""
    fp = fingerprint(key)
    hint = compare(wrong(key * 1.03), fp)
    assert words not in hint and "Not the expected value" in hint


@pytest.mark.parametrize("answer", [-0.3, 30.0, 0.003, 7.0, 260.0, 0.7, 1e6])
def test_no_value_hint_for_unrelated_answers(answer):
    assert verdict(answer, 0.25) == "Not the expected value (answers within 0.5% of it pass)."


@pytest.mark.parametrize("factor", [12, 4.345, 7, 52, 365, 1000, 10000])
def test_a_too_small_hint_names_its_own_mix_up(factor):
    """Each hint reads on its own: 'too small' does not refer to a 'too large' never shown."""
    key = 54600.0
    small, large = verdict(key / factor, key), verdict(key * factor, key)
    assert f"about {factor:g} times too small" in small
    assert f"about {factor:g} times too large" in large
    assert "other way round" not in small
    assert small.split(": ", 1)[1] != large.split(": ", 1)[1]


def test_unit_hints_point_the_right_way():
    assert "thousands where units are expected" in verdict(54.6, 54600.0)
    assert "units where thousands are expected" in verdict(54600.0, 54.6)
    assert "won where 만원 are expected" in verdict(125000.0, 12.5)
    assert "만원 where won are expected" in verdict(12.5, 125000.0)


@pytest.mark.parametrize(
    "key, answer, words, never",
    [
        # a money or count key 100 times off is a scale slip, not a percentage
        (2400.0, 240000.0, "100 times too large: check the units", "percentage"),
        (2400.0, 24.0, "100 times too small: check the units", "percentage"),
        # a percentage key given as a fraction is named as such
        (24.0, 0.24, "a fraction where a percentage is expected", "check the units"),
        (0.24, 24.0, "a percentage where a fraction is expected", "check the units"),
        # 1 - x and monthly/yearly rates only where the key is a fraction
        (3.0, -2.0, "Not the expected value", "complement"),
        (250.0, (1 + 250.0) ** 12 - 1, "Not the expected value", "rate"),
    ],
)
def test_hints_about_fractions_only_where_the_key_is_one(key, answer, words, never):
    hint = verdict(answer, key)
    assert words in hint and never not in hint


def test_scale_hint_in_korean():
    from crm_workbook.check import korean

    message = korean("q1: not yet. " + verdict(240000.0, 2400.0))
    assert (
        message
        == "q1: 아직 아닙니다. 답이 약 100배 큽니다. 단위와 입력값의 자릿수(스케일)를 확인하세요."
    )


LIFTS = pd.DataFrame({"segment": ["Loyal", "Lost", "Champions"], "lift": [1.286, 0.0, 3.086]})


def test_labels_that_differ_are_named():
    """Right numbers under differently written labels: the check names the label column."""
    prefixed = LIFTS.assign(segment="segment=" + LIFTS["segment"])
    hint = verdict(prefixed, LIFTS, ordered=False)
    assert hint.startswith("The labels in ['segment'] are not the expected ones")
    assert "Loyal" not in hint  # the expected labels are not shown
    series = LIFTS.set_index("segment")["lift"]
    assert "['segment']" in verdict(prefixed.set_index("segment")["lift"], series)
    unnamed = series.rename_axis(None)
    assert "['index']" in verdict(unnamed.rename(lambda s: s + "!"), unnamed)


def test_an_unordered_frame_passes_with_the_index_its_sorting_left():
    """Where the row order does not count (08 q12), a frame sorted or filtered another way
    keeps its rows' old positions as its index: no labels, so it is not refused for them."""
    by_lift = LIFTS.sort_values("lift", kind="stable")
    assert not isinstance(by_lift.index, pd.RangeIndex), "the case to test"
    assert verdict(by_lift, LIFTS, ordered=False) is None
    assert verdict(LIFTS.sort_values("segment", ascending=False), LIFTS, ordered=False) is None
    wrong = by_lift.assign(lift=by_lift["lift"] + 0.5)
    assert verdict(wrong, LIFTS, ordered=False).startswith("Not the expected values")
    # Where the order counts, the positions still say the rows were moved.
    assert "plain 0, 1, 2" in verdict(by_lift, LIFTS)
    # An index the student named is labels, not positions: the hints still name it.
    assert "should be column(s)" in verdict(LIFTS.set_index("segment"), LIFTS, ordered=False)
    # Labels the key holds still count, in any order.
    rates = LIFTS.set_index("segment")["lift"]
    assert verdict(rates.sort_values(), rates, ordered=False) is None
    assert verdict(rates.reset_index(drop=True).sort_values(), rates, ordered=False) is not None


def test_a_mistake_in_another_order_gets_its_hint(tmp_path, monkeypatch, capsys):
    confidences = LIFTS.assign(lift=[0.19, 0.0, 0.45])

    def steps(check):
        check.mistake("q1", confidences, "Those are the confidences.")
        check("q1", LIFTS, ordered=False)

    check = record(tmp_path, monkeypatch, steps)
    capsys.readouterr()
    check("q1", LIFTS.sort_values("lift"))
    check("q1", confidences.sort_values("lift"))
    assert capsys.readouterr().out.splitlines() == [
        "q1: passed",
        "q1: not yet. Those are the confidences.",
    ]


def test_labels_are_not_blamed_when_they_are_right():
    wrong_numbers = LIFTS.assign(lift=LIFTS["lift"] + 0.5)
    assert verdict(wrong_numbers, LIFTS, ordered=False).startswith("Not the expected values")
    assert verdict(LIFTS.iloc[::-1], LIFTS).startswith("The values are right but the order")
    # The values of a Series (and a list of text) are the answer, not labels.
    names = pd.Series(["Loyal", "Lost"], name="segment")
    assert verdict(pd.Series(["Loyal", "New"], name="segment"), names) == (
        "Not the expected values (compared exactly, apart from spacing and capitalisation)."
    )


def test_value_hints_apply_to_decimal_columns_of_a_frame_only():
    expected = pd.DataFrame({"r_score": [1, 2, 3], "response_rate": [0.0, 0.009, 0.136]})
    percent = expected.assign(response_rate=expected["response_rate"] * 100)
    assert "100 times too large" in verdict(percent, expected)
    wrong_too = percent.assign(r_score=[1, 2, 4])
    assert "100 times too large" not in verdict(wrong_too, expected)


# --- the key ------------------------------------------------------------------------------


def test_key_does_not_contain_the_answer(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(RECORD, str(tmp_path))
    check = Checker("nb")
    check("q1", 0.4187)
    check("q2", "Hibernating")
    check.written("q3", "Because the uplift of 0.4187 beats break-even, mail them; " * 3)
    check.choice("q4", "b", "Hibernating customers cost more than they bring")
    capsys.readouterr()
    text = (tmp_path / "nb.json").read_text()
    for secret in ("0.4187", "4.19", "hibernating", "Hibernating", "0.419", "uplift", '"b"'):
        assert secret not in text
    assert set(json.loads(text)) == {"q1", "q2", "q3", "q4"}


def test_recording_and_checking_round_trip(tmp_path, monkeypatch, capsys):
    frame = pd.DataFrame({"segment": ["Champions", "Lost"], "share": [0.61, 0.04]})
    answers = {"q1": 42.0, "q2": 69, "q3": "Lee", "q4": [3, 1, 2], "q5": frame}
    monkeypatch.setenv(RECORD, str(tmp_path))
    recorder = Checker("nb")
    for question, answer in answers.items():
        recorder(question, answer, ordered=question != "q4")
    assert capsys.readouterr().out == "".join(f"{q}: passed\n" for q in answers)
    monkeypatch.delenv(RECORD)
    check = Checker("nb", key_dir=tmp_path)
    check("q1", 42.1)
    check("q2", 69.0)
    check("q3", " lee")
    check("q4", [1, 2, 3])
    check("q5", frame.assign(share=frame["share"] * 1.001))
    assert capsys.readouterr().out == "".join(f"{q}: passed\n" for q in answers)


def test_checker_verdicts(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(RECORD, str(tmp_path))
    Checker("nb")("q1", 42.0)
    capsys.readouterr()
    monkeypatch.delenv(RECORD)
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
    monkeypatch.setenv(RECORD, str(tmp_path))
    Checker("nb")("q1", 1.0)
    Checker("nb")("q2", 2.0)
    Checker("nb")("q1", 3.0)
    key = json.loads((tmp_path / "nb.json").read_text())
    assert compare(3.0, key["q1"]) is None and compare(2.0, key["q2"]) is None


def test_an_old_key_asks_to_be_rebuilt():
    old = {"kind": "number", "digits": 3, "hash": "7d77cd6c13526faa083aca67", "ordered": True}
    assert "out of date" in compare(0.25, old)


# --- named mistakes -----------------------------------------------------------------------


def record(tmp_path, monkeypatch, steps):
    """Run ``steps(check)`` recording into tmp_path; return a student's checker."""
    monkeypatch.setenv(RECORD, str(tmp_path))
    steps(Checker("nb"))
    monkeypatch.delenv(RECORD)
    return Checker("nb", key_dir=tmp_path)


def test_mistakes_get_their_hint(tmp_path, monkeypatch, capsys):
    def steps(check):
        check.mistake("q1", 0.9717, "You computed the share who stayed.")
        check.mistake("q1", 0.0425, "You divided by the two-year customers who stayed.")
        check("q1", 0.0283)
        check("q1", 0.0283)  # re-running a cell does not duplicate anything
        check.mistake("q1", 0.0425, "You divided by the two-year customers who stayed.")

    check = record(tmp_path, monkeypatch, steps)
    capsys.readouterr()
    check("q1", 0.972)
    check("q1", 0.0426)
    check("q1", 0.0283)
    check("q1", 0.05)
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "q1: not yet. You computed the share who stayed.",
        "q1: not yet. You divided by the two-year customers who stayed.",
        "q1: passed",
        "q1: not yet. Not the expected value (answers within 0.5% of it pass).",
    ]
    assert len(json.loads((tmp_path / "nb.json").read_text())["q1"]["mistakes"]) == 2


def test_mistakes_use_the_question_tolerance_and_order(tmp_path, monkeypatch, capsys):
    right = pd.DataFrame({"segment": ["a", "b"], "rate": [0.5, 0.2]})
    wrong = pd.DataFrame({"segment": ["a", "b"], "rate": [0.4, 0.1]})

    def steps(check):
        check.mistake("q1", wrong, "Counted every purchase, not repeat purchases.")
        check("q1", right, ordered=False)
        check.mistake("q2", 100.0, "Start of the period.")
        check("q2", 110.0, rtol=0.02)

    check = record(tmp_path, monkeypatch, steps)
    capsys.readouterr()
    check("q1", wrong.iloc[::-1].reset_index(drop=True))
    check("q2", 101.5)
    assert capsys.readouterr().out.splitlines() == [
        "q1: not yet. Counted every purchase, not repeat purchases.",
        "q2: not yet. Start of the period.",
    ]


def test_of_two_mistakes_within_the_tolerance_the_nearer_one_is_named(
    tmp_path, monkeypatch, capsys
):
    """Two classic mistakes can land within 0.5% of each other (0.7340 and 0.7374): a student
    who made the second gets its hint, not the first one declared."""
    wrong = pd.DataFrame({"segment": ["a", "b"], "rate": [0.400, 0.100]})
    close = pd.DataFrame({"segment": ["a", "b"], "rate": [0.401, 0.1001]})

    def steps(check):
        check.mistake("q1", 0.7340, "All phone tickets.")
        check.mistake("q1", 0.7374, "Solved within two contacts.")
        check("q1", 0.5118)
        check.mistake("q2", wrong, "Counted every purchase.")
        check.mistake("q2", close, "Counted the cancellations.")
        check("q2", pd.DataFrame({"segment": ["a", "b"], "rate": [0.5, 0.2]}), ordered=False)

    check = record(tmp_path, monkeypatch, steps)
    capsys.readouterr()
    check("q1", 0.7374)
    check("q1", 0.7340)
    check("q1", 0.7352)  # within 0.5% of both, nearer the first
    check("q2", close.iloc[::-1].reset_index(drop=True))
    check("q2", wrong)
    assert capsys.readouterr().out.splitlines() == [
        "q1: not yet. Solved within two contacts.",
        "q1: not yet. All phone tickets.",
        "q1: not yet. All phone tickets.",
        "q2: not yet. Counted the cancellations.",
        "q2: not yet. Counted every purchase.",
    ]


def test_a_mistake_that_is_the_answer_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(RECORD, str(tmp_path))
    check = Checker("nb")
    check.mistake("q1", 0.2501, "oops")
    with pytest.raises(ValueError, match="q1: the mistake 'oops' matches the answer"):
        check("q1", 0.25)
    check("q2", 0.25)
    with pytest.raises(ValueError, match="must be a wrong answer"):
        check.mistake("q2", 0.2499, "oops")


def test_mistakes_are_ignored_outside_recording(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(RECORD, raising=False)
    check = Checker("nb", key_dir=tmp_path)
    assert check.mistake("q1", 0.5, "hint") is None
    assert capsys.readouterr().out == ""
    assert not (tmp_path / "nb.json").exists()


def test_a_mistake_hint_wins_over_a_generic_value_hint(tmp_path, monkeypatch, capsys):
    def steps(check):
        check.mistake("q1", -0.1478, "Recency measured the other way: older minus newer.")
        check("q1", 0.1478)

    record(tmp_path, monkeypatch, steps)("q1", -0.1478)
    assert "Recency measured the other way" in capsys.readouterr().out.splitlines()[-1]


# --- written answers ----------------------------------------------------------------------

MODEL = (
    "Mail the recent customers: their incremental response rate of about fifteen points is "
    "more than twice the break-even rate, but the lower end of its interval is not."
)


def test_word_count_counts_hangul_by_syllables():
    assert word_count("one two three") == 3
    assert word_count("관계획득 관계유지 관계강화") == 4  # 12 syllables
    assert word_count("RFM 점수는 최근성") == 1 + 6 / 3
    korean = "최근 구매 고객에게 쿠폰을 보내야 합니다. 증분 반응률이 손익분기 반응률보다 높습니다."
    assert word_count(korean) >= 12
    # a short, properly spaced Korean reason counts its 어절: as many words as its English
    assert word_count("고객 모르게 상품만 변경") == word_count("products changed without telling")
    assert word_count("고객모르게상품만변경") == 10 / 3  # spaces left out: by syllables


def test_written_answers(tmp_path, monkeypatch, capsys):
    check = record(tmp_path, monkeypatch, lambda c: c.written("q2", MODEL))
    assert capsys.readouterr().out.startswith("q2: answer noted (")
    check.written("q2", "")
    check.written("q2", None)
    check.written("q2", "   ")
    check.written("q2", "Mail them, it pays.")
    check.written("q2", "구매 가능성이 높다")  # 8 syllables: too short
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == ["q2: not answered yet"] * 3
    assert out[3].startswith("q2: not yet. Write a little more: at least 15 words")
    assert out[4].startswith("q2: not yet. Write a little more")
    assert "fifteen" not in "".join(out), "the model answer only after an answer of one's own"
    mine = "최근 구매 고객에게는 쿠폰을 보내야 합니다. 통제집단과 비교한 증분 반응률이 손익분기"
    check.written("q2", mine + " 반응률보다 두 배 이상 높기 때문입니다.")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("q2: answer noted") and out[0].endswith(
        "Compare it with the model answer:"
    )
    assert "fifteen points" in " ".join(out[1:])
    assert all(line.startswith("  ") for line in out[1:])


def test_a_short_model_answer_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(RECORD, str(tmp_path))
    with pytest.raises(ValueError, match="q2: the model answer has 2 words"):
        Checker("nb").written("q2", "Mail them.")


# --- choice answers -----------------------------------------------------------------------


def test_choice_answers(tmp_path, monkeypatch, capsys):
    def steps(check):
        check.mistake("q3", "a", "Kim has the highest CLV, but most of her wallet is yours.")
        check.choice("q3", "b", "The largest value not yet captured: potential minus CLV.")

    check = record(tmp_path, monkeypatch, steps)
    assert capsys.readouterr().out.startswith("q3: passed")
    check.choice("q3", None, "")
    check.choice("q3", "b", "")
    check.choice("q3", "b", "because")
    check.choice("q3", "(A)", "She has the highest CLV of all")
    check.choice("q3", "c", "Potential minus CLV is largest")
    check.choice("q3", "Lee", "Potential minus CLV is largest")
    check.choice("q3", " b) ", "Potential minus CLV is largest")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "q3: not answered yet"
    assert (
        out[1]
        == out[2]
        == "q3: write a one-line reason first (at least 4 words; in Korean about 12 characters), "
        "then check again."
    )
    assert out[3] == "q3: not yet. Kim has the highest CLV, but most of her wallet is yours."
    assert out[4] == "q3: not yet. Not this one: reread the options and your reason."
    assert out[5].startswith("q3: not yet. Answer with the letter of one option")
    assert out[6] == "q3: passed. The solution's reason, to compare with yours:"
    assert "potential minus CLV" in out[7]


def test_a_choice_mistake_that_is_the_answer_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(RECORD, str(tmp_path))
    check = Checker("nb")
    check.mistake("q3", "B", "oops")
    with pytest.raises(ValueError, match="must be a wrong answer"):
        check.choice("q3", "b", "The largest value not yet captured.")


def test_a_choice_without_reason_in_the_solution_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(RECORD, str(tmp_path))
    with pytest.raises(ValueError, match="a letter and a reason"):
        Checker("nb").choice("q3", "b", "")


def test_kinds_of_question_are_not_mixed_up(tmp_path, monkeypatch, capsys):
    check = record(tmp_path, monkeypatch, lambda c: c.written("q2", MODEL))
    capsys.readouterr()
    check("q2", 0.5)
    check.choice("q2", "a", "a reason of some words")
    out = capsys.readouterr().out.splitlines()
    assert all("another kind of question" in line for line in out)
