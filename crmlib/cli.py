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
import os
import re
import sys
import tempfile
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
    """Progress on a terminal: a step that takes more than ``after`` seconds says so on
    standard error when it has taken that long, and how long it took when it ends. Nothing
    with ``-q`` or when standard error is not a terminal (a file, a pipe, a notebook)."""

    def __init__(self, command: str, quiet: bool, after: float = 2.0) -> None:
        self.command = command
        self.after = after
        self.shown = not quiet and sys.stderr.isatty()

    @contextmanager
    def step(self, name: str):
        import threading
        import time

        if not self.shown:
            yield
            return
        started = time.monotonic()
        said = threading.Event()

        def say() -> None:
            said.set()
            print(f"{PROG} {self.command}: {name} ...", file=sys.stderr, flush=True)

        timer = threading.Timer(self.after, say)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
            if said.is_set():
                took = time.monotonic() - started
                print(f"{PROG} {self.command}: {name} done ({took:.1f} s)", file=sys.stderr)


#: The output options: attribute, option, accepted suffixes, what they are.
_OUTPUTS = (
    ("output", "-o", (".csv", ".parquet", ".pq"), "a .csv or .parquet file name"),
    ("itemsets", "--itemsets", (".csv", ".parquet", ".pq"), "a .csv or .parquet file name"),
    ("report", "--report", (".html", ".htm"), "an .html or .htm file name"),
)


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse, before anything is read, an output that would destroy the input or another
    output, one whose folder is missing or whose suffix is wrong, and an existing file
    without ``--force``. Paths are shown as the user gave them."""
    source = Path(args.file)
    local = "://" not in args.file and source.exists()
    taken: dict[Path, str] = {}
    for attr, option, suffixes, what in _OUTPUTS:
        path = getattr(args, attr, None)
        if path is None:
            continue
        target = Path(path)
        if not target.name.lower().endswith(suffixes):
            raise CommandError(f"{option} {path}: expected {what}")
        folder = target.parent
        if not folder.is_dir():
            raise CommandError(f"{option} {path}: the folder {folder} does not exist")
        if target.is_dir():
            raise CommandError(f"{option} {path}: this is a folder; give a file name")
        resolved = target.resolve()
        if local:
            inside = source.is_dir() and source.resolve() in resolved.parents
            same = resolved == source.resolve() or (
                target.exists() and source.is_file() and os.path.samefile(target, source)
            )
            if same or inside:
                where = "is the input file" if same else f"is inside the input folder {args.file}"
                raise CommandError(
                    f"{option} {path}: this {where}; writing there would destroy your data, "
                    "give another name"
                )
        if resolved in taken:
            raise CommandError(
                f"{option} {path}: {taken[resolved]} writes to the same file; give each "
                "output its own name"
            )
        taken[resolved] = f"{option} {path}"
        if target.exists() and not args.force:
            raise CommandError(f"{option}: {path} exists; give --force to replace it")


def _write(frame: pd.DataFrame, path: str | None) -> None:
    """CSV or Parquet by the file's suffix (checked by :func:`_check_outputs`); CSV on
    standard output without a path."""
    if path is None:
        frame.to_csv(sys.stdout, index=False)
        return
    if path.lower().endswith(".csv"):
        _replace(path, lambda f: frame.to_csv(f, index=False))
    else:
        _replace(path, lambda f: frame.to_parquet(f, index=False))


def _replace(path: str, write: Callable) -> None:
    """Write to a new file beside ``path``, then put it in place: a file being replaced is
    never left half-written."""
    target = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=".crmlib-", dir=target.parent)
    os.close(handle)
    try:
        write(temporary)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)  # as a new file would be, not mkstemp's 0600
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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


def _text(paragraph: str) -> str:
    return f"<p>{html.escape(paragraph)}</p>"


def _report(
    args: argparse.Namespace, title: str, meta: str, sections: list[tuple[str, str]]
) -> None:
    """One self-contained page: the title, what was computed from what, the sections, and
    what the command left out (its warnings)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1><p class='meta'>{html.escape(meta)}</p>",
    ]
    for heading, body in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>{body}")
    notes = getattr(args, "notes", [])
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes) or "<li>nothing</li>"
    parts.append(f"<h2>Left out and warnings</h2><ul>{items}</ul>")
    path = args.report
    parts.append("</body></html>")
    _replace(path, lambda f: Path(f).write_text("\n".join(parts), encoding="utf-8"))


def _numbers_html(frame: pd.DataFrame, formats: dict[str, str]) -> str:
    """A table whose columns are formatted one by one (counts as whole numbers)."""
    shown = frame.copy()
    for column, spec in formats.items():
        shown[column] = [spec.format(v) if pd.notna(v) else "" for v in frame[column]]
    return shown.to_html(border=0, classes="t", na_rep="")


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------


def _rfm(args: argparse.Namespace) -> int:
    from crmlib import rfm

    steps = _Steps(args.command, args.quiet)
    with steps.step(f"start {args.engine}"):
        engine = _engine(args)
    day = args.as_of_day
    with steps.step("read, summarise, score"):
        scored = engine.rfm(
            args.file,
            customer=args.customer,
            date=args.date,
            amount=args.amount,
            invoice=args.invoice,
            # the data as they stood at the end of that day, seen from the next morning
            as_of=None if day is None else day + pd.Timedelta(days=1),
            until=day,
            bins=args.bins,
            ties=args.ties,
            con=args.con,
        )
    args.as_of_used = scored.attrs.get("as_of")
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
    return 0


def _rfm_report(args, scored: pd.DataFrame, summary: pd.DataFrame | None) -> None:
    from crmlib import rfm
    from crmlib.plots import percent_axis

    as_of = args.as_of_used or "the day after the last line"
    sections = [
        (
            "How to read this",
            _text(
                f"Recency is the number of days from a customer's last purchase to {as_of}; "
                "frequency the number of invoices with a purchase line; monetary the net "
                f"amount (purchases minus returns, in the unit of column {args.amount!r}). "
                f"Each is scored 1 to {args.bins} ({args.bins} best: most recent, most "
                "frequent, most spent), by quantiles of the customers; the RFM cell is the "
                "three scores side by side, the RFM score their sum."
            ),
        )
    ]
    if summary is not None:
        top = summary.index[0]
        share = summary["share_of_revenue"].iloc[0]

        def revenue(ax):
            shares = summary["share_of_revenue"].iloc[::-1]
            ax.barh(shares.index.astype(str), shares.to_numpy())
            ax.set_xlabel("share of net revenue")
            percent_axis(ax, "x")
            ax.set_title(f"{top} bring {share:.0%} of revenue")

        table = summary.rename(
            columns={
                "share_of_customers": "share of customers",
                "share_of_revenue": "share of revenue",
                "recency": "median recency (days)",
                "frequency": "median frequency (invoices)",
                "monetary": "median monetary",
            }
        )
        formats = {
            "customers": "{:,.0f}",
            "share of customers": "{:.1%}",
            "revenue": "{:,.2f}",
            "share of revenue": "{:.1%}",
            "median recency (days)": "{:,.0f}",
            "median frequency (invoices)": "{:,.1f}",
            "median monetary": "{:,.2f}",
        }
        rules = "; ".join(
            f"{name}: R {r[0]}-{r[1]}, F {f[0]}-{f[1]}"
            for name, rule in rfm.DEFAULT_SCHEME.items()
            for r, f in [(rule.get("r", (1, 5)), rule.get("f", (1, 5)))]
        )
        sections.append(
            (
                "Segments",
                _text(
                    "Segments are named from the R and F scores (crmlib.rfm.DEFAULT_SCHEME): "
                    f"{rules}. Revenue is the segment's net amount; the other columns are "
                    "medians of its customers."
                )
                + _numbers_html(table, formats),
            )
        )
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
    measures.index = ["recency (days)", "frequency (invoices)", "monetary (net amount)"]
    measures = measures.rename(columns={"count": "customers", "50%": "median"})
    formats = {c: "{:,.2f}" for c in measures.columns} | {"customers": "{:,.0f}"}
    sections.append(("Recency, frequency, monetary", _numbers_html(measures, formats)))
    meta = (
        f"{len(scored):,} customers from {Path(args.file).name}, as of {as_of}"
        f"{' (data up to ' + args.as_of + ')' if args.as_of else ''}; engine {args.engine}"
    )
    _report(args, "RFM analysis", meta, sections)


def _clv(args: argparse.Namespace) -> int:
    from crmlib.engines import definitions

    steps = _Steps(args.command, args.quiet)
    with steps.step(f"start {args.engine}"):
        engine = _engine(args)
    with steps.step("read and summarise"):
        summary = engine.btyd_summary(
            args.file,
            customer=args.customer,
            date=args.date,
            amount=args.amount,
            unit=args.unit,
            observation_end=args.as_of_day,
            until=args.as_of_day,
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
    return 0


_PARAMETERS = {
    "r": "BG/NBD: shape of the purchase rates across customers",
    "alpha": "BG/NBD: scale of the purchase rates (in the time unit)",
    "a": "BG/NBD: dropout after a purchase, first shape",
    "b": "BG/NBD: dropout after a purchase, second shape",
    "p": "Gamma-Gamma: shape of the spend per purchase",
    "q": "Gamma-Gamma: shape of the customers' mean spends",
    "gamma": "Gamma-Gamma: scale of the customers' mean spends",
}
_UNITS = {"D": "days", "W": "weeks", "M": "months"}


def _clv_report(args, out: pd.DataFrame, purchases, spend) -> None:
    unit = _UNITS.get(args.unit, args.unit)
    params = pd.concat(
        [purchases.params_] + ([spend.params_] if spend is not None else [])
    ).to_frame("value")
    params["meaning"] = [_PARAMETERS.get(str(k), "") for k in params.index]
    sections = [
        (
            "How to read this",
            _text(
                f"Ages and the horizon are in {unit}. p_alive is the probability that a "
                "customer is still active; expected_purchases the purchases expected in the "
                f"next {args.horizon:g} {unit}; expected_spend the expected amount per "
                "purchase (for customers with no repeat purchase, whose mean_repeat_spend is "
                "written 0, the population's mean); expected_value their product, "
                "undiscounted."
            ),
        ),
        ("Fitted parameters", _numbers_html(params, {"value": "{:.4g}"})),
    ]
    alive = out["p_alive"]

    def p_alive(ax):
        ax.hist(alive, bins=20, range=(0, 1))
        ax.set_xlabel("probability still active")
        ax.set_ylabel("customers")
        ax.set_title(f"{(alive < 0.5).mean():.0%} of customers are more likely gone than active")

    sections.append(("Who is still a customer", _figure_html(p_alive)))
    total = ""
    if "expected_value" in out.columns:
        ranked = out.sort_values("expected_value", ascending=False, kind="stable")
        top = ranked["expected_value"].head(max(1, len(out) // 10)).sum()
        share = top / ranked["expected_value"].sum()
        total = f"; expected value over the horizon {out['expected_value'].sum():,.2f} in all"

        def value(ax):
            cumulative = ranked["expected_value"].cumsum() / ranked["expected_value"].sum()
            ax.plot((pd.RangeIndex(len(ranked)) + 1) / len(ranked), cumulative.to_numpy())
            ax.set_xlabel("share of customers, highest expected value first")
            ax.set_ylabel("share of expected value")
            ax.set_title(f"The top 10% of customers hold {share:.0%} of expected value")

        sections.append(("Where the value is", _figure_html(value)))
        sections.append(("Top customers", _table_html(ranked.head(20))))
    end = f" up to {args.as_of}" if args.as_of else ""
    meta = (
        f"{len(out):,} customers from {Path(args.file).name}{end}; horizon {args.horizon:g} "
        f"{unit}{total} (undiscounted); engine {args.engine}"
    )
    _report(args, "Customer value (BG/NBD + Gamma-Gamma)", meta, sections)


def _basket(args: argparse.Namespace) -> int:
    from crmlib import basket

    steps = _Steps(args.command, args.quiet)
    with steps.step(f"start {args.engine}"):
        engine = _engine(args)
    with steps.step("frequent itemsets"):
        itemsets = engine.frequent_itemsets(
            args.file,
            invoice=args.invoice,
            item=args.item,
            min_support=args.min_support,
            max_len=args.max_len,
            quantity=args.quantity or args.amount,
            con=args.con,
        )
    with steps.step("rules"):
        rules = basket.association_rules(  # messages mapped to options by _for_command
            itemsets,
            metric="confidence",
            min_threshold=args.min_confidence,
            max_rules=args.max_rules,
        )
        rules = rules[rules["lift"] >= args.min_lift]
    with steps.step("write"):
        table = rules.drop(columns=["antecedents", "consequents"])
        table.columns = [str(c).replace(" ", "_") for c in table.columns]  # one spelling
        _write(table, args.output)
        if args.itemsets:
            _write(itemsets.drop(columns=["itemsets"]), args.itemsets)
        if args.report:
            _basket_report(args, itemsets, table)
    return 0


def _basket_report(args, itemsets: pd.DataFrame, rules: pd.DataFrame) -> None:
    sections = [
        (
            "How to read this",
            _text(
                f"A basket is the set of values of column {args.item!r} on one invoice "
                f"(column {args.invoice!r}); give a description column as --item to read "
                "names rather than codes. Support is the share of baskets holding the items; "
                "confidence the share of baskets with the left side that also hold the right "
                "side; lift how many times more often than if they were bought independently."
            ),
        )
    ]
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
    _report(args, "Basket analysis", meta, sections)


# --------------------------------------------------------------------------------------------
# Arguments and errors
# --------------------------------------------------------------------------------------------


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    return value


def _units(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number of time units (--unit, weeks by default), e.g. 52, got {text!r}"
        ) from None


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")
_NUMERIC_DAY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(\s.*)?")


def _as_of_day(text: str | None) -> pd.Timestamp | None:
    """``--as-of`` as a day: YYYY-MM-DD or an ISO date and time (its time is ignored);
    10/12/2011 is refused, as the date column's check refuses such dates."""
    if text is None:
        return None
    value = text.strip()
    if _ISO_DAY.fullmatch(value):
        try:
            stamp = pd.Timestamp(value)
        except ValueError:
            stamp = None
        if stamp is not None and not pd.isna(stamp):
            if stamp.tzinfo is not None:
                stamp = stamp.tz_localize(None)
            return stamp.normalize()
        raise CommandError(f"--as-of: {text!r} is not a day of the calendar")
    numeric = _NUMERIC_DAY.fullmatch(value)
    if numeric:
        a, b, year = (int(numeric.group(i)) for i in (1, 2, 3))
        readings = []
        for day, month, order in ((a, b, "day-first"), (b, a, "month-first")):
            try:
                readings.append((pd.Timestamp(year, month, day), order))
            except ValueError:
                pass
        if len(readings) == 2 and readings[0][0] != readings[1][0]:
            (first, _), (second, _) = readings
            raise CommandError(
                f"--as-of: {text!r} could be day-first or month-first; write the day as "
                f"YYYY-MM-DD: {first:%Y-%m-%d} for {first:%-d %B %Y}, {second:%Y-%m-%d} for "
                f"{second:%-d %B %Y}"
            )
        if readings:
            raise CommandError(
                f"--as-of: expected a day as YYYY-MM-DD, got {text!r}; write "
                f"{readings[0][0]:%Y-%m-%d}"
            )
    raise CommandError(f"--as-of: expected a day as YYYY-MM-DD (e.g. 2011-12-09), got {text!r}")


def _prepare(args: argparse.Namespace) -> None:
    """Check what the command line asks before anything is read: outputs, --as-of,
    thresholds; note what the options leave out."""
    _check_outputs(args)
    args.as_of_day = _as_of_day(getattr(args, "as_of", None))
    if args.command == "basket":
        confidence = args.min_confidence
        if not 0 <= confidence <= 1:
            hint = ""
            if 1 < confidence <= 100:
                hint = f"; a percentage? write {confidence / 100:g} for {confidence:g}%"
            raise CommandError(
                f"--min-confidence: expected a fraction in [0, 1], got {confidence:g}{hint}"
            )
        if not args.min_lift >= 0:
            raise CommandError(f"--min-lift: expected a number >= 0, got {args.min_lift:g}")
    if args.command == "clv" and not 0 < args.horizon < float("inf"):
        raise CommandError(f"--horizon: expected a number > 0, got {args.horizon:g}")
    if args.command == "rfm" and args.bins < 2:
        raise CommandError(f"--bins: expected a whole number >= 2, got {args.bins}")
    if args.command == "rfm" and args.bins != 5:
        warnings.warn(
            f"--bins {args.bins}: the segment names (crmlib.rfm.DEFAULT_SCHEME) are defined "
            "for scores 1 to 5, so the segment column (and the report's segment table) is "
            "left out",
            UserWarning,
            stacklevel=2,
        )


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
        p.add_argument(
            "--force", action="store_true", help="replace output files that exist already"
        )
        p.add_argument("--master", help="Spark master URL (else SPARK_REMOTE, else local)")
        p.add_argument(
            "--memory-limit", help="DuckDB memory limit, e.g. 4GB (beyond it DuckDB spills)"
        )
        p.add_argument("--temp-dir", help="where DuckDB spills data that do not fit in memory")
        p.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
        p.add_argument(
            "--traceback", action="store_true", help="show the Python traceback of an error"
        )

    def column(p: argparse.ArgumentParser, name: str, what: str) -> None:
        default = _COLUMNS[name]
        p.add_argument(f"--{name}", metavar="COLUMN", help=f"{what} (default: {default})")

    as_of_help = (
        "YYYY-MM-DD: the data as they stood at the end of that day; later lines are left out "
        "(default: the day of the last line)"
    )
    p = sub.add_parser("rfm", help="recency, frequency, monetary value, scores and segments")
    common(p)
    p.add_argument(
        "--as-of", metavar="DAY", help=as_of_help + "; recency counts days to the next day"
    )
    column(p, "customer", "the customer id column")
    column(p, "date", "the date column")
    column(p, "amount", "the line's amount column (returns negative)")
    column(p, "invoice", "the invoice column")
    p.add_argument("--bins", type=int, default=5, help="scores per measure (default 5: quintiles)")
    p.add_argument("--ties", choices=["first", "low", "high"], default="first")
    p.set_defaults(run=_rfm)

    p = sub.add_parser("clv", help="BG/NBD + Gamma-Gamma predictions per customer")
    common(p)
    p.add_argument("--as-of", metavar="DAY", help=as_of_help)
    column(p, "customer", "the customer id column")
    column(p, "date", "the date column")
    column(p, "amount", "the line's amount column")
    p.add_argument("--unit", choices=["D", "W", "M"], default="W", help="time unit (default weeks)")
    p.add_argument("--horizon", type=_units, default=52, help="time units to predict (default 52)")
    p.set_defaults(run=_clv)

    p = sub.add_parser("basket", help="frequent itemsets and association rules")
    common(p)
    column(p, "invoice", "the basket's column")
    column(p, "item", "the product's column")
    purchases = p.add_mutually_exclusive_group()
    purchases.add_argument(
        "--quantity",
        metavar="COLUMN",
        help="leave out lines whose quantity is not above 0 (returns, cancellations)",
    )
    purchases.add_argument(
        "--amount", metavar="COLUMN", help="leave out lines whose amount is not above 0"
    )
    p.add_argument(
        "--min-support", type=_fraction, required=True, help="fraction of baskets, e.g. 0.01"
    )
    p.add_argument("--min-confidence", type=_fraction, default=0.0, help="fraction 0-1 (default 0)")
    p.add_argument("--min-lift", type=_fraction, default=1.0, help="(default 1)")
    p.add_argument("--max-len", type=int, default=None, help="items per itemset at most")
    p.add_argument(
        "--max-rules",
        type=int,
        default=1_000_000,
        help="refuse itemsets that give more candidate rules than this (default 1,000,000)",
    )
    p.add_argument("--itemsets", metavar="OUT", help="also write the itemsets (.csv or .parquet)")
    p.set_defaults(run=_basket)
    return parser


#: The library's argument names, as the command's options (for messages).
_OPTIONS = {
    "min_support": "--min-support",
    "min_threshold": "--min-confidence",
    "max_len": "--max-len",
    "max_rules": "--max-rules",
    "quantity": "--quantity or --amount",
    "as_of": "--as-of",
    "until": "--as-of",  # named only before a colon or =, as every name without "_"
    "observation_end": "--as-of",
    "horizon": "--horizon",
    "bins": "--bins",
    "ties": "--ties",
    "unit": "--unit",
    "memory_limit": "--memory-limit",
    "temp_directory": "--temp-dir",
}
#: Advice meant for Python users, as a command user can take it ("" drops it).
_ADVICE = {
    ", or raise max_itemsets if you have the memory": "",
    ", e.g. .astype(str).str.strip()": " in the file (all as text, without spaces)",
    "; cut tx to the period before as_of first": "",
    "max_itemsets=": "the limit of ",
    "give quantity= (a quantity or amount column)": "give --quantity or --amount (its column)",
    "summary: BetaGeo needs": "BetaGeo needs",
    "Use a longer calibration period, or check 'repeat_purchases' (purchases after the first)": (
        "Use data over a longer period"
    ),
}
#: The column options' defaults (the library's): a message naming one gets its option.
_COLUMNS = {
    "customer": "customer_id",
    "date": "date",
    "amount": "amount",
    "invoice": "invoice_id",
    "item": "item",
}


def _for_command(text: str, args: argparse.Namespace | None) -> str:
    """A library message in the command's words: options instead of Python arguments,
    advice the command can take, and a column left at its default named by its option."""
    for python, command in _ADVICE.items():
        text = text.replace(python, command)
    day = getattr(args, "as_of_day", None)
    if day is not None and getattr(args, "command", None) == "rfm":  # as_of is the next day
        following = f"{day + pd.Timedelta(days=1):%Y-%m-%d}"
        text = text.replace(
            f"as_of: {following}", f"--as-of {day:%Y-%m-%d}: the next day, {following},"
        )
    defaults = {
        f"'{_COLUMNS[name]}'": f"--{name} (default {_COLUMNS[name]})"
        for name in getattr(args, "defaulted", ())
    }
    parts = re.split(r"('(?:[^'\\]|\\.)*'|\"[^\"]*\")", text)
    listing = False
    for i, part in enumerate(parts):
        if i % 2:  # a quoted name or value: a column left at its default gets its option
            if not listing and part in defaults:
                parts[i] = defaults[part]
            continue
        if "columns present are" in part:
            listing = True
        elif ";" in part or "?" in part:
            listing = False
        for python, option in _OPTIONS.items():
            part = re.sub(rf"\b{python}=(?=[-\d.])", option + " ", part)
            after = r"\b(?![(\w])" if "_" in python else r"(?=:)"
            part = re.sub(rf"(?<![\w.-]){python}{after}", option, part)
        parts[i] = part
    return "".join(parts)


@contextmanager
def _one_line_warnings(command: str, args: argparse.Namespace | None = None):
    """Warnings as one line each on standard error, without file names or code."""
    shown = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        text = _for_command(str(message), args)
        if args is not None:
            args.notes = [*getattr(args, "notes", []), text]
        print(f"{PROG} {command}: warning: {text}", file=sys.stderr)

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
    args.defaulted = []  # column options not given: messages name them with their default
    for name, default in _COLUMNS.items():
        if hasattr(args, name) and getattr(args, name) is None:
            if not (args.command == "basket" and name == "amount"):
                setattr(args, name, default)
                args.defaulted.append(name)
    try:
        import duckdb

        data_errors: tuple = (KeyError, ValueError, TypeError, OSError, duckdb.Error, CommandError)
    except ImportError:  # pragma: no cover
        data_errors = (KeyError, ValueError, TypeError, OSError, CommandError)
    try:
        with _one_line_warnings(args.command, args):
            _prepare(args)
            return args.run(args)
    except BrokenPipeError:  # the reader stopped early (| head): nothing more to say
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python flushes it at exit
        return 0
    except data_errors as err:
        if args.traceback:
            raise
        print(f"{PROG} {args.command}: error: {_for_command(_message(err), args)}", file=sys.stderr)
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
