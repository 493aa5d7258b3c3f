"""The notebook session: reproducible set-up, Korean figures, and prose with computed numbers."""

import io
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from crm_workbook.session import md, percent, setup  # noqa: E402


def draw(title: str) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.set_title(title)
        ax.plot([-1, 1])
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
    return [str(w.message) for w in caught]


def test_korean_figures_have_a_font_with_hangul():
    setup(lang="ko")
    try:
        assert matplotlib.rcParams["font.family"] == ["NanumGothic"]
        assert not [m for m in draw("상위 20% 고객이 매출의 61%") if "missing from font" in m]
    finally:
        setup()
        matplotlib.rcParams.update(matplotlib.rcParamsDefault)


def test_setup_refuses_an_unknown_language():
    with pytest.raises(ValueError, match=r"lang: expected one of \['en', 'ko'\], got 'kr'"):
        setup(lang="kr")


def test_md_shows_markdown_and_compares_as_its_text():
    note = md(f"Churn is **{0.2654:.1%}** a month.")
    assert repr(note) == "Churn is **26.5%** a month."
    assert note._repr_markdown_() == "Churn is **26.5%** a month."
    with pytest.raises(TypeError, match="text: expected a str"):
        md(0.25)


@pytest.mark.parametrize("decimals", [0, 1, 2])
@pytest.mark.parametrize(
    "share", [2 / 9835, 1 / 9835, 0.0004999, 0.00095, 0.000999, 3e-7, -2e-5, 0.0012, 0.655, 1.0]
)
def test_percent_never_shows_a_nonzero_share_as_zero(share, decimals):
    text = percent(share, decimals)
    assert text.endswith("%")
    shown = float(text.removesuffix("%"))
    assert shown != 0 and (shown > 0) == (share > 0)
    places = len(text.removesuffix("%").partition(".")[2])
    assert abs(shown - share * 100) <= 0.5 * 10**-places + 1e-12, "rounded, not cut"
    if float(f"{share:.{decimals}%}".removesuffix("%")) != 0:
        assert text == f"{share:.{decimals}%}", "the usual format where it shows the share"


def test_percent_keeps_zero_and_refuses_what_is_not_a_share():
    assert percent(0.0) == "0.0%" and percent(0) == "0.0%"
    with pytest.raises(TypeError, match="share: expected a number"):
        percent("0.02")
    with pytest.raises(ValueError, match="decimals: expected a whole number >= 0, got -1"):
        percent(0.5, -1)
