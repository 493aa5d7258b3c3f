"""The HTML workbook: every notebook executed and linked from a contents page in order."""

from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from crm_workbook import build, notebooks


def make_repo(root: Path, *, broken: bool = False) -> Path:
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    pages = {
        "notebooks/02_scope.ipynb": "# 02 Scope of CRM\n[next](10_strategy.ipynb)",
        "notebooks/01_definition.ipynb": "# 01 What CRM is\n[next](02_scope.ipynb) [c](CONTENTS.md)",
        "notebooks/10_strategy.ipynb": "# 10 CRM strategy",
        "notebooks/cases/beer.ipynb": "# Beer and diapers",
        "exercises/01_definition.ipynb": "# Exercises 01",
    }
    for rel, heading in pages.items():
        code = "1 / 0" if broken and "02" in rel else "print(6 * 7)"
        nb = new_notebook(cells=[new_markdown_cell(heading), new_code_cell(code)])
        notebooks.write(nb, root / rel)
    return root


def test_discover_orders_chapters_then_cases(tmp_path):
    entries = build.discover(make_repo(tmp_path))
    assert [(e.kind, e.path.name) for e in entries] == [
        ("chapter", "01_definition.ipynb"),
        ("chapter", "02_scope.ipynb"),
        ("chapter", "10_strategy.ipynb"),
        ("case", "beer.ipynb"),
        ("exercises", "01_definition.ipynb"),
    ]


def test_build_writes_linked_pages(tmp_path, capsys):
    repo = make_repo(tmp_path)
    index = build.build(repo, jobs=2)
    assert index == repo / "build" / "html" / "index.html"
    page = index.read_text()
    titles = ["01 What CRM is", "02 Scope of CRM", "10 CRM strategy", "Beer and diapers"]
    positions = [page.index(t) for t in titles]
    assert positions == sorted(positions), "contents are not in curriculum order"
    for href in (
        "notebooks/01_definition.html",
        "exercises/01_definition.html",
        "notebooks/cases/beer.html",
    ):
        assert f"href='{href}'" in page
        assert (index.parent / href).exists()
    chapter = (index.parent / "notebooks/01_definition.html").read_text()
    assert 'href="02_scope.html"' in chapter, "links between notebooks must point to pages"
    assert 'href="../index.html"' in chapter, "the contents link must point to the index"
    assert "42" in chapter, "the page shows executed output"
    out = capsys.readouterr().out
    assert "[ 4/4]" in out and "The workbook is at" in out
    stored = notebooks.read(repo / "notebooks" / "01_definition.ipynb")
    assert stored.cells[1].outputs == [], "building must not change the stored notebooks"


def test_build_fails_when_a_notebook_fails(tmp_path, capsys):
    repo = make_repo(tmp_path, broken=True)
    with pytest.raises(SystemExit, match="1 notebook\\(s\\) failed: notebooks/02_scope.ipynb"):
        build.build(repo, jobs=1)
    assert "FAILED: CellExecutionError" in capsys.readouterr().out


def test_contents_markdown_links_chapters_exercises_and_cases(tmp_path):
    repo = make_repo(tmp_path)
    text = build.contents_markdown(repo, build.discover(repo))
    assert (
        "1. [01 What CRM is](01_definition.ipynb) · [exercises](../exercises/01_definition.ipynb)"
        in text
    )
    assert "3. [10 CRM strategy](10_strategy.ipynb)\n" in text
    assert "## Case studies\n\n1. [Beer and diapers](cases/beer.ipynb)" in text


def test_stored_contents_are_current():
    repo = Path(__file__).resolve().parents[1]
    stored = (repo / "notebooks" / "CONTENTS.md").read_text()
    assert stored == build.contents_markdown(repo, build.discover(repo)), "run `make notebooks`"


def test_execute_in_place_records_keys_and_writes_exercises(tmp_path):
    repo = make_repo(tmp_path)
    (repo / "solutions" / "keys").mkdir(parents=True)
    source = (
        "from crm_workbook.check import Checker\ncheck = Checker('01_definition', key_dir='KEYS')\n"
    )
    source = source.replace("KEYS", str(repo / "solutions" / "keys"))
    answer = "q1 = None\n### BEGIN SOLUTION\nq1 = 6 * 7\n### END SOLUTION\ncheck('q1', q1)"
    nb = new_notebook(
        cells=[new_markdown_cell("# Ex 01"), new_code_cell(source), new_code_cell(answer)]
    )
    notebooks.write(nb, repo / "solutions" / "01_definition.ipynb")
    build.execute_in_place(repo, only=[repo / "solutions" / "01_definition.ipynb"])
    key = repo / "solutions" / "keys" / "01_definition.json"
    assert '"kind": "number"' in key.read_text()
    solved = notebooks.read(repo / "solutions" / "01_definition.ipynb")
    assert solved.cells[2].outputs[0]["text"] == "q1: passed\n"
    exercise = (repo / "exercises" / "01_definition.ipynb").read_text()
    assert "6 * 7" not in exercise and "# YOUR CODE HERE" in exercise
    assert (repo / "notebooks" / "CONTENTS.md").exists()

    # A solution that fails part-way leaves the previous key and the stored notebook alone.
    before = key.read_text()
    nb.cells.append(new_code_cell("1 / 0"))
    notebooks.write(nb, repo / "solutions" / "01_definition.ipynb")
    with pytest.raises(SystemExit):
        build.execute_in_place(repo, only=[repo / "solutions" / "01_definition.ipynb"])
    assert key.read_text() == before
