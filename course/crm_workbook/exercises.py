"""Write exercise notebooks from solution notebooks, the single source of both.

In a solution notebook:
- code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` lines is replaced by a
  ``# YOUR CODE HERE`` placeholder (``pass  # YOUR CODE HERE`` inside an indented block, so
  the cell stays valid Python); in a Korean set it says ``# 여기에 코드를 작성하라``;
- ``check.mistake(...)`` calls (classic wrong answers and their hints, see
  :mod:`crm_workbook.check`) and model answers of written questions belong inside solution
  regions, so they are removed too; a ``check.mistake`` call left outside one is refused;
- a cell tagged ``solution`` is solution text: a Markdown one becomes an empty answer cell
  for the student (in Korean in a Korean set), a code one is removed;
- outputs and execution counts are cleared, and so is a Korean cell's record of the English
  cell it translates (:mod:`crm_workbook.translation`; the hand-out does not need it).

Each edition has its own pair of folders (:func:`folders`): ``solutions/`` -> ``exercises/``
and ``ko/solutions/`` -> ``ko/exercises/``, written by the same code. Only ``exercises/`` is
stored in the repository (a clone opens ready to work); ``ko/exercises/`` is written where it
is needed (``crm-workbook exercises``, ``build``, ``handout``, ``make lab``, the tests), so no
stored notebook outside ``exercises/`` is left unexecuted.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat

from . import notebooks, translation

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
PLACEHOLDER = "# YOUR CODE HERE"
#: The placeholder of a Korean set (its cells record the English cells they translate).
PLACEHOLDER_KO = "# 여기에 코드를 작성하라"
MISTAKE = re.compile(r"\.mistake\(")
ANSWER_CELL = "**Your answer:** _(double-click this cell to write your answer)_"
#: The answer cell of a Korean set (its cells record the English cells they translate).
ANSWER_CELL_KO = "**나의 답:** _(이 셀을 두 번 클릭해 답을 쓰라)_"


class SolutionMarkerError(ValueError):
    """A solution region is not closed, not opened, or nested."""


def strip_source(source: str, where: str = "cell", placeholder: str = PLACEHOLDER) -> str:
    """Replace every solution region of ``source`` with a ``placeholder`` line."""
    out: list[str] = []
    inside: str | None = None
    for number, line in enumerate(source.splitlines(), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if inside is not None:
                raise SolutionMarkerError(f"{where}, line {number}: {BEGIN} inside a region")
            inside = re.match(r"\s*", line).group(0)
            out.append(f"{inside}pass  {placeholder}" if inside else placeholder)
        elif marker == END:
            if inside is None:
                raise SolutionMarkerError(f"{where}, line {number}: {END} without {BEGIN}")
            inside = None
        elif inside is None:
            out.append(line)
    if inside is not None:
        raise SolutionMarkerError(f"{where}: {BEGIN} is never closed by {END}")
    for number, line in enumerate(out, start=1):
        if MISTAKE.search(line):
            raise SolutionMarkerError(
                f"{where}: check.mistake(...) outside a solution region would show students "
                f"the wrong answers (line {number} of the exercise cell)"
            )
    return "\n".join(out)


def strip(
    nb: nbformat.NotebookNode, name: str = "notebook", *, korean: bool = False
) -> nbformat.NotebookNode:
    """Return the exercise version of a solution notebook (the input is not changed).

    A Korean set (``korean``, or cells that record the English cells they translate) gets
    Korean placeholders and answer cells."""
    nb = nbformat.from_dict(nb)
    korean = korean or any(translation.KEY in cell.metadata for cell in nb.cells)
    placeholder = PLACEHOLDER_KO if korean else PLACEHOLDER
    cells = []
    for index, cell in enumerate(nb.cells, start=1):
        tags = cell.metadata.get("tags", [])
        if "solution" in tags:
            if cell.cell_type != "markdown":
                continue
            cell.source = ANSWER_CELL_KO if korean else ANSWER_CELL
            cell.metadata["tags"] = [t for t in tags if t != "solution"]
        cell.metadata.pop(translation.KEY, None)
        if cell.cell_type == "code":
            cell.source = strip_source(cell.source, f"{name}, cell {index}", placeholder)
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    nb.cells = cells
    return nb


def render(solutions: Path) -> dict[str, str]:
    """Exercise notebook texts keyed by file name, for every solution notebook (in Korean for
    the Korean edition's, ``ko/solutions/``)."""
    korean = Path(solutions).resolve().parent.name == translation.KO
    return {
        path.name: notebooks.dumps(strip(notebooks.read(path), path.name, korean=korean))
        for path in sorted(solutions.glob("*.ipynb"))
    }


def write_all(solutions: Path, exercises: Path, *, prune: bool = True) -> list[Path]:
    """Write ``exercises/`` from ``solutions/``; with ``prune``, remove the exercise
    notebooks in ``exercises`` that have no solution (in a folder of the user's own, leave
    ``prune`` off: its other notebooks are not stale exercises)."""
    texts = render(solutions)
    exercises.mkdir(parents=True, exist_ok=True)
    for stale in exercises.glob("*.ipynb") if prune else ():
        if stale.name not in texts:
            stale.unlink()
    written = []
    for name, text in texts.items():
        path = exercises / name
        # Whole files only (write, then rename): a reader never sees half a notebook.
        part = path.with_name(f".{name}.{os.getpid()}.part")
        part.write_text(text, encoding="utf-8")
        os.replace(part, path)
        written.append(path)
    return written


def folders(repo: Path) -> list[tuple[Path, Path]]:
    """(solutions, exercises) folders of every edition that has solutions, English first:
    ``solutions/`` -> ``exercises/``, ``ko/solutions/`` -> ``ko/exercises/``."""
    return [
        (root / "solutions", root / "exercises")
        for root in translation.edition_roots(repo)
        if (root / "solutions").is_dir()
    ]


def write_editions(repo: Path, output: Path | None = None) -> dict[Path, list[Path]]:
    """Write the exercise notebooks of every edition; the files written, by exercises folder
    (relative to ``repo`` when inside it).

    Into the repository's ``exercises/`` and ``ko/exercises/`` by default, removing exercise
    notebooks with no solution; with ``output``, into ``output`` and ``output/ko``, leaving
    notebooks of other names alone (a folder of the user's own)."""
    written = {}
    for source, target in folders(repo):
        if output is not None:
            target = Path(output).resolve() / target.relative_to(repo).parent
        folder = target.relative_to(repo) if target.is_relative_to(repo) else target
        written[folder] = write_all(source, target, prune=output is None)
    return written


def report(written: dict[Path, list[Path]]) -> str:
    """One line per folder: how many exercise notebooks were written where."""
    return "\n".join(
        f"Wrote {len(paths)} exercise notebook(s) to {folder.as_posix()}/"
        for folder, paths in written.items()
    )
