"""The case-study runner: typed parameters checked before papermill runs anything."""

import logging
import os
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from crm_workbook import cases, cli, notebooks

REPO = Path(__file__).resolve().parents[1]
PARAMS = """from typing import Literal

n: int = 10
rate: float = 0.5
label: str = "x"
flag: bool = False
mode: Literal["a", "b"] = "a"
"""
REPORT = "from pathlib import Path\nprint(n, type(n).__name__, rate, label, flag, mode)\n"
REPORT += "print('cwd is repo:', Path('pyproject.toml').exists())"


def make_case(repo: Path, params: str = PARAMS, name: str = "demo") -> Path:
    (repo / "notebooks" / "cases").mkdir(parents=True, exist_ok=True)
    (repo / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    cell = new_code_cell(params, metadata={"tags": ["parameters"]})
    nb = new_notebook(cells=[new_markdown_cell("# Demo case"), cell, new_code_cell(REPORT)])
    path = repo / "notebooks" / "cases" / f"{name}.ipynb"
    notebooks.write(nb, path)
    return path


def test_parameters_are_read_with_their_types(tmp_path):
    spec = cases.parameters(make_case(tmp_path))
    assert {k: (p.type, p.default) for k, p in spec.items()} == {
        "n": ("int", 10),
        "rate": ("float", 0.5),
        "label": ("str", "x"),
        "flag": ("bool", False),
        "mode": ("literal", "a"),
    }
    assert spec["mode"].choices == ("a", "b")


def test_cli_text_is_converted(tmp_path):
    spec = cases.parameters(make_case(tmp_path))
    raw = {"n": "33_000", "rate": "1", "flag": "true", "mode": "b", "label": "7"}
    assert cases.validate(spec, raw, "demo") == {
        "n": 33000,
        "rate": 1.0,
        "flag": True,
        "mode": "b",
        "label": "7",
    }
    assert cases.validate(spec, {"rate": 2, "n": 3}, "demo") == {"rate": 2.0, "n": 3}


@pytest.mark.parametrize(
    "values, message",
    [
        ({"nn": "3"}, "unknown parameter 'nn' for case 'demo'. Did you mean 'n'?"),
        (
            {"seed": "3"},
            "^unknown parameter 'seed' for case 'demo'. The parameters are n, rate, "
            "label, flag, mode \\(types, defaults and ranges: crm-workbook case demo --list\\)$",
        ),
        ({"n": "3.5"}, "parameter 'n': expected int, got '3.5'"),
        ({"n": 3.5}, "parameter 'n': expected int, got float 3.5"),
        ({"n": True}, "parameter 'n': expected int, got bool"),
        ({"rate": "fast"}, "parameter 'rate': expected float, got 'fast'"),
        ({"flag": "maybe"}, "parameter 'flag': expected bool, got 'maybe'"),
        ({"mode": "c"}, "parameter 'mode': expected one of 'a', 'b', got 'c'"),
        ({"label": 3}, "parameter 'label': expected str, got int 3"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(tmp_path, values, message):
    make_case(tmp_path)
    with pytest.raises(cases.CaseError, match=message):
        cases.run(tmp_path, "demo", values)
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize(
    "params, message",
    [
        ("n = 3\n", "parameter 'n' needs a type annotation"),
        ("n: list = []\n", "parameter 'n': unsupported type 'list'"),
        ("n: int = 'ten'\n", "parameter 'n': expected int, got 'ten'"),
        ("print(1)\n", "may only hold `name: type = value`"),
    ],
)
def test_badly_declared_parameters_are_refused(tmp_path, params, message):
    with pytest.raises(cases.CaseError, match=message):
        cases.parameters(make_case(tmp_path, params))


def test_unknown_case_lists_the_cases(tmp_path):
    make_case(tmp_path)
    with pytest.raises(cases.CaseError, match="unknown case 'dmeo'; the case studies are: demo"):
        cases.case_path(tmp_path, "dmeo")


def test_cli_refuses_a_misspelt_parameter(tmp_path, capsys):
    make_case(tmp_path)
    code = cli.main(["--repo", str(tmp_path), "case", "demo", "-p", "nn", "3"])
    assert code == 2
    err = capsys.readouterr().err
    assert "unknown parameter 'nn'" in err and "Did you mean 'n'?" in err
    assert not (tmp_path / "build").exists()


def test_run_executes_with_typed_values_from_the_repository(tmp_path, monkeypatch, capfd):
    make_case(tmp_path)
    monkeypatch.chdir(tmp_path / "notebooks")  # papermill would otherwise use this folder
    code = cli.main(["--repo", str(tmp_path), "case", "demo", "-p", "n", "3", "-p", "flag", "yes"])
    err = capfd.readouterr().err
    assert code == 0, err
    # the kernel's start-up notices (e.g. "running over TCP without encryption") stay quiet
    assert "IPKernelApp" not in err, err
    out = tmp_path / "build" / "cases" / "demo--flag-True--n-3.ipynb"
    nb = nbformat.read(out, as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "3 int 0.5 x True a" in printed
    assert "cwd is repo: True" in printed
    assert out.with_suffix(".html").read_text().startswith("<!DOCTYPE html>")


def test_run_with_ranges_injects_values_without_papermill_noise(tmp_path, monkeypatch, caplog):
    make_case(tmp_path, RANGED)
    nb = notebooks.read(tmp_path / "notebooks" / "cases" / "demo.ipynb")
    nb.cells[2].source = "print(n, share, size, mode)"
    notebooks.write(nb, tmp_path / "notebooks" / "cases" / "demo.ipynb")
    monkeypatch.chdir(tmp_path)
    with caplog.at_level(logging.WARNING, logger="papermill"):
        out = cases.run(tmp_path, "demo", {"size": "8", "mode": "b"}, html=False, progress=False)
    printed = "".join(
        o.get("text", "") for c in notebooks.read(out).cells for o in c.get("outputs", [])
    )
    assert "10 0.1 8 b" in printed
    assert not [r for r in caplog.records if r.name.startswith("papermill")]


def test_a_range_error_inside_the_case_is_reported_in_one_line(tmp_path, capsys):
    make_case(tmp_path)
    nb = notebooks.read(tmp_path / "notebooks" / "cases" / "demo.ipynb")
    check = "if n < 0:\n    raise ValueError(f'n: expected a count >= 0, got {n}')"
    nb.cells.insert(2, new_code_cell(check))
    notebooks.write(nb, tmp_path / "notebooks" / "cases" / "demo.ipynb")
    code = cli.main(["--repo", str(tmp_path), "case", "demo", "-p", "n", "-1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "stopped in cell 3: ValueError: n: expected a count >= 0, got -1" in err
    assert "Traceback" not in err


RANGED = """from typing import Literal

n: int = 10  # range: x >= 1
share: float = 0.1  # range: 0 < x <= 0.5 and x * n >= 1; at least one customer in the top
size: int = 5  # range: 2 <= x <= n; a sample of the n customers
mode: Literal["a", "b"] = "a"
"""


def test_ranges_are_read_from_comments_and_listed(tmp_path):
    spec = cases.parameters(make_case(tmp_path, RANGED))
    assert spec["n"].range.condition == "x >= 1" and spec["n"].range.reason == ""
    assert spec["size"].range.reason == "a sample of the n customers"
    assert spec["mode"].range is None
    assert spec["share"].describe() == (
        "share (float, default 0.1, 0 < share <= 0.5 and share * n >= 1)"
    )


@pytest.mark.parametrize(
    "values, message",
    [
        # the clause broken is named (the reason explains the last clause), with a value
        # that fits
        ({"n": "0"}, r"^parameter 'n': expected n >= 1, got 0; pass a value that fits, "
         r"e.g. -p n 1$"),
        ({"share": "0.6"}, r"^parameter 'share': expected 0 < share <= 0.5, got 0.6; pass a "
         r"value that fits, e.g. -p share 0.5$"),
        ({"share": "0.05"}, r"^parameter 'share': expected share \* n >= 1 \(n = 10; at least one "
         r"customer in the top\), got 0.05; pass a value that fits, e.g. -p share 0.1$"),
        ({"size": "11"}, r"^parameter 'size': expected 2 <= size <= n "
         r"\(n = 10; a sample of the n customers\), got 11; .* e.g. -p size 10$"),
        # a default that the given values put out of range is named as such, with a value
        # that fits (the bound closest to the default)
        ({"n": "4", "share": "0.5"}, r"^parameter 'size': expected 2 <= size <= n \(n = 4; .*\), got 5 "
         r"\(its default\); pass a value that fits, e.g. -p size 4$"),
    ],
)  # fmt: skip
def test_values_out_of_range_are_refused_in_one_line_before_running(tmp_path, values, message):
    make_case(tmp_path, RANGED)
    with pytest.raises(cases.CaseError, match=message):
        cases.run(tmp_path, "demo", values)
    assert not (tmp_path / "build").exists()
    spec = cases.parameters(cases.case_path(tmp_path, "demo"))
    assert cases.validate(spec, {"n": "20", "size": "20", "share": "0.05"}, "demo")["size"] == 20


def test_a_suggested_value_fits_its_range(tmp_path):
    spec = cases.parameters(make_case(tmp_path, RANGED))
    values = {"n": 4, "share": 0.5, "size": 5, "mode": "a"}
    fit = spec["size"].suggest(values)
    assert fit == 4 and spec["size"].range.holds({**values, "x": fit})
    # share * n >= 1 with n = 1 needs share >= 1, beyond share <= 0.5: no bound fits
    assert spec["share"].suggest({**values, "n": 1}) is None


def test_the_unknown_parameter_message_is_short(tmp_path):
    make_case(tmp_path, RANGED)
    with pytest.raises(cases.CaseError) as err:
        cases.run(tmp_path, "demo", {"sise": "3"})
    assert "Did you mean 'size'?" in str(err.value) and len(str(err.value)) < 200


def test_cli_reports_a_range_error_in_one_line(tmp_path, capsys):
    make_case(tmp_path, RANGED)
    code = cli.main(["--repo", str(tmp_path), "case", "demo", "-p", "size", "1"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "parameter 'size': expected 2 <= size <= n" in err


@pytest.mark.parametrize(
    "line, message",
    [
        ("n: int = 10  # range: x >=\n", "parameter 'n': cannot read the range 'x >='"),
        ("n: int = 10  # range: len(x) > 1\n", r"cannot read the range 'len\(x\) > 1' \(unsupported"),
        ("n: int = 10  # range: x < m\n", "parameter 'n': its range uses m, which is not a parameter"),
        ("n: int = 10  # range: x < 5\n", "the default is out of range: parameter 'n': expected n < 5, got 10"),
    ],
)  # fmt: skip
def test_badly_declared_ranges_are_refused(tmp_path, line, message):
    with pytest.raises(cases.CaseError, match=message):
        cases.parameters(make_case(tmp_path, line))


def test_a_text_parameter_may_be_compared_in_a_range(tmp_path):
    line = 'share: float = 0.5  # range: 0 < x <= 1 and (mode != "b" or x >= 0.2)\n'
    spec = cases.parameters(make_case(tmp_path, PARAMS + line))
    assert cases.validate(spec, {"mode": "a", "share": "0.1"}, "demo")["share"] == 0.1
    with pytest.raises(
        cases.CaseError,
        match=r"expected share >= 0.2 when mode == 'b' \(mode = 'b'\), got 0.1; .* -p share 0.2$",
    ):
        cases.validate(spec, {"mode": "b", "share": "0.1"}, "demo")
    with pytest.raises(cases.CaseError, match="cannot read the range"):
        cases.parameters(make_case(tmp_path, 'n: int = 10  # range: x < "b"\n'))


def test_beer_and_diapers_refuses_a_groceries_support_the_rule_guard_would_refuse(shared_data):
    from crmlib import basket, datasets

    spec = cases.parameters(cases.case_path(REPO, "beer_and_diapers"))
    groceries = datasets.fetch_groceries()
    refused, allowed = 4 / len(groceries), 4.5 / len(groceries)  # the bound in its range
    with pytest.raises(cases.CaseError, match="parameter 'min_support'.*dataset = 'groceries'"):
        cases.validate(spec, {"dataset": "groceries", "min_support": refused}, "beer_and_diapers")
    assert cases.validate(spec, {"min_support": refused}, "beer_and_diapers")  # synthetic: fine
    cases.validate(spec, {"dataset": "groceries", "min_support": allowed}, "beer_and_diapers")
    with pytest.raises(ValueError, match="max_rules="):
        basket.association_rules(basket.frequent_itemsets(groceries, refused))
    assert (
        basket._RuleGuard(basket.frequent_itemsets(groceries, allowed), 1_000_000).check() is None
    )


def test_a_plain_comment_is_not_a_range(tmp_path):
    spec = cases.parameters(make_case(tmp_path, "n: int = 10  # customers in the bank\n"))
    assert spec["n"].range is None


# The real case studies, each with at least two parameter sets (the defaults first).
CASE_RUNS = {
    "bank_of_america_segmentation": [
        {},
        # calls that cost more than they earn: the advice must not roll them out
        {"n_customers": 10000, "seed": 7, "n_segments": 4, "cost_per_contact": 500.0},
        {"n_customers": 400, "pilot_size": 200},  # a tiny pilot: every life event too rare
    ],
    "beer_and_diapers": [
        {},
        {"dataset": "groceries", "min_support": 0.02},
        {"min_support": 0.2},  # no rule passes: the case warns and goes on
        {"dataset": "groceries", "min_lift": 10},  # no pair passes: an illustration only
    ],
}
# text the management summary must hold for a run (keyed by the run's id)
CASE_TEXT = {
    "cost_per_contact-500.0--n_customers-10000--n_segments-4--seed-7": "does not pay",
    "n_customers-400--pilot_size-200": "Too few customers to tell",
    "dataset-groceries--min_lift-10": "illustration only",
}
CASES = sorted(p.stem for p in (REPO / "notebooks" / "cases").glob("*.ipynb"))


def test_every_case_has_two_parameter_sets():
    for name in CASES:
        assert len(CASE_RUNS.get(name, [])) >= 2, f"add parameter sets for {name}"
    for name in CASES:
        spec = cases.parameters(cases.case_path(REPO, name))  # defaults within their ranges
        assert all(p.type for p in spec.values())
        numeric = [p for p in spec.values() if p.type in ("int", "float")]
        assert all(p.range for p in numeric), f"{name}: declare a range for every number"


def case_run_id(x):
    return x if isinstance(x, str) else cases.output_name("", x).strip("-") or "defaults"


def check_case_run(name, values, tmp_path):
    out = cases.run(REPO, name, values, output=tmp_path / f"{name}.ipynb", progress=False)
    nb = notebooks.read(out)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    text = "\n".join(c.source for c in nb.cells)
    assert "Management summary" in text
    start = next(i for i, c in enumerate(nb.cells) if "## Management summary" in c.source)
    summary = "".join(  # the Markdown printed after the heading
        o.get("data", {}).get("text/markdown", "")
        for c in nb.cells[start:]
        for o in c.get("outputs", [])
    )
    expected = CASE_TEXT.get(case_run_id(values))
    assert expected is None or expected in summary, (expected, summary)
    assert os.path.exists(out.with_suffix(".html"))


if CASES:  # defined only once case studies exist, so an empty list is not a skipped test

    @pytest.mark.parametrize(
        "name, values", [(n, v) for n in CASES for v in CASE_RUNS.get(n, [])], ids=case_run_id
    )
    def test_case_runs(name, values, tmp_path):
        check_case_run(name, values, tmp_path)


BOA = "bank_of_america_segmentation"


@pytest.mark.parametrize(
    "values, message",
    [
        ({"pilot_size": "3000"}, r"^parameter 'pilot_size': expected 200 <= pilot_size <= 1500 "
         r"and pilot_size <= n_customers / 2 \(n_customers = 4000; the bank's pilot size\), "
         r"got 3000; pass a value that fits, e.g. -p pilot_size 1500$"),
        ({"pilot_size": "1600"}, r"^parameter 'pilot_size': expected 200 <= pilot_size <= 1500, "
         r"got 1600; pass a value that fits, e.g. -p pilot_size 1500$"),
        ({"n_customers": "400", "pilot_size": "400"}, r"\(n_customers = 400; .*\), got 400; "
         r".* -p pilot_size 200$"),
        ({"n_customers": "401", "pilot_size": "201"}, r"got 201; .* -p pilot_size 200$"),
        # the default 1,500 does not fit a bank of 2,000: named as such, with a value that fits
        ({"n_customers": "2000"}, r"got 1500 \(its default\); pass a value that fits, "
         r"e.g. -p pilot_size 1000$"),
    ],
)  # fmt: skip
def test_boa_refuses_a_pilot_size_larger_than_its_pilot_before_running(tmp_path, values, message):
    with pytest.raises(cases.CaseError, match=message):
        cases.run(REPO, BOA, values, output=tmp_path / "boa.ipynb", progress=False)
    assert not list(tmp_path.iterdir()), "nothing runs, nothing is written"


@pytest.mark.parametrize("n_customers", [400, 401, 2999, 3001])
def test_boa_pilot_size_range_is_what_the_bank_generator_pilots(n_customers):
    from crmlib import datasets

    spec = cases.parameters(cases.case_path(REPO, BOA))
    held = len(datasets.make_bank(n_persons=n_customers, seed=1)["pilot"])
    values = {"n_customers": str(n_customers)}
    assert cases.validate(spec, values | {"pilot_size": str(held)}, BOA)["pilot_size"] == held
    with pytest.raises(cases.CaseError, match="parameter 'pilot_size'"):
        cases.validate(spec, values | {"pilot_size": str(held + 1)}, BOA)


def test_a_cell_over_the_time_limit_is_reported_in_one_line(tmp_path, monkeypatch, capsys):
    make_case(tmp_path)
    nb = notebooks.read(tmp_path / "notebooks" / "cases" / "demo.ipynb")
    nb.cells.insert(2, new_code_cell("import time\ntime.sleep(30)"))
    notebooks.write(nb, tmp_path / "notebooks" / "cases" / "demo.ipynb")
    monkeypatch.setattr(notebooks, "TIMEOUT", 2)
    code = cli.main(["--repo", str(tmp_path), "case", "demo", "-o", str(tmp_path / "o.ipynb")])
    err = capsys.readouterr().err
    assert code == 1
    assert "stopped: a cell ran longer than the 2 s each cell may take" in err
    assert "less extreme value" in err and "Traceback" not in err
    assert (tmp_path / "o.ipynb").exists(), "the partly run notebook the message names"


# Values that passed the check and then stopped the case partway (an instructor's re-runs)


def test_cli_names_a_parameter_given_twice(tmp_path, capsys):
    make_case(tmp_path)
    code = cli.main(["--repo", str(tmp_path), "case", "demo", "-p", "n", "2", "-p", "n", "5"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert err.endswith("parameter 'n' is given twice (2 and 5): give it once")
    assert not (tmp_path / "build").exists()


def test_repo_is_accepted_after_the_command(tmp_path, monkeypatch, capsys):
    make_case(tmp_path)
    monkeypatch.chdir(tmp_path.parent)  # outside the repository
    assert cli.main(["case", "demo", "--list", "--repo", str(tmp_path)]) == 0
    assert "n (int, default 10)" in capsys.readouterr().out
    assert cli.main(["--repo", str(tmp_path), "case", "demo", "--list"]) == 0  # and before
    capsys.readouterr()
    with pytest.raises(SystemExit):
        cli.parse_args(["case", "--help"])
    assert "--repo PATH" in capsys.readouterr().out


@pytest.mark.parametrize(
    "value, shown", [("inf", "inf"), ("-inf", "-inf"), ("Infinity", "inf"), ("nan", "nan"), (float("inf"), "inf")]
)  # fmt: skip
def test_a_float_must_be_finite_whatever_its_range(tmp_path, value, shown):
    spec = cases.parameters(make_case(tmp_path, "rate: float = 0.1  # range: x >= 0\n"))
    with pytest.raises(
        cases.CaseError, match=rf"^parameter 'rate': expected a finite float, got {shown}$"
    ):
        cases.validate(spec, {"rate": value}, "demo")


@pytest.mark.parametrize(
    "case, values, message",
    [
        ("beer_and_diapers", {"min_lift": "inf"}, r"^parameter 'min_lift': expected a finite float, got inf$"),
        ("beer_and_diapers", {"min_support": "nan"}, r"^parameter 'min_support': expected a finite float, got nan$"),
        ("beer_and_diapers", {"seed": "4294967296"}, r"^parameter 'seed': expected 0 <= seed <= 4294967295 "
         r"\(a 32-bit seed.*\), got 4294967296; pass a value that fits, e.g. -p seed 4294967295$"),
        ("beer_and_diapers", {"seed": "-1"}, r"got -1; pass a value that fits, e.g. -p seed 0$"),
        (BOA, {"seed": "4294967296"}, r"^parameter 'seed': expected 0 <= seed <= 4294967295 "
         r"\(k-means takes a 32-bit seed .*\), got 4294967296; .* -p seed 4294967295$"),
        (BOA, {"seed": "-3"}, r"got -3; pass a value that fits, e.g. -p seed 0$"),
        (BOA, {"value_per_response": "inf"}, r"expected a finite float, got inf$"),
        (BOA, {"n_customers": "1000000"}, r"^parameter 'n_customers': expected 400 <= n_customers "
         r"<= 20000 \(.*\), got 1000000; pass a value that fits, e.g. -p n_customers 20000$"),
        # the clause that failed, the floor as a number, a value that runs; a reason that
        # applies only to Groceries is not given for the synthetic store
        ("beer_and_diapers", {"min_support": "0"}, r"^parameter 'min_support': expected 0 < "
         r"min_support <= 1, got 0.0; pass a value that fits, e.g. -p min_support 0.01$"),
        ("beer_and_diapers", {"dataset": "groceries", "min_support": "0.0004"},
         r"^parameter 'min_support': expected min_support >= 0.000407 when dataset == 'groceries' "
         r"\(dataset = 'groceries'; an itemset must be in 5 of its 9,835 baskets .*\(max_rules\)\), "
         r"got 0.0004; pass a value that fits, e.g. -p min_support 0.000407$"),
    ],
)  # fmt: skip
def test_case_values_that_would_stop_the_run_are_refused_before(case, values, message, tmp_path):
    with pytest.raises(cases.CaseError, match=message):
        cases.run(REPO, case, values, output=tmp_path / "out.ipynb", progress=False)
    assert not list(tmp_path.iterdir()), "nothing runs, nothing is written"


def test_a_range_wrapped_by_the_formatter_is_still_read(tmp_path):
    wrapped = "seed: int = (\n    0  # range: 0 <= x <= 4294967295; a 32-bit seed\n)\n"
    spec = cases.parameters(make_case(tmp_path, wrapped))
    assert spec["seed"].range.condition == "0 <= x <= 4294967295"
    with pytest.raises(cases.CaseError, match="parameter 'seed'"):
        cases.validate(spec, {"seed": "4294967296"}, "demo")
