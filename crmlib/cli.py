"""The analysts' command: RFM, customer value and baskets from a CSV or Parquet file.

::

    crmlib rfm sales.parquet -o rfm.csv --report rfm.html
    crmlib clv sales.csv --customer CustomerID --date InvoiceDate --amount Amount -o clv.parquet
    crmlib basket lines.csv --invoice InvoiceNo --item StockCode --min-support 0.01 -o rules.csv

Files are read by DuckDB (any size: it streams what does not fit in memory) or, with
``--engine spark``, by Spark (``SPARK_REMOTE`` or ``--master`` names a cluster). The answers
are those of the library's pandas functions. Without ``-o`` the table is written to standard
output as CSV. Bad input gets one line that says what is wrong and a non-zero exit code:
2 for a problem with the data or the arguments, 1 for anything else.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import sys
import warnings
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

__all__ = ["main"]

PROG = "crmlib"


class CommandError(Exception):
    """A problem the user can fix, reported as one line."""


# --------------------------------------------------------------------------------------------
# Helpers: engines, progress, files, report
# --------------------------------------------------------------------------------------------


def _engine(args: argparse.Namespace):
    """The engine module, set up from the arguments."""
    if args.engine == "duckdb":
        from crmlib.engines import duckdb as engine

        if args.memory_limit or args.temp_dir:
            args.con = engine.connect(memory_limit=args.memory_limit, temp_directory=args.temp_dir)
        else:
            args.con = None
        return engine
    try:
        from crmlib.engines import spark as engine
    except ImportError as err:
        raise CommandError(
            f"--engine spark needs PySpark ({err}); install it with pip install 'crmlib[spark]'"
        ) from None
    args.con = engine.session(master=args.master)
    return engine


class _Steps:
    """A progress bar over the named steps of a command (shown on a terminal only)."""

    def __init__(self, names: Sequence[str], quiet: bool) -> None:
        from tqdm.auto import tqdm

        self.bar = tqdm(
            total=len(names),
            file=sys.stderr,
            disable=True if quiet else None,
            bar_format="{desc:<32} {bar} {n_fmt}/{total_fmt} [{elapsed}]",
            leave=False,
        )

    @contextmanager
    def step(self, name: str):
        self.bar.set_description(name)
        yield
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _write(frame: pd.DataFrame, path: str | None) -> None:
    """CSV or Parquet by the file's suffix; CSV on standard output without a path."""
    if path is None:
        frame.to_csv(sys.stdout, index=False)
        return
    target = Path(path)
    if not target.parent.is_dir():
        raise CommandError(
            f"-o {path}: the folder {target.parent.name or target.parent} does not exist"
        )
    suffix = target.name.lower()
    if suffix.endswith(".csv"):
        frame.to_csv(target, index=False)
    elif suffix.endswith((".parquet", ".pq")):
        frame.to_parquet(target, index=False)
    else:
        raise CommandError(f"-o {target.name}: expected a .csv or .parquet file name")


def _figure_html(draw: Callable) -> str:
    """A figure drawn by ``draw(ax)`` as an inline PNG (the page needs no other file)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    try:
        draw(ax)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110)
    finally:
        plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}">'


def _table_html(frame: pd.DataFrame, floats: str = "{:,.2f}") -> str:
    return frame.to_html(border=0, classes="t", float_format=floats.format, na_rep="")


_STYLE = """
body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.8em}
table.t{border-collapse:collapse;font-size:.9em}
table.t th,table.t td{padding:.25em .7em;border-bottom:1px solid #ddd;text-align:right}
table.t th:first-child,table.t td:first-child{text-align:left}
p.meta{color:#666;font-size:.9em}img{max-width:100%}
"""


def _report(path: str, title: str, meta: str, sections: list[tuple[str, str]]) -> None:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1><p class='meta'>{html.escape(meta)}</p>",
    ]
    for heading, body in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>{body}")
    parts.append("</body></html>")
    Path(path).write_text("\n".join(parts), encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------


def _rfm(args: argparse.Namespace) -> int:
    from crmlib import rfm

    steps = _Steps(["read and summarise", "segments", "write"], args.quiet)
    engine = _engine(args)
    with steps.step("read, summarise, score"):
        scored = engine.rfm(
            args.file,
            customer=args.customer,
            date=args.date,
            amount=args.amount,
            invoice=args.invoice,
            as_of=args.as_of,
            bins=args.bins,
            ties=args.ties,
            con=args.con,
        )
    with steps.step("segments"):
        if args.bins == 5:
            scored = rfm.name_segments(scored)
            summary = rfm.segment_summary(scored)
        else:
            summary = None
    with steps.step("write"):
        _write(scored.reset_index(), args.output)
        if args.report:
            _rfm_report(args, scored, summary)
    steps.close()
    return 0


def _rfm_report(args, scored: pd.DataFrame, summary: pd.DataFrame | None) -> None:
    from crmlib.plots import percent_axis

    sections = []
    if summary is not None:
        top = summary.index[0]
        share = summary["share_of_revenue"].iloc[0]

        def revenue(ax):
            shares = summary["share_of_revenue"].iloc[::-1]
            ax.barh(shares.index.astype(str), shares.to_numpy())
            ax.set_xlabel("share of net revenue")
            percent_axis(ax, "x")
            ax.set_title(f"{top} bring {share:.0%} of revenue")

        sections.append(("Segments", _table_html(summary)))
        sections.append(("Revenue by segment", _figure_html(revenue)))
    cells = scored.groupby(["r_score", "f_score"]).size().unstack(fill_value=0)

    def grid(ax):
        image = ax.imshow(cells.to_numpy()[::-1], cmap="Blues", aspect="auto")
        ax.set_xticks(range(cells.shape[1]), cells.columns)
        ax.set_yticks(range(cells.shape[0]), cells.index[::-1])
        ax.set_xlabel("frequency score (F)")
        ax.set_ylabel("recency score (R)")
        best = cells.stack().idxmax()
        ax.set_title(f"Most customers sit in R{best[0]} F{best[1]}")
        ax.figure.colorbar(image, ax=ax, label="customers")

    sections.append(("Customers by R and F score", _figure_html(grid)))
    measures = scored[["recency", "frequency", "monetary"]].describe().T
    sections.append(("Recency, frequency, monetary", _table_html(measures)))
    meta = f"{len(scored):,} customers from {Path(args.file).name}; engine {args.engine}"
    _report(args.report, "RFM analysis", meta, sections)


def _clv(args: argparse.Namespace) -> int:
    from crmlib.engines import definitions

    steps = _Steps(["summarise", "fit", "predict", "write"], args.quiet)
    engine = _engine(args)
    with steps.step("read and summarise"):
        summary = engine.btyd_summary(
            args.file,
            customer=args.customer,
            date=args.date,
            amount=args.amount,
            unit=args.unit,
            observation_end=args.as_of,
            con=args.con,
        )
    with steps.step("fit BG/NBD + Gamma-Gamma"):
        purchases, spend = definitions.fit_btyd(summary)
    with steps.step("predict per customer"):
        predictions = engine.predict_btyd(purchases, spend, summary, args.horizon, con=args.con)
    with steps.step("write"):
        out = summary.join(predictions)
        _write(out.reset_index(), args.output)
        if args.report:
            _clv_report(args, out, purchases, spend)
    steps.close()
    return 0


def _clv_report(args, out: pd.DataFrame, purchases, spend) -> None:
    params = pd.concat(
        [purchases.params_.rename("BG/NBD")]
        + ([spend.params_.rename("Gamma-Gamma")] if spend is not None else [])
    ).to_frame("value")
    sections = [("Fitted parameters", _table_html(params, "{:.4g}"))]
    alive = out["p_alive"]

    def p_alive(ax):
        ax.hist(alive, bins=20, range=(0, 1))
        ax.set_xlabel("probability still active")
        ax.set_ylabel("customers")
        ax.set_title(f"{(alive < 0.5).mean():.0%} of customers are more likely gone than active")

    sections.append(("Who is still a customer", _figure_html(p_alive)))
    if "expected_value" in out.columns:
        ranked = out.sort_values("expected_value", ascending=False, kind="stable")
        top = ranked["expected_value"].head(max(1, len(out) // 10)).sum()
        share = top / ranked["expected_value"].sum()

        def value(ax):
            cumulative = ranked["expected_value"].cumsum() / ranked["expected_value"].sum()
            ax.plot((pd.RangeIndex(len(ranked)) + 1) / len(ranked), cumulative.to_numpy())
            ax.set_xlabel("share of customers, highest expected value first")
            ax.set_ylabel("share of expected value")
            ax.set_title(f"The top 10% of customers hold {share:.0%} of expected value")

        sections.append(("Where the value is", _figure_html(value)))
        sections.append(("Top customers", _table_html(ranked.head(20))))
    meta = (
        f"{len(out):,} customers from {Path(args.file).name}; horizon {args.horizon:g} "
        f"{args.unit}; engine {args.engine}"
    )
    _report(args.report, "Customer value (BG/NBD + Gamma-Gamma)", meta, sections)


def _basket(args: argparse.Namespace) -> int:
    from crmlib import basket

    steps = _Steps(["read", "itemsets", "rules", "write"], args.quiet)
    engine = _engine(args)
    with steps.step("frequent itemsets"):
        itemsets = engine.frequent_itemsets(
            args.file,
            invoice=args.invoice,
            item=args.item,
            min_support=args.min_support,
            max_len=args.max_len,
            con=args.con,
        )
    with steps.step("rules"):
        try:
            rules = basket.association_rules(
                itemsets,
                metric="confidence",
                min_threshold=args.min_confidence,
                max_rules=args.max_rules,
            )
        except ValueError as err:
            if not str(err).startswith("max_rules="):
                raise
            raise CommandError(  # the library's message, in the command's option names
                str(err)
                .replace("max_rules=", "--max-rules ")
                .replace("raise max_rules", "raise --max-rules")
                .replace("than max_rules", "than --max-rules")
                .replace("min_support=", "--min-support ")
            ) from None
        rules = rules[rules["lift"] >= args.min_lift]
    with steps.step("write"):
        table = rules.drop(columns=["antecedents", "consequents"])
        _write(table, args.output)
        if args.itemsets:
            _write(itemsets.drop(columns=["itemsets"]), args.itemsets)
        if args.report:
            _basket_report(args, itemsets, table)
    steps.close()
    return 0


def _basket_report(args, itemsets: pd.DataFrame, rules: pd.DataFrame) -> None:
    sections = []
    by_length = itemsets.groupby("length").size().rename("itemsets").to_frame()
    sections.append(("Frequent itemsets by length", _table_html(by_length)))
    if len(rules):
        top = rules.sort_values(["lift", "support"], ascending=False, kind="stable").head(15)

        def lift(ax):
            ax.barh(top["rule"].iloc[::-1], top["lift"].iloc[::-1])
            ax.set_xlabel("lift (1 = no association)")
            ax.set_title(
                f"The strongest rule is {top['lift'].iloc[0]:.1f}x more likely than chance"
            )

        sections.append(("Strongest rules", _figure_html(lift)))
        columns = ["rule", "support", "confidence", "lift"]
        sections.append(("Rules", _table_html(top[columns].set_index("rule"), "{:.3f}")))
    meta = (
        f"{len(itemsets):,} itemsets and {len(rules):,} rules at min support "
        f"{args.min_support:g} from {Path(args.file).name}; engine {args.engine}"
    )
    _report(args.report, "Basket analysis", meta, sections)


# --------------------------------------------------------------------------------------------
# Arguments and errors
# --------------------------------------------------------------------------------------------


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="CRM analytics on a CSV or Parquet file of transaction lines."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "file", metavar="FILE", help="a .csv or .parquet file (or a folder of .parquet files)"
        )
        p.add_argument(
            "-o",
            "--output",
            metavar="OUT",
            help=".csv or .parquet (default: CSV to standard output)",
        )
        p.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        p.add_argument(
            "--report", metavar="HTML", help="also write an HTML page of tables and figures"
        )
        p.add_argument("--master", help="Spark master URL (else SPARK_REMOTE, else local)")
        p.add_argument(
            "--memory-limit", help="DuckDB memory limit, e.g. 4GB (beyond it DuckDB spills)"
        )
        p.add_argument("--temp-dir", help="where DuckDB spills data that do not fit in memory")
        p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
        p.add_argument(
            "--traceback", action="store_true", help="show the Python traceback of an error"
        )

    p = sub.add_parser("rfm", help="recency, frequency, monetary value, scores and segments")
    common(p)
    p.add_argument("--as-of", help="the day of the analysis (default: the day after the last line)")
    p.add_argument("--customer", default="customer_id")
    p.add_argument("--date", default="date")
    p.add_argument("--amount", default="amount")
    p.add_argument("--invoice", default="invoice_id")
    p.add_argument("--bins", type=int, default=5, help="scores per measure (5: quintiles)")
    p.add_argument("--ties", choices=["first", "low", "high"], default="first")
    p.set_defaults(run=_rfm)

    p = sub.add_parser("clv", help="BG/NBD + Gamma-Gamma predictions per customer")
    common(p)
    p.add_argument("--as-of", help="last day of data to use (default: the last purchase)")
    p.add_argument("--customer", default="customer_id")
    p.add_argument("--date", default="date")
    p.add_argument("--amount", default="amount")
    p.add_argument("--unit", choices=["D", "W", "M"], default="W", help="time unit (default weeks)")
    p.add_argument("--horizon", type=float, default=52, help="units to predict (default 52)")
    p.set_defaults(run=_clv)

    p = sub.add_parser("basket", help="frequent itemsets and association rules")
    common(p)
    p.add_argument("--invoice", default="invoice_id", help="the basket's column")
    p.add_argument("--item", default="item", help="the product's column")
    p.add_argument(
        "--min-support", type=_fraction, required=True, help="fraction of baskets, e.g. 0.01"
    )
    p.add_argument("--min-confidence", type=_fraction, default=0.0)
    p.add_argument("--min-lift", type=_fraction, default=1.0)
    p.add_argument("--max-len", type=int, default=None)
    p.add_argument(
        "--max-rules",
        type=int,
        default=1_000_000,
        help="refuse itemsets that give more candidate rules than this (default 1,000,000)",
    )
    p.add_argument("--itemsets", metavar="OUT", help="also write the itemsets (.csv or .parquet)")
    p.set_defaults(run=_basket)
    return parser


@contextmanager
def _one_line_warnings(command: str):
    """Warnings as one line each on standard error, without file names or code."""
    shown = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"{PROG} {command}: warning: {message}", file=sys.stderr)

    warnings.showwarning = show
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            yield
    finally:
        warnings.showwarning = shown


def _message(err: BaseException) -> str:
    text = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
    return " ".join(str(text).split()) or type(err).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    args = _parser().parse_args(argv)
    try:
        import duckdb

        data_errors: tuple = (KeyError, ValueError, TypeError, OSError, duckdb.Error, CommandError)
    except ImportError:  # pragma: no cover
        data_errors = (KeyError, ValueError, TypeError, OSError, CommandError)
    try:
        with _one_line_warnings(args.command):
            return args.run(args)
    except data_errors as err:
        if args.traceback:
            raise
        print(f"{PROG} {args.command}: error: {_message(err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG} {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - one line, not a traceback; --traceback shows it
        if args.traceback:
            raise
        print(
            f"{PROG} {args.command}: error: {type(err).__name__}: {_message(err)} "
            "(run again with --traceback for details)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
