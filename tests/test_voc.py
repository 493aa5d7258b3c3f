"""crmlib.voc: keyword rules, naive Bayes (Manning et al. Example 13.1), report and routing."""

import numpy as np
import pandas as pd
import pytest

from crmlib import datasets, voc

# Manning, Raghavan & Schütze (2008), Introduction to Information Retrieval, Example 13.1
# (Table 13.1): is the test document about China?  P(c|d) ∝ 3/4 (3/7)^3 (1/14)(1/14)
# ≈ 0.0003 and P(not c|d) ∝ 1/4 (2/9)^3 (2/9)(2/9) ≈ 0.0001.
TRAIN = ["Chinese Beijing Chinese", "Chinese Chinese Shanghai", "Chinese Macao",
         "Tokyo Japan Chinese"]  # fmt: skip
LABELS = ["yes", "yes", "yes", "no"]
TEST = "Chinese Chinese Chinese Tokyo Japan"


def test_naive_bayes_reproduces_manning_example_13_1():
    model = voc.text_classifier().fit(TRAIN, LABELS)
    yes = 3 / 4 * (3 / 7) ** 3 * (1 / 14) ** 2
    no = 1 / 4 * (2 / 9) ** 5
    assert yes == pytest.approx(0.0003, abs=5e-5) and no == pytest.approx(0.0001, abs=5e-5)
    proba = dict(zip(model.classes_, model.predict_proba([TEST])[0], strict=True))
    assert proba["yes"] == pytest.approx(yes / (yes + no), rel=1e-9)
    assert model.predict([TEST]).tolist() == ["yes"]


def test_classifier_beats_keyword_rules_on_held_out_tickets():
    t = datasets.load_tickets()
    train, test = t[t["created_at"] < "2023-10-01"], t[t["created_at"] >= "2023-10-01"]
    model = voc.text_classifier().fit(train["message"], train["category"].astype(str))
    truth = test["category"].astype(str)
    bayes = voc.classification_report(truth, model.predict(test["message"]))
    rules = {"delivery": ["parcel", "courier"], "billing": ["charged", "invoice"]}
    keywords = voc.classification_report(truth, voc.keyword_classify(test["message"], rules))
    assert bayes.loc["all", "recall"] > 0.75 > keywords.loc["all", "recall"]


def test_keyword_rules_try_classes_in_order_on_whole_words():
    rules = {"staff": ["rude"], "delivery": ["courier", "parcel"], "login": ["log in"]}
    got = voc.keyword_classify(
        pd.Series(["The courier was RUDE", "parcel late", "my blog in", "Cannot log in"],
                  index=[10, 11, 12, 13]),
        rules,
        default="other",
    )  # fmt: skip
    assert got.to_dict() == {10: "staff", 11: "delivery", 12: "other", 13: "login"}
    reordered = voc.keyword_classify(["The courier was rude"], dict(reversed(rules.items())))
    assert reordered.tolist() == ["delivery"]


def test_keywords_with_regex_characters_are_taken_literally():
    assert voc.keyword_classify(["a (b) c", "abc"], {"x": ["(b)"]}).tolist()[1] == "unclassified"


def test_classification_report_counts_and_accuracy():
    true = pd.Series(["a", "b", "b", "c"], index=[3, 2, 1, 0])
    pred = pd.Series(["a", "b", "a", "a"], index=[0, 1, 2, 3])  # paired by index
    report = voc.classification_report(true, pred)
    assert report.loc["a", "predicted"] == 3 and report.loc["a", "precision"] == pytest.approx(
        1 / 3
    )
    assert report.loc["b", "recall"] == 0.5 and report.loc["c", "recall"] == 0
    assert report.loc["all", "recall"] == pytest.approx(0.5)
    assert report["messages"].iloc[:-1].sum() == report.loc["all", "messages"] == 4


def test_route_maps_classes_and_refuses_unrouted_ones():
    routes = {"billing": "finance", "refund": "finance", "parcel": "logistics"}
    assert voc.route(pd.Series(["parcel", "billing"]), routes).tolist() == ["logistics", "finance"]
    with pytest.raises(ValueError, match="routes: .*'unclassified'"):
        voc.route(["billing", "unclassified"], routes)
    with pytest.raises(TypeError, match="routes"):
        voc.route(["billing"], ["finance"])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: voc.keyword_classify("one text", {"a": ["x"]}), TypeError, "messages: .*one string"),
        (lambda: voc.keyword_classify(["ok", np.nan], {"a": ["x"]}), TypeError, "messages: expected text"),
        (lambda: voc.keyword_classify(["ok"], {}), TypeError, "rules"),
        (lambda: voc.keyword_classify(["ok"], {"a": "x"}), TypeError, r"rules\['a'\].*write \['x'\]"),
        (lambda: voc.keyword_classify(["ok"], {"a": ["x", ""]}), TypeError, r"rules\['a'\]"),
        (lambda: voc.keyword_classify(["ok"], {"a": ["x"]}, default=None), TypeError, "default"),
        (lambda: voc.text_classifier(alpha=0), ValueError, "alpha"),
        (lambda: voc.text_classifier(ngrams="2"), TypeError, "ngrams"),
        (lambda: voc.classification_report(["a", "b"], ["a"]), ValueError, "y_true, y_pred"),
        (lambda: voc.classification_report([], []), ValueError, "y_true: expected at least one"),
        (lambda: voc.classification_report(["a", None], ["a", "a"]), ValueError, "y_true: .*missing"),
    ],
)  # fmt: skip
def test_bad_inputs_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()
