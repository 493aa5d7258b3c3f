"""The `crmlib` command: the library's answers from CSV and Parquet files, one-line errors.

Most tests call ``main(argv)`` in-process; one runs the installed entry point through a
subprocess, as an analyst would.
"""

from __future__ import annotations

import io
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
    # self-explanatory: the as-of day, units, what was left out, readable headers, counts
    assert "as of 2012-01-02 (data up to 2012-01-01)" in page and "recency (days)" in page
    assert "How to read this" in page and "median recency (days)" in page
    assert "share_of_customers" not in page and "share of customers" in page
    left_out = page.split("Left out and warnings")[1]
    assert "row(s) with no &#x27;customer_id&#x27; are left out" in left_out
    n = len(pd.read_csv(io.StringIO(out)))
    assert f"<td>{n:,}</td>" in page and f"{n:,}.00" not in page


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
            "stock_code", "--min-support", "0.02", "--quantity", "quantity", "-q"]  # fmt: skip
    code, _, err = run([*argv, "--max-rules", "1"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("crmlib basket: error: --max-rules 1: these ")
    assert "candidate rules" in err and "raise --max-rules" in err
    assert re.search(r"; --min-support [0-9.e-]+ keeps \d+ of them", err), err
    code, out, err = run([*argv, "--max-rules", "1000000"], capsys)
    assert code == 0, err
    code, _, err = run([*argv, "--max-rules", "0"], capsys)
    assert code == 2 and "--max-rules: expected a whole number >= 1" in err


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


# --------------------------------------------------------------------------------------------
# Outputs: checked before anything is read; the input and existing files are never lost
# --------------------------------------------------------------------------------------------

GOOD = "customer_id,invoice_id,date,amount,item\n1,A1,2024-01-02,10,x\n2,A2,2024-01-03,12,y\n"


@pytest.fixture
def good(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # paths as an analyst types them, relative
    (tmp_path / "good.csv").write_text(GOOD)
    return tmp_path / "good.csv"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["rfm", "good.csv", "-o", "good.csv"], "-o good.csv: this is the input file"),
        (["rfm", "good.csv", "-o", "./sub/../good.csv"], "this is the input file"),
        (["rfm", "good.csv", "--report", "good.csv"], "--report good.csv: expected an .html"),
        (
            ["basket", "good.csv", "--item", "item", "--min-support", "0.5", "--itemsets",
             "good.csv"],
            "--itemsets good.csv: this is the input file",
        ),
        (
            ["basket", "good.csv", "--item", "item", "--min-support", "0.5", "-o", "same.csv",
             "--itemsets", "same.csv"],
            "--itemsets same.csv: -o same.csv writes to the same file",
        ),
        (["rfm", "good.csv", "--report", "page.txt"], "--report page.txt: expected an .html"),
        (["rfm", "good.csv", "-o", "/dev/null"], "-o /dev/null: expected a .csv or .parquet"),
        (["rfm", "good.csv", "-o", "nodir/out.csv"], "-o nodir/out.csv: the folder nodir does"),
        (["rfm", "good.csv", "-o", "mine.csv"], "-o: mine.csv exists; give --force to replace it"),
        (["rfm", "folder", "-o", "folder/out.csv"], "is inside the input folder folder"),
    ],
)  # fmt: skip
def test_an_output_that_would_destroy_a_file_is_refused(good, capsys, argv, expected):
    (good.parent / "sub").mkdir()
    (good.parent / "mine.csv").write_text("my precious notes\n")
    (good.parent / "folder").mkdir()
    pd.read_csv(good).to_parquet(good.parent / "folder" / "part.parquet")
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and expected in err, err
    assert good.read_text() == GOOD
    assert (good.parent / "mine.csv").read_text() == "my precious notes\n"
    assert sorted(p.name for p in good.parent.iterdir()) == [
        "folder", "good.csv", "mine.csv", "sub"
    ]  # fmt: skip


def test_outputs_are_checked_before_the_file_is_read(good, capsys):
    (good.parent / "bad.csv").write_text("a,b\n1,2\n")  # no column the command needs
    code, _, err = run(["rfm", "bad.csv", "-o", "out.xlsx"], capsys)
    assert code == 2 and "-o out.xlsx: expected a .csv or .parquet file name" in err
    assert "warning" not in err


def test_force_replaces_an_existing_output(good, capsys):
    (good.parent / "mine.csv").write_text("old\n")
    code, _, err = run(["rfm", "good.csv", "-o", "mine.csv", "--force", "-q"], capsys)
    assert code == 0, err
    assert pd.read_csv(good.parent / "mine.csv")["customer_id"].tolist() == [1, 2]
    assert [p.name for p in good.parent.iterdir() if p.name.startswith(".")] == []


# --------------------------------------------------------------------------------------------
# Arguments checked, with the option's name
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--min-confidence", "80"], "--min-confidence: expected a fraction in [0, 1], got 80; "
         "a percentage? write 0.8 for 80%"),
        (["--min-confidence", "-0.1"], "--min-confidence: expected a fraction in [0, 1], got -0.1"),
        (["--min-lift", "-1"], "--min-lift: expected a number >= 0, got -1"),
        (["--min-support", "0.0"], "--min-support: expected a fraction in (0, 1], got 0.0"),
    ],
)  # fmt: skip
def test_basket_thresholds_are_refused_naming_the_option(good, capsys, argv, expected):
    base = ["basket", "good.csv", "--item", "item", "--min-support", "0.5"]
    code, out, err = run(base + argv, capsys)
    assert code == 2 and out == "" and expected in err, err


def test_advice_names_options_the_command_has(files, capsys):
    code, _, err = run(
        ["basket", files / "retail.parquet", "--invoice", "invoice_no", "--item", "stock_code",
         "--min-support", "0.0005", "--quantity", "quantity", "-q"],
        capsys,
    )  # fmt: skip
    assert code == 2
    assert re.search(r"error: --min-support 0.0005 would give about [\d,]+ frequent", err), err
    assert "try --min-support 0." in err and "set --max-len" in err
    assert "max_itemsets" not in err and "max_len" not in err and "min_support" not in err


def test_ids_written_two_ways_get_advice_for_the_file(good, capsys):
    (good.parent / "ids.csv").write_text(
        "customer_id,invoice_id,date,amount\n' C1',A1,2024-01-02,10\n'C1',A2,2024-01-03,12\n".replace(
            "'", ""
        )
    )
    code, _, err = run(["rfm", "ids.csv"], capsys)
    assert code == 2 and "written in two ways" in err and ".astype" not in err, err


# --------------------------------------------------------------------------------------------
# Files with no data
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["rfm", "clv", "basket"])
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("empty.csv", "empty.csv: the file is empty"),
        ("header.csv", "header.csv: no data rows, only a header"),
        ("header.parquet", "header.parquet: no data rows, only the column names"),
    ],
)
def test_a_file_with_no_data_gets_one_clear_message(good, capsys, command, name, expected):
    (good.parent / "empty.csv").write_text("")
    (good.parent / "header.csv").write_text(GOOD.splitlines()[0] + "\n")
    pd.read_csv(good).head(0).to_parquet(good.parent / "header.parquet")
    extra = ["--item", "item", "--min-support", "0.5"] if command == "basket" else []
    code, _, err = run([command, name, *extra], capsys)
    assert code == 2
    assert err.strip() == f"crmlib {command}: error: {expected}"


# --------------------------------------------------------------------------------------------
# --as-of: the data as they stood at the end of that day, in rfm and clv alike
# --------------------------------------------------------------------------------------------


def test_rfm_as_of_cuts_the_lines_as_the_library_would(files, retail_sample, capsys):
    out_file = files / "rfm-june.csv"
    code, _, err = run(
        ["rfm", files / "retail.parquet", *RETAIL_ARGS, "--as-of", "2011-06-30", "-o", out_file,
         "--force"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    end = pd.Timestamp("2011-07-01")
    later = int((retail_sample["invoice_date"] >= end).sum())
    assert f"warning: retail.parquet: {later:,} line(s) dated after 2011-06-30 are left out" in err
    kept = retail_sample[retail_sample["invoice_date"] < end]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = rfm.score(
            rfm.summarize(kept, customer="customer_id", date="invoice_date", amount="amount",
                          invoice="invoice_no", as_of=end)
        )  # fmt: skip
    got = pd.read_csv(out_file).set_index("customer_id")
    assert got.index.tolist() == ref.index.tolist()
    for column in ("recency", "frequency", "monetary", "rfm_cell"):
        assert got[column].astype(str).tolist() == ref[column].astype(str).tolist(), column
    assert got["recency"].min() >= 1


def test_clv_as_of_is_the_last_day_of_data(files, capsys):
    out_file = files / "clv-june.csv"
    code, _, err = run(
        ["clv", files / "cdnow.csv", "--amount", "dollar_value", "--as-of", "1997-06-30",
         "-o", out_file, "--force", "-q"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    tx = datasets.fetch_cdnow()
    later = int((tx["date"] >= pd.Timestamp("1997-07-01")).sum())
    assert f"{later:,} line(s) dated after 1997-06-30 are left out" in err
    kept = tx[tx["date"] < pd.Timestamp("1997-07-01")]
    ref = btyd.summarize(kept, customer="customer_id", date="date", amount="dollar_value")
    got = pd.read_csv(out_file).set_index("customer_id")
    np.testing.assert_allclose(got["age"], ref["age"])  # ages counted to 1997-06-30
    assert got["age"].max() == (pd.Timestamp("1997-06-30") - kept["date"].min()).days / 7


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("10/12/2011", "--as-of: '10/12/2011' could be day-first or month-first; write the day "
         "as YYYY-MM-DD: 2011-12-10 for 10 December 2011, 2011-10-12 for 12 October 2011"),
        ("25/12/2011", "--as-of: expected a day as YYYY-MM-DD, got '25/12/2011'; write 2011-12-25"),
        ("2011-02-30", "--as-of: '2011-02-30' is not a day of the calendar"),
        ("June", "--as-of: expected a day as YYYY-MM-DD (e.g. 2011-12-09), got 'June'"),
    ],
)  # fmt: skip
def test_an_as_of_that_is_not_a_clear_day_is_refused(good, capsys, as_of, expected):
    for command in ("rfm", "clv"):
        code, _, err = run([command, "good.csv", "--as-of", as_of], capsys)
        assert code == 2 and err.strip() == f"crmlib {command}: error: {expected}"


def test_an_iso_datetime_as_of_means_its_day(good, capsys):
    _, by_day, _ = run(["rfm", "good.csv", "--as-of", "2024-01-02", "-q"], capsys)
    code, by_time, err = run(["rfm", "good.csv", "--as-of", "2024-01-02T13:45:00", "-q"], capsys)
    assert code == 0 and by_time == by_day
    assert "1 line(s) dated after 2024-01-02 are left out" in err
    assert pd.read_csv(io.StringIO(by_day))["recency"].tolist() == [1]


# --------------------------------------------------------------------------------------------
# rfm --bins, monetary as written; basket on invoice lines
# --------------------------------------------------------------------------------------------


def test_bins_other_than_five_say_the_segment_is_left_out(good, capsys):
    code, out, err = run(["rfm", "good.csv", "--bins", "2", "-q"], capsys)
    assert code == 0
    assert "segment" not in out.splitlines()[0]
    assert "warning: --bins 2: the segment names" in err and "segment column" in err


def test_monetary_is_written_as_the_net_amount(good, capsys):
    (good.parent / "money.csv").write_text(
        "customer_id,invoice_id,date,amount\n"
        "1,A1,2024-01-02,100.1\n1,A2,2024-01-03,149.0\n"  # 249.10000000000002 as a float sum
        "2,A3,2024-01-02,0.1\n2,A3,2024-01-02,0.2\n2,C4,2024-01-03,-0.3\n"  # a full refund
    )
    code, out, err = run(["rfm", "money.csv", "-q"], capsys)
    assert code == 0, err
    assert out.splitlines()[1].split(",")[:4] == ["1", "1", "2", "249.1"]
    assert out.splitlines()[2].split(",")[:4] == ["2", "2", "1", "0.0"]


def test_basket_quantity_leaves_out_what_is_not_a_purchase(files, retail_sample, capsys):
    argv = ["basket", files / "retail.parquet", "--invoice", "invoice_no", "--item",
            "stock_code", "--min-support", "0.02"]  # fmt: skip
    code, plain, err = run(argv, capsys)
    assert code == 0
    invoices = retail_sample["invoice_no"].astype(str)
    n = invoices[invoices.str.startswith("C")].nunique()
    assert (
        f"{n:,} of the {invoices.nunique():,} baskets have an invoice id starting with 'C'" in err
    )
    assert "give --quantity or --amount (its column)" in err
    for option in ("--quantity", "--amount"):
        column = option.lstrip("-")
        code, out, err = run([*argv, option, column, "-q"], capsys)
        assert code == 0 and "warning" not in err, err
        bought = retail_sample[retail_sample[column] > 0]
        baskets = basket.baskets_from_lines(bought, invoice="invoice_no", item="stock_code")
        itemsets = basket.frequent_itemsets(baskets.tolist(), 0.02)
        rules = basket.association_rules(itemsets, metric="confidence", min_threshold=0.0)
        rules = rules[rules["lift"] >= 1.0]
        assert pd.read_csv(io.StringIO(out))["rule"].tolist() == rules["rule"].tolist()
    with pytest.raises(SystemExit, match="2"):  # one or the other (argparse)
        run([*argv, "--quantity", "quantity", "--amount", "amount"], capsys)


def test_clv_on_lines_with_returns_predicts_every_customer(files, retail_sample, capsys):
    """Online Retail has customers whose repeat purchases net to less than 0 (returns):
    outside Gamma-Gamma's domain, they get the population's mean spend, with a warning."""
    out_file = files / "clv-retail.csv"
    named = files / "named.parquet"
    retail_sample.dropna(subset=["customer_id"]).to_parquet(named)
    code, _, err = run(["clv", named, *RETAIL_ARGS[:4], "-o", out_file, "--force", "-q"], capsys)
    assert code == 0, err
    got = pd.read_csv(out_file)
    outside = (got["repeat_purchases"] > 0) & (got["mean_repeat_spend"] < 0)
    assert outside.any()
    assert f"{int(outside.sum()):,} customer(s) whose repeat purchases net to less than 0" in err
    one_time = got.loc[got["repeat_purchases"] == 0, "expected_spend"]
    assert np.allclose(got.loc[outside, "expected_spend"], one_time.iloc[0])


def test_a_slow_step_says_so_on_a_terminal(monkeypatch, capsys):
    import time

    from crmlib import cli

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    steps = cli._Steps("basket", quiet=False, after=0.05)
    with steps.step("fast"):
        pass
    with steps.step("frequent itemsets"):
        time.sleep(0.3)
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "crmlib basket: frequent itemsets ..."
    assert re.fullmatch(r"crmlib basket: frequent itemsets done \(0\.\d s\)", err[1])
    assert len(err) == 2
    quiet = cli._Steps("basket", quiet=True, after=0.0)
    with quiet.step("anything"):
        time.sleep(0.05)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("rfm", "column 'day': expected no missing values, found 1; the first is in row 2 "
         "(line 3 of miss.csv)"),
        ("clv", "column --customer (default customer_id): expected no missing values, found 1; "
         "the first is in row 3 (line 4 of miss.csv)"),
    ],
)  # fmt: skip
def test_a_missing_value_names_its_line(good, capsys, command, expected):
    (good.parent / "miss.csv").write_text(
        "customer_id,invoice_id,day,amount\n1,A1,2024-01-02,10\n2,A2,,12\n,A3,2024-01-03,5\n"
    )
    code, _, err = run([command, "miss.csv", "--date", "day"], capsys)
    assert code == 2 and err.strip() == f"crmlib {command}: error: {expected}"


@pytest.mark.parametrize(
    ("amounts", "suffix", "expected"),
    [
        (['"15,30"', '"20,34"'], "csv", "(line 2 of amounts.csv): '15,30'; decimal commas? "
         "write them with a point (15,30 as 15.30)"),
        (["£15.3", "£20.34"], "csv", "a currency sign? leave it out (£15.3 as 15.3)"),
        (['"1,234.50"', '"2,000"'], "csv", "thousands separators? leave them out (1,234.50 as "
         "1234.50)"),
        (['"15,30"', '"20,34"'], "parquet", "found text such as '15,30', '20,34'; the first is in"
         " row 1 of amounts.parquet: '15,30'; decimal commas?"),
    ],
)  # fmt: skip
def test_text_amounts_get_the_likely_fix(good, capsys, amounts, suffix, expected):
    text = "customer_id,invoice_id,date,amount\n" + "".join(
        f"{i},A{i},2024-01-0{i},{a}\n" for i, a in enumerate(amounts, start=1)
    )
    (good.parent / "amounts.csv").write_text(text)
    if suffix == "parquet":
        pd.read_csv(good.parent / "amounts.csv", dtype=str).to_parquet(
            good.parent / "amounts.parquet"
        )
    code, _, err = run(["rfm", f"amounts.{suffix}"], capsys)
    assert code == 2 and expected in err, err
    assert "object values" not in err and "line 2 of amounts.parquet" not in err


def test_a_folder_is_read_as_its_parquet_files(good, capsys):
    (good.parent / "csvdir").mkdir()
    for name in ("a.csv", "b.csv"):
        (good.parent / "csvdir" / name).write_text(GOOD)
    code, _, err = run(["rfm", "csvdir"], capsys)
    assert code == 2 and err.strip() == (
        "crmlib rfm: error: csvdir: a folder must hold .parquet files; found 2 .csv file(s) "
        "(give one file, or convert them to Parquet)"
    )
    (good.parent / "mixed").mkdir()
    (good.parent / "mixed" / "x.csv").write_text(GOOD)
    (good.parent / "mixed" / "_SUCCESS").write_text("")
    pd.read_csv(good).to_parquet(good.parent / "mixed" / "part-0.parquet")
    code, out, err = run(["rfm", "mixed", "-q"], capsys)
    assert code == 0 and len(pd.read_csv(io.StringIO(out))) == 2
    assert err.strip() == (
        "crmlib rfm: warning: mixed: only its 1 .parquet file(s) are read; 1 .csv file(s) "
        "skipped (x.csv)"
    )


def test_rule_columns_are_spelt_one_way_and_a_horizon_is_a_number(good, capsys):
    code, out, _ = run(["basket", "good.csv", "--item", "item", "--min-support", "0.5"], capsys)
    assert code == 0
    header = out.splitlines()[0].split(",")
    assert "antecedent_support" in header and not any(" " in c for c in header)
    with pytest.raises(SystemExit, match="2"):
        run(["clv", "good.csv", "--horizon", "1y"], capsys)
    assert "--horizon: expected a number of time units (--unit, weeks by default)" in (
        capsys.readouterr().err
    )


def test_a_far_as_of_warns_with_the_day_typed(good, capsys):
    code, _, err = run(["rfm", "good.csv", "--as-of", "2030-01-01", "-q"], capsys)
    assert code == 0
    assert "warning: --as-of 2030-01-01: the next day, 2030-01-02, lies 2,191 days after" in err
    code, _, err = run(["rfm", "good.csv", "--bins", "1"], capsys)
    assert code == 2 and err == "crmlib rfm: error: --bins: expected a whole number >= 2, got 1\n"
