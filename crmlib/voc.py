"""Voice of the customer (VOC): classify customers' messages and route them to a team.

A service centre receives complaints, questions and requests in the customer's own words.
VOC management first **classifies** each message (delivery, billing, defect, ...), then
**routes** it to the team that can solve it, and counts the classes over time. Two ways to
classify, both judged on messages they have not seen (held-out tickets):

- **keyword rules** (:func:`keyword_classify`): a list of words per class, tried in order;
  easy to read and to change, but blind to a word used in several classes;
- a **naive Bayes text classifier** (:func:`text_classifier`): learns from labelled
  messages how often each word occurs in each class, and picks the class with the highest
  posterior probability (multinomial model with add-one smoothing; Manning, Raghavan &
  Schütze 2008, *Introduction to Information Retrieval*, ch. 13; their Example 13.1 is
  reproduced in the tests).

:func:`classification_report` gives each class's precision and recall, and :func:`route`
maps classes to teams, refusing a class that has no team.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import precision_recall_fscore_support
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import Pipeline

from crmlib.validation import align, preview, require_number, require_positive_int

__all__ = ["keyword_classify", "text_classifier", "classification_report", "route"]


def _texts(messages: object, name: str = "messages") -> pd.Series:
    if isinstance(messages, str):
        raise TypeError(f"{name}: expected a list or Series of messages, got one string")
    if isinstance(messages, pd.DataFrame):
        raise TypeError(f"{name}: expected one message per ticket (a Series), got a DataFrame")
    series = messages if isinstance(messages, pd.Series) else pd.Series(list(messages))
    bad = series[~series.map(lambda v: isinstance(v, str))]
    if len(bad):
        raise TypeError(
            f"{name}: expected text in every row, got {len(bad)} other value(s) such as "
            f"{preview(pd.unique(bad.astype(object))[:3])}; fill missing messages with ''"
        )
    return series


def _rules(rules: object) -> list[tuple[str, re.Pattern]]:
    if not isinstance(rules, Mapping) or not rules:
        raise TypeError(
            "rules: expected a dict {class: [keywords, ...]} with at least one class, got "
            f"{type(rules).__name__}"
        )
    compiled = []
    for label, words in rules.items():
        if isinstance(words, str) or not isinstance(words, Sequence) or not words:
            raise TypeError(
                f"rules[{label!r}]: expected a non-empty list of keywords, got {words!r}"
                + ("; write [" + repr(words) + "]" if isinstance(words, str) else "")
            )
        if not all(isinstance(w, str) and w.strip() for w in words):
            raise TypeError(f"rules[{label!r}]: expected keywords as non-empty text, got {words!r}")
        alternatives = "|".join(re.escape(w.strip().lower()) for w in words)
        compiled.append((label, re.compile(rf"\b(?:{alternatives})\b")))
    return compiled


def keyword_classify(
    messages: object, rules: Mapping[str, Sequence[str]], *, default: str = "unclassified"
) -> pd.Series:
    """Classify each message by the first class whose keywords it contains.

    Matching ignores case and respects word boundaries ("log in" does not match "blog
    in"); a keyword may be several words. Classes are tried in the order of ``rules``, so
    put the most specific first.

    Parameters
    ----------
    messages : Series or list of str
        The customers' messages. A Series keeps its index.
    rules : dict
        ``{class: [keyword, ...]}``, in the order to try.
    default : str, default "unclassified"
        The class of a message that matches no keyword.

    Returns
    -------
    Series
        The class of each message.

    Examples
    --------
    >>> rules = {"billing": ["charged", "invoice"], "delivery": ["parcel", "courier"]}
    >>> keyword_classify(["My parcel is late", "Charged twice for my parcel", "Hi"], rules)
    0        delivery
    1         billing
    2    unclassified
    dtype: object
    """
    texts = _texts(messages)
    compiled = _rules(rules)
    if not isinstance(default, str):
        raise TypeError(f"default: expected a class name (text), got {default!r}")
    lower = texts.str.lower()
    out = pd.Series(default, index=texts.index, dtype=object)
    done = np.zeros(len(texts), dtype=bool)
    for label, pattern in compiled:
        hit = lower.str.contains(pattern).to_numpy(dtype=bool) & ~done
        out[hit] = label
        done |= hit
    return out


def text_classifier(*, alpha: float = 1.0, ngrams: int = 1, min_df: int = 1) -> Pipeline:
    """A multinomial naive Bayes classifier of messages (unfitted scikit-learn pipeline).

    Words are lower-cased and counted (``CountVectorizer``); ``MultinomialNB`` estimates each
    class's word probabilities with add-``alpha`` smoothing and its prior from the class
    shares. Fit with ``.fit(messages, classes)``; ``.predict`` gives classes and
    ``.predict_proba`` the posterior probabilities (columns in ``.classes_`` order).

    Parameters
    ----------
    alpha : float, default 1.0
        Smoothing added to every word count (1 = Laplace's add-one).
    ngrams : int, default 1
        Longest word sequence counted: 2 also counts pairs of words ("log in").
    min_df : int, default 1
        Ignore words found in fewer training messages than this.

    Examples
    --------
    >>> model = text_classifier().fit(
    ...     ["parcel late", "courier lost parcel", "charged twice", "wrong invoice"],
    ...     ["delivery", "delivery", "billing", "billing"])
    >>> model.predict(["my parcel", "invoice charged"]).tolist()
    ['delivery', 'billing']
    """
    alpha = require_number(alpha, "alpha", minimum=0.0, strict=True)
    ngrams = require_positive_int(ngrams, "ngrams")
    min_df = require_positive_int(min_df, "min_df")
    return Pipeline(
        [
            (
                "words",
                CountVectorizer(
                    lowercase=True,
                    ngram_range=(1, ngrams),
                    min_df=min_df,
                    token_pattern=r"(?u)\b\w+\b",
                ),
            ),  # fmt: skip
            ("bayes", MultinomialNB(alpha=alpha)),
        ]
    )


def classification_report(y_true: object, y_pred: object) -> pd.DataFrame:
    """Precision and recall of each class, and the overall accuracy.

    Parameters
    ----------
    y_true, y_pred : Series or list
        The true and the predicted class of each message (two Series are paired by index).

    Returns
    -------
    DataFrame
        One row per class (sorted, every class that is true or predicted) and a last row
        ``"all"``: ``messages`` (true count), ``predicted`` (predicted count), ``precision``
        (of the messages put in the class, the share that belong there), ``recall`` (of
        the class's messages, the share found) and ``f1``. The ``"all"`` row's precision,
        recall and f1 are the accuracy (share classified correctly).

    Examples
    --------
    >>> classification_report(["a", "a", "b", "b"], ["a", "b", "b", "b"]).round(3)
         messages  predicted  precision  recall     f1
    a           2          1      1.000    0.50  0.667
    b           2          3      0.667    1.00  0.800
    all         4          4      0.750    0.75  0.750
    """
    y_true, y_pred = align(y_true, y_pred, ("y_true", "y_pred"))
    true = pd.Series(np.asarray(y_true, dtype=object))
    pred = pd.Series(np.asarray(y_pred, dtype=object))
    if true.ndim != 1 or len(true) != len(pred):
        raise ValueError(
            f"y_true, y_pred: expected one class per message in each, got {len(true)} and "
            f"{len(pred)}"
        )
    if len(true) == 0:
        raise ValueError("y_true: expected at least one message, got none")
    for name, values in [("y_true", true), ("y_pred", pred)]:
        if values.isna().any():
            raise ValueError(f"{name}: expected a class for every message, found "
                             f"{int(values.isna().sum())} missing")  # fmt: skip
    labels = sorted(set(true) | set(pred), key=str)
    precision, recall, f1, _ = precision_recall_fscore_support(
        true, pred, labels=labels, zero_division=0.0
    )
    out = pd.DataFrame(
        {"messages": [int((true == c).sum()) for c in labels],
         "predicted": [int((pred == c).sum()) for c in labels],
         "precision": precision, "recall": recall, "f1": f1},
        index=pd.Index(labels, dtype=object),
    )  # fmt: skip
    accuracy = float((true.to_numpy() == pred.to_numpy()).mean())
    out.loc["all"] = [len(true), len(pred), accuracy, accuracy, accuracy]
    return out.astype({"messages": "int64", "predicted": "int64"})


def route(classes: object, routes: Mapping[str, str]) -> pd.Series:
    """The team each message goes to, from its class.

    Parameters
    ----------
    classes : Series or list
        The class of each message (true or predicted).
    routes : dict
        ``{class: team}``; every class that occurs needs a team (several classes may share
        one).

    Returns
    -------
    Series
        The team of each message (a Series input keeps its index).

    Examples
    --------
    >>> route(["billing", "refund"], {"billing": "finance", "refund": "finance"}).tolist()
    ['finance', 'finance']
    """
    if not isinstance(routes, Mapping) or not routes:
        raise TypeError(f"routes: expected a dict {{class: team}}, got {type(routes).__name__}")
    series = classes if isinstance(classes, pd.Series) else pd.Series(list(classes), dtype=object)
    unrouted = sorted({c for c in pd.unique(series.astype(object)) if c not in routes}, key=str)
    if unrouted:
        raise ValueError(
            f"routes: expected a team for every class, found none for {preview(unrouted)}; "
            f"add them (e.g. to a general team for messages the rules cannot place)"
        )
    return series.astype(object).map(routes)
