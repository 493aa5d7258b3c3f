"""Project set-up: one list of dependencies, pinned exactly, and code kept tidy."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
COURSE = tomllib.loads((REPO / "course" / "pyproject.toml").read_text())["project"]
# Third-party requirements of both packages; crmlib itself is the repository, not a pin.
DECLARED = [
    Requirement(r)
    for project in (PYPROJECT, COURSE)
    for group in [project["dependencies"], *project.get("optional-dependencies", {}).values()]
    for r in group
    if Requirement(r).name != "crmlib"
]
LINT_PATHS = ["crmlib", "course", "tests", "bench", "notebooks", "solutions", "exercises", "ko"]


def locked() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)", line)
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def test_environment_yml_lists_the_same_packages_as_pyproject():
    conda = yaml.safe_load((REPO / "environment.yml").read_text())["dependencies"]
    conda = {str(Requirement(d)) for d in conda if isinstance(d, str) and d not in ("pip",)}
    conda.discard("python>=3.11")
    assert conda == {str(r) for r in DECLARED}, "environment.yml and the pyproject files differ"
    assert PYPROJECT["requires-python"] == COURSE["requires-python"] == ">=3.11"


def test_the_library_does_not_depend_on_the_course():
    names = {Requirement(r).name for r in PYPROJECT["dependencies"]}
    assert not names & {"ipykernel", "ipywidgets", "jupyterlab", "nbformat", "papermill"}
    sources = " ".join(p.read_text() for p in (REPO / "crmlib").rglob("*.py"))
    assert not re.search(r"^\s*(from|import) crm_workbook", sources, re.MULTILINE)


# An upper bound only where a release is known to break us, with the reason in pyproject.
UPPER_BOUNDS = {"ipykernel": "<7"}  # ipython/ipykernel#1554: requests left unread


def test_every_dependency_is_locked_at_a_version_its_bound_allows():
    pins = locked()
    for req in DECLARED:
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{req.name} is not in requirements.lock: run `make lock`"
        assert req.specifier.contains(Version(pins[name])), f"{name}=={pins[name]} vs {req}"
        bounds = sorted(str(s) for s in req.specifier)
        assert bounds[-1].startswith(">="), f"{req}: declare a lower bound"
        assert bounds[:-1] == [UPPER_BOUNDS[name]] if name in UPPER_BOUNDS else bounds[:-1] == [], (
            f"{req}: declare lower bounds only (upper bounds: {UPPER_BOUNDS})"
        )


def test_ci_runs_exactly_the_readme_test_command():
    run = [
        ln
        for ln in (REPO / ".ci" / "run").read_text().splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    assert run[-1].strip() == "make test"
    readme = (REPO / "README.md").read_text()
    assert "make run" in readme and "make test" in readme and "make lab" in readme


def test_ruff_lint_and_format():
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", *LINT_PATHS],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", *LINT_PATHS],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, "run `ruff format`:\n" + fmt.stdout + fmt.stderr
