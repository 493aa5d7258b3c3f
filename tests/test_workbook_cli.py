"""The crm-workbook command: outside the repository, the data home it hands to kernels,
execute's --all, exercises' output folder, the help texts, and the student hand-out."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from crm_workbook import build, check, cli, handout, notebooks


def test_outside_the_repository_the_message_names_repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit, match=r"not inside a workbook repository.*--repo PATH"):
        cli.main(["exercises"])


def test_kernels_get_an_absolute_data_home(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CRMLIB_DATA", "data")
    assert notebooks.kernel_env()["CRMLIB_DATA"] == str(tmp_path / "data")


# --- execute, exercises, -j and case help -------------------------------------------------

REPO = Path(__file__).resolve().parents[1]
MODEL_ANSWER = "Retention pays because a kept customer costs less than a new one."
SOLUTION = f'''answer_1 = ""
### BEGIN SOLUTION
answer_1 = """{MODEL_ANSWER}"""
### END SOLUTION'''


def make_repo(root: Path) -> Path:
    """A small workbook: a chapter, a case, a Korean chapter and solution, one exercise set."""
    root.mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    pages = {
        "notebooks/01_a.ipynb": ("# 01 A", "print(1)"),
        "notebooks/cases/c.ipynb": ("# Case", "print(2)"),
        "ko/notebooks/01_a.ipynb": ("# 01 가", "print(1)"),
        "ko/solutions/01_a.ipynb": ("# 01 가 풀이", SOLUTION),
        "solutions/01_a.ipynb": ("# Exercises 01", SOLUTION),
    }
    for rel, (heading, code) in pages.items():
        nb = new_notebook(cells=[new_markdown_cell(heading), new_code_cell(code)])
        notebooks.write(nb, root / rel)
    (root / "notebooks" / "CONTENTS.md").write_text("# Contents\n")
    (root / "ko" / "solutions" / "keys").mkdir(parents=True)
    (root / "ko" / "solutions" / "keys" / "01_a.json").write_text("{}\n")
    (root / "solutions" / "keys").mkdir()
    key = {"q1": {"kind": "written", "value": check._hide(MODEL_ANSWER)}}
    (root / "solutions" / "keys" / "01_a.json").write_text(json.dumps(key))
    return root


def snapshot(root: Path) -> dict[str, tuple[int, str]]:
    return {
        str(p.relative_to(root)): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_execute_without_notebooks_needs_all(tmp_path, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(build, "execute_in_place", lambda repo, jobs, only: calls.append(only))
    repo = make_repo(tmp_path / "repo")
    with pytest.raises(SystemExit) as stop:
        cli.main(["--repo", str(repo), "execute"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and not calls, "nothing runs by default"
    assert err.startswith("usage: crm-workbook execute") and "give --all" in err
    with pytest.raises(SystemExit):
        cli.main(["--repo", str(repo), "execute", "--all", "notebooks/01_a.ipynb"])
    assert "not both" in capsys.readouterr().err and not calls
    assert cli.main(["--repo", str(repo), "execute", "--all"]) == 0
    assert cli.main(["--repo", str(repo), "execute", "-j", "1", "notebooks/01_a.ipynb"]) == 0
    assert calls == [None, [Path("notebooks/01_a.ipynb")]]


def test_the_makefile_and_docs_run_everything_with_all():
    makefile = (REPO / "Makefile").read_text()
    lines = [line.strip() for line in makefile.splitlines() if "crm-workbook execute" in line]
    assert lines and all("--all" in line or ".ipynb" in line for line in lines), lines
    for doc in ("README.md", "CONTRIBUTING.md"):
        for line in (REPO / doc).read_text().splitlines():
            if "crm-workbook execute" in line and "`crm-workbook execute`" not in line:
                assert "--all" in line or ".ipynb" in line or "NN_" in line, (doc, line)


@pytest.mark.parametrize("command", ["build", "execute", "timing"])
def test_jobs_has_help_wherever_it_appears(command, capsys):
    with pytest.raises(SystemExit):
        cli.parse_args([command, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "-j N, --jobs N notebooks executed at the same time" in out


def test_case_help_shows_a_parameter_example(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["case", "--help"])
    out = capsys.readouterr().out
    assert "crm-workbook case beer_and_diapers -p dataset groceries -p min_support 0.02" in out
    assert "repeat -p for several" in out


def test_exercises_go_to_the_folder_asked_for(tmp_path, capsys):
    repo = make_repo(tmp_path / "repo")
    (repo / "exercises").mkdir()
    (repo / "exercises" / "99_gone.ipynb").write_text("{}")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.ipynb").write_text("{}")
    assert cli.main(["--repo", str(repo), "exercises", "-o", str(mine)]) == 0
    assert "Wrote 1 exercise notebook(s) to" in capsys.readouterr().out
    # both editions: the Korean sets in DIR/ko
    assert sorted(p.name for p in mine.iterdir()) == ["01_a.ipynb", "ko", "notes.ipynb"]
    assert [p.name for p in (mine / "ko").iterdir()] == ["01_a.ipynb"]
    assert MODEL_ANSWER not in (mine / "01_a.ipynb").read_text()
    assert (repo / "exercises" / "99_gone.ipynb").exists(), "the default folder is not touched"
    assert cli.main(["--repo", str(repo), "exercises"]) == 0  # the default: exercises/, pruned
    out = capsys.readouterr().out
    assert "to exercises/" in out and "to ko/exercises/" in out
    assert sorted(p.name for p in (repo / "exercises").iterdir()) == ["01_a.ipynb"]


# --- handout ------------------------------------------------------------------------------


def test_handout_holds_no_solution_and_reads_only_the_repository(tmp_path, capsys):
    repo = make_repo(tmp_path / "repo")
    before = snapshot(repo)
    out = tmp_path / "class"
    assert cli.main(["--repo", str(repo), "handout", str(out)]) == 0
    assert "no solution notebook" in capsys.readouterr().out
    assert snapshot(repo) == before, "the repository was changed"
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == [
        "README.md",
        "exercises/01_a.ipynb",
        "ko/exercises/01_a.ipynb",  # written from ko/solutions, as the English set is
        "ko/notebooks/01_a.ipynb",
        "ko/solutions/keys/01_a.json",
        "notebooks/01_a.ipynb",
        "notebooks/CONTENTS.md",
        "notebooks/cases/c.ipynb",
        "solutions/keys/01_a.json",
    ]
    assert not any(MODEL_ANSWER in p.read_text() for p in out.rglob("*") if p.is_file())
    readme = " ".join((out / "README.md").read_text().split())
    assert "jupyter lab" in readme and "obfuscated, not secret" in readme and "`ko/`" in readme


def test_handout_refuses_a_full_folder_and_the_repository_itself(tmp_path, capsys):
    repo = make_repo(tmp_path / "repo")
    before = snapshot(repo)
    assert cli.main(["--repo", str(repo), "handout", str(repo / "handout")]) == 2
    assert "inside the repository" in capsys.readouterr().err
    assert snapshot(repo) == before and not (repo / "handout").exists()
    full = tmp_path / "full"
    (full / "solutions").mkdir(parents=True)
    (full / "solutions" / "01_a.ipynb").write_text("old solutions copied by hand")
    (full / "grades.csv").write_text("kept")
    assert cli.main(["--repo", str(repo), "handout", str(full)]) == 2
    assert "is not empty (grades.csv, solutions); give a new or empty folder, or --force" in (
        capsys.readouterr().err
    )
    assert cli.main(["--repo", str(repo), "handout", str(full), "--force"]) == 0
    assert (full / "grades.csv").read_text() == "kept", "only the hand-out's parts are replaced"
    assert not (full / "solutions" / "01_a.ipynb").exists()
    assert (full / "solutions" / "keys" / "01_a.json").exists()


def test_a_handout_of_the_workbook_checks_answers_from_its_own_keys(tmp_path):
    out = tmp_path / "class"
    counts = handout.write(REPO, out)
    assert counts["exercises"] == len(list((REPO / "solutions").glob("*.ipynb")))
    assert not [p for p in out.rglob("*.ipynb") if "solutions" in p.relative_to(out).parts]
    # no model answer (written or choice) appears in any file of the hand-out
    models = []
    for path in (REPO / "solutions" / "keys").glob("*.json"):
        for entry in json.loads(path.read_text()).values():
            if entry.get("kind") == "written":
                models.append(str(check._reveal(entry["value"])))
            if entry.get("kind") == "choice" and "reason" in entry:
                models.append(str(check._reveal(entry["reason"])))
    assert models, "the workbook's keys hold written answers"
    texts = [p.read_text(errors="replace") for p in out.rglob("*") if p.is_file()]
    found = [m[:60] for m in models if len(m) > 20 and any(m in t for t in texts)]
    assert not found, found
    # a self-check run from the hand-out's exercise folder reads the hand-out's keys
    key = json.loads((out / "solutions" / "keys" / "01_crm_definition.json").read_text())
    question = next(q for q, e in sorted(key.items()) if e.get("kind") == "number")
    answer = check._reveal(key[question]["value"])
    script = (
        "from crm_workbook.check import Checker, key_folder\n"
        "print(key_folder())\n"
        f"Checker('01_crm_definition')({question!r}, {answer!r})\n"
        f"Checker('01_crm_definition')({question!r}, {answer!r} * 100)\n"
    )
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{REPO / 'course'}"}
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=out / "exercises", env=env,
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    lines = run.stdout.splitlines()
    assert Path(lines[0]) == (out / "solutions" / "keys").resolve()
    assert lines[1] == f"{question}: passed"
    assert lines[2].startswith(f"{question}: not yet")
