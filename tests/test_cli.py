"""The `crmlib` command: the library's answers from CSV and Parquet files, one-line errors.

Most tests call ``main(argv)`` in-process; one runs the installed entry point through a
subprocess, as an analyst would.
"""

from __future__ import annotations

import re
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from crmlib import basket, btyd, datasets, rfm
from crmlib.cli import main
from crmlib.engines import definitions

RETAIL_ARGS = ["--customer", "customer_id", "--date", "invoice_date", "--invoice", "invoice_no"]


@pytest.fixture(scope="module")
def retail_sample(shared_data):
    tx = datasets.fetch_online_retail(drop_cancellations=False)
    return tx[tx["country"] != "United Kingdom"].reset_index(drop=True)  # ~46k lines


@pytest.fixture(scope="module")
def files(retail_sample, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    retail_sample.to_parquet(folder / "retail.parquet")
    retail_sample.to_csv(folder / "retail.csv", index=False)
    datasets.fetch_cdnow().to_csv(folder / "cdnow.csv", index=False)
    return folder


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", ["retail.csv", "retail.parquet"])
def test_rfm_gives_the_library_answer(files, retail_sample, capsys, name):
    out_file = files / f"rfm-{name}.parquet"
    code, _, err = run(["rfm", files / name, *RETAIL_ARGS, "-o", out_file, "-q"], capsys)
    assert code == 0, err
    assert "warning: " + name + ": " in err and "row(s) with no 'customer_id'" in err
    got = pd.read_parquet(out_file)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = rfm.name_segments(
            rfm.score(
                rfm.summarize(
                    retail_sample,
                    customer="customer_id",
                    date="invoice_date",
                    amount="amount",
                    invoice="invoice_no",
                )
            )
        ).reset_index()
    assert list(got.columns) == list(ref.columns)
    assert list(got.columns[:4]) == ["customer_id", "recency", "frequency", "monetary"]
    assert got["customer_id"].tolist() == ref["customer_id"].tolist()
    for column in ("recency", "frequency", "r_score", "f_score"):
        assert got[column].tolist() == ref[column].tolist(), column
    assert got["segment"].astype(str).tolist() == ref["segment"].astype(str).tolist()
    # Net amounts are float sums: added in another order they differ in the last bits (a
    # refunded purchase nets to 4.5e-13 here, -5.7e-14 there), and so may the m_score of a
    # customer whose net amount another customer has too.
    np.testing.assert_allclose(got["monetary"], ref["monetary"], rtol=1e-12, atol=1e-9)
    values = ref["monetary"].to_numpy()
    for i in np.flatnonzero(got["m_score"].to_numpy() != ref["m_score"].to_numpy()):
        assert (np.abs(values - values[i]) <= 1e-9 * max(abs(values[i]), 1)).sum() >= 2


def test_rfm_to_standard_output_and_a_self_contained_report(files, capsys):
    report = files / "rfm.html"
    code, out, err = run(
        [
            "rfm",
            files / "retail.parquet",
            *RETAIL_ARGS,
            "--as-of",
            "2012-01-01",
            "--report",
            report,
        ],
        capsys,
    )
    assert code == 0, err
    assert out.splitlines()[0].startswith("customer_id,recency,frequency,monetary,r_score")
    page = report.read_text()
    assert page.count("data:image/png;base64,") >= 2
    assert not re.search(r"""(src|href)=["']https?:""", page)  # nothing fetched from elsewhere
    assert "Champions" in page and "<table" in page


def test_clv_predicts_per_customer_as_the_library(files, capsys):
    out_file = files / "clv.csv"
    code, _, err = run(
        ["clv", files / "cdnow.csv", "--amount", "dollar_value", "-o", out_file, "-q",
         "--report", files / "clv.html"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    got = pd.read_csv(out_file).set_index("customer_id")
    summary = btyd.summarize(
        datasets.fetch_cdnow(), customer="customer_id", date="date", amount="dollar_value"
    )
    purchases, spend = definitions.fit_btyd(summary)
    expected = definitions.predict_btyd(purchases, spend, summary, 52)
    assert len(got) == len(summary) == 23570
    for column in [*summary.columns, *expected.columns]:
        ref = (summary if column in summary.columns else expected)[column]
        np.testing.assert_allclose(got[column], ref, rtol=1e-6, err_msg=column)
    assert 0 < got["p_alive"].min() and got["p_alive"].max() <= 1


def test_basket_gives_the_library_rules(files, retail_sample, capsys):
    out_file = files / "rules.csv"
    code, _, err = run(
        ["basket", files / "retail.parquet", "--invoice", "invoice_no", "--item", "stock_code",
         "--min-support", "0.02", "-o", out_file, "--itemsets", files / "sets.parquet", "-q"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    got = pd.read_csv(out_file)
    baskets = basket.baskets_from_lines(retail_sample, invoice="invoice_no", item="stock_code")
    itemsets = basket.frequent_itemsets(baskets.tolist(), 0.02)
    rules = basket.association_rules(itemsets, metric="confidence", min_threshold=0.0)
    rules = rules[rules["lift"] >= 1.0]
    assert got["rule"].tolist() == rules["rule"].tolist()
    np.testing.assert_allclose(got["lift"], rules["lift"], rtol=1e-12)
    assert len(pd.read_parquet(files / "sets.parquet")) == len(itemsets)


def test_basket_passes_max_rules_to_the_library_and_says_which_option(files, capsys):
    argv = ["basket", files / "retail.parquet", "--invoice", "invoice_no", "--item",
            "stock_code", "--min-support", "0.02", "-q"]  # fmt: skip
    code, _, err = run([*argv, "--max-rules", "1"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("crmlib basket: error: --max-rules 1: these ")
    assert "candidate rules" in err and "raise --max-rules" in err
    assert re.search(r"; --min-support [0-9.e-]+ keeps \d+ of them", err), err
    code, out, err = run([*argv, "--max-rules", "1000000"], capsys)
    assert code == 0, err
    code, _, err = run([*argv, "--max-rules", "0"], capsys)
    assert code == 2 and "max_rules: expected a whole number >= 1" in err


def test_a_missing_column_says_did_you_mean(files, capsys):
    code, out, err = run(["rfm", files / "retail.csv", "--customer", "CustomerID"], capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    # --date and --invoice were not given: the message names the options with their defaults
    assert (
        "missing column(s) --date (default date), 'CustomerID', --invoice (default invoice_id); "
        "the columns present are 'invoice_no', "
    ) in lines[0]
    assert (
        "did you mean 'invoice_date' for --date (default date), 'customer_id' for 'CustomerID'"
    ) in lines[0]


def test_an_unparsable_date_names_its_row_and_value(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "customer_id,invoice_id,date,amount\n"
        "1,A1,2024-01-02,10\n2,A2,2024-01-03,12\n3,A3,yesterday,8\n"
    )
    code, _, err = run(["rfm", bad, "--date", "date"], capsys)
    assert code == 2
    assert err.strip() == (
        "crmlib rfm: error: column 'date': 1 value(s) are not dates, e.g. 'yesterday'; "
        "the first is in row 3 (line 4 of bad.csv): 'yesterday'"
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["rfm", "nowhere.csv"], "nowhere.csv: no such file or folder"),
        (["rfm", "{csv}", "-o", "out.xlsx"], "-o out.xlsx: expected a .csv or .parquet file name"),
        (
            ["rfm", "{csv}", "--as-of", "2023-01-01"],
            "--as-of: every line in column --date (default date) is dated after 2023-01-01 "
            "(the first is on 2024-01-02), so none is left",
        ),
        (
            ["clv", "{csv}", "--as-of", "2023-01-01"],
            "--as-of: every line in column --date (default date) is dated after 2023-01-01",
        ),
        (
            ["basket", "{csv}", "--item", "date", "--min-support", "7"],
            "--min-support: expected a fraction",
        ),
        (
            ["basket", "{csv}", "--item", "date", "--min-support", "0.5", "--max-len", "0"],
            "--max-len: expected a whole number >= 1, got 0",
        ),
        (["clv", "{csv}", "--horizon", "0"], "--horizon: expected a number > 0, got 0"),
        (["clv", "{csv}"], "BetaGeo needs customers who bought again"),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(tmp_path, capsys, argv, expected):
    good = tmp_path / "good.csv"
    good.write_text("customer_id,invoice_id,date,amount\n1,A1,2024-01-02,10\n2,A2,2024-01-03,12\n")
    argv = [str(good) if a == "{csv}" else a for a in argv]
    code, _, err = run(argv, capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and expected in err, err


def test_the_installed_command_runs_in_a_subprocess(files, tmp_path):
    out_file = tmp_path / "out.csv"
    done = subprocess.run(
        [sys.executable, "-m", "crmlib.cli", "rfm", str(files / "retail.parquet"), *RETAIL_ARGS,
         "-o", str(out_file)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert pd.read_csv(out_file)["rfm_score"].between(3, 15).all()
    missing = subprocess.run(
        [sys.executable, "-m", "crmlib.cli", "clv", str(files / "retail.parquet")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert missing.returncode == 2
    assert missing.stderr.startswith("crmlib clv: error: retail.parquet: missing column(s)")
