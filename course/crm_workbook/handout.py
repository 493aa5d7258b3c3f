"""A student copy of the workbook: chapters, cases, exercise sets and their answer keys.

``crm-workbook handout DIR`` writes, into a new or empty folder ``DIR``:

- ``notebooks/`` (the chapters, the case studies and ``CONTENTS.md``) and ``ko/`` when the
  repository has a Korean edition, as they are in the repository (with their outputs);
- ``exercises/``, written from ``solutions/`` (the single source, as ``crm-workbook
  exercises`` does);
- ``solutions/keys/``, the answer keys the self-checks read. A check looks for
  ``solutions/keys`` in the notebook's folder and the folders above it
  (:func:`crm_workbook.check.key_folder`), so an exercise notebook opened from
  ``DIR/exercises`` finds ``DIR/solutions/keys``;
- ``README.md`` for students: how to open the folder, and that the answers are checked
  against obfuscated (not secret) keys.

The solution notebooks (``solutions/*.ipynb``, in any language's folder) are never copied.
The repository is only read: ``DIR`` may not be inside it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from . import exercises

#: What a hand-out consists of: the entries of DIR that ``write`` creates (and replaces).
PARTS = ("README.md", "notebooks", "ko", "exercises", "solutions")

README = """\
# CRM Workbook: notebooks and exercises

This folder is your copy of the course:

| folder | what |
|---|---|
| `notebooks/` | the chapters in course order (`CONTENTS.md` lists them) and the case studies in `notebooks/cases/` |
{ko_row}| `exercises/` | one exercise set per chapter; each answer is followed by a self-check |
| `solutions/keys/` | the answer keys the self-checks read (leave this folder where it is) |

## Opening it

The notebooks need Python 3.11 or newer with the course's two packages, `crmlib` (the
analysis library) and `crm_workbook` (self-checks and explorers), which also bring
JupyterLab. Your instructor says how to install them; from a clone of the course
repository in `crm-workbook/` it is `pip install ./crm-workbook ./crm-workbook/course`.
Then, in this folder:

```bash
jupyter lab
```

Open `notebooks/01_crm_definition.ipynb`, read it and run it top to bottom (Shift+Enter),
then open the exercise set with the same number in `exercises/`. Some chapters read public
datasets: they are downloaded on first use (internet needed), or your instructor gives you
a folder to name in the environment variable `CRMLIB_DATA`.

## The self-checks

Write your answer in the cell marked `# YOUR CODE HERE` (or the written-answer cell) and run
the check cell below it: it says `passed`, `not yet` with a hint, or `not answered yet`. The
checks compare your answer with the keys in `solutions/keys/`. The keys are obfuscated, not
secret: they are not readable at a glance, but they are not encrypted either, so the checks
are for practice, not for grading. Keep the folder's layout: a check looks for
`solutions/keys` in the notebook's folder and the folders above it, so run the exercise
notebooks from `exercises/` inside this folder.

## 한국어 안내

- `notebooks/`의 장 노트북을 순서대로 읽고 위에서부터 실행한 뒤, `exercises/`에서 번호가 같은
  연습문제를 푼다. 한국어판은 `ko/notebooks/`와 `ko/exercises/`에 있다.
- 한국어판 연습문제에서는 `# 여기에 코드를 작성하라`라고 표시된 곳(영문판은 `# YOUR CODE HERE`)에
  답을 쓰고, 그 아래의 확인 셀을 실행하면 바로 결과(한국어판은 `통과`, `아직 아닙니다`와 힌트)가
  나온다.
- 확인 셀은 `solutions/keys/`의 답안 키와 비교한다. 답안 키는 한눈에 읽히지 않게 변환해 두었을
  뿐 암호화한 것은 아니므로, 자가 학습용이며 성적 평가에는 쓰지 않는다.
- 확인 셀이 답안 키를 찾을 수 있도록 폴더 구조를 바꾸지 않고, 연습문제는 이 폴더 안의
  `exercises/`에서 연다.
"""


class HandoutError(ValueError):
    """The hand-out cannot be written where asked (inside the repository, a non-empty folder)."""


def _copy_tree(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` without checkpoints, caches or solution notebooks."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        left_out = {n for n in names if n in (".ipynb_checkpoints", "__pycache__")}
        if Path(folder).name == "solutions":  # e.g. ko/solutions: keys yes, notebooks no
            left_out |= {n for n in names if n.endswith(".ipynb")}
        return left_out

    shutil.copytree(source, target, ignore=ignore)


def write(repo: Path, target: Path, *, force: bool = False) -> dict[str, int]:
    """Write a student hand-out of ``repo`` into ``target``; return the files per part.

    ``target`` must be new or empty, unless ``force``: then the hand-out's own entries
    (:data:`PARTS`) are replaced and anything else in ``target`` is left alone. Raises
    :class:`HandoutError` when ``target`` is inside ``repo`` (the repository is only read)
    or is not empty without ``force``.
    """
    repo, target = Path(repo).resolve(), Path(target).resolve()
    if target.is_relative_to(repo):
        raise HandoutError(
            f"DIR: {target.name!r} is inside the repository; the hand-out is written outside "
            "it (the repository is only read), e.g. /tmp/crm-handout"
        )
    if target.exists() and not target.is_dir():
        raise HandoutError(f"DIR: {target.name!r} is a file; expected a new or empty folder")
    present = sorted(p.name for p in target.iterdir()) if target.is_dir() else []
    if present and not force:
        shown = ", ".join(present[:5]) + (
            f" and {len(present) - 5} more" if len(present) > 5 else ""
        )
        raise HandoutError(
            f"DIR: {target.name!r} is not empty ({shown}); give a new or empty folder, or "
            f"--force to replace its {', '.join(PARTS)}"
        )
    keys = repo / "solutions" / "keys"
    if not keys.is_dir() or not any(keys.glob("*.json")):
        raise HandoutError(
            "solutions/keys holds no answer key; run `crm-workbook execute --all` first"
        )
    target.mkdir(parents=True, exist_ok=True)
    for name in PARTS:
        old = target / name
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old)
        elif old.exists() or old.is_symlink():
            old.unlink()

    _copy_tree(repo / "notebooks", target / "notebooks")
    korean = (repo / "ko").is_dir()
    if korean:
        _copy_tree(repo / "ko", target / "ko")
    for source, handouts in exercises.folders(repo):  # both editions, written fresh
        exercises.write_all(source, target / handouts.relative_to(repo))
    (target / "solutions" / "keys").mkdir(parents=True)
    for key in sorted(keys.glob("*.json")):
        shutil.copyfile(key, target / "solutions" / "keys" / key.name)
    ko_row = (
        "| `ko/` | the Korean edition (한국어판): chapters in `ko/notebooks/`, named as their "
        "English sources, and exercise sets in `ko/exercises/` with their keys in "
        "`ko/solutions/keys/` |\n"
        if korean
        else ""
    )
    (target / "README.md").write_text(README.format(ko_row=ko_row), encoding="utf-8")

    leaked = [p for p in target.rglob("*.ipynb") if "solutions" in p.relative_to(target).parts]
    if leaked:  # the copy rules above exclude them; this guards against a rule gone wrong
        raise HandoutError(f"a solution notebook was copied: {leaked[0].relative_to(target)}")
    return {
        name: sum(1 for p in (target / name).rglob("*") if p.is_file())
        for name in PARTS[1:]
        if (target / name).exists()
    }
