"""``crm-workbook``: build, test-support and instructor commands for the workbook."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import build, cases, exercises, handout, translation


def find_repo(start: Path) -> Path:
    """The workbook repository containing ``start`` (it has notebooks/ and pyproject.toml)."""
    for folder in (start, *start.parents):
        if (folder / "notebooks").is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    raise SystemExit(
        f"crm-workbook: {start} is not inside a workbook repository (a folder with notebooks/ "
        "and pyproject.toml); run it from the repository or name it with --repo PATH "
        "(before or after the command, e.g. crm-workbook case NAME --repo PATH)"
    )


CASE_EXAMPLES = """\
examples:
  crm-workbook case beer_and_diapers --list
  crm-workbook case beer_and_diapers -p dataset groceries -p min_support 0.02
  crm-workbook case beer_and_diapers -p seed 5 -o /tmp/beer-seed5.ipynb
  crm-workbook case beer_and_diapers --repo PATH   (from outside the repository)

Each -p NAME VALUE sets one parameter (repeat -p for several); --list shows the names,
types and ranges, which are checked before anything runs.
"""

EXECUTE_HINT = (
    "crm-workbook execute: name the notebooks to re-execute (e.g. notebooks/01_x.ipynb "
    "solutions/01_x.ipynb), or give --all to re-execute every notebook (minutes)"
)


def jobs_option(parser: argparse.ArgumentParser, default: int) -> None:
    """The -j/--jobs option, with the same help wherever it appears."""
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=default,
        metavar="N",
        help=f"notebooks executed at the same time, one kernel each (default: {default})",
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="crm-workbook", description=__doc__)
    parser.add_argument(
        "--repo",
        type=Path,
        metavar="PATH",
        help="the repository (default: found from here); also accepted after the command",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="execute chapters and cases, build the site in build/html")
    jobs_option(p, 2)
    p = sub.add_parser(
        "execute",
        help="re-execute notebooks in place, record answer keys",
        description="Re-execute notebooks in place (their stored outputs are what the tests "
        "compare), record the answer keys from the solutions, rewrite exercises/ and "
        "notebooks/CONTENTS.md.",
    )
    jobs_option(p, 2)
    p.add_argument("--all", action="store_true", help="every chapter, case and solution notebook")
    p.add_argument("notebooks", nargs="*", type=Path, help="the notebooks to re-execute")
    p = sub.add_parser(
        "exercises",
        help="write exercises/ from solutions/ (and ko/exercises/ from ko/solutions/)",
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="DIR",
        help="folder to write them to, the Korean sets in DIR/ko (default: exercises/ and "
        "ko/exercises/ of the repository, where exercise notebooks with no solution are "
        "removed; in another folder, notebooks of other names are left alone)",
    )
    p = sub.add_parser(
        "handout",
        help="write a student copy (no solution notebooks) into a new folder",
        description="Write a student copy into DIR: notebooks/ (chapters and cases), ko/ when "
        "present, exercises/ from solutions/, the answer keys in solutions/keys/ that the "
        "self-checks read, and a README for students. Solution notebooks are not copied; the "
        "repository is only read.",
    )
    p.add_argument(
        "dir", type=Path, metavar="DIR", help="a new or empty folder outside the repository"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help=f"write into a non-empty DIR, replacing its {', '.join(handout.PARTS)}",
    )
    p = sub.add_parser("translate", help="write or update the Korean edition of a notebook")
    p.add_argument(
        "notebook",
        type=Path,
        help="the English notebook, e.g. notebooks/01_x.ipynb or solutions/01_x.ipynb",
    )
    p.add_argument(
        "--accept",
        nargs="+",
        metavar="CELL",
        help="English cell ids (or 'all') whose Korean cells now match the English source",
    )
    p = sub.add_parser("timing", help="execute every notebook and print its time")
    jobs_option(p, 1)
    sub.add_parser("data", help="rewrite the bundled datasets in crmlib/datasets/data/")
    p = sub.add_parser(
        "case",
        help="run a case study with parameters (papermill)",
        epilog=CASE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("name", help="a notebook in notebooks/cases, e.g. beer_and_diapers")
    p.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a parameter; repeat for several",
    )
    p.add_argument(
        "-o", "--output", type=Path, help="executed notebook (default under build/cases)"
    )
    p.add_argument("--list", action="store_true", help="list the case's parameters and stop")
    for command in sub.choices.values():  # --repo also after the command
        command.add_argument(
            "--repo",
            type=Path,
            default=argparse.SUPPRESS,  # keeps a --repo given before the command
            metavar="PATH",
            help="the workbook repository (default: found from the current folder)",
        )
    args = parser.parse_args(argv)
    if args.command == "execute" and not args.all and not args.notebooks:
        p = sub.choices["execute"]
        p.print_usage(sys.stderr)
        p.exit(2, EXECUTE_HINT + "\n")
    if args.command == "execute" and args.all and args.notebooks:
        sub.choices["execute"].error("give notebooks or --all, not both")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    repo = (args.repo or find_repo(Path.cwd())).resolve()
    os.environ["PYTHONHASHSEED"] = "0"
    if args.command == "build":
        build.build(repo, jobs=args.jobs)
    elif args.command == "execute":
        build.execute_in_place(repo, jobs=args.jobs, only=None if args.all else args.notebooks)
    elif args.command == "exercises":
        print(exercises.report(exercises.write_editions(repo, args.output)))
    elif args.command == "handout":
        try:
            counts = handout.write(repo, args.dir, force=args.force)
        except handout.HandoutError as err:
            print(f"crm-workbook handout: {err}", file=sys.stderr)
            return 2
        parts = ", ".join(f"{name}/ ({n} files)" for name, n in counts.items())
        print(f"Wrote a hand-out to {args.dir}: README.md, {parts}; no solution notebook")
    elif args.command == "timing":
        return 0 if build.timing(repo, jobs=args.jobs) else 1
    elif args.command == "data":
        from crmlib.datasets import write_bundled

        for path in write_bundled(repo / "crmlib" / "datasets" / "data"):
            print(path.relative_to(repo))
    elif args.command == "case":
        return run_case(repo, args)
    elif args.command == "translate":
        english = args.notebook.resolve()
        left = translation.translate(repo, english, args.accept)
        print(translation.korean_path(repo, english).relative_to(repo))
        print("\n".join(f"  {line}" for line in left) or "  up to date with the English source")
        return 1 if left else 0
    return 0


def run_case(repo: Path, args: argparse.Namespace) -> int:
    try:
        if args.list:
            for param in cases.parameters(cases.case_path(repo, args.name)).values():
                print(param.describe())
            return 0
        values: dict[str, str] = {}
        for name, value in args.parameter:
            if name in values:
                raise cases.CaseError(
                    f"parameter {name!r} is given twice ({values[name]} and {value}): give it once"
                )
            values[name] = value
        output = cases.run(repo, args.name, values, output=args.output)
    except cases.CaseError as err:
        print(f"crm-workbook case: {err}", file=sys.stderr)
        return 2
    except cases.CaseFailed as err:
        print(f"crm-workbook case: {err}", file=sys.stderr)
        return 1
    print(f"Wrote {output} and {output.with_suffix('.html')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
