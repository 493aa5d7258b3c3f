"""The course site: Sphinx with myst-nb and the book theme, over the executed notebooks.

Sphinx, myst-nb and sphinx-book-theme are pure Python and in the lock, so a fresh machine
builds the site with nothing but Python (Jupyter Book 2 would need Node for ``mystmd``). The
tool does the sidebar, search, previous/next links, the rendering of stored outputs and the
link checking. This module only does what it cannot:

- it *stages* the pages into one source folder (``build/site-src``): executed chapters and
  cases, the exercise hand-outs, the Korean edition when ``ko/`` has notebooks (its chapters,
  each followed by its Korean exercise set from ``ko/exercises/``), an index page
  whose table of contents puts them in course order, and a glossary page;
- the glossary is made from the chapters' key-term tables (English | 한국어): each term with
  its Korean name(s) and the chapters that define it, and each English cell of a key-term
  table becomes a link to its glossary entry;
- a page with an edition in the other language (``ko/notebooks/X`` for ``notebooks/X``)
  links to it at the top ("한국어 · Read in Korean" / "English"), a checked link;
- links to ``CONTENTS.md`` (the contents page for JupyterLab readers) go to the site's index;
- MathJax is served with the site (from the ``sphinx-mathjax-offline`` package), so formulas
  render without a network;
- every Sphinx warning fails the build (``-W``): a link to a page or heading that does not
  exist is a warning, so a broken cross-reference cannot reach the site.
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell

from . import notebooks

TITLE = "CRM Workbook"
SECTIONS = {
    "chapter": "Chapters and exercises",
    "case": "Case studies",
    "korean": "한국어판 (Korean edition)",
}
KEY_TERMS_HEADER = re.compile(r"^\|\s*English\s*\|\s*한국어\s*\|\s*$")
# The Korean edition's key-term table puts Korean first.
KOREAN_TERMS_HEADER = re.compile(r"^\|\s*한국어\s*\|\s*English\s*\|\s*$")
CONTENTS_LINK = re.compile(r"\]\(((?:\.\./)*)(?:notebooks/)?CONTENTS\.md\)")
# Markdown pages of the repository that notebooks link to: the data cards. The folder's
# README is in the sidebar; the cards are reached from it (and from the chapters' links).
DATA_CARDS = Path("crmlib") / "datasets" / "data"
# MathJax parts that the pages load (the speech-rule engine, 4 MB, only on a reader's request).
MATHJAX_PARTS = ("tex-chtml.js", "output", "input", "ui", "a11y", "adaptors")


@dataclass(frozen=True)
class Page:
    """One notebook of the site: its kind, its path in the site and where to read it."""

    kind: str  # "chapter", "case", "exercises" or "korean" (any page under ko/)
    rel: Path  # e.g. notebooks/01_crm_definition.ipynb: the page is notebooks/01_....html
    source: Path  # the notebook to read (an executed copy, or the stored one)


@dataclass(frozen=True)
class Term:
    english: str
    korean: tuple[str, ...]
    chapters: tuple[tuple[str, Path], ...]  # (chapter title, notebook path in the site)


def key_terms(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """The rows (English, Korean) of the notebook's key-term table, in order.

    The table is the first Markdown table headed ``| English | 한국어 |``.

    Examples
    --------
    >>> from nbformat.v4 import new_markdown_cell, new_notebook
    >>> text = "# 01 X\\n\\n| English | 한국어 |\\n|---|---|\\n| churn | 이탈 |\\n| CRM | 고객관계관리 |\\n"
    >>> key_terms(new_notebook(cells=[new_markdown_cell(text)]))
    [('churn', '이탈'), ('CRM', '고객관계관리')]
    """
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        for start, line in enumerate(lines):
            if KEY_TERMS_HEADER.match(line.strip()):
                rows = []
                for row in lines[start + 2 :]:
                    cells = [c.strip() for c in row.strip().strip("|").split("|")]
                    if not row.strip().startswith("|") or len(cells) != 2:
                        break
                    rows.append((cells[0], cells[1]))
                return rows
    return []


def glossary_terms(chapters: Iterable[tuple[str, Path, nbformat.NotebookNode]]) -> list[Term]:
    """Every key term of the chapters, merged by English name, sorted case-insensitively."""
    merged: dict[str, tuple[list[str], list[tuple[str, Path]]]] = {}
    for title, rel, nb in chapters:
        for english, korean in key_terms(nb):
            korean_names, where = merged.setdefault(english.lower(), ([english], []))
            if korean not in korean_names[1:]:
                korean_names.append(korean)
            if (title, rel) not in where:
                where.append((title, rel))
    return [
        Term(names[0], tuple(names[1:]), tuple(where))
        for _, (names, where) in sorted(merged.items(), key=lambda item: item[0])
    ]


def glossary_markdown(terms: list[Term]) -> str:
    """The glossary page: each English term, its Korean name and the chapters defining it."""
    lines = [
        "# Glossary · 용어집",
        "",
        "The key terms of every chapter, in English and Korean, with the chapter that defines",
        "them. The key-term table at the start of each chapter links here.",
        "",
        ":::{glossary}",
    ]
    for term in terms:
        chapters = ", ".join(
            f"[{_escape(title)}]({rel.with_suffix('.ipynb').as_posix()})"
            for title, rel in term.chapters
        )
        lines += [term.english, f"  **{' · '.join(term.korean)}** · {chapters}", ""]
    return "\n".join([*lines[:-1], ":::", ""]) if terms else "\n".join([*lines, ":::", ""])


def _escape(text: str) -> str:
    return text.replace("[", r"\[").replace("]", r"\]")


def link_key_terms(source: str, known: Iterable[str] | None = None) -> str:
    """Turn the English cells of a key-term table into links to the glossary.

    The table is headed ``| English | 한국어 |`` (a chapter) or ``| 한국어 | English |`` (its
    Korean edition). With ``known`` (the glossary's English terms), only those are linked:
    a term the glossary lacks stays text rather than break the build.

    Examples
    --------
    >>> print(link_key_terms("| English | 한국어 |\\n|---|---|\\n| churn | 이탈 |"))
    | English | 한국어 |
    |---|---|
    | {term}`churn` | 이탈 |
    >>> print(link_key_terms("| 한국어 | English |\\n|---|---|\\n| 이탈 | churn |\\n| 고객 | client |",
    ...                      known=["Churn"]))
    | 한국어 | English |
    |---|---|
    | 이탈 | {term}`churn` |
    | 고객 | client |
    """
    wanted = None if known is None else {term.lower() for term in known}
    lines = source.splitlines()
    for start, line in enumerate(lines):
        header = line.strip()
        if KEY_TERMS_HEADER.match(header) or KOREAN_TERMS_HEADER.match(header):
            english = 0 if KEY_TERMS_HEADER.match(header) else 1
            for i in range(start + 2, len(lines)):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not lines[i].strip().startswith("|") or len(cells) != 2:
                    break
                if wanted is None or cells[english].lower() in wanted:
                    cells[english] = f"{{term}}`{cells[english]}`"
                    lines[i] = f"| {cells[0]} | {cells[1]} |"
            break
    return "\n".join(lines)


KOREAN_ROOT = Path("ko")  # ko/notebooks/01_x.ipynb is the Korean edition of notebooks/01_x.ipynb
LANGUAGE_SWITCH = {"korean": "English", "chapter": "한국어 · Read in Korean"}


def editions(pages: Iterable[Page]) -> dict[Path, Path]:
    """Each page that has an edition in the other language, mapped to that edition.

    A Korean page ``ko/X`` is the edition of the English page ``X`` when the site has one;
    the map holds both directions. It is derived from the pages, so a chapter gets its
    link as soon as its Korean notebook exists.

    Examples
    --------
    >>> pages = [Page("chapter", Path("notebooks/01_a.ipynb"), Path("x")),
    ...          Page("chapter", Path("notebooks/02_b.ipynb"), Path("x")),
    ...          Page("korean", Path("ko/notebooks/01_a.ipynb"), Path("x"))]
    >>> {str(k): str(v) for k, v in editions(pages).items()}
    {'ko/notebooks/01_a.ipynb': 'notebooks/01_a.ipynb', 'notebooks/01_a.ipynb': 'ko/notebooks/01_a.ipynb'}
    """
    pages = list(pages)
    english = {p.rel for p in pages if p.kind != "korean"}
    found: dict[Path, Path] = {}
    for page in pages:
        if page.kind == "korean" and page.rel.parts[0] == KOREAN_ROOT.name:
            other = page.rel.relative_to(KOREAN_ROOT)
            if other in english:
                found[page.rel], found[other] = other, page.rel
    return found


def language_switch(page: Page, other: Path) -> str:
    """The Markdown of the link at the top of ``page`` to its edition ``other``.

    A Markdown link to the other notebook, so Sphinx checks it like every link (a missing
    page fails the build).

    Examples
    --------
    >>> page = Page("korean", Path("ko/notebooks/01_a.ipynb"), Path("x"))
    >>> print(language_switch(page, Path("notebooks/01_a.ipynb")))
    :::{container} edition-switch
    [English](../../notebooks/01_a.ipynb)
    :::
    """
    label = LANGUAGE_SWITCH["korean" if page.kind == "korean" else "chapter"]
    target = Path(os.path.relpath(other, page.rel.parent)).as_posix()
    return f":::{{container}} edition-switch\n[{label}]({target})\n:::"


def stage_notebook(
    page: Page, target: Path, edition: Path | None = None, terms: Iterable[str] | None = None
) -> nbformat.NotebookNode:
    """Copy ``page`` to ``target`` with contents links to the index, key terms linked to the
    glossary (only the ``terms`` it has, when given), and a link to its ``edition`` in the
    other language at the top when it has one."""
    nb = notebooks.read(page.source)
    if edition is not None:
        switch = new_markdown_cell(language_switch(page, edition))
        switch.id = "language-switch"
        nb.cells.insert(0, switch)
    up = "../" * (len(page.rel.parts) - 1)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = CONTENTS_LINK.sub(f"]({up}index.md)", cell.source)
            if page.kind in ("chapter", "korean"):
                cell.source = link_key_terms(cell.source, terms)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return nb


def is_exercise_set(page: Page) -> bool:
    """Whether the page is an exercise hand-out (``exercises/`` or ``ko/exercises/``)."""
    return page.rel.parent.name == "exercises"


def course_order(pages: list[Page]) -> dict[str, list[Page]]:
    """Sections of the table of contents; each chapter is followed by its exercise set, an
    English chapter by ``exercises/X`` and a Korean one by ``ko/exercises/X``."""
    sets = {
        (page.kind, page.rel.stem): page
        for page in pages
        if page.kind in ("exercises", "korean") and is_exercise_set(page)
    }
    sections: dict[str, list[Page]] = {kind: [] for kind in SECTIONS}
    placed = set()
    for page in pages:
        if page.kind in ("chapter", "korean") and not is_exercise_set(page):
            sections[page.kind].append(page)
            own = sets.get(("exercises" if page.kind == "chapter" else "korean", page.rel.stem))
            if own is not None:
                sections[page.kind].append(own)
                placed.add(own.rel)
        elif page.kind == "case":
            sections[page.kind].append(page)
    for (kind, _), page in sets.items():  # a set whose chapter is not on the site
        if page.rel not in placed:
            sections["chapter" if kind == "exercises" else "korean"].append(page)
    return {kind: items for kind, items in sections.items() if items}


#: The contents table of a section with exercise sets: header, link text, the link text to
#: the English set when the section has none of its own (None: the English section), and the
#: text when there is no set at all.
EXERCISE_TABLES = {
    "chapter": ("| chapter | exercises |", "exercise\u00a0set", None, "in preparation"),
    "korean": ("| 장 | 연습문제 |", "연습문제", "연습문제(영문)", "준비 중"),
}


def index_markdown(
    sections: dict[str, list[Page]], titles: dict[Path, str], *, data: bool = False
) -> str:
    """The home page: what the course is, how to work with it, the contents in course order."""
    lines = [
        f"# {TITLE}",
        "",
        "A hands-on course in **customer relationship management (CRM) analytics**: each",
        "chapter explains one part of CRM strategy and computes it on real or realistic data",
        "with `crmlib`, the library you can keep using on your own transaction data.",
        "",
        "**How to use this site.** Read a chapter, then do its exercise set: in JupyterLab",
        "(`make lab` in a clone of the repository) each answer is checked as you go. Pages",
        "show the stored outputs; the live explorers (sliders and menus) respond in a running",
        "notebook only. Every page has a download button for its notebook. The",
        "[glossary](glossary.md) lists the key terms in English and Korean.",
        "",
    ]
    for kind, pages in sections.items():
        lines += [f"## {SECTIONS[kind]}", ""]
        if kind in EXERCISE_TABLES:
            # a no-break space: the narrow column keeps "exercise set" on one line
            header, text, english_text, missing = EXERCISE_TABLES[kind]
            lines += [header, "|---|---|"]
            by_stem = {p.rel.stem: p for p in pages if is_exercise_set(p)}
            english = {p.rel.stem: p for p in sections.get("chapter", []) if is_exercise_set(p)}
            for page in (p for p in pages if not is_exercise_set(p)):
                ex = by_stem.get(page.rel.stem)
                other = english.get(page.rel.stem) if english_text else None
                if ex is not None:
                    ex_link = f"[{text}]({ex.rel.as_posix()})"
                elif other is not None:  # a Korean chapter whose set is not translated yet
                    ex_link = f"[{english_text}]({other.rel.as_posix()})"
                else:
                    ex_link = missing
                lines.append(
                    f"| [{_escape(titles[page.rel])}]({page.rel.as_posix()}) | {ex_link} |"
                )
        else:
            lines += [f"- [{_escape(titles[p.rel])}]({p.rel.as_posix()})" for p in pages]
        lines.append("")
    for kind, pages in sections.items():
        lines += ["```{toctree}", ":hidden:", ":maxdepth: 1", f":caption: {SECTIONS[kind]}", ""]
        lines += [p.rel.with_suffix("").as_posix() for p in pages]
        lines += ["```", ""]
    reference = ["glossary", *([f"{DATA_CARDS.as_posix()}/README"] if data else [])]
    lines += ["```{toctree}", ":hidden:", ":caption: Reference", "", *reference, "```", ""]
    return "\n".join(lines)


CONF = """\
# Written by crm_workbook.site: the Sphinx configuration of the course site.
project = {title!r}
html_title = {title!r}
author = "CRM Workbook contributors"
copyright = "CRM Workbook contributors; code MIT, text and generated data CC BY 4.0"
extensions = ["myst_nb"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
# Every warning fails the build (-W); heading levels are the authors' choice, not an error.
suppress_warnings = ["myst.header"]
root_doc = "index"
language = "en"

# The notebooks are executed before the build (crm-workbook build): never re-run them here.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "smartquotes"]
myst_heading_anchors = 3
myst_dmath_double_inline = True

# MathJax served with the site: no network needed for formulas.
mathjax_path = "mathjax/tex-chtml.js"
html_static_path = ["_static"]
html_css_files = ["workbook.css"]
html_js_files = ["workbook.js"]
html_theme = "sphinx_book_theme"
html_theme_options = {{
    "home_page_in_toc": False,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "navigation_with_keys": False,
    "search_bar_text": "Search the workbook...",
    "logo": {{"text": {title!r}}},
}}
html_favicon = "_static/favicon.svg"
html_context = {{"default_mode": "light"}}
html_show_sourcelink = False
html_copy_source = True
html_last_updated_fmt = None
"""

CSS = """\
/* CRM Workbook: a calm, readable course page. */
html[data-theme="light"] {
  --pst-color-primary: #0b6e69;
  --pst-color-secondary: #c2410c;
  --pst-color-link: #0b6e69;
  --pst-color-link-hover: #c2410c;
}
/* The book layout has its own search box and sidebar toggle: no top bar on wide screens. */
@media (min-width: 960px) { #pst-header { display: none; } }
html[data-theme="dark"] { --pst-color-primary: #4fd1c5; --pst-color-link: #4fd1c5; }
.bd-sidebar-primary .navbar-brand { font-weight: 700; letter-spacing: 0.02em; }
.bd-sidebar-primary p.caption { text-transform: uppercase; font-size: 0.78rem;
  letter-spacing: 0.06em; color: var(--pst-color-text-muted); margin-top: 1.2rem; }
.bd-article h1 { font-weight: 700; }
.bd-article table { font-size: 0.93rem; }
.bd-article table td, .bd-article table th { padding: 0.3rem 0.7rem; }
div.cell_output img { max-width: 100%; height: auto; }
dl.glossary dt { font-size: 1.05rem; margin-top: 0.8rem; }
dl.glossary dt:target, dl.glossary dt:target + dd { background: #fff4d6; }
.workbook-widget { border: 1px solid #d5e3e2; border-radius: 8px; padding: 0.6rem 0.9rem;
  margin: 0.4rem 0; background: #f6fbfa; overflow-x: auto; }
.workbook-widget .controls { font-size: 0.9rem; color: #35504e; margin-bottom: 0.4rem; }
.workbook-widget .controls b { color: #0b6e69; }
/* The link to the page's edition in the other language, above its title. */
.edition-switch { display: flex; justify-content: flex-end; margin: 0 0 -0.6rem; }
.edition-switch p { margin: 0; }
.edition-switch a { display: inline-block; padding: 0.15rem 0.8rem; border-radius: 999px;
  border: 1px solid var(--pst-color-primary); font-size: 0.88rem; font-weight: 600;
  text-decoration: none; }
.edition-switch a:hover { background: var(--pst-color-primary); color: #fff; }
.workbook-widget .note { font-size: 0.88rem; font-style: italic; color: #35504e; }
.workbook-widget table { margin-left: 0; }
html[data-theme="dark"] .workbook-widget { background: transparent; border-color: #2d4a48; }
html[data-theme="dark"] .workbook-widget .controls, html[data-theme="dark"] .workbook-widget .note
  { color: inherit; }
/* Korean: each system's Korean font before the generic family, and a line breaks between
   words, never inside one (browsers otherwise break Hangul between any two syllables). */
:root { --pst-font-family-base: system-ui, "Apple SD Gothic Neo", "Malgun Gothic",
  "Noto Sans KR", "Noto Sans CJK KR", sans-serif, "Apple Color Emoji", "Segoe UI Emoji",
  "Segoe UI Symbol", "Noto Color Emoji"; }
.bd-article, .bd-sidebar-primary, .bd-sidebar-secondary { word-break: keep-all;
  overflow-wrap: break-word; }
"""

JS = """\
// CRM Workbook: the pages of the Korean edition (ko/ under the site's root) are in Korean.
(() => {
  const root = new URL(document.documentElement.dataset.content_root || "./", location.href);
  if (location.href.startsWith(root.href + "ko/")) document.documentElement.lang = "ko";
})();
// The theme scrolls the sidebar to the current page, which can hide the course title and the
// search box above it: keep the sidebar at its top whenever the current page shows there.
window.addEventListener("load", () => {
  const bar = document.querySelector(".bd-sidebar-primary");
  const current = bar && bar.querySelector("a.current");
  if (!current || bar.scrollTop === 0) return;
  const bottom = current.getBoundingClientRect().bottom - bar.getBoundingClientRect().top;
  if (bottom + bar.scrollTop < bar.clientHeight) bar.scrollTop = 0;
});
"""


FAVICON = """\
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
<rect width="64" height="64" rx="14" fill="#0b6e69"/>
<path d="M14 46 L26 32 L36 40 L50 20" stroke="#fff" stroke-width="6" fill="none"
 stroke-linecap="round" stroke-linejoin="round"/>
<circle cx="50" cy="20" r="5" fill="#f59e0b"/>
</svg>
"""


def mathjax_folder() -> Path:
    """The MathJax 3 files of the ``sphinx-mathjax-offline`` package."""
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or spec.origin is None:
        raise SystemExit(
            "crm-workbook build: the package sphinx-mathjax-offline is missing (it serves "
            "MathJax with the site); run `make run`, which installs requirements.lock"
        )
    return Path(spec.origin).parent / "static" / "mathjax"


def stage_data_cards(repo: Path, src: Path) -> bool:
    """Copy the data cards (``crmlib/datasets/data/*.md``) to the same place in ``src``."""
    cards = sorted((repo / DATA_CARDS).glob("*.md"))
    for card in cards:
        text = card.read_text(encoding="utf-8")
        if card.name != "README.md":  # reached from the README, not from the sidebar
            text = f"---\norphan: true\n---\n{text}"
        (src / DATA_CARDS).mkdir(parents=True, exist_ok=True)
        (src / DATA_CARDS / card.name).write_text(text, encoding="utf-8")
    return any(card.name == "README.md" for card in cards)


def stage(pages: list[Page], src: Path, repo: Path | None = None) -> Path:
    """Write the Sphinx source folder: notebooks, index, glossary, data cards (from ``repo``),
    configuration and assets."""
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    has_data = repo is not None and stage_data_cards(repo, src)
    chapters = []
    for page in (p for p in pages if p.kind == "chapter"):
        nb = notebooks.read(page.source)
        chapters.append((notebooks.title(nb, page.rel.stem), page.rel, nb))
    terms = glossary_terms(chapters)
    known = [term.english for term in terms]
    titles, other = {}, editions(pages)
    for page in pages:
        nb = stage_notebook(page, src / page.rel, other.get(page.rel), known)
        titles[page.rel] = notebooks.title(nb, page.rel.stem)
    index = index_markdown(course_order(pages), titles, data=has_data)
    (src / "index.md").write_text(index, encoding="utf-8")
    glossary = glossary_markdown(terms)
    (src / "glossary.md").write_text(glossary, encoding="utf-8")
    (src / "conf.py").write_text(CONF.format(title=TITLE), encoding="utf-8")
    static = src / "_static"
    static.mkdir()
    (static / "workbook.css").write_text(CSS, encoding="utf-8")
    (static / "workbook.js").write_text(JS, encoding="utf-8")
    (static / "favicon.svg").write_text(FAVICON, encoding="utf-8")
    mathjax = mathjax_folder()
    (static / "mathjax").mkdir()
    for part in MATHJAX_PARTS:
        copy = shutil.copytree if (mathjax / part).is_dir() else shutil.copyfile
        copy(mathjax / part, static / "mathjax" / part)
    return src


def sphinx(src: Path, out: Path, jobs: int = 1, *, strict: bool = True) -> None:
    """Run Sphinx on ``src`` into ``out``; any warning (e.g. a broken link) fails the build,
    unless ``strict`` is False (then they are only printed)."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "--keep-going", "-q"]
    command += ["-W"] if strict else []
    command += ["-j", str(max(1, jobs)), "-d", str(src.parent / "doctrees"), str(src), str(out)]
    env = {**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    problems = (done.stderr.strip() or done.stdout.strip()).replace(str(src) + os.sep, "")
    if done.returncode != 0:
        raise SystemExit(f"the site did not build (Sphinx found these problems):\n{problems}")
    if problems:
        print(problems, file=sys.stderr)


def build_site(
    pages: list[Page], out: Path, jobs: int = 1, *, repo: Path | None = None, strict: bool = True
) -> Path:
    """Stage ``pages`` (and the data cards of ``repo``) next to ``out`` and build the site
    into ``out``; return its index. See :func:`sphinx` for ``strict``."""
    src = stage(pages, out.parent / "site-src", repo)
    sphinx(src, out, jobs, strict=strict)
    return out / "index.html"


def widget_html(description: str, controls: dict[str, str], parts: list[str]) -> str:
    """The static form of a live explorer: its controls' values above its figure and table."""
    settings = " · ".join(f"{html.escape(k)} <b>{html.escape(v)}</b>" for k, v in controls.items())
    return (
        f'<div class="workbook-widget"><div class="controls">{html.escape(description)} '
        f"(live in a running notebook). Shown for: {settings}</div>{''.join(parts)}</div>"
    )
