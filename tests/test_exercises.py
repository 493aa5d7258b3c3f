"""Exercises are generated from solutions, stay in sync, and run end to end unanswered."""

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from crm_workbook import exercises, notebooks
from crm_workbook.check import _reveal

REPO = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((REPO / "solutions").glob("*.ipynb"))


def test_solution_regions_become_placeholders():
    source = "x = None\n### BEGIN SOLUTION\nx = 1 + 1\n### END SOLUTION\ncheck('q1', x)"
    assert exercises.strip_source(source) == "x = None\n# YOUR CODE HERE\ncheck('q1', x)"


def test_indented_region_keeps_the_cell_valid_python():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return x * 2\n    ### END SOLUTION\n"
    stripped = exercises.strip_source(source)
    assert stripped == "def f(x):\n    pass  # YOUR CODE HERE"
    compile(stripped, "cell", "exec")


def test_mistakes_and_model_answers_are_stripped_with_the_solution():
    source = (
        'answer_1 = None\n### BEGIN SOLUTION\ncheck.mistake("q1", 0.97, "The share who stayed.")\n'
        "answer_1 = 0.03\n### END SOLUTION\n"
        'answer_2 = ""\n### BEGIN SOLUTION\nanswer_2 = """Mail them."""\n### END SOLUTION'
    )
    stripped = exercises.strip_source(source)
    assert stripped == 'answer_1 = None\n# YOUR CODE HERE\nanswer_2 = ""\n# YOUR CODE HERE'


def test_a_mistake_outside_a_solution_region_is_refused():
    with pytest.raises(exercises.SolutionMarkerError, match="outside a solution region"):
        exercises.strip_source('check.mistake("q1", 0.97, "The share who stayed.")', "nb")


@pytest.mark.parametrize(
    "source, message",
    [
        ("### BEGIN SOLUTION\nx = 1", "never closed"),
        ("x = 1\n### END SOLUTION", "line 2: ### END SOLUTION without"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n", "line 2: ### BEGIN SOLUTION inside"),
    ],
)
def test_broken_markers_are_refused(source, message):
    with pytest.raises(exercises.SolutionMarkerError, match=message):
        exercises.strip_source(source, "nb, cell 3")


def test_solution_cells_and_outputs_are_removed():
    code = new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION", execution_count=1)
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
    hidden = new_code_cell("print('only in solutions')", metadata={"tags": ["solution"]})
    text = new_markdown_cell("Because churn is 12%.", metadata={"tags": ["solution", "q2"]})
    nb = new_notebook(cells=[code, hidden, text])
    out = exercises.strip(nb)
    assert [c.cell_type for c in out.cells] == ["code", "markdown"]
    assert out.cells[0].outputs == [] and out.cells[0].execution_count is None
    assert out.cells[1].source == exercises.ANSWER_CELL
    assert out.cells[1].metadata["tags"] == ["q2"]
    assert nb.cells[0].outputs, "the solution notebook itself must not change"


def test_exercises_folder_is_what_the_command_writes():
    expected = exercises.render(REPO / "solutions")
    actual = {p.name: p.read_text(encoding="utf-8") for p in (REPO / "exercises").glob("*.ipynb")}
    assert sorted(actual) == sorted(expected), "run `make exercises`"
    for name, text in expected.items():
        assert actual[name] == text, (
            f"exercises/{name} differs from solutions/{name}: run `make exercises`"
        )


def test_every_chapter_has_solutions_with_checked_exercises():
    assert SOLUTIONS, "no solution notebooks"
    for path in SOLUTIONS:
        assert (REPO / "notebooks" / path.name).exists(), f"{path.name} has no chapter"
        text = path.read_text()
        assert text.count(exercises.BEGIN) >= 4, f"{path.name}: fewer than 4 solution regions"
        assert text.count("check(") >= 4, f"{path.name}: fewer than 4 self-checks"
        assert (REPO / "solutions" / "keys" / f"{path.stem}.json").exists()


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_exercise_notebook_runs_unanswered(path, tmp_path):
    """'Run all' on a fresh exercise notebook completes and every check says so."""
    nb = notebooks.read(REPO / "exercises" / path.name)
    notebooks.execute(nb, REPO / "exercises")
    printed = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    verdicts = [line for line in printed.splitlines() if line.startswith("q")]
    assert verdicts, "no self-check ran"
    wrong = [v for v in verdicts if not v.endswith(": not answered yet")]
    assert not wrong, f"unanswered exercises should say 'not answered yet': {wrong}"


# Chapters whose named mistakes and concept questions are still being written; remove a
# chapter from here when it has them (the test then holds it to the rule).
PENDING: set[str] = set()
COMPUTED = {"number", "frame", "series", "collection"}


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_every_numeric_exercise_names_two_mistakes_and_concepts_are_checked(path):
    if path.stem in PENDING:
        pytest.xfail(f"{path.stem}: named mistakes and concept questions not written yet")
    key = json.loads((REPO / "solutions" / "keys" / f"{path.stem}.json").read_text())
    few = [q for q, e in key.items() if e["kind"] in COMPUTED and len(e.get("mistakes", [])) < 2]
    assert not few, f"{path.name}: fewer than two check.mistake(...) for {sorted(few)}"
    words = [q for q, e in key.items() if e["kind"] in ("written", "choice")]
    assert len(words) >= 2, f"{path.name}: fewer than two written or choice questions"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_no_answer_is_a_short_name_to_guess(path):
    """A text answer (a name, a segment) can be found by trying a handful: ask for a computed
    value, or a choice with a reason, instead."""
    if path.stem in PENDING:
        pytest.xfail(f"{path.stem}: not reviewed for guessable answers yet")
    key = json.loads((REPO / "solutions" / "keys" / f"{path.stem}.json").read_text())
    guessable = [q for q, e in key.items() if e["kind"] == "text"]
    assert not guessable, f"{path.name}: {guessable} answer with a name; see CONTRIBUTING.md"
    assert all(len(_reveal(e["value"])) == 1 for e in key.values() if e["kind"] == "choice")
