"""``crm-workbook``: build, test-support and instructor commands for the workbook."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import build, cases, exercises, translation


def find_repo(start: Path) -> Path:
    """The workbook repository containing ``start`` (it has notebooks/ and pyproject.toml)."""
    for folder in (start, *start.parents):
        if (folder / "notebooks").is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    raise SystemExit(
        f"crm-workbook: {start} is not inside a workbook repository (a folder with notebooks/ "
        "and pyproject.toml); run it from the repository or name it with --repo PATH"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="crm-workbook", description=__doc__)
    parser.add_argument("--repo", type=Path, help="the repository (default: found from here)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="execute chapters and cases, build the site in build/html")
    p.add_argument("-j", "--jobs", type=int, default=2)
    p = sub.add_parser("execute", help="re-execute notebooks in place, record answer keys")
    p.add_argument("-j", "--jobs", type=int, default=2)
    p.add_argument("notebooks", nargs="*", type=Path, help="only these (default: all)")
    sub.add_parser(
        "exercises", help="write exercises/ from solutions/ (and ko/exercises/ from ko/solutions/)"
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
    p.add_argument("-j", "--jobs", type=int, default=1)
    sub.add_parser("data", help="rewrite the bundled datasets in crmlib/datasets/data/")
    p = sub.add_parser("case", help="run a case study with parameters (papermill)")
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
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    repo = (args.repo or find_repo(Path.cwd())).resolve()
    os.environ["PYTHONHASHSEED"] = "0"
    if args.command == "build":
        build.build(repo, jobs=args.jobs)
    elif args.command == "execute":
        build.execute_in_place(repo, jobs=args.jobs, only=args.notebooks)
    elif args.command == "exercises":
        print(exercises.report(exercises.write_editions(repo)))
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
        values = dict(args.parameter)
        if len(values) != len(args.parameter):
            raise cases.CaseError("a parameter is given twice")
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
