"""The course site: every notebook executed, built with Sphinx, linked and checked."""

import re
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from crm_workbook import build, exercises, notebooks, site

REPO = Path(__file__).resolve().parents[1]

TERMS = "\n\n| English | 한국어 |\n|---|---|\n| churn | 이탈 |\n| customer lifetime value (CLV) | 고객생애가치 |\n"


def make_repo(root: Path, *, broken: bool = False, bad_link: bool = False) -> Path:
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    target = "99_missing.ipynb" if bad_link else "10_strategy.ipynb"
    pages = {
        "notebooks/02_scope.ipynb": f"# 02 Scope of CRM\n[next]({target}) $E = mc^2$" + TERMS,
        "notebooks/01_definition.ipynb": "# 01 What CRM is\n[next](02_scope.ipynb) [c](CONTENTS.md)"
        + TERMS.replace("| churn | 이탈 |\n", ""),
        "notebooks/10_strategy.ipynb": "# 10 CRM strategy",
        "notebooks/cases/beer.ipynb": "# Beer and diapers\n[Contents](../CONTENTS.md) "
        "[data](../../crmlib/datasets/data/baskets.md)",
        "exercises/01_definition.ipynb": "# Exercises 01\n[Chapter](../notebooks/01_definition.ipynb)",
    }
    cards = root / "crmlib" / "datasets" / "data"
    cards.mkdir(parents=True)
    (cards / "README.md").write_text("# Datasets\n\n- [baskets](baskets.md)\n")
    (cards / "baskets.md").write_text("# baskets: till receipts\n\nGenerated.\n")
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


def test_build_writes_the_site(tmp_path, capsys):
    repo = make_repo(tmp_path)
    index = build.build(repo, jobs=2)
    assert index == repo / "build" / "html" / "index.html"
    page = index.read_text()
    titles = ["01 What CRM is", "Exercises 01", "02 Scope of CRM", "10 CRM strategy", "Beer"]
    nav = page[page.index('class="bd-sidebar-primary') :]
    positions = [nav.index(t) for t in titles]
    assert positions == sorted(positions), "the sidebar is not in course order"
    for href in (
        "notebooks/01_definition.html",
        "exercises/01_definition.html",
        "notebooks/cases/beer.html",
        "glossary.html",
    ):
        assert f'href="{href}"' in page
        assert (index.parent / href).exists()
    chapter = (index.parent / "notebooks/01_definition.html").read_text()
    assert 'href="02_scope.html"' in chapter, "links between notebooks must point to pages"
    assert 'href="../index.html"' in chapter, "the contents link must point to the index"
    assert 'href="../exercises/01_definition.html"' in chapter, "sidebar reaches the exercises"
    assert "42" in chapter, "the page shows executed output"
    assert 'rel="next"' in chapter and 'rel="prev"' in chapter
    exercises = (index.parent / "exercises/01_definition.html").read_text()
    assert 'href="../notebooks/01_definition.html"' in exercises, "exercises link back"
    assert (index.parent / "searchindex.js").exists(), "full-text search"
    out = capsys.readouterr().out
    assert "[ 4/4]" in out and "The workbook is at" in out
    stored = notebooks.read(repo / "notebooks" / "01_definition.ipynb")
    assert stored.cells[1].outputs == [], "building must not change the stored notebooks"


@pytest.fixture(scope="module")
def fake_site(tmp_path_factory) -> Path:
    """The site of the fake repository, built from its stored notebooks."""
    repo = make_repo(tmp_path_factory.mktemp("repo"))
    html = repo.parent / "html"
    site.build_site(build.site_pages(repo, build.discover(repo), repo), html, repo=repo)
    return html


def test_site_glossary_links_terms_to_their_chapters(fake_site):
    html = fake_site
    glossary = (html / "glossary.html").read_text()
    assert 'id="term-churn"' in glossary and "이탈" in glossary
    clv = glossary[glossary.index('id="term-customer-lifetime-value-CLV"') :]
    clv = clv[: clv.index("</dd>")]
    assert "고객생애가치" in clv
    assert 'href="notebooks/01_definition.html"' in clv and 'href="notebooks/02_scope.html"' in clv
    scope = (html / "notebooks" / "02_scope.html").read_text()
    assert 'href="../glossary.html#term-churn"' in scope, "key terms link to the glossary"


def test_site_has_the_data_cards_the_notebooks_link_to(fake_site):
    case = (fake_site / "notebooks" / "cases" / "beer.html").read_text()
    assert 'href="../../crmlib/datasets/data/baskets.html"' in case
    card = (fake_site / "crmlib" / "datasets" / "data" / "baskets.html").read_text()
    assert "till receipts" in card
    index = (fake_site / "index.html").read_text()
    assert 'href="crmlib/datasets/data/README.html"' in index, "the data cards are in the sidebar"


def test_site_works_offline(fake_site):
    html = fake_site
    remote = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)=[\"'](?:https?:)?//", re.I)
    imports = re.compile(r"@import\s+url\([\"']?(?:https?:)?//|url\([\"']?https?://", re.I)
    for page in html.rglob("*.html"):
        text = page.read_text()
        assert not remote.search(text), f"{page.name} loads a script or style from the network"
    for style in html.rglob("*.css"):
        assert not imports.search(style.read_text()), f"{style.name} loads from the network"
    scope = (html / "notebooks" / "02_scope.html").read_text()
    mathjax = re.search(r'<script[^>]*src="([^"?]*tex-chtml\.js)[^"]*"', scope)
    assert mathjax, "pages with maths load MathJax"
    assert (html / "notebooks" / mathjax.group(1)).resolve().is_file(), "MathJax is served"
    assert (html / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()


def test_a_broken_link_fails_the_build(tmp_path):
    repo = make_repo(tmp_path, bad_link=True)
    with pytest.raises(SystemExit) as failed:
        site.build_site(
            build.site_pages(repo, build.discover(repo), repo), tmp_path / "html", repo=repo
        )
    message = str(failed.value)
    assert "did not build" in message and "99_missing.ipynb" in message
    assert str(tmp_path) + "/" not in message.replace("site-src/", ""), "no machine paths"


def test_sidebar_has_a_korean_section_when_ko_notebooks_exist(tmp_path):
    repo = make_repo(tmp_path)
    nb = new_notebook(cells=[new_markdown_cell("# 01 CRM이란" + TERMS)])
    notebooks.write(nb, repo / "ko" / "notebooks" / "01_definition.ipynb")
    pages = build.site_pages(repo, build.discover(repo), repo)
    assert [p.rel.as_posix() for p in pages if p.kind == "korean"] == [
        "ko/notebooks/01_definition.ipynb"
    ]
    sections = site.course_order(pages)
    assert list(sections) == ["chapter", "case", "korean"]
    index = site.index_markdown(sections, {p.rel: p.rel.stem for p in pages})
    assert ":caption: 한국어판 (Korean edition)\n\nko/notebooks/01_definition" in index
    assert "| [연습문제(영문)](exercises/01_definition.ipynb) |" in index, "no Korean set yet"


def test_key_terms_and_markdown_outputs_render(tmp_path):
    repo = make_repo(tmp_path)
    nb = notebooks.read(repo / "notebooks" / "10_strategy.ipynb")
    nb.cells[1] = new_code_cell(
        "from crm_workbook.session import md\nmd(f'Churn is **{0.265:.1%}** a month.')"
    )
    notebooks.execute(nb, repo / "notebooks")
    notebooks.write(nb, repo / "notebooks" / "10_strategy.ipynb")
    html = tmp_path / "html"
    site.build_site(build.site_pages(repo, build.discover(repo), repo), html, repo=repo)
    page = (html / "notebooks" / "10_strategy.html").read_text()
    assert "Churn is <strong>26.5%</strong> a month." in page, "md() output renders as Markdown"


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


def add_korean_exercises(repo: Path) -> Path:
    """A Korean chapter and its exercise set: ko/solutions/X, written into ko/exercises/X."""
    chapter = "# 01 CRM이란\n\n**연습문제:** [ko/exercises/01_definition.ipynb](../exercises/01_definition.ipynb)"
    pages = {
        "ko/notebooks/01_definition.ipynb": chapter + TERMS,
        "ko/solutions/01_definition.ipynb": "# 연습문제 · 01\n[01장](../notebooks/01_definition.ipynb)",
    }
    for rel, heading in pages.items():
        nb = new_notebook(cells=[new_markdown_cell(heading), new_code_cell("print(6 * 7)")])
        notebooks.write(nb, repo / rel)
    exercises.write_editions(repo)
    return repo


def test_each_edition_has_its_exercise_sets_in_discovery_contents_and_site(tmp_path):
    repo = add_korean_exercises(make_repo(tmp_path))
    assert (repo / "ko" / "exercises" / "01_definition.ipynb").exists()
    assert (repo / "exercises" / "01_definition.ipynb").exists(), "the English set stays"
    entries = build.discover(repo)
    assert [(e.kind, e.path.as_posix()) for e in entries if e.lang == "ko"] == [
        ("solutions", "ko/solutions/01_definition.ipynb"),
        ("exercises", "ko/exercises/01_definition.ipynb"),
        ("korean", "ko/notebooks/01_definition.ipynb"),
    ]
    assert "ko/" not in build.contents_markdown(repo, entries), "CONTENTS.md is the English one"
    pages = build.site_pages(repo, entries, repo)
    assert "ko/solutions/01_definition.ipynb" not in {p.rel.as_posix() for p in pages}
    sections = site.course_order(pages)
    order = {kind: [p.rel.as_posix() for p in items] for kind, items in sections.items()}
    assert order["chapter"][:2] == [
        "notebooks/01_definition.ipynb",
        "exercises/01_definition.ipynb",
    ]
    assert order["korean"] == [
        "ko/notebooks/01_definition.ipynb",
        "ko/exercises/01_definition.ipynb",
    ]
    index = site.index_markdown(sections, {p.rel: p.rel.stem for p in pages})
    assert "| 장 | 연습문제 |" in index
    assert (
        "| [01_definition](ko/notebooks/01_definition.ipynb) | "
        "[연습문제](ko/exercises/01_definition.ipynb) |"
    ) in index
    other = site.editions(pages)
    assert other[Path("ko/exercises/01_definition.ipynb")] == Path("exercises/01_definition.ipynb")


def test_execute_in_place_records_korean_keys_beside_the_korean_solutions(tmp_path):
    repo = make_repo(tmp_path)
    setup = "from crm_workbook.check import Checker\ncheck = Checker('01_definition', lang='ko')"
    answer = "q1 = None\n### BEGIN SOLUTION\nq1 = 6 * 7\n### END SOLUTION\ncheck('q1', q1)"
    nb = new_notebook(
        cells=[new_markdown_cell("# 연습문제 01"), new_code_cell(setup), new_code_cell(answer)]
    )
    solution = repo / "ko" / "solutions" / "01_definition.ipynb"
    notebooks.write(nb, solution)
    build.execute_in_place(repo, only=[solution])
    assert '"kind": "number"' in (repo / "ko/solutions/keys/01_definition.json").read_text()
    assert not (repo / "solutions").exists(), "the English keys are not touched"
    assert notebooks.read(solution).cells[2].outputs[0]["text"] == "q1: 통과\n"
    exercise = (repo / "ko" / "exercises" / "01_definition.ipynb").read_text()
    assert "6 * 7" not in exercise and "# 여기에 코드를 작성하라" in exercise
    assert '"translation"' not in exercise


def test_a_page_with_a_korean_edition_links_to_it_and_back(tmp_path):
    repo = make_repo(tmp_path)
    terms = "\n\n| 한국어 | English |\n|---|---|\n| 이탈 | churn |\n| 신조어 | no such term |\n"
    nb = new_notebook(
        cells=[new_markdown_cell("# 01 CRM이란\n\n[다음](../../notebooks/02_scope.ipynb)" + terms)]
    )
    notebooks.write(nb, repo / "ko" / "notebooks" / "01_definition.ipynb")
    html = tmp_path / "html"
    site.build_site(build.site_pages(repo, build.discover(repo), repo), html, repo=repo)
    switch = re.compile(
        r'<div class="edition-switch[^"]*">\s*<p><a class="reference internal" href="([^"]+)"><span class="std std-doc">([^<]+)</span>'
    )
    english = (html / "notebooks" / "01_definition.html").read_text()
    korean = (html / "ko" / "notebooks" / "01_definition.html").read_text()
    assert switch.findall(english) == [
        ("../ko/notebooks/01_definition.html", "한국어 · Read in Korean")
    ]
    assert switch.findall(korean) == [("../../notebooks/01_definition.html", "English")]
    article = english[english.index('<article class="bd-article"') :]
    assert article.index("edition-switch") < article.index("<h1"), "the link is at the top"
    scope = (html / "notebooks" / "02_scope.html").read_text()
    assert "edition-switch" not in scope, "a chapter without a Korean edition has no link"
    index = (html / "index.html").read_text()
    assert 'href="ko/notebooks/01_definition.html"' in index, "the sidebar keeps its Korean section"
    assert 'href="../../glossary.html#term-churn"' in korean, "Korean key terms link too"
    assert "<td><p>no such term</p></td>" in korean, "a term the glossary lacks stays text"
    assert "_static/workbook.js" in korean, "the Korean pages are marked lang=ko"


def test_a_language_link_to_a_missing_page_fails_the_build(tmp_path):
    repo = make_repo(tmp_path)
    nb = new_notebook(cells=[new_markdown_cell("# 01 CRM이란")])
    notebooks.write(nb, repo / "ko" / "notebooks" / "01_definition.ipynb")
    pages = build.site_pages(repo, build.discover(repo), repo)
    src = site.stage(pages, tmp_path / "site-src", repo)
    # The Korean page leaves the site (as if its file were missing): the English page's link
    # to it must stop the build.
    (src / "ko" / "notebooks" / "01_definition.ipynb").unlink()
    with pytest.raises(SystemExit) as failed:
        site.sphinx(src, tmp_path / "html")
    message = str(failed.value)
    assert "did not build" in message and "ko/notebooks/01_definition" in message


def test_the_real_site_builds_from_the_stored_notebooks(tmp_path):
    """The workbook's own pages (stored outputs, not re-executed) pass the strict build:
    every cross-reference and glossary term in the real chapters resolves."""
    entries = build.discover(REPO)
    pages = build.site_pages(REPO, entries, REPO)  # the stored notebooks stand in for executed
    index = site.build_site(pages, tmp_path / "html", jobs=2, repo=REPO)
    assert index.exists()
    glossary = (index.parent / "glossary.html").read_text()
    for term in ("RFM", "funnel plot", "CRM Scorecard"):  # from chapters 05, 13, 15
        assert term in glossary
    korean = (index.parent / "ko" / "exercises" / "01_crm_definition.html").read_text()
    assert 'href="../notebooks/01_crm_definition.html"' in korean, "back to the Korean chapter"
    assert 'href="../../exercises/01_crm_definition.html"' in korean, "the English edition"
    chapter = (index.parent / "ko" / "notebooks" / "01_crm_definition.html").read_text()
    assert 'href="../exercises/01_crm_definition.html"' in chapter, "to its Korean exercises"
    assert not (index.parent / "ko" / "solutions").exists(), "solutions stay off the site"
