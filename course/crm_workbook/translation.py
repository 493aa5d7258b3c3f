"""The Korean edition: ``ko/`` mirrors the English notebooks cell by cell and stays in step.

``ko/notebooks/01_crm_definition.ipynb`` translates ``notebooks/01_crm_definition.ipynb``, and
``ko/solutions/01_crm_definition.ipynb`` the exercise set ``solutions/01_crm_definition.ipynb``.
``ko/`` has the English layout: its exercise sets are written from ``ko/solutions/`` into
``ko/exercises/`` and their answer keys recorded into ``ko/solutions/keys/`` by the same commands
as the English ones (:func:`edition_roots`), so ``ko/exercises/`` is generated, not translated.
Every Korean cell records, in its metadata, the English cell it translates (that cell's id)
and a hash of the English source it was translated from::

    {"translation": {"source": "c002", "sha": "3f1a9c0b2e7d4a51"}}

When an English cell changes, its hash no longer matches and the Korean cell is *stale*; an
English cell with no Korean counterpart is *missing*; a cell copied by :func:`sync` but not yet
translated is marked ``"todo": true``. :func:`problems` lists all of these, and a test fails
while any remains, so the Korean edition cannot silently fall behind.

Prose, figure titles, printed labels and self-check messages are Korean; code and the crmlib
API stay English. The workflow for a translator:

1. ``crm-workbook translate notebooks/NN_slug.ipynb`` writes or updates the Korean notebook:
   new English cells are copied in as ``todo``, Korean cells whose English source is gone are
   dropped, and the remaining problems are printed.
2. Translate the ``todo`` and stale cells, then ``crm-workbook translate ... --accept CELL``
   (English cell ids, or ``all``) records that they match the English source as it is now.
3. ``crm-workbook execute ko/notebooks/NN_slug.ipynb`` stores the outputs nbval compares (for
   ``ko/solutions/NN_slug.ipynb`` it also records the Korean answer key and writes
   ``ko/exercises/``).

A Korean exercise set says ``Checker("NN_slug", lang="ko")``: the check's own verdicts and hints
are printed in Korean, and the hints, model answers and reasons its author wrote are Korean.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import nbformat

from . import notebooks

KO = "ko"
KEY = "translation"
#: Folders of an edition written by a command from another of its folders, never translated.
GENERATED = ("exercises",)


def edition_roots(repo: Path) -> list[Path]:
    """The root folder of each edition, English first: the repository itself and ``ko/``.

    Both hold the same layout (``notebooks/``, ``solutions/`` with ``solutions/keys/``,
    ``exercises/``), so every command that handles one folder handles it in each root.
    """
    return [repo, repo / KO]


def edition_root(repo: Path, path: Path) -> Path:
    """The edition root that holds ``path`` (relative to ``repo`` or absolute).

    >>> edition_root(Path("repo"), Path("ko/solutions/01_a.ipynb")).as_posix()
    'repo/ko'
    >>> edition_root(Path("repo"), Path("solutions/01_a.ipynb")).as_posix()
    'repo'
    """
    path = Path(path)
    rel = path.relative_to(repo) if path.is_absolute() else path
    return repo / KO if rel.parts[0] == KO else repo


def source_hash(cell: nbformat.NotebookNode) -> str:
    """A short hash of a cell's type and source: what a translation was made from."""
    text = f"{cell.cell_type}\n{cell.source}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def korean_path(repo: Path, english: Path) -> Path:
    """``notebooks/x.ipynb`` -> ``ko/notebooks/x.ipynb`` (paths relative to ``repo``)."""
    english = Path(english)
    rel = english.relative_to(repo) if english.is_absolute() else english
    if rel.parts[0] == KO:
        raise ValueError(f"english: expected an English notebook, got the Korean {rel}")
    return repo / KO / rel


def english_path(repo: Path, korean: Path) -> Path:
    """``ko/notebooks/x.ipynb`` -> ``notebooks/x.ipynb``."""
    korean = Path(korean)
    rel = korean.relative_to(repo) if korean.is_absolute() else korean
    if rel.parts[0] != KO:
        raise ValueError(f"korean: expected a notebook under {KO}/, got {rel}")
    return repo / Path(*rel.parts[1:])


def _info(cell: nbformat.NotebookNode) -> dict:
    return dict(cell.metadata.get(KEY, {}))


def problems(english: nbformat.NotebookNode, korean: nbformat.NotebookNode) -> list[str]:
    """Why ``korean`` is not a current translation of ``english`` (empty when it is).

    Examples
    --------
    >>> from nbformat.v4 import new_markdown_cell, new_notebook
    >>> en = new_notebook(cells=[new_markdown_cell("# CRM", id="a")])
    >>> ko = sync(en, None)
    >>> problems(en, ko)
    ['cell a: not translated yet (todo)']
    >>> ko.cells[0].source = "# 고객관계관리"
    >>> accept(en, ko, ["a"])
    >>> problems(en, ko)
    []
    >>> en.cells[0].source = "# CRM: background"
    >>> problems(en, ko)
    ['cell a: the English source changed since it was translated (stale)']
    """
    found = []
    by_id = {cell.id: cell for cell in english.cells}
    translated = {}
    for cell in korean.cells:
        info = _info(cell)
        source = info.get("source")
        if source is None:
            found.append(f"a Korean cell ({cell.source[:30]!r}) records no English source")
            continue
        if source not in by_id:
            found.append(f"cell {source}: its English cell no longer exists")
            continue
        if source in translated:
            found.append(f"cell {source}: translated twice")
        translated[source] = cell
        if info.get("todo"):
            found.append(f"cell {source}: not translated yet (todo)")
        elif info.get("sha") != source_hash(by_id[source]):
            found.append(
                f"cell {source}: the English source changed since it was translated (stale)"
            )
    for cell in english.cells:
        if cell.id not in translated:
            found.append(f"cell {cell.id}: has no Korean cell (missing)")
    order = [_info(c).get("source") for c in korean.cells if _info(c).get("source") in by_id]
    if order != [c.id for c in english.cells if c.id in order]:
        found.append("the Korean cells are not in the English order")
    return found


def sync(
    english: nbformat.NotebookNode, korean: nbformat.NotebookNode | None
) -> nbformat.NotebookNode:
    """The Korean notebook rebuilt in the English cell order.

    Kept: every Korean cell whose English cell still exists (stale ones stay, to be updated).
    Added: a copy of each English cell without a translation, marked ``todo``. Dropped:
    Korean cells whose English cell is gone. Execute the result before storing it.
    """
    existing = {}
    for cell in korean.cells if korean is not None else []:
        source = _info(cell).get("source")
        if source is not None and source not in existing:
            existing[source] = cell
    cells = []
    for cell in english.cells:
        if cell.id in existing:
            new = copy.deepcopy(existing[cell.id])
        else:
            new = copy.deepcopy(cell)
            new.metadata[KEY] = {"source": cell.id, "sha": source_hash(cell), "todo": True}
            if new.cell_type == "code":
                new.outputs, new.execution_count = [], None
        new.id = f"ko-{cell.id}"
        cells.append(new)
    out = copy.deepcopy(english)
    out.cells = cells
    return out


def accept(
    english: nbformat.NotebookNode, korean: nbformat.NotebookNode, sources: list[str]
) -> None:
    """Record that the Korean cells of these English cell ids (or ``["all"]``) are current."""
    by_id = {cell.id: cell for cell in english.cells}
    wanted = set(by_id) if sources == ["all"] else set(sources)
    unknown = wanted - set(by_id)
    if unknown:
        raise ValueError(f"sources: no English cell with id {sorted(unknown)}")
    for cell in korean.cells:
        info = _info(cell)
        if info.get("source") in wanted:
            info.pop("todo", None)
            info["sha"] = source_hash(by_id[info["source"]])
            cell.metadata[KEY] = info


def translate(repo: Path, english: Path, accepted: list[str] | None = None) -> list[str]:
    """Write or update the Korean notebook of ``english``; return its remaining problems."""
    en_path = repo / english if not Path(english).is_absolute() else Path(english)
    ko_path = korean_path(repo, en_path)
    en = notebooks.read(en_path)
    ko = sync(en, notebooks.read(ko_path) if ko_path.exists() else None)
    if accepted:
        accept(en, ko, accepted)
    notebooks.write(ko, ko_path)
    return problems(en, ko)


def korean_notebooks(repo: Path) -> list[Path]:
    """Every translated notebook of the Korean edition, relative to ``repo`` (not the
    generated ``ko/exercises/``, which follow ``ko/solutions/``)."""
    return sorted(
        p.relative_to(repo)
        for p in (repo / KO).rglob("*.ipynb")
        if p.relative_to(repo / KO).parts[0] not in GENERATED
        and ".ipynb_checkpoints" not in p.parts
    )
