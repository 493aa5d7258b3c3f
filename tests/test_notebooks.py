"""Stored notebooks are the nbval reference: executed, clean, and free of machine paths."""

import re
import subprocess
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from crm_workbook import exercises, notebooks, translation
from crm_workbook.session import md

REPO = Path(__file__).resolve().parents[1]
# Chapters, cases and solutions of both editions; exercises/ and ko/exercises/ are generated
# without outputs from the solutions.
SOLUTIONS = [p for folder, _ in exercises.folders(REPO) for p in sorted(folder.glob("*.ipynb"))]
EXERCISES = [p for _, folder in exercises.folders(REPO) for p in sorted(folder.glob("*.ipynb"))]
EXECUTED = sorted(
    [
        *(REPO / "notebooks").rglob("*.ipynb"),
        *SOLUTIONS,
        *(REPO / path for path in translation.korean_notebooks(REPO)),
    ]
)
EXECUTED = [p for p in EXECUTED if ".ipynb_checkpoints" not in p.parts]
CHAPTERS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def ids(path):
    return str(path.relative_to(REPO))


def executed_notebook(*sources):
    nb = notebooks.normalise(new_notebook(cells=[new_code_cell(s) for s in sources]))
    for n, cell in enumerate(nb.cells, start=1):
        cell.execution_count = n
    return nb


def test_problems_finds_an_unexecuted_notebook():
    nb = executed_notebook("a = 1", "a")
    assert notebooks.problems(nb) == []
    nb.cells[1].execution_count = None
    assert notebooks.problems(nb) == ["1 of 2 code cells were never executed"]


def test_problems_finds_out_of_order_runs_errors_and_paths():
    nb = executed_notebook("a = 1", "b = 2")
    nb.cells[0].execution_count = 5
    nb.cells[1].outputs = [
        new_output("error", ename="KeyError", evalue="x", traceback=[]),
        new_output("stream", name="stderr", text="/tmp/ipykernel_12/3.py:1: Warning"),
    ]
    nb.metadata["widgets"] = {"state": {}}
    nb.cells[0].metadata["execution"] = {"iopub.status.busy": "2026-01-01"}
    found = "\n".join(notebooks.problems(nb))
    assert "not run once, top to bottom" in found
    assert "stored an error (KeyError)" in found
    assert "machine path (/tmp/)" in found
    assert "metadata is not normalised" in found
    assert "per-machine metadata ['execution']" in found


def test_problems_finds_single_tildes_and_amounts_in_markdown():
    # "1~5점 ... 6~7배" would show "5점 ... 6" struck through in JupyterLab and on GitHub.
    nb = executed_notebook("md('1~5점')")
    nb.cells.insert(0, new_markdown_cell("1\\~5점, `~/data`, ~~old~~"))
    assert notebooks.problems(nb) == []
    nb.cells[0].source = "1~5점에서 6~7배"
    nb.cells[1].outputs = [new_output("display_data", data={"text/markdown": "1~5점"})]
    found = notebooks.problems(nb)
    assert [f.split(":")[0] for f in found] == ["cell 1", "cell 2"]
    assert "write '\\~'" in found[0]
    nb.cells[0].source = "A call costs $25 and saves $100; the formula $1/(1+d)^t$ stays."
    nb.cells[1].outputs = [new_output("display_data", data={"text/markdown": "**\\$3,275**"})]
    assert [f.split(":")[0] for f in notebooks.problems(nb)] == ["cell 1"]


def test_md_escapes_tildes_and_amounts_for_markdown_only():
    text = md("**1~5점**, $25")
    assert text._repr_markdown_() == "**1\\~5점**, \\$25"
    assert repr(text) == "**1~5점**, $25"  # the plain text nbval compares stays as written


@pytest.mark.parametrize("path", EXECUTED, ids=ids)
def test_stored_notebook_is_executed_and_clean(path):
    assert notebooks.problems(notebooks.read(path)) == []


@pytest.mark.parametrize("path", EXERCISES, ids=ids)
def test_exercise_notebook_is_stored_clean(path):
    assert notebooks.problems(notebooks.read(path), executed=False) == []


@pytest.mark.parametrize("path", EXECUTED, ids=ids)
def test_stored_file_is_normalised(path):
    """The file is exactly what the tooling writes, so diffs show content, not noise."""
    assert path.read_text(encoding="utf-8") == notebooks.dumps(notebooks.read(path))


@pytest.mark.parametrize("path", [*CHAPTERS, *SOLUTIONS], ids=ids)
def test_chapter_shape(path):
    """Title, learning goals, navigation that resolves, setup first, versions last."""
    nb = notebooks.read(path)
    first = nb.cells[0].source
    assert first.startswith("# "), "the first cell is the title"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "Learning goals" in text or path.parent.name == "solutions"
    for link in re.findall(r"\]\(([^)#:]+\.ipynb)", text):
        assert (path.parent / link).resolve().exists(), f"broken link {link}"
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert "%matplotlib inline" in code[0] and "setup(" in code[0]
    assert "versions()" in code[-1]


KO_CHAPTERS = sorted((REPO / "ko" / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", [*CHAPTERS, *KO_CHAPTERS], ids=ids)
def test_links_to_chapters_name_them_by_their_titles(path):
    """A link "NN · title" to a chapter of the same edition shows that chapter's title (in
    full, or up to its colon), so a renamed chapter cannot leave stale names behind."""
    text = "\n".join(c.source for c in notebooks.read(path).cells if c.cell_type == "markdown")
    for shown, link in re.findall(r"\[(\d\d · [^\]]+)\]\(([^)#:]+\.ipynb)\)", text):
        target = (path.parent / link).resolve()
        if target.parent != path.parent.resolve():
            continue  # the other edition's chapter, named in this one's language
        full = notebooks.read(target).cells[0].source.splitlines()[0].removeprefix("# ")
        assert shown in (full, full.split(":")[0]), f"{link} is titled {full!r}"


def test_every_stored_notebook_but_the_hand_outs_is_executed():
    """nbval compares only cells that were executed and saved: a notebook stored in the
    repository unexecuted would be checked by nothing. exercises/ is the one stored folder of
    hand-outs; the Korean ones (ko/exercises/) are written where needed, not stored."""
    listed = subprocess.run(
        ["git", "ls-files", "*.ipynb"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    stored = [Path(p) for p in listed if Path(p).parts[0] != "exercises"]
    assert stored and not [p for p in stored if p.parts[:2] == ("ko", "exercises")]
    unexecuted = [
        str(p)
        for p in stored
        if any(
            c.cell_type == "code" and c.source.strip() and c.execution_count is None
            for c in notebooks.read(REPO / p).cells
        )
    ]
    assert unexecuted == []


def test_the_generated_exercises_are_not_stored_as_executed():
    assert SOLUTIONS and EXERCISES
    assert not set(EXERCISES) & set(EXECUTED), "exercise hand-outs are stored unexecuted"
    assert REPO / "ko" / "solutions" / "01_crm_definition.ipynb" in EXECUTED


def test_chapters_are_numbered_in_curriculum_order():
    numbers = [p.name[:2] for p in CHAPTERS]
    assert numbers == sorted(set(numbers)), "two chapters share a number"
    assert "01" in numbers


def test_stream_chunks_are_merged_when_stored():
    nb = executed_notebook("print('a'); print('b')")
    nb.cells[0].outputs = [
        new_output("stream", name="stdout", text="a\n"),
        new_output("stream", name="stdout", text="b"),
        new_output("stream", name="stdout", text="\n"),
        new_output("stream", name="stderr", text="warning\n"),
    ]
    outputs = notebooks.normalise(nb).cells[0].outputs
    assert [(o["name"], o["text"]) for o in outputs] == [
        ("stdout", "a\nb\n"),
        ("stderr", "warning\n"),
    ]


def test_widget_views_keep_only_their_text():
    nb = executed_notebook("w")
    view = {"model_id": "9f9a", "version_major": 2, "version_minor": 0}
    nb.cells[0].outputs = [
        new_output(
            "display_data", data={notebooks.WIDGET_VIEW: view, "text/plain": "CLV calculator"}
        )
    ]
    assert notebooks.normalise(nb).cells[0].outputs[0]["data"] == {"text/plain": "CLV calculator"}


@pytest.mark.parametrize("path", EXECUTED, ids=ids)
def test_no_code_cell_is_over_40_lines(path):
    """Notebooks hold narrative and calls: a longer computation is a crmlib function."""
    long = [
        (index, len(cell.source.splitlines()))
        for index, cell in enumerate(notebooks.read(path).cells, start=1)
        if cell.cell_type == "code" and len(cell.source.splitlines()) > 40
    ]
    assert long == [], f"cells (number, lines) over 40 lines: {long}"
