"""The notebook session: reproducible set-up, Korean figures, and prose with computed numbers."""

import io
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from crm_workbook.session import md, setup  # noqa: E402


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
    with pytest.raises(ValueError, match="lang: expected 'en' or 'ko', got 'kr'"):
        setup(lang="kr")


def test_md_shows_markdown_and_compares_as_its_text():
    note = md(f"Churn is **{0.2654:.1%}** a month.")
    assert repr(note) == "Churn is **26.5%** a month."
    assert note._repr_markdown_() == "Churn is **26.5%** a month."
    with pytest.raises(TypeError, match="text: expected a str"):
        md(0.25)
