"""Execute the workbook's notebooks and build the course site from them (see :mod:`.site`)."""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from . import exercises, notebooks, site, translation

BUDGET = 30.0  # seconds: every notebook must run within this
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes in kernel tracebacks
KINDS = {"chapter": "Chapters", "case": "Case studies"}


@dataclass(frozen=True)
class Entry:
    # "chapter", "case", "solutions", "exercises" or "korean" (a chapter of ko/notebooks);
    # solutions and exercises of both editions: solutions/ and ko/solutions/, ...
    kind: str
    path: Path  # relative to the repository

    @property
    def lang(self) -> str:
        """The edition: "ko" for a notebook under ko/, else "en"."""
        return translation.KO if self.path.parts[0] == translation.KO else "en"


def discover(repo: Path) -> list[Entry]:
    """Every notebook of the workbook, in curriculum order (chapters by number, then cases),
    then the exercise sets of each edition (English, then ``ko/``) and the Korean chapters."""
    found = [Entry("chapter", p) for p in sorted((repo / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    found += [Entry("case", p) for p in sorted((repo / "notebooks" / "cases").glob("*.ipynb"))]
    roots = translation.edition_roots(repo)
    for kind in ("solutions", "exercises"):
        found += [Entry(kind, p) for root in roots for p in sorted((root / kind).glob("*.ipynb"))]
    korean = (repo / translation.KO / "notebooks").rglob("[0-9][0-9]_*.ipynb")
    found += [Entry("korean", p) for p in sorted(korean)]
    return [Entry(e.kind, e.path.relative_to(repo)) for e in found]


def execute_entry(repo: Path, entry: Entry, target: Path, **env: str) -> float:
    """Execute one notebook into ``target`` (which may be the notebook itself)."""
    nb = notebooks.read(repo / entry.path)
    # Cases run with the repository as working directory, as the case runner does.
    cwd = repo if entry.kind == "case" else (repo / entry.path).parent
    seconds = notebooks.execute(nb, cwd, **env)
    notebooks.write(nb, target)
    return seconds


def run_all(
    entries: list[Entry], job: Callable[[Entry], float], jobs: int = 2
) -> dict[Entry, float | BaseException]:
    """Run ``job`` on every entry, ``jobs`` at a time, with a progress bar and a line per end."""
    results: dict[Entry, float | BaseException] = {}
    bar = tqdm(total=len(entries), unit="notebook", desc="Executing", file=sys.stdout,
               dynamic_ncols=True, disable=not entries)  # fmt: skip

    def one(entry: Entry) -> None:
        try:
            results[entry] = job(entry)
            note = f"{results[entry]:5.1f} s" + ("  OVER BUDGET" if results[entry] > BUDGET else "")
        except Exception as err:  # report every failure, then fail at the end
            results[entry] = err
            last = ANSI.sub("", str(err)).strip().splitlines()[-1][:200]
            note = f"FAILED: {type(err).__name__}: {last}"
        bar.write(f"[{len(results):2d}/{len(entries)}] {entry.path}  {note}")
        bar.update()

    with bar, ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, entries))
    return results


def contents(repo: Path, entries: list[Entry]) -> list[tuple[str, list[tuple]]]:
    """Sections of the contents: (heading, [(title, notebook, exercise set or None)])."""
    by_number = {
        e.path.name[:2]: e.path for e in entries if e.kind == "exercises" and e.lang == "en"
    }
    sections = []
    for kind, heading in KINDS.items():
        items = []
        for e in (e for e in entries if e.kind == kind):
            name = notebooks.title(notebooks.read(repo / e.path), e.path.stem)
            items.append(
                (name, e.path, by_number.get(e.path.name[:2]) if kind == "chapter" else None)
            )
        sections.append((heading, items))
    return sections


def contents_markdown(repo: Path, entries: list[Entry]) -> str:
    """notebooks/CONTENTS.md, the contents page for readers in JupyterLab."""
    lines = [
        "# CRM Workbook: contents",
        "",
        "Work through the chapters in order; each has an exercise set with self-checks.",
    ]
    for heading, items in contents(repo, entries):
        if not items:
            continue
        lines += ["", f"## {heading}", ""]
        for n, (name, path, ex) in enumerate(items, start=1):
            link = f"[{name}]({path.relative_to('notebooks').as_posix()})"
            if ex is not None:
                link += f" · [exercises](../{ex.as_posix()})"
            lines.append(f"{n}. {link}")
    return "\n".join(lines) + "\n"


def site_pages(repo: Path, entries: list[Entry], executed: Path) -> list[site.Page]:
    """The site's pages: chapters and cases as executed into ``executed``, the exercise
    hand-outs and the Korean edition (its chapters and exercise sets) as stored."""
    return [
        site.Page(
            "korean" if e.lang == translation.KO else e.kind,
            e.path,
            (executed if e.kind in KINDS else repo) / e.path,
        )
        for e in entries
        if e.kind in (*KINDS, "exercises", "korean")
    ]


def build(repo: Path, jobs: int = 2) -> Path:
    """Execute chapters and cases into build/executed, then build the site into build/html
    (the exercise hand-outs of both editions written first: ``ko/exercises/`` is not stored)."""
    print(exercises.report(exercises.write_editions(repo)))
    entries = discover(repo)
    out = repo / "build"
    runnable = [e for e in entries if e.kind in KINDS]
    print(f"Executing {len(runnable)} notebooks ({jobs} at a time)...", flush=True)
    results = run_all(runnable, lambda e: execute_entry(repo, e, out / "executed" / e.path), jobs)
    report(results)
    failed = [e for e, r in results.items() if isinstance(r, BaseException)]
    if failed:
        raise SystemExit(
            f"{len(failed)} notebook(s) failed: {', '.join(str(e.path) for e in failed)}"
        )
    print("\nBuilding the site (Sphinx)...", flush=True)
    pages = site_pages(repo, entries, out / "executed")
    index = site.build_site(pages, out / "html", jobs, repo=repo)
    print(f"\nThe workbook is at {index.resolve()}")
    return index


def report(results: dict[Entry, float | BaseException]) -> bool:
    """Print a timing table; return True when every notebook ran within the budget."""
    print(f"\n{'notebook':60s} {'seconds':>8s}")
    ok = True
    for entry, result in sorted(results.items(), key=lambda item: str(item[0].path)):
        if isinstance(result, BaseException):
            ok = False
            print(f"{str(entry.path):60s} {'failed':>8s}")
        else:
            ok &= result <= BUDGET
            flag = "" if result <= BUDGET else f"  > {BUDGET:.0f} s budget"
            print(f"{str(entry.path):60s} {result:8.1f}{flag}")
    return ok


def timing(repo: Path, jobs: int = 1) -> bool:
    """Execute every notebook (copies; nothing in the repository changes) and report times.

    One at a time by default, so that the times are not inflated by a neighbour.
    """
    with tempfile.TemporaryDirectory() as scratch:
        results = run_all(
            discover(repo), lambda e: execute_entry(repo, e, Path(scratch) / e.path), jobs
        )
    return report(results)


def execute_in_place(repo: Path, jobs: int = 2, only: list[Path] | None = None) -> None:
    """Re-execute chapters, cases and solutions in place (the nbval reference outputs),
    record the answer keys from the solutions, and rewrite exercises/ from the solutions.

    Each edition keeps its own: ``ko/solutions/NN.ipynb`` records into ``ko/solutions/keys/``
    and ``ko/exercises/`` is written from ``ko/solutions/``.
    ``only`` limits this to the given notebooks (paths relative to the repository or absolute).
    """
    entries = [e for e in discover(repo) if e.kind in ("chapter", "case", "solutions", "korean")]
    if only:
        wanted = {Path(p).resolve() for p in only}  # relative to where the command runs
        unknown = wanted - {(repo / e.path).resolve() for e in entries}
        if unknown:
            raise SystemExit(
                f"not a chapter, case or solution notebook: {sorted(map(str, unknown))}"
            )
        entries = [e for e in entries if (repo / e.path).resolve() in wanted]

    def job(entry: Entry) -> float:
        if entry.kind != "solutions":
            return execute_entry(repo, entry, repo / entry.path)
        # Record into a scratch folder; the key is replaced only if the whole notebook ran.
        with tempfile.TemporaryDirectory() as scratch:
            seconds = execute_entry(
                repo, entry, repo / entry.path, CRM_WORKBOOK_RECORD_ANSWERS=scratch
            )
            recorded = Path(scratch) / f"{entry.path.stem}.json"
            if not recorded.exists():
                raise RuntimeError(f"{entry.path} made no check() call, so it has no answer key")
            keys = translation.edition_root(repo, entry.path) / "solutions" / "keys"
            keys.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(recorded, keys / recorded.name)
        return seconds

    results = run_all(entries, job, jobs)
    print(exercises.report(exercises.write_editions(repo)))
    (repo / "notebooks" / "CONTENTS.md").write_text(contents_markdown(repo, discover(repo)))
    report(results)
    if any(isinstance(r, BaseException) for r in results.values()):
        sys.exit(1)
