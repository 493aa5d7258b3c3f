"""The Korean edition stays in step with the English notebooks, cell by cell."""

import re
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from crm_workbook import notebooks, translation

REPO = Path(__file__).resolve().parents[1]


def english():
    return new_notebook(
        cells=[
            new_markdown_cell("# 01 CRM", id="title"),
            new_code_cell("x = 1", id="setup"),
            new_markdown_cell("Churn is low.", id="claim"),
        ]
    )


def translated(en):
    ko = translation.sync(en, None)
    for cell in ko.cells:
        cell.source = {"title": "# 01 고객관계관리", "setup": "x = 1", "claim": "이탈률이 낮다."}[
            translation._info(cell)["source"]
        ]
    translation.accept(en, ko, ["all"])
    return ko


def test_a_fresh_translation_is_current():
    en = english()
    assert translation.problems(en, translated(en)) == []


def test_an_edited_english_cell_makes_its_korean_cell_stale():
    en = english()
    ko = translated(en)
    en.cells[2].source = "Churn is high."
    assert translation.problems(en, ko) == [
        "cell claim: the English source changed since it was translated (stale)"
    ]
    translation.accept(en, ko, ["claim"])
    assert translation.problems(en, ko) == []


def test_added_removed_and_reordered_cells_are_reported_and_synced():
    en = english()
    ko = translated(en)
    en.cells.insert(1, new_markdown_cell("New idea.", id="new"))
    del en.cells[3]  # "claim"
    found = translation.problems(en, ko)
    assert "cell new: has no Korean cell (missing)" in found
    assert "cell claim: its English cell no longer exists" in found
    ko = translation.sync(en, ko)
    assert [translation._info(c)["source"] for c in ko.cells] == ["title", "new", "setup"]
    assert ko.cells[0].source == "# 01 고객관계관리", "a kept translation is not overwritten"
    assert translation.problems(en, ko) == ["cell new: not translated yet (todo)"]
    en.cells.reverse()
    assert "the Korean cells are not in the English order" in translation.problems(en, ko)


def test_the_translation_metadata_survives_normalising():
    ko = notebooks.normalise(translated(english()))
    assert all("translation" in cell.metadata for cell in ko.cells)


def test_accept_refuses_an_unknown_cell():
    en = english()
    with pytest.raises(ValueError, match=r"sources: no English cell with id \['nope'\]"):
        translation.accept(en, translated(en), ["nope"])


def test_exercise_sets_are_translated_and_their_hand_outs_are_not():
    """ko/solutions is tracked cell by cell; ko/exercises is written from it, not translated."""
    found = translation.korean_notebooks(REPO)
    assert Path("ko/solutions/01_crm_definition.ipynb") in found
    assert not [p for p in found if p.parts[1] == "exercises"]
    assert translation.korean_path(REPO, Path("solutions/02_x.ipynb")) == (
        REPO / "ko" / "solutions" / "02_x.ipynb"
    )
    assert translation.english_path(REPO, Path("ko/solutions/02_x.ipynb")) == (
        REPO / "solutions" / "02_x.ipynb"
    )


def test_a_stale_or_missing_cell_of_a_korean_exercise_set_is_found():
    name = "01_crm_definition.ipynb"
    en = notebooks.read(REPO / "solutions" / name)
    ko = notebooks.read(REPO / "ko" / "solutions" / name)
    assert translation.problems(en, ko) == []
    question, answer = en.cells[2], en.cells[3]
    question.source += " Round to two decimals."
    del ko.cells[3]
    assert translation.problems(en, ko) == [
        f"cell {question.id}: the English source changed since it was translated (stale)",
        f"cell {answer.id}: has no Korean cell (missing)",
    ]


def test_every_korean_notebook_is_current():
    assert Path("ko/notebooks/01_crm_definition.ipynb") in translation.korean_notebooks(REPO)
    for path in translation.korean_notebooks(REPO):
        en = notebooks.read(translation.english_path(REPO, path))
        found = translation.problems(en, notebooks.read(REPO / path))
        assert found == [], f"{path}: update these cells, then `crm-workbook translate --accept`"


@pytest.mark.parametrize("path", translation.korean_notebooks(REPO), ids=lambda p: p.as_posix())
def test_korean_notebook_links_resolve_and_figures_use_a_korean_font(path):
    """ko/ is two folders deeper: links to English chapters must still reach a file."""
    nb = notebooks.read(REPO / path)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    links = re.findall(r"\]\(([^)#:]+\.(?:ipynb|md))\)", text)
    assert links, "a Korean chapter links to the contents and its neighbours"
    for link in links:
        assert ((REPO / path).parent / link).resolve().exists(), f"broken link {link}"
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert 'setup(lang="ko")' in code[0], "Korean figures need setup(lang='ko')"
    if path.parts[1] == "solutions":
        checker = f'Checker("{path.stem}", lang="ko")'
        assert checker in code[0], f"a Korean exercise set checks in Korean: {checker}"
        assert f"](../notebooks/{path.name})" in text, "it links to its Korean chapter"
    if path.parts[1] == "notebooks" and (REPO / "ko" / "exercises" / path.name).exists():
        assert f"](../exercises/{path.name})" in text, "a chapter links to its Korean exercises"
        assert f"](../../exercises/{path.name})" not in text, "not to the English ones"
