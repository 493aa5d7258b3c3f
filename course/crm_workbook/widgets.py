"""Interactive explorers for the notebooks, each a thin UI over a plain, tested function.

A widget's output lives in the running kernel only: a notebook saved or rendered to HTML
keeps no widget state. So every explorer here is ``ui = explorer(...)`` around a *report*
function that a notebook also calls once directly with the default values, which leaves an
ordinary, readable output (a table and a figure) in the stored notebook.

- :func:`clv_schedule`: how a customer's lifetime value builds up, period by period;
- :func:`clv_report`: that schedule as a figure and a table (what the calculator shows);
- :func:`clv_calculator`: sliders for margin, retention, discount rate and horizon.
- :func:`rfm_profile`: size, revenue share and medians of a selection of RFM customers;
- :func:`plot_rfm_selection`, :func:`rfm_report`: where the selection sits on the R x F grid;
- :func:`rfm_explorer`: a segment menu and R, F, M score ranges (chapter 05).
- :func:`rules_report`, :func:`rules_explorer`: association rules at chosen thresholds and
  the cross-sell what-if of one rule (the beer-and-diapers case);
- :func:`pilot_table`, :func:`pilot_report`, :func:`pilot_explorer`: a test-vs-control
  campaign from group sizes and response rates: uplift interval and incremental profit
  (the Bank of America case).

Every explorer is an :class:`Explorer`: it draws once when built, redraws only when a value
really changes, and its HTML form (what a saved or rendered notebook shows) is its figure
and table for the current values.

Each explorer and report function takes ``lang="en"`` or ``lang="ko"`` (the Korean edition,
with ``setup(lang="ko")`` for the font): the numbers are computed once, and only the words
(labels, titles, legends, table headers, summary and note) come from :data:`KOREAN`, one
table of every text an explorer shows, keyed by its English. The Korean RFM segment names
are :data:`SEGMENTS_KO`.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Callable

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython import get_ipython
from IPython.display import HTML, Image, display
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from crmlib import basket, campaign, plots, value
from crmlib.validation import (
    preview,
    require_columns,
    require_fraction,
    require_frame,
    require_positive_int,
)

from .session import headless, korean_font, percent, require_language

__all__ = [
    "clv_schedule",
    "plot_clv_schedule",
    "clv_report",
    "clv_calculator",
    "Explorer",
    "rfm_profile",
    "plot_rfm_selection",
    "rfm_report",
    "rfm_explorer",
    "pair_rules",
    "filter_rules",
    "rules_report",
    "rules_explorer",
    "pilot_table",
    "pilot_report",
    "pilot_explorer",
    "KOREAN",
    "SEGMENTS_KO",
]

#: The Korean of every text the explorers show (``lang="ko"``), keyed by the English text.
#: Templates hold ``{name}`` fields for values that are formatted once, for both languages,
#: by the code that computes them; a field is never followed by a particle that depends on
#: it. Figure texts avoid U+2212 and the arrow, which the Korean font (NanumGothic) lacks.
KOREAN: dict[str, str] = {
    # every explorer (Explorer)
    "{description} (they respond in a running notebook only)":
        "{description} (실행 중인 노트북에서만 반응한다)",
    "{description} respond in a running notebook. Shown here for {settings}:":
        "{description}. 조작 장치는 실행 중인 노트북에서만 반응한다. 아래는 다음 값으로 그린"
        " 그림과 표이다: {settings}",
    # the CLV calculator
    "CLV calculator: sliders for margin, retention, discount rate and horizon":
        "CLV 계산기: 마진, 고객유지율, 할인율, 기간 수 슬라이더",
    "margin": "마진",
    "retention": "고객유지율",
    "discount rate": "할인율",
    "horizon": "기간 수",
    "discounted margin of the period": "그 기간 마진의 현재가치",
    "CLV to date": "누적 CLV",
    "CLV, infinite horizon": "무한 기간의 CLV",
    "CLV over {n} periods: {total}": "{n}기간 동안의 CLV {total}",
    ", {share} of the {lifetime} a customer is worth in all":
        ": 고객 한 명의 전체 가치 {lifetime}의 {share}",
    "period": "기간",
    "value per customer ({unit})": "고객 1인당 가치 ({unit})",
    "currency units": "통화 단위",
    "still_customer": "남아 있을 확률",
    "present_value": "현재가치",
    "clv_to_date": "누적 CLV",
    # the RFM segment explorer
    "RFM segment explorer: a segment menu and R, F, M score ranges":
        "RFM 세그먼트 탐색기: 세그먼트 메뉴와 R, F, M 점수 범위",
    "segment": "세그먼트",
    "{letter} score": "{letter} 점수",
    "(all segments)": "(모든 세그먼트)",
    "All customers": "전체 고객",
    "customers in the selection": "선택된 고객 수",
    "{label}: no customers": "{label}: 해당 고객 없음",
    "{label}: {customers} of customers bring {revenue} of revenue":
        "{label}: 고객의 {customers}가 매출의 {revenue}를 낸다",
    "frequency score (5 = most invoices)": "구매빈도 점수 (5 = 송장이 가장 많음)",
    "recency score (5 = most recent)": "최근성 점수 (5 = 가장 최근)",
    "customers": "고객 수",
    "share_of_customers": "고객 비율",
    "revenue": "매출",
    "share_of_revenue": "매출 비율",
    "recency_days": "최근성 중앙값 (일)",
    "frequency": "구매빈도 중앙값",
    "monetary": "구매액 중앙값",
    # the association-rule explorer
    "Association-rule explorer: thresholds and the what-if of {acted}":
        "연관규칙 탐색기: 기준값과 {acted} 규칙의 가정 분석",
    "min support": "최소 지지도",
    "min confidence": "최소 신뢰도",
    "min lift": "최소 향상도",
    "take-up": "수락률",
    "price discount": "가격 할인",
    "the same baskets": "같은 장바구니",
    "money per period": "기간당 금액",
    "display": "추천 노출",
    "bundle {discount} off": "묶음 {discount} 할인",
    "breaks even at {even} take-up": "수락률 {even}에서 손익분기",
    "never pays": "손익분기에 이르지 못함",
    "take-up (share of {antecedent}-only baskets that add {consequent})":
        "수락률 ({antecedent}만 담은 장바구니 가운데 {consequent}도 담는 비율)",
    "net effect ({unit})": "순이익 ({unit})",
    "{acted}, {action}: net {net} at {take_up};\n{even_text}":
        "{acted}, {action}: 수락률 {take_up}에서 순이익 {net}\n{even_text}",
    "{acted} is number {rank} by lift": "향상도 순위에서 {acted} 규칙은 {rank}위이다",
    "{acted} does not pass them": "{acted} 규칙은 기준을 통과하지 못한다",
    " (the {shown} of highest lift below)": ", 아래 표는 그중 향상도가 높은 {shown}개",
    "<b>{passing}</b> of the {mined} mined rules between two items pass support ≥ {support},"
    " confidence ≥ {confidence} and lift ≥ {lift}, over all the baskets{shown}; {place}."
    " What-if of a {action} at take-up {take_up} in {where}: the confidence of {acted} there"
    " goes from {before} to {after}, net <b>{net}</b> {unit}.":
        "두 상품 사이의 규칙 {mined}개 가운데 <b>{passing}</b>개가 기준(지지도 ≥ {support},"
        " 신뢰도 ≥ {confidence}, 향상도 ≥ {lift})을 통과한다(전체 장바구니 기준{shown}). {place}."
        " 가정 분석({where}, {action}, 수락률 {take_up}): 그곳에서 {acted} 규칙의 신뢰도는"
        " {before}에서 {after}로 바뀐다. 순이익: <b>{net}</b> {unit}.",
    "Rules between two items only (one item on each side), mined once from the {n} baskets"
    " at support ≥ {floor}; the threshold sliders filter them. The what-if acts on {acted}"
    " in {where}.":
        "두 상품 사이의 규칙(양쪽에 상품 하나씩)만 다룬다. 규칙은 장바구니 {n}개에서 지지도 ≥"
        " {floor} 기준으로 한 번만 찾고, 기준값 슬라이더는 찾은 규칙을 거른다. 가정 분석은"
        " {where}에서 {acted} 규칙에 적용한다.",
    "rule": "규칙",
    "support": "지지도",
    "confidence": "신뢰도",
    "lift": "향상도",
    # the campaign explorer
    "Campaign explorer: group sizes, response rates, value per response and cost per contact":
        "캠페인 탐색기: 집단 크기, 반응률, 반응 1건의 가치, 접촉 1건의 비용",
    "treated": "실험집단",
    "treated rate": "실험집단 반응률",
    "control": "통제집단",
    "control rate": "통제집단 반응률",
    "value/response": "반응 1건의 가치",
    "cost/contact": "접촉 1건의 비용",
    "money": "금액",
    "incremental profit of contacting {n} customers ({unit})":
        "실험집단 고객 {n}명에게 접촉한 증분 이익 ({unit})",
    "Uplift {uplift} ({confidence} CI {low} to {high}):\nprofit {mid}, range {mid_low} to"
    " {mid_high}":
        "증분 반응률 {uplift} ({confidence} 신뢰구간 {low} ~ {high}):\n증분 이익 {mid},"
        " 범위 {mid_low} ~ {mid_high}",
    "Recomputes the uplift's {confidence} interval (Newcombe's hybrid score interval) and the"
    " incremental profit with crmlib.campaign.evaluate_pilot. Responders are rounded to whole"
    " customers (rate × customers), which matters in small groups; value per response and"
    " cost per contact are in {unit}.":
        "증분 반응률의 {confidence} 신뢰구간(Newcombe의 방법)과 증분 이익을"
        " crmlib.campaign.evaluate_pilot으로 다시 계산한다. 반응 고객 수는 반응률 × 고객 수를"
        " 반올림한 정수이며, 작은 집단에서는 이 반올림이 결과를 바꾼다. 반응 1건의 가치와 접촉"
        " 1건의 비용의 단위: {unit}.",
    "pilot": "시범 캠페인",
    "n_treatment": "실험집단 (명)",
    "n_control": "통제집단 (명)",
    "rate_treatment": "실험집단 반응률",
    "rate_control": "통제집단 반응률",
    "uplift": "증분 반응률",
    "uplift_low": "증분 반응률 {confidence} 하한",
    "uplift_high": "증분 반응률 {confidence} 상한",
    "p_value": "p값",
    "incremental_responders": "증분 반응 고객 수",
    "incremental_profit": "증분 이익 ({unit})",
    "incremental_profit_low": "증분 이익 {confidence} 하한 ({unit})",
    "incremental_profit_high": "증분 이익 {confidence} 상한 ({unit})",
}  # fmt: skip

#: The Korean names of the segments of ``crmlib.rfm.DEFAULT_SCHEME``, as the Korean edition
#: (chapter 05) writes them: ``rfm_explorer(..., lang="ko")`` shows them and accepts them.
SEGMENTS_KO: dict[str, str] = {
    "Champions": "최우수 고객", "Loyal": "충성고객", "Potential loyalist": "충성 후보 고객",
    "New": "신규고객", "Promising": "유망 고객", "Need attention": "관심 필요 고객",
    "About to sleep": "휴면 직전 고객", "At risk": "이탈위험고객",
    "Can't lose": "놓치면 안 될 고객", "Hibernating": "휴면 고객", "Lost": "이탈고객",
}  # fmt: skip


def _language(lang: object) -> str:
    """``lang`` checked; for Korean, figures can draw Hangul whatever the session's font."""
    lang = require_language(lang)
    if lang == "ko":
        korean_font(fallback=True)
    return lang


def _say(lang: str, english: str, **values: object) -> str:
    """``english`` (a template of :data:`KOREAN`) in ``lang``, its fields filled in."""
    return (english if lang == "en" else KOREAN[english]).format(**values)


def _headers(
    table: pd.DataFrame, lang: str, *, rows: bool = False, **values: object
) -> pd.DataFrame:
    """``table`` with its column names, axis names and (``rows``) row labels in ``lang``."""
    if lang == "en":
        return table

    def words(name: object) -> object:
        return _say(lang, name, **values) if isinstance(name, str) and name in KOREAN else name

    out = table.rename(columns=words, index=words if rows else None)
    out.columns.name = words(table.columns.name)
    out.index.name = words(table.index.name)
    return out


def clv_schedule(
    margin: float,
    retention: float,
    discount_rate: float,
    horizon: int,
    *,
    timing: str = "end",
) -> pd.DataFrame:
    """Period-by-period build-up of the CLV of :func:`crmlib.value.clv`.

    Parameters
    ----------
    margin, retention, discount_rate : float
        Margin per period, retention rate per period in [0, 1) and discount rate per period
        (>= 0), as in :func:`crmlib.value.clv`.
    horizon : int
        Number of periods shown (>= 1).
    timing : {"end", "start"}
        When margins arrive, as in :func:`crmlib.value.clv`.

    Returns
    -------
    DataFrame
        One row per period ``1..horizon`` (index ``period``) with ``still_customer`` (the
        share of the starting customers still there when the period's margin is paid),
        ``present_value`` (that period's expected margin, discounted to today) and
        ``clv_to_date`` (the CLV with a horizon of this many periods). The last row's
        ``clv_to_date`` equals ``value.clv(margin, retention, discount_rate, horizon=horizon)``.

    Examples
    --------
    >>> clv_schedule(100, 0.8, 0.1, 3).round(2)  # doctest: +NORMALIZE_WHITESPACE
            still_customer  present_value  clv_to_date
    period
    1                 0.80          72.73        72.73
    2                 0.64          52.89       125.62
    3                 0.51          38.47       164.09
    """
    horizon = require_positive_int(horizon, "horizon")
    for name, number in (
        ("margin", margin),
        ("retention", retention),
        ("discount_rate", discount_rate),
    ):
        if np.ndim(number) != 0:
            raise ValueError(f"{name}: expected one number, got {number!r}")
    periods = np.arange(1, horizon + 1)
    # value.clv (which also checks the arguments) with each horizon 1..T is the running total.
    to_date = np.atleast_1d(
        value.clv(margin, retention, discount_rate, horizon=periods, timing=timing)
    )
    # Each period's term directly, not by differencing the totals, which loses the far terms
    # to rounding. With timing "end" the margin of period t needs t renewals; "start", t - 1.
    renewals = periods if timing == "end" else periods - 1
    still = float(retention) ** renewals
    return pd.DataFrame(
        {
            "still_customer": still,
            "present_value": float(margin) * still / (1 + float(discount_rate)) ** renewals,
            "clv_to_date": to_date,
        },
        index=pd.Index(periods, name="period"),
    )


def plot_clv_schedule(
    schedule: pd.DataFrame,
    *,
    lifetime: float | None = None,
    ax: Axes | None = None,
    unit: str | None = None,
    lang: str = "en",
) -> Axes:
    """Bars of each period's discounted margin and a line of the running CLV.

    Parameters
    ----------
    schedule : DataFrame
        As returned by :func:`clv_schedule`.
    lifetime : float, optional
        The CLV over an infinite horizon; when given, drawn as a dashed line and quoted in
        the title.
    ax : Axes, optional
        Axes to draw on; a new figure when None.
    unit : str, optional
        The unit of the margin, shown on the value axis; default "currency units".
    lang : {"en", "ko"}
        The language of the labels, title and legend.

    Returns
    -------
    Axes

    Examples
    --------
    >>> ax = plot_clv_schedule(clv_schedule(100, 0.8, 0.1, 5), lifetime=266.67)
    >>> ax.get_title()
    'CLV over 5 periods: 212, 80% of the 267 a customer is worth in all'
    >>> ax = plot_clv_schedule(clv_schedule(100, 0.8, 0.1, 5), lifetime=266.67, lang="ko")
    >>> ax.get_title()
    '5기간 동안의 CLV 212: 고객 한 명의 전체 가치 267의 80%'
    >>> plt.close("all")
    """
    lang = _language(lang)
    columns = ["present_value", "clv_to_date"]
    missing = [c for c in columns if c not in schedule.columns]
    if missing or len(schedule) == 0:
        raise ValueError(
            f"schedule: expected the non-empty frame of clv_schedule with columns {columns}, "
            f"got {len(schedule)} rows and columns {list(schedule.columns)}"
        )
    ax = plots.axes(ax, figsize=(6.5, 3.8))
    periods = schedule.index.to_numpy()
    total = float(schedule["clv_to_date"].iloc[-1])
    ax.bar(periods, schedule["present_value"], color="C0",
           label=_say(lang, "discounted margin of the period"))  # fmt: skip
    ax.plot(periods, schedule["clv_to_date"], color="C1", marker="o",
            label=_say(lang, "CLV to date"))  # fmt: skip
    title = _say(lang, "CLV over {n} periods: {total}", n=len(schedule),
                 total=_amount(total, signed=False))  # fmt: skip
    if lifetime is not None:
        ax.axhline(lifetime, color="grey", linestyle="--",
                   label=_say(lang, "CLV, infinite horizon"))  # fmt: skip
        share = total / lifetime if lifetime else float("nan")
        title += _say(lang, ", {share} of the {lifetime} a customer is worth in all",
                      share=f"{share:.0%}", lifetime=_amount(lifetime, signed=False))  # fmt: skip
    unit = _say(lang, "currency units") if unit is None else unit
    ax.set(xlabel=_say(lang, "period"), ylabel=_say(lang, "value per customer ({unit})", unit=unit),
           title=title)  # fmt: skip
    ax.legend(loc="center right", fontsize="small")
    return ax


def clv_report(
    margin: float = 100.0,
    retention: float = 0.8,
    discount_rate: float = 0.1,
    horizon: int = 10,
    *,
    unit: str | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """What the CLV calculator shows: draw the build-up of the CLV and return its table.

    Draws :func:`plot_clv_schedule` (with the infinite-horizon CLV for comparison, the
    margin's ``unit`` on the value axis) and shows it, then returns :func:`clv_schedule`
    rounded to cents, for display under the figure. ``lang="ko"``: the figure and the
    table's headers in Korean, the numbers the same.

    Examples
    --------
    >>> table = clv_report(100, 0.8, 0.1, 10)
    >>> float(table["clv_to_date"].iloc[-1])
    255.63
    >>> list(clv_report(100, 0.8, 0.1, 10, unit="만원", lang="ko").columns)
    ['남아 있을 확률', '현재가치', '누적 CLV']
    >>> plt.close("all")
    """
    _, table = _clv_parts(margin, retention, discount_rate, horizon, unit=unit, lang=lang)
    plt.show()
    return table


def _clv_parts(
    margin: float,
    retention: float,
    discount_rate: float,
    horizon: int,
    *,
    unit: str | None = None,
    lang: str = "en",
) -> tuple[Figure, pd.DataFrame]:
    lang = _language(lang)
    schedule = clv_schedule(margin, retention, discount_rate, horizon)
    lifetime = value.clv(margin, retention, discount_rate)
    ax = plot_clv_schedule(schedule, lifetime=lifetime, unit=unit, lang=lang)
    return ax.figure, _headers(schedule.round(2), lang)


class Explorer(w.VBox):
    """Controls over an output that shows a figure and a table, drawn by a report function.

    ``parts(**values)`` gets the controls' values by name and returns ``(figure, table)``
    or ``(figure, table, summary)``, where ``summary`` is a line of HTML shown between the
    figure and the table (its text escaped by ``parts``). ``note`` (HTML) is shown above the
    controls and on the static form: what the explorer computes, in one sentence. ``lang``
    is the language of the explorer's own words (``parts`` draws in it too). ``parts`` runs
    once when the explorer is built, and again whenever a control's value really
    changes: a value the browser echoes back with a rounding difference (a slider at 0.8
    reports 0.8000000000000002) is the same value and draws nothing. The figure is sent as a
    PNG image and closed, so the notebook's plotting backend never holds or re-sends it.

    A saved or HTML copy of the notebook keeps no widget, so the explorer's text/html form is
    its static form: the controls' values, the figure and the table as they are now.
    """

    def __init__(
        self,
        controls: dict[str, w.ValueWidget],
        layout: w.Widget,
        parts: Callable[..., tuple],
        description: str,
        *,
        note: str = "",
        lang: str = "en",
    ) -> None:
        self.lang = _language(lang)
        self.controls = controls
        self.output = w.Output()
        self.output.add_class("crm-explorer-output")
        self._note = note
        above = [w.HTML(f'<p class="crm-explorer-note">{note}</p>')] if note else []
        super().__init__([*above, layout, self.output])
        self.add_class("crm-explorer")
        self._parts = parts
        self._description = description
        self._shown: dict | None = None
        self._png = b""
        self._table = pd.DataFrame()
        self._summary = ""
        for control in controls.values():
            control.observe(self._changed, names="value")
        self._draw()

    def values(self) -> dict[str, object]:
        """The controls' values, floats rounded to 10 decimals (what the browser echoes)."""
        return {name: _settle(control.value) for name, control in self.controls.items()}

    def _changed(self, change: dict) -> None:
        self._draw()

    def _draw(self) -> None:
        values = self.values()
        if values == self._shown:
            return
        figure, table, *summary = self._parts(**values)
        self._png = _png(figure)
        self._table = table
        self._summary = summary[0] if summary else ""
        self._shown = values
        kernel = get_ipython() is not None
        if kernel and headless():  # a runner's kernel keeps the static form only
            return
        with self.output:
            if kernel:  # in a kernel; a plain print shows the table only
                self.output.clear_output(wait=True)
                display(Image(self._png))
                if self._summary:
                    display(HTML(f'<p class="crm-explorer-summary">{self._summary}</p>'))
            elif self._summary:
                print(_TAGS.sub("", html.unescape(self._summary)))
            display(table)

    def __repr__(self) -> str:
        return _say(self.lang, "{description} (they respond in a running notebook only)",
                    description=self._description)  # fmt: skip

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/html"] = self.static_html()
        return bundle

    def static_html(self) -> str:
        """The explorer as a page shows it without a kernel: settings, figure, table."""
        settings = " · ".join(
            f"{html.escape(c.description)} <b>{html.escape(_label(c))}</b>"
            for c in self.controls.values()
        )
        image = base64.b64encode(self._png).decode("ascii")
        note = f'<p class="note">{self._note}</p>' if self._note else ""
        summary = f'<p class="summary">{self._summary}</p>' if self._summary else ""
        heading = _say(self.lang, "{description} respond in a running notebook. Shown here for"
                       " {settings}:", description=html.escape(self._description),
                       settings=settings)  # fmt: skip
        return (
            f'<div class="workbook-widget"><p class="controls">{heading}</p>{note}'
            f'<img alt="{html.escape(self._description)}" src="data:image/png;base64,{image}">'
            f"{summary}{self._table.to_html(classes='dataframe')}</div>"
        )


_TAGS = re.compile(r"<[^>]+>")  # HTML tags, left out where the summary is printed


def _settle(value: object) -> object:
    if isinstance(value, float):
        return round(value, 10)
    if isinstance(value, tuple):
        return tuple(_settle(v) for v in value)
    return value


def _label(control: w.ValueWidget) -> str:
    if isinstance(control, w.Dropdown):
        return str(control.label)
    value = _settle(control.value)
    if isinstance(value, float) and getattr(control, "readout_format", "").endswith("%"):
        return format(value, control.readout_format)  # as the live readout shows it
    if isinstance(value, tuple):
        return "-".join(f"{v:g}" for v in value)
    return f"{value:g}" if isinstance(value, float | int) else str(value)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")  # no label cut off
    plt.close(figure)
    return buffer.getvalue()


def _slider(kind: type, value: float, low: float, high: float, step: float, label: str):
    return kind(
        value=value,
        min=low,
        max=high,
        step=step,
        description=label,
        style={"description_width": "110px"},
        continuous_update=False,
    )


def clv_calculator(
    margin: float = 100.0,
    retention: float = 0.8,
    discount_rate: float = 0.1,
    horizon: int = 10,
    *,
    unit: str | None = None,
    lang: str = "en",
) -> Explorer:
    """Sliders for margin, retention, discount rate and horizon over :func:`clv_report`.

    Moving a slider draws what ``clv_report`` draws for the sliders' values (figure and
    table) below them; it is drawn once when the calculator is built. The arguments are the
    starting values; ``unit`` and ``lang`` as in :func:`clv_report` (``lang="ko"`` also
    labels the sliders in Korean). Outside a notebook the table is printed and the figure
    is not shown.

    Returns
    -------
    Explorer
        An ``ipywidgets.VBox``: the sliders (``children[0]``, an ``HBox`` of two ``VBox``
        columns) above the output; ``controls`` maps argument names to sliders.

    Examples
    --------
    >>> import contextlib, io
    >>> printed = io.StringIO()
    >>> with contextlib.redirect_stdout(printed):  # outside a notebook the table is printed
    ...     ui = clv_calculator(retention=0.9, horizon=2)
    >>> "clv_to_date" in printed.getvalue()
    True
    >>> [s.description for column in ui.children[0].children for s in column.children]
    ['margin', 'retention', 'discount rate', 'horizon']
    >>> ui.controls["retention"].value
    0.9
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     ui = clv_calculator(lang="ko")
    >>> [s.description for s in ui.controls.values()]
    ['마진', '고객유지율', '할인율', '기간 수']
    """
    lang = _language(lang)

    def parts(**values: float) -> tuple[Figure, pd.DataFrame]:
        # Looked up when called, so the calculator always runs the current _clv_parts.
        return _clv_parts(**values, unit=unit, lang=lang)

    # Checked here, so a bad starting value fails before any widget is built.
    clv_schedule(margin, retention, discount_rate, horizon)
    sliders = {
        "margin": _slider(w.FloatSlider, margin, 0.0, 500.0, 5.0, _say(lang, "margin")),
        "retention": _slider(w.FloatSlider, retention, 0.0, 0.99, 0.01, _say(lang, "retention")),
        "discount_rate": _slider(
            w.FloatSlider, discount_rate, 0.0, 0.3, 0.01, _say(lang, "discount rate")
        ),  # fmt: skip
        "horizon": _slider(w.IntSlider, horizon, 1, 40, 1, _say(lang, "horizon")),
    }
    columns = w.HBox(
        [
            w.VBox([sliders["margin"], sliders["retention"]]),
            w.VBox([sliders["discount_rate"], sliders["horizon"]]),
        ]
    )
    return Explorer(
        sliders,
        columns,
        parts,
        _say(lang, "CLV calculator: sliders for margin, retention, discount rate and horizon"),
        lang=lang,
    )


# The RFM segment explorer (chapter 05). A selection is a segment and/or ranges of the
# r, f and m scores; every function below takes the frame of crmlib.rfm.name_segments (or score).

ALL_SEGMENTS = "(all segments)"  # the selection of every customer, and its menu entry
_RFM_COLUMNS = ["recency", "frequency", "monetary", "r_score", "f_score", "m_score"]


def _score_bounds(value: object, name: str, bins: int) -> tuple[int, int]:
    """``None`` (every score), one score, or an inclusive ``(low, high)`` pair of scores."""
    if value is None:
        return 1, bins
    pair = (value, value) if isinstance(value, int | np.integer) else value
    ok = (
        isinstance(pair, tuple | list)
        and len(pair) == 2
        and all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in pair)
        and 1 <= pair[0] <= pair[1] <= bins
    )
    if not ok:
        raise ValueError(
            f"{name}: expected a score or a (low, high) pair with 1 <= low <= high <= {bins}, "
            f"got {value!r}"
        )
    return int(pair[0]), int(pair[1])


def _segment_names(segmented: pd.DataFrame) -> list:
    """The segment names of ``segmented``: its categories, or its values in order of appearance."""
    names = segmented["segment"]
    if isinstance(names.dtype, pd.CategoricalDtype):
        return list(names.cat.categories)
    return list(pd.unique(names.dropna()))


def _known_segment(segmented: pd.DataFrame, segment: object, lang: str) -> object:
    """``segment`` as ``segmented`` names it; with ``lang="ko"`` its Korean name also does."""
    require_columns(segmented, ["segment"], "segmented")
    known = _segment_names(segmented)
    if segment in known:
        return segment
    if lang == "ko" and isinstance(segment, str):
        english = {ko: en for en, ko in SEGMENTS_KO.items()}.get(segment)
        if english in known:
            return english
    also = " (or its Korean name in SEGMENTS_KO)" if lang == "ko" else ""
    raise ValueError(f"segment: expected one of {preview(known, 20)}{also}, got {segment!r}")


def _segment_label(name: object, lang: str) -> str:
    """A segment's name as ``lang`` shows it (a name without a Korean one as it is)."""
    return SEGMENTS_KO.get(str(name), str(name)) if lang == "ko" else str(name)


def _rfm_selection(
    segmented: pd.DataFrame,
    segment: str | None,
    r: object,
    f: object,
    m: object,
    bins: int,
    lang: str = "en",
) -> tuple[pd.Series, str]:
    """The selected customers (a boolean mask) and a label such as ``"Champions, M 4-5"``."""
    require_frame(segmented, "segmented")
    require_columns(segmented, _RFM_COLUMNS, "segmented")
    bins = require_positive_int(bins, "bins", minimum=2)
    mask = pd.Series(True, index=segmented.index)
    parts = []
    if segment is not None:
        segment = _known_segment(segmented, segment, lang)
        mask &= (segmented["segment"] == segment).to_numpy()
        parts.append(_segment_label(segment, lang))
    for letter, given in (("r", r), ("f", f), ("m", m)):
        low, high = _score_bounds(given, letter, bins)
        if (low, high) != (1, bins):
            mask &= segmented[f"{letter}_score"].between(low, high).to_numpy()
            parts.append(f"{letter.upper()} {low}" + (f"-{high}" if high > low else ""))
    return mask, ", ".join(parts) if parts else _say(lang, ALL_SEGMENTS)


def rfm_profile(
    segmented: pd.DataFrame,
    segment: str | None = None,
    *,
    r: int | tuple[int, int] | None = None,
    f: int | tuple[int, int] | None = None,
    m: int | tuple[int, int] | None = None,
    bins: int = 5,
) -> pd.DataFrame:
    """Size, revenue share and a profile of a selection of RFM customers, next to the base.

    Parameters
    ----------
    segmented : DataFrame
        One row per customer, as returned by :func:`crmlib.rfm.name_segments` (or
        :func:`crmlib.rfm.score`, when no ``segment`` is chosen); not modified.
    segment : str, optional
        A segment name of the ``segment`` column; None: every segment.
    r, f, m : int or (int, int), optional
        A score, or an inclusive ``(low, high)`` range of scores; None: every score.
    bins : int, default 5
        The ``bins`` that :func:`crmlib.rfm.score` used.

    Returns
    -------
    DataFrame
        Two rows, the selection (labelled e.g. ``"Champions, M 4-5"``, or ``"(all segments)"``
        when nothing narrows it) and the base, ``"All customers"``,
        with ``customers``, ``share_of_customers``, ``revenue`` (the sum of ``monetary``),
        ``share_of_revenue`` (NaN when the base's revenue is not positive) and the medians
        ``recency_days``, ``frequency``, ``monetary``. An empty selection has 0 customers and
        NaN medians.

    Examples
    --------
    >>> scored = pd.DataFrame({
    ...     "recency": [5, 30, 200, 300], "frequency": [9, 4, 2, 1],
    ...     "monetary": [700.0, 200.0, 80.0, 20.0],
    ...     "r_score": [5, 4, 2, 1], "f_score": [5, 4, 2, 1], "m_score": [5, 4, 2, 1],
    ... })
    >>> rfm_profile(scored, r=(4, 5))[["customers", "share_of_revenue", "recency_days"]]
                   customers  share_of_revenue  recency_days
    R 4-5                  2               0.9          17.5
    All customers          4               1.0         115.0
    """
    mask, label = _rfm_selection(segmented, segment, r, f, m, bins)
    return _rfm_profile(segmented, mask, label)


def _rfm_profile(
    segmented: pd.DataFrame, mask: pd.Series, label: str, lang: str = "en"
) -> pd.DataFrame:
    total = float(segmented["monetary"].sum())
    rows = {}
    base = _say(lang, "All customers")
    for name, part in ((label, segmented[mask.to_numpy()]), (base, segmented)):
        revenue = float(part["monetary"].sum())
        rows[name] = {
            "customers": len(part),
            "share_of_customers": len(part) / len(segmented),
            "revenue": revenue,
            "share_of_revenue": revenue / total if total > 0 else np.nan,
            "recency_days": part["recency"].median(),
            "frequency": part["frequency"].median(),
            "monetary": part["monetary"].median(),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    return out.astype({"customers": "int64"})


def plot_rfm_selection(
    segmented: pd.DataFrame,
    segment: str | None = None,
    *,
    r: int | tuple[int, int] | None = None,
    f: int | tuple[int, int] | None = None,
    m: int | tuple[int, int] | None = None,
    bins: int = 5,
    ax: Axes | None = None,
    lang: str = "en",
) -> Axes:
    """Where the selected customers sit on the recency x frequency grid, and what they bring.

    A heatmap of the selection's customers per (r_score, f_score) cell, recent customers at
    the top and frequent ones to the right; the title gives the selection's share of the
    customers and of the revenue. Arguments as in :func:`rfm_profile`; ``lang="ko"`` labels
    it in Korean (segment names of :data:`SEGMENTS_KO` too, which ``segment`` may also be).

    Returns
    -------
    Axes

    Examples
    --------
    >>> scored = pd.DataFrame({
    ...     "recency": [5, 30, 200, 300], "frequency": [9, 4, 2, 1],
    ...     "monetary": [700.0, 200.0, 80.0, 20.0],
    ...     "r_score": [5, 4, 2, 1], "f_score": [5, 4, 2, 1], "m_score": [5, 4, 2, 1],
    ... })
    >>> plot_rfm_selection(scored, r=(4, 5)).get_title()
    'R 4-5: 50% of customers bring 90% of revenue'
    >>> plot_rfm_selection(scored, r=(4, 5), lang="ko").get_title()
    'R 4-5: 고객의 50%가 매출의 90%를 낸다'
    >>> plt.close("all")
    """
    lang = _language(lang)
    mask, label = _rfm_selection(segmented, segment, r, f, m, bins, lang)
    profile = _rfm_profile(segmented, mask, label, lang)
    return _plot_rfm(segmented, mask, label, profile, bins, ax, lang)


def _plot_rfm(segmented, mask, label, profile, bins, ax, lang) -> Axes:
    chosen = segmented[mask.to_numpy()]
    scores = np.arange(1, bins + 1)
    grid = (
        pd.crosstab(chosen["r_score"], chosen["f_score"])
        .reindex(index=scores[::-1], columns=scores, fill_value=0)
        .to_numpy()
    )
    ax = plots.axes(ax, figsize=(5.5, 4.2))
    image = ax.imshow(np.where(grid > 0, grid, np.nan), cmap="Blues", vmin=0)
    for (i, j), count in np.ndenumerate(grid):
        if count:
            dark = count > 0.6 * grid.max()
            ax.text(j, i, f"{count:,}", ha="center", va="center", fontsize="small",
                    color="white" if dark else "black")  # fmt: skip
    ax.set_xticks(range(bins), [str(s) for s in scores])
    ax.set_yticks(range(bins), [str(s) for s in scores[::-1]])
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, label=_say(lang, "customers in the selection"))
    n = int(profile["customers"].iloc[0])
    if n == 0:
        title = _say(lang, "{label}: no customers", label=label)
    else:
        shares = profile.iloc[0]
        title = _say(lang, "{label}: {customers} of customers bring {revenue} of revenue",
                     label=label, customers=f"{shares['share_of_customers']:.0%}",
                     revenue=f"{shares['share_of_revenue']:.0%}")  # fmt: skip
    ax.set(
        xlabel=_say(lang, "frequency score (5 = most invoices)"),
        ylabel=_say(lang, "recency score (5 = most recent)"),
        title=title,
    )
    return ax


def rfm_report(
    segmented: pd.DataFrame,
    segment: str | None = None,
    *,
    r: int | tuple[int, int] | None = None,
    f: int | tuple[int, int] | None = None,
    m: int | tuple[int, int] | None = None,
    bins: int = 5,
    unit: str | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """What the RFM explorer shows: draw :func:`plot_rfm_selection`, return the profile.

    The profile of :func:`rfm_profile` is rounded for display under the figure: shares to 3
    decimals, revenue to whole currency units (int), the median spend to 2 decimals.
    ``unit`` (the currency of ``monetary``), when given, heads the revenue and spend
    columns: "revenue (GBP)". ``lang="ko"``: the figure, row labels and headers in Korean
    (segment names of :data:`SEGMENTS_KO`, which ``segment`` may also be), numbers the same.

    Examples
    --------
    >>> scored = pd.DataFrame({
    ...     "recency": [5, 30, 200, 300], "frequency": [9, 4, 2, 1],
    ...     "monetary": [700.0, 200.0, 80.0, 20.0],
    ...     "r_score": [5, 4, 2, 1], "f_score": [5, 4, 2, 1], "m_score": [5, 4, 2, 1],
    ... })
    >>> rfm_report(scored, m=1)[["customers", "revenue"]].to_dict("list")
    {'customers': [1, 4], 'revenue': [20, 1000]}
    >>> rfm_report(scored, m=1, unit="파운드", lang="ko")["매출 (파운드)"].to_dict()
    {'M 1': 20, '전체 고객': 1000}
    >>> plt.close("all")
    """
    _, table = _rfm_parts(segmented, segment, r=r, f=f, m=m, bins=bins, unit=unit, lang=lang)
    plt.show()
    return table


def _rfm_parts(
    segmented, segment, *, r, f, m, bins, unit=None, lang="en"
) -> tuple[Figure, pd.DataFrame]:
    lang = _language(lang)
    mask, label = _rfm_selection(segmented, segment, r, f, m, bins, lang)
    profile = _rfm_profile(segmented, mask, label, lang)
    ax = _plot_rfm(segmented, mask, label, profile, bins, None, lang)
    rounded = profile.round({"share_of_customers": 3, "share_of_revenue": 3, "monetary": 2})
    table = _headers(rounded.assign(revenue=profile["revenue"].round().astype("int64")), lang)
    if unit is not None:
        money = [_say(lang, name) for name in ("revenue", "monetary")]
        table = table.rename(columns={name: f"{name} ({unit})" for name in money})
    return ax.figure, table


def rfm_explorer(
    segmented: pd.DataFrame,
    segment: str | None = None,
    *,
    r: tuple[int, int] | None = None,
    f: tuple[int, int] | None = None,
    m: tuple[int, int] | None = None,
    bins: int = 5,
    unit: str | None = None,
    lang: str = "en",
) -> Explorer:
    """A segment menu and R, F, M score-range sliders over :func:`rfm_report`.

    Changing the menu or a slider draws what ``rfm_report`` draws on ``segmented`` for the
    chosen segment (the menu's first entry, ``"(all segments)"``, means None) and ranges:
    the R x F grid of the selection and its profile next to all customers. It is drawn once
    when the explorer is built; the arguments are the starting values, ``unit`` and ``lang``
    as in :func:`rfm_report`. With ``lang="ko"`` the menu shows the segments' Korean names
    (:data:`SEGMENTS_KO`; its values stay the frame's names) and the controls are labelled in
    Korean. Outside a notebook the profile is printed and the figure is not shown.

    Returns
    -------
    Explorer
        An ``ipywidgets.VBox``: the controls (``children[0]``, an ``HBox`` of the menu and a
        ``VBox`` of the three sliders) above the output; ``controls`` maps names to them.

    Examples
    --------
    >>> import contextlib, io
    >>> scored = pd.DataFrame({
    ...     "recency": [5, 30, 200, 300], "frequency": [9, 4, 2, 1],
    ...     "monetary": [700.0, 200.0, 80.0, 20.0],
    ...     "r_score": [5, 4, 2, 1], "f_score": [5, 4, 2, 1], "m_score": [5, 4, 2, 1],
    ...     "segment": pd.Categorical(["Top", "Top", "Rest", "Rest"]),
    ... })
    >>> printed = io.StringIO()
    >>> with contextlib.redirect_stdout(printed):  # outside a notebook the profile is printed
    ...     ui = rfm_explorer(scored, "Top", f=(5, 5))
    >>> "Top, F 5" in printed.getvalue()
    True
    >>> menu, sliders = ui.children[0].children
    >>> menu.value, [s.value for s in sliders.children]
    ('Top', [(1, 5), (5, 5), (1, 5)])
    >>> menu.options[0]
    '(all segments)'
    >>> scored["segment"] = scored["segment"].cat.rename_categories({"Top": "Champions"})
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     ui = rfm_explorer(scored, "최우수 고객", lang="ko")
    >>> menu = ui.controls["segment"]
    >>> menu.value, menu.label, menu.options[0]
    ('Champions', '최우수 고객', ('(모든 세그먼트)', '(all segments)'))
    """
    lang = _language(lang)
    # Checked once here, so a bad starting value fails before any widget is built.
    _rfm_selection(segmented, segment, r, f, m, bins, lang)
    names = segmented["segment"] if "segment" in segmented.columns else None
    if names is None:
        options = []
    elif isinstance(names.dtype, pd.CategoricalDtype):
        options = [str(n) for n in names.cat.categories]
    else:
        options = sorted(str(n) for n in pd.unique(names.dropna()))
    entries = [ALL_SEGMENTS, *options]
    if lang != "en":  # (label, value): the menu shows the label, the report gets the value
        labels = [_say(lang, ALL_SEGMENTS), *(_segment_label(n, lang) for n in options)]
        entries = list(zip(labels, entries, strict=True))
    start = ALL_SEGMENTS if segment is None else str(_known_segment(segmented, segment, lang))

    def parts(segment: str, **ranges: tuple[int, int]) -> tuple[Figure, pd.DataFrame]:
        # The menu holds text only: a None option would show as an empty menu.
        chosen = None if segment == ALL_SEGMENTS else segment
        return _rfm_parts(segmented, chosen, bins=bins, unit=unit, lang=lang, **ranges)

    controls = {
        "segment": w.Dropdown(
            options=entries,
            value=start,
            description=_say(lang, "segment"),
            style={"description_width": "70px"},
        ),
        **{
            letter: w.IntRangeSlider(
                value=_score_bounds(given, letter, bins),
                min=1,
                max=bins,
                step=1,
                description=_say(lang, "{letter} score", letter=letter.upper()),
                style={"description_width": "70px"},
                continuous_update=False,
            )
            for letter, given in (("r", r), ("f", f), ("m", m))
        },
    }
    sliders = w.VBox([controls["r"], controls["f"], controls["m"]])
    return Explorer(
        controls,
        w.HBox([controls["segment"], sliders]),
        parts,
        _say(lang, "RFM segment explorer: a segment menu and R, F, M score ranges"),
        lang=lang,
    )


# The association-rule explorer (beer-and-diapers case): thresholds -> rules, and the
# cross-sell what-if of one rule, over crmlib.basket. The rules are mined once, at the lowest
# support the slider offers, and only between two items (max_len=2): mining pairs costs at
# most one count per pair of items, whatever the support, and a pair rule's support,
# confidence and lift depend on its two items alone, so the mined rules that reach a higher
# threshold are exactly the rules that mining at that threshold finds. Moving a threshold
# filters them; moving the take-up or the discount recomputes the what-if of one rule.

RULES_FLOOR = 0.001  # the lowest support of the explorer's slider (rules are mined there)
_RULE_ORDER = (["lift", "support", "rule"], [False, False, True])
_TAKE_UP_GRID = np.round(np.linspace(0.0, 1.0, 21), 2)


def pair_rules(baskets: object, min_support: float = RULES_FLOOR) -> pd.DataFrame:
    """Every rule between two items (one item on each side) that reaches ``min_support``.

    :func:`crmlib.basket.frequent_itemsets` with ``max_len=2`` and
    :func:`crmlib.basket.association_rules` without a confidence threshold, sorted by lift
    (descending), then support (descending), then the rule's text. Filter the result with
    :func:`filter_rules`: at any support of ``min_support`` or more it gives the rules that
    mining at that support gives.

    Examples
    --------
    >>> baskets = [["diapers", "beer"]] * 12 + [["diapers"]] * 8 + [["beer"]] * 10
    >>> pair_rules(baskets, 0.3)[["rule", "support", "confidence"]].round(3)
                  rule  support  confidence
    0  beer -> diapers      0.4       0.545
    1  diapers -> beer      0.4       0.600
    """
    itemsets = basket.frequent_itemsets(baskets, min_support, max_len=2)
    rules = basket.association_rules(itemsets, "confidence", 0.0)
    by, ascending = _RULE_ORDER
    return rules.sort_values(by, ascending=ascending, kind="stable").reset_index(drop=True)


def filter_rules(
    rules: pd.DataFrame,
    *,
    min_support: float = 0.0,
    min_confidence: float = 0.0,
    min_lift: float = 0.0,
) -> pd.DataFrame:
    """The rules of ``rules`` that reach all three thresholds, in the order given.

    Examples
    --------
    >>> baskets = [["diapers", "beer"]] * 12 + [["diapers"]] * 8 + [["beer"]] * 10
    >>> filter_rules(pair_rules(baskets, 0.3), min_confidence=0.6)["rule"].tolist()
    ['diapers -> beer']
    """
    require_columns(rules, ["rule", "support", "confidence", "lift"], "rules")
    thresholds = {"min_support": min_support, "min_confidence": min_confidence}
    for name, number in thresholds.items():
        require_fraction(number, name, low_inclusive=True)
    if isinstance(min_lift, bool) or not isinstance(min_lift, int | float) or min_lift < 0:
        raise ValueError(f"min_lift: expected a number >= 0, got {min_lift!r}")
    keep = (
        (rules["support"] >= min_support)
        & (rules["confidence"] >= min_confidence)
        & (rules["lift"] >= min_lift)
    )
    return rules[keep]


class _RuleWhatIf:
    """The what-if of one rule over take-up, computed once per take-up and price discount."""

    def __init__(self, baskets, antecedent, consequent, **money) -> None:
        self.args = (baskets, antecedent, consequent)
        self.money = money
        self.done: dict[tuple[float, float], tuple[pd.DataFrame, pd.Series]] = {}

    def __call__(self, take_up: float, price_discount: float) -> tuple[pd.DataFrame, pd.Series]:
        key = (take_up, price_discount)
        if key not in self.done:
            rows = basket.cross_sell_whatif(
                *self.args, take_up=[*_TAKE_UP_GRID, take_up], price_discount=price_discount,
                **self.money,
            )  # fmt: skip
            self.done[key] = rows.iloc[:-1], rows.iloc[-1]
        return self.done[key]


def _amount(x: float, *, signed: bool = True) -> str:
    """Money as a reader wants it: whole units from 100 up, cents below (25.56 만원 is not 26)."""
    sign = "+" if signed else ""
    return f"{x:{sign},.0f}" if abs(x) >= 100 else f"{x:{sign},.2f}"


def _support_decimals(mined: pd.DataFrame) -> int:
    """Decimals that show the smallest support mined with two significant digits (at least 3)."""
    low = mined["support"].min() if len(mined) else 1.0
    return max(3, 1 - int(np.floor(np.log10(low)))) if low > 0 else 3


def _rules_parts(
    mined, whatif, antecedent, consequent, *, min_support, min_confidence, min_lift,
    take_up, price_discount, unit, top, where, lang="en",
) -> tuple[Figure, pd.DataFrame, str]:  # fmt: skip
    lang = _language(lang)
    where = _say(lang, "the same baskets") if where is None else where
    unit = _say(lang, "money per period") if unit is None else unit
    passing = filter_rules(mined, min_support=min_support, min_confidence=min_confidence,
                           min_lift=min_lift)  # fmt: skip
    rounding = {"support": _support_decimals(mined), "confidence": 3, "lift": 3}
    table = passing.head(top).set_index("rule")[["support", "confidence", "lift"]].round(rounding)
    # "rule" heads the first column in the header row (an index name adds a second row)
    table = _headers(table.rename_axis(index=None, columns="rule"), lang)
    curve, chosen = whatif(take_up, price_discount)
    ax = plots.axes(figsize=(6.0, 3.8))
    ax.plot(curve["take_up"], curve["net"], marker=".")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.plot([take_up], [chosen["net"]], "o", color="C3", markersize=9)
    if price_discount == 0:
        action = _say(lang, "display")
    else:
        action = _say(lang, "bundle {discount} off", discount=f"{price_discount:.0%}")
    even = chosen["break_even_take_up"]
    if np.isfinite(even):
        even_text = _say(lang, "breaks even at {even} take-up", even=f"{even:.0%}")
    else:
        even_text = _say(lang, "never pays")
    plots.percent_axis(ax, "x")
    decimals = 0 if np.abs(curve["net"]).max() >= 100 else 2  # one format for every tick
    ax.yaxis.set_major_formatter(lambda y, _: f"{y:,.{decimals}f}")
    acted = f"{antecedent} -> {consequent}"
    net = _amount(chosen["net"])
    ax.set(
        xlabel=_say(
            lang,
            "take-up (share of {antecedent}-only baskets that add {consequent})",
            antecedent=antecedent,
            consequent=consequent,
        ),  # fmt: skip
        ylabel=_say(lang, "net effect ({unit})", unit=unit),
        title=_say(
            lang,
            "{acted}, {action}: net {net} at {take_up};\n{even_text}",
            acted=acted,
            action=action,
            net=net,
            take_up=f"{take_up:.0%}",
            even_text=even_text,
        ),  # fmt: skip
    )
    rank = np.flatnonzero(passing["rule"].to_numpy() == acted)
    if len(rank):
        place = _say(lang, "{acted} is number {rank} by lift", acted=html.escape(acted),
                     rank=rank[0] + 1)  # fmt: skip
    else:
        place = _say(lang, "{acted} does not pass them", acted=html.escape(acted))
    shown = ""
    if len(passing) > len(table):
        shown = _say(lang, " (the {shown} of highest lift below)", shown=len(table))
    before = chosen["both_before"] / chosen["antecedent_baskets"]
    summary = _say(
        lang,
        "<b>{passing}</b> of the {mined} mined rules between two items pass support ≥ {support},"
        " confidence ≥ {confidence} and lift ≥ {lift}, over all the baskets{shown}; {place}."
        " What-if of a {action} at take-up {take_up} in {where}: the confidence of {acted} there"
        " goes from {before} to {after}, net <b>{net}</b> {unit}.",
        passing=f"{len(passing):,}", mined=f"{len(mined):,}", support=f"{min_support:g}",
        confidence=f"{min_confidence:.2f}", lift=f"{min_lift:.2f}", shown=shown, place=place,
        action=action, take_up=f"{take_up:.0%}", where=html.escape(where),
        acted=html.escape(acted), before=percent(before),
        after=percent(chosen["confidence_after"]), net=net, unit=html.escape(unit),
    )  # fmt: skip
    return ax.figure, table, summary


def rules_report(
    baskets: object,
    antecedent: object,
    consequent: object,
    *,
    min_support: float = 0.01,
    min_confidence: float = 0.2,
    min_lift: float = 0.0,
    take_up: float = 0.1,
    margin: float = 1.0,
    price_discount: float = 0.0,
    bundle_price: float = 0.0,
    fixed_cost: float = 0.0,
    periods: float = 1.0,
    reached: object = None,
    where: str | None = None,
    unit: str | None = None,
    top: int = 10,
    lang: str = "en",
) -> pd.DataFrame:
    """What the association-rule explorer shows: the rules and one rule's what-if.

    The rules between two items of ``baskets`` that reach ``min_support``,
    ``min_confidence`` and ``min_lift`` (:func:`pair_rules`, :func:`filter_rules`), and the
    net effect of acting on ``antecedent -> consequent`` in the baskets the action reaches
    (``reached``, default ``baskets``) from :func:`crmlib.basket.cross_sell_whatif`
    (``margin``, ``price_discount``, ``bundle_price``, ``fixed_cost`` and ``periods`` as
    there), drawn over take-up with ``take_up`` marked. Shows the figure and a summary line,
    which says that the rules' counts and the table are over all of ``baskets`` and the
    what-if's confidence over ``reached`` (named by ``where``, e.g. "the baskets on weekday
    evenings"; default "the same baskets"); returns the ``top`` rules by lift (support,
    confidence and lift, rounded; support to enough decimals that the smallest mined one is
    not shown as 0). ``unit`` names the money (default "money per period"). ``lang="ko"``:
    figure, summary and headers in Korean (and Korean defaults for ``where`` and ``unit``),
    the numbers the same; item names are shown as they are in ``baskets``.

    Examples
    --------
    >>> import contextlib, io
    >>> baskets = [["diapers", "beer"]] * 12 + [["diapers"]] * 8 + [["beer"]] * 10
    >>> printed = io.StringIO()
    >>> with contextlib.redirect_stdout(printed):
    ...     table = rules_report(baskets, "diapers", "beer", min_support=0.3, take_up=0.25,
    ...                          margin=2.0)
    >>> float(table.loc["diapers -> beer", "confidence"])
    0.6
    >>> "net +4.00 money per period" in printed.getvalue()
    True
    >>> with contextlib.redirect_stdout(printed):
    ...     table = rules_report(baskets, "diapers", "beer", min_support=0.3, lang="ko")
    >>> list(table.columns)
    ['지지도', '신뢰도', '향상도']
    >>> plt.close("all")
    """
    lang = _language(lang)
    money = {"margin": margin, "bundle_price": bundle_price, "fixed_cost": fixed_cost,
             "periods": periods}  # fmt: skip
    whatif = _RuleWhatIf(baskets if reached is None else reached, antecedent, consequent, **money)
    _, table, summary = _rules_parts(
        pair_rules(baskets, min_support), whatif, antecedent, consequent,
        min_support=min_support, min_confidence=min_confidence, min_lift=min_lift,
        take_up=take_up, price_discount=price_discount, unit=unit, top=top, where=where,
        lang=lang,
    )  # fmt: skip
    plt.show()
    if get_ipython() is not None:
        display(HTML(f"<p>{summary}</p>"))
    else:
        print(_TAGS.sub("", html.unescape(summary)))
    return table


def rules_explorer(
    baskets: object,
    antecedent: object,
    consequent: object,
    *,
    min_support: float = 0.01,
    min_confidence: float = 0.2,
    min_lift: float = 0.0,
    take_up: float = 0.1,
    margin: float = 1.0,
    price_discount: float = 0.0,
    bundle_price: float = 0.0,
    fixed_cost: float = 0.0,
    periods: float = 1.0,
    reached: object = None,
    where: str | None = None,
    unit: str | None = None,
    top: int = 10,
    lang: str = "en",
) -> Explorer:
    """Threshold and what-if sliders over :func:`rules_report` (beer-and-diapers case).

    The rules between two items are mined once (:func:`pair_rules`) at the support slider's
    lowest value, :data:`RULES_FLOOR` (or ``min_support`` when lower); the ``min_support``,
    ``min_confidence`` and ``min_lift`` sliders filter them (:func:`filter_rules`). The
    ``take_up`` and ``price_discount`` sliders set the what-if of ``antecedent ->
    consequent`` in ``reached`` (described by ``where``), computed for that rule only;
    ``margin``, ``bundle_price``, ``fixed_cost`` and ``periods`` stay as given. The other
    arguments are as in :func:`rules_report`; ``lang="ko"`` also labels the sliders and the
    note in Korean.

    Examples
    --------
    >>> import contextlib, io
    >>> baskets = [["diapers", "beer"]] * 12 + [["diapers"]] * 8 + [["beer"]] * 10
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     ui = rules_explorer(baskets, "diapers", "beer", min_support=0.3, margin=2.0,
    ...                         bundle_price=20.0)
    >>> list(ui.controls)
    ['min_support', 'min_confidence', 'min_lift', 'take_up', 'price_discount']
    >>> ui.controls["min_support"].min
    0.001
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     ui = rules_explorer(baskets, "diapers", "beer", min_support=0.3, lang="ko")
    >>> [c.description for c in ui.controls.values()][:2]
    ['최소 지지도', '최소 신뢰도']
    """
    lang = _language(lang)
    where = _say(lang, "the same baskets") if where is None else where
    floor = min(RULES_FLOOR, require_fraction(min_support, "min_support"))
    mined = pair_rules(baskets, floor)  # also checks the baskets
    filter_rules(
        mined, min_support=min_support, min_confidence=min_confidence, min_lift=min_lift
    )  # fmt: skip  (checks the thresholds)
    money = {"margin": margin, "bundle_price": bundle_price, "fixed_cost": fixed_cost,
             "periods": periods}  # fmt: skip
    whatif = _RuleWhatIf(baskets if reached is None else reached, antecedent, consequent, **money)
    whatif(take_up, price_discount)  # checks the rule and the money before a widget is built
    top = require_positive_int(top, "top")

    def parts(**values):
        return _rules_parts(
            mined, whatif, antecedent, consequent, unit=unit, top=top, where=where, lang=lang,
            **values,
        )  # fmt: skip

    controls = {
        "min_support": _slider(
            w.FloatSlider,
            min_support,
            floor,
            max(0.1, min_support),
            min(floor, 0.001),
            _say(lang, "min support"),
        ),  # fmt: skip
        "min_confidence": _slider(
            w.FloatSlider, min_confidence, 0.0, 1.0, 0.01, _say(lang, "min confidence")
        ),  # fmt: skip
        "min_lift": _slider(
            w.FloatSlider, min_lift, 0.0, max(5.0, min_lift), 0.1, _say(lang, "min lift")
        ),  # fmt: skip
        "take_up": _slider(w.FloatSlider, take_up, 0.0, 1.0, 0.01, _say(lang, "take-up")),
        "price_discount": _slider(
            w.FloatSlider,
            price_discount,
            0.0,
            0.5 if bundle_price > 0 else 0.0,
            0.01,
            _say(lang, "price discount"),
        ),  # fmt: skip
    }
    controls["min_support"].readout_format = ".3f" if floor >= 0.001 else ".4g"
    for name in ("take_up", "price_discount"):
        controls[name].readout_format = ".0%"
    layout = w.HBox(
        [
            w.VBox([controls["min_support"], controls["min_confidence"], controls["min_lift"]]),
            w.VBox([controls["take_up"], controls["price_discount"]]),
        ]
    )
    note = _say(
        lang,
        "Rules between two items only (one item on each side), mined once from the {n} baskets"
        " at support ≥ {floor}; the threshold sliders filter them. The what-if acts on {acted}"
        " in {where}.",
        n=f"{len(baskets):,}", floor=f"{floor:g}", where=html.escape(where),
        acted=f"{html.escape(str(antecedent))} → {html.escape(str(consequent))}",
    )  # fmt: skip
    return Explorer(
        controls,
        layout,
        parts,
        _say(
            lang,
            "Association-rule explorer: thresholds and the what-if of {acted}",
            acted=f"{antecedent} -> {consequent}",
        ),  # fmt: skip
        note=note,
        lang=lang,
    )


# The campaign test-vs-control explorer (Bank of America case), over crmlib.campaign.


def pilot_table(
    n_treatment: int, rate_treatment: float, n_control: int, rate_control: float
) -> pd.DataFrame:
    """One row per customer of a pilot with these group sizes and response rates.

    The responders are the rates times the group sizes, rounded to whole customers: the
    table :func:`crmlib.campaign.evaluate_pilot` evaluates.

    Examples
    --------
    >>> pilot_table(4, 0.5, 2, 0.0).groupby("group", sort=True)["responded"].sum().to_dict()
    {'control': 0, 'treatment': 2}
    """
    rows = []
    for group, n, rate in (("treatment", n_treatment, rate_treatment),
                           ("control", n_control, rate_control)):  # fmt: skip
        n = require_positive_int(n, f"n_{group}")
        if isinstance(rate, bool) or not 0 <= float(rate) <= 1:
            raise ValueError(f"rate_{group}: expected a fraction in [0, 1], got {rate!r}")
        responders = int(round(float(rate) * n))
        rows.append(pd.DataFrame({"group": group, "responded": np.arange(n) < responders}))
    return pd.concat(rows, ignore_index=True)


def pilot_report(
    n_treatment: int = 1000,
    rate_treatment: float = 0.10,
    n_control: int = 1000,
    rate_control: float = 0.06,
    *,
    value_per_response: float = 400.0,
    cost_per_contact: float = 20.0,
    confidence: float = 0.95,
    unit: str | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """What the campaign explorer shows: uplift with its interval, incremental profit.

    :func:`crmlib.campaign.evaluate_pilot` on :func:`pilot_table` (responders are the rates
    times the group sizes, rounded to whole customers); the figure shows the incremental
    profit, in ``unit`` (the unit of ``value_per_response`` and ``cost_per_contact``), with
    the range its uplift interval implies (``unit`` default "money"). Returns the result as
    a column of numbers written as text (counts whole, rates and shares to 4 decimals, money
    to cents), so that each reads as itself. ``lang="ko"``: the figure and the table's row
    labels in Korean, the numbers the same.

    Examples
    --------
    >>> table = pilot_report(1000, 0.115, 1000, 0.061, value_per_response=100,
    ...                      cost_per_contact=2, unit="EUR")
    >>> float(table.loc["uplift", "pilot"]), float(table.loc["incremental_profit", "pilot"])
    (0.054, 3400.0)
    >>> plt.gcf().axes[0].get_xlabel()
    'incremental profit of contacting 1,000 customers (EUR)'
    >>> table = pilot_report(1000, 0.115, 1000, 0.061, unit="만원", lang="ko")
    >>> table.loc["증분 이익 (만원)", "시범 캠페인"]
    '1600.00'
    >>> plt.close("all")
    """
    _, table = _pilot_parts(n_treatment, rate_treatment, n_control, rate_control,
                            value_per_response, cost_per_contact, confidence, unit,
                            lang)  # fmt: skip
    plt.show()
    return table


PILOT_COLUMNS = [
    "n_treatment", "n_control", "rate_treatment", "rate_control", "uplift", "uplift_low",
    "uplift_high", "p_value", "incremental_responders", "incremental_profit",
    "incremental_profit_low", "incremental_profit_high",
]  # fmt: skip


def _pilot_parts(
    n_treatment, rate_treatment, n_control, rate_control, value_per_response,
    cost_per_contact, confidence=0.95, unit=None, lang="en",
) -> tuple[Figure, pd.DataFrame]:  # fmt: skip
    lang = _language(lang)
    unit = _say(lang, "money") if unit is None else unit
    result = campaign.evaluate_pilot(
        pilot_table(n_treatment, rate_treatment, n_control, rate_control),
        value_per_response=value_per_response, cost_per_contact=cost_per_contact,
        confidence=confidence,
    ).iloc[0]  # fmt: skip
    low, mid, high = (result[f"incremental_profit{s}"] for s in ("_low", "", "_high"))
    ax = plots.axes(figsize=(6.0, 2.9))
    ax.errorbar([mid], [0], xerr=[[mid - low], [high - mid]], fmt="o", capsize=8,
                color="C0" if low > 0 else "C3")  # fmt: skip
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks([])
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:,.0f}")
    ax.set(
        xlabel=_say(
            lang,
            "incremental profit of contacting {n} customers ({unit})",
            n=f"{int(result['n_treatment']):,}",
            unit=unit,
        ),  # fmt: skip
        title=_say(
            lang,
            "Uplift {uplift} ({confidence} CI {low} to {high}):\nprofit {mid}, range"
            " {mid_low} to {mid_high}",
            uplift=f"{result['uplift']:+.1%}",
            confidence=f"{confidence:.0%}",
            low=f"{result['uplift_low']:+.1%}",
            high=f"{result['uplift_high']:+.1%}",
            mid=f"{mid:,.0f}",
            mid_low=f"{low:,.0f}",
            mid_high=f"{high:,.0f}",
        ),  # fmt: skip
    )
    # Each row written in its own format (counts whole, shares to 4 decimals, money to
    # cents): one float column would print every row like the widest (7.500e+02 for 750).
    shown = [_pilot_number(name, float(result[name])) for name in PILOT_COLUMNS]
    table = pd.DataFrame({"pilot": shown}, index=pd.Index(PILOT_COLUMNS))
    return ax.figure, _headers(table, lang, rows=True, confidence=f"{confidence:.0%}", unit=unit)


def _pilot_number(name: str, value: float) -> str:
    if name.startswith("n_"):
        return f"{value:.0f}"
    if name.startswith("incremental_profit"):
        return f"{value:.2f}"
    return f"{value:.1f}" if name == "incremental_responders" else f"{value:.4f}"


def pilot_explorer(
    n_treatment: int = 1000,
    rate_treatment: float = 0.10,
    n_control: int = 1000,
    rate_control: float = 0.06,
    *,
    value_per_response: float = 400.0,
    cost_per_contact: float = 20.0,
    confidence: float = 0.95,
    unit: str | None = None,
    lang: str = "en",
) -> Explorer:
    """Sliders for group sizes, response rates and money over :func:`pilot_report`.

    The sliders run from 10 to 5,000 customers per group, response rates from 0 to 50 %,
    value per response from 0 to 2,000 and cost per contact from 0 to 100 (in ``unit``);
    each range widens to hold its starting value, so the explorer starts from exactly the
    values passed (a rate of 0.7, or a group of 5). Responders are the rates times the group
    sizes, rounded to whole customers, as the explorer's note says. ``unit`` and ``lang`` as
    in :func:`pilot_report` (``lang="ko"`` also labels the sliders and the note in Korean).

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     ui = pilot_explorer(500, 0.12, 500, 0.08, unit="thousand won")
    >>> [c.description for c in ui.controls.values()][:2]
    ['treated', 'treated rate']
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     ui = pilot_explorer(1000, 0.7, 5, 0.2)
    >>> ui.values()["rate_treatment"], ui.values()["n_control"]
    (0.7, 5)
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     ui = pilot_explorer(lang="ko")
    >>> [c.description for c in ui.controls.values()][:2]
    ['실험집단', '실험집단 반응률']
    """
    lang = _language(lang)
    unit = _say(lang, "money") if unit is None else unit
    _pilot_parts(
        n_treatment,
        rate_treatment,
        n_control,
        rate_control,
        value_per_response,
        cost_per_contact,
        confidence,
        unit,
        lang,
    )  # fmt: skip  (checks every argument)
    plt.close("all")

    def parts(**values):
        return _pilot_parts(**values, confidence=confidence, unit=unit, lang=lang)

    low_n = min(10, n_treatment, n_control)
    top_n = max(5000, n_treatment, n_control)
    top_rate = max(0.5, float(rate_treatment), float(rate_control))
    controls = {
        "n_treatment": _slider(w.IntSlider, n_treatment, low_n, top_n, 10, _say(lang, "treated")),
        "rate_treatment": _slider(
            w.FloatSlider, rate_treatment, 0.0, top_rate, 0.005, _say(lang, "treated rate")
        ),
        "n_control": _slider(w.IntSlider, n_control, low_n, top_n, 10, _say(lang, "control")),
        "rate_control": _slider(
            w.FloatSlider, rate_control, 0.0, top_rate, 0.005, _say(lang, "control rate")
        ),  # fmt: skip
        "value_per_response": _slider(
            w.FloatSlider,
            value_per_response,
            0.0,
            max(2000.0, value_per_response),
            10.0,
            _say(lang, "value/response"),
        ),  # fmt: skip
        "cost_per_contact": _slider(
            w.FloatSlider,
            cost_per_contact,
            0.0,
            max(100.0, cost_per_contact),
            1.0,
            _say(lang, "cost/contact"),
        ),  # fmt: skip
    }
    for name in ("rate_treatment", "rate_control"):
        controls[name].readout_format = ".1%"
    names = list(controls)
    layout = w.HBox([w.VBox([controls[n] for n in names[i : i + 2]]) for i in (0, 2, 4)])
    note = _say(
        lang,
        "Recomputes the uplift's {confidence} interval (Newcombe's hybrid score interval) and the"
        " incremental profit with crmlib.campaign.evaluate_pilot. Responders are rounded to whole"
        " customers (rate × customers), which matters in small groups; value per response and"
        " cost per contact are in {unit}.",
        confidence=f"{confidence:.0%}", unit=html.escape(unit),
    )  # fmt: skip
    return Explorer(
        controls,
        layout,
        parts,
        _say(
            lang,
            "Campaign explorer: group sizes, response rates, value per response and cost"
            " per contact",
        ),  # fmt: skip
        note=note,
        lang=lang,
    )
