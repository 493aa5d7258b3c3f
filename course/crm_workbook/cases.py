"""Run a case-study notebook with parameters that are checked before anything executes.

Papermill injects whatever it is given: a misspelt name is silently ignored and a number
passed as text breaks the notebook halfway. Here the ``parameters`` cell is the contract:
each line is ``name: type = default`` with type ``int``, ``float``, ``str``, ``bool`` or
``Literal[...]``, and values are validated against it first.

A line may declare the parameter's range in a comment, ``# range: CONDITION``, optionally
followed by ``; why``::

    min_support: float = 0.01  # range: 0 < x <= 1
    pilot_size: int = 1500  # range: 200 <= x <= 1500 and x <= n_customers / 2; pilot's size

``x`` is the parameter itself; the condition may use numbers, the other parameters,
comparisons (chained), ``and``/``or``/``not`` and ``+ - * /``; a text parameter may be
compared with ``==`` or ``!=`` to a quoted value (``dataset != "groceries" or x >= 0.0005``).
Every range is checked,
with the values of this run, before anything executes, and a value outside its range is
refused in one line that names the parameter, the clauses of the range (the parts joined by
the top-level ``and``) that it breaks, and a value that fits. The reason explains the
range's last clause: it is shown when that clause is broken. It is a comment, so
papermill and Python read the cell as before. A ``float`` must be finite (``inf`` and
``nan`` are refused whatever the range).
"""

from __future__ import annotations

import ast
import copy
import difflib
import io
import logging
import math
import operator
import os
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import notebooks
from .session import HEADLESS

SCALARS = {"int": int, "float": float, "str": str, "bool": bool}
TRUE, FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


class CaseError(ValueError):
    """An unknown case, an unknown parameter or a value of the wrong type."""


class CaseFailed(RuntimeError):
    """The case ran but stopped with an error (e.g. a value outside its range)."""


_COMPARE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_ARITHMETIC = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


@dataclass(frozen=True)
class Range:
    """A parameter's declared range: a condition on ``x`` (and other parameters)."""

    condition: str  # as written, e.g. "0 < x <= 1"
    reason: str = ""

    def tree(self) -> ast.expr:
        return ast.parse(self.condition, mode="eval").body

    def names(self) -> set[str]:
        return {n.id for n in ast.walk(self.tree()) if isinstance(n, ast.Name)}

    def clauses(self) -> list[ast.expr]:
        """The parts joined by the condition's top-level ``and`` (the whole if there is none)."""
        tree = self.tree()
        if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.And):
            return list(tree.values)
        return [tree]

    def broken(self, values: dict[str, Any]) -> list[int]:
        """The positions (in :meth:`clauses`) of the clauses that ``values`` (with ``x``) break."""
        return [i for i, clause in enumerate(self.clauses()) if not _evaluate(clause, values)]

    def text(self, name: str, clauses: list[ast.expr] | None = None) -> str:
        """The condition (or some of its clauses) with ``x`` written as the parameter's name."""
        if clauses is None:
            tree = self.tree()
        elif len(clauses) == 1:
            tree = copy.deepcopy(clauses[0])
        else:
            tree = ast.BoolOp(op=ast.And(), values=copy.deepcopy(clauses))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "x":
                node.id = name
        if clauses is not None and len(clauses) == 1:
            return _when(tree)
        return ast.unparse(tree)

    def holds(self, values: dict[str, Any]) -> bool:
        return bool(_evaluate(self.tree(), values))


def _when(tree: ast.expr) -> str:
    """``a != 'v' or rest`` read as ``rest when a == 'v'`` (a clause for one value of a text
    parameter); any other condition as written."""
    if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.Or) and len(tree.values) > 1:
        first = tree.values[0]
        if (
            isinstance(first, ast.Compare)
            and len(first.ops) == 1
            and isinstance(first.ops[0], ast.NotEq)
            and isinstance(first.left, ast.Name)
        ):
            rest = tree.values[1:]
            rest_tree = rest[0] if len(rest) == 1 else ast.BoolOp(op=ast.Or(), values=rest)
            condition = ast.Compare(left=first.left, ops=[ast.Eq()], comparators=first.comparators)
            return f"{ast.unparse(rest_tree)} when {ast.unparse(condition)}"
    return ast.unparse(tree)


def _evaluate(node: ast.expr, values: dict[str, Any]) -> Any:
    """Evaluate a range condition: numbers, names, comparisons, and/or/not, + - * /."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.Not):
        value = _evaluate(node.operand, values)
        return -value if isinstance(node.op, ast.USub) else not value
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        return _ARITHMETIC[type(node.op)](
            _evaluate(node.left, values), _evaluate(node.right, values)
        )
    if isinstance(node, ast.BoolOp):
        results = (_evaluate(v, values) for v in node.values)
        return all(results) if isinstance(node.op, ast.And) else any(results)
    if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        text = all(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops)
        left = _operand(node.left, values, text)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _operand(right_node, values, text)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    raise ValueError(ast.unparse(node))


def _operand(node: ast.expr, values: dict[str, Any], text: bool) -> Any:
    """A comparison's operand: quoted text only in ``==``/``!=`` (a parameter's value)."""
    if text and isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return _evaluate(node, values)


def _check_condition(node: ast.expr) -> None:
    """Refuse anything :func:`_evaluate` would not evaluate (calls, attributes, text outside
    ``==``/``!=``)."""
    _evaluate(node, _Anything())


class _Anything(dict):
    """Every name is 1, so a condition can be checked for its shape without values."""

    def __missing__(self, key: str) -> int:
        return 1


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str  # "int", "float", "str", "bool" or "literal"
    default: Any
    choices: tuple = ()
    range: Range | None = None

    def describe(self) -> str:
        kind = f"one of {', '.join(map(repr, self.choices))}" if self.choices else self.type
        limits = f", {self.range.text(self.name)}" if self.range else ""
        return f"{self.name} ({kind}, default {self.default!r}{limits})"

    def check_range(self, values: dict[str, Any], given: set[str] | None = None) -> None:
        """Raise :class:`CaseError` naming the parameter and the clauses of its range that
        ``values`` break, with the other parameters they use and a value that fits."""
        if self.range is None or self.range.holds({**values, "x": values[self.name]}):
            return
        clauses = self.range.clauses()
        positions = self.range.broken({**values, "x": values[self.name]})
        broken = [clauses[i] for i in positions]
        names = {n.id for c in broken for n in ast.walk(c) if isinstance(n, ast.Name)}
        context = [f"{other} = {values[other]!r}" for other in sorted(names - {"x", self.name})]
        if self.range.reason and positions[-1] == len(clauses) - 1:
            context.append(self.range.reason)
        where = f" ({'; '.join(context)})" if context else ""
        default = " (its default)" if given is not None and self.name not in given else ""
        fit = self.suggest(values)
        if fit is not None:
            default += f"; pass a value that fits, e.g. -p {self.name} {fit!r}"
        raise CaseError(
            f"parameter {self.name!r}: expected {self.range.text(self.name, broken)}{where}, "
            f"got {values[self.name]!r}{default}"
        )

    def suggest(self, values: dict[str, Any]) -> Any:
        """A value within the range, with ``values`` for the other parameters, or None.

        The candidates are the default and the bounds that the broken clauses name (numbers
        and other parameters, as evaluated with ``values``; all clauses when none is broken);
        the fitting one closest to the current value wins.
        """
        if self.range is None:
            return None
        clauses = self.range.clauses()
        positions = self.range.broken({**values, "x": values[self.name]}) or range(len(clauses))
        clauses = [clauses[i] for i in positions]
        candidates = {self.default} if self.type in ("int", "float") else set()
        for node in (node for clause in clauses for node in ast.walk(clause)):
            if isinstance(node, ast.Name) and node.id == "x":
                continue
            try:
                candidate = _evaluate(node, values)
            except (ValueError, KeyError, ZeroDivisionError, TypeError):
                continue
            if isinstance(candidate, int | float) and not isinstance(candidate, bool):
                candidates.add(candidate)
        fitting = []
        for candidate in sorted(candidates):
            try:
                candidate = self.coerce(int(candidate) if self.type == "int" else candidate)
            except (CaseError, ValueError, OverflowError):
                continue
            if self.range.holds({**values, "x": candidate, self.name: candidate}):
                fitting.append(candidate)
        current = values[self.name]
        return min(fitting, key=lambda c: abs(c - current), default=None)

    def coerce(self, value: Any) -> Any:
        """Return ``value`` converted to this parameter's type (text comes from the CLI)."""
        if self.choices:
            for choice in self.choices:
                if value == choice or (isinstance(value, str) and value == str(choice)):
                    return choice
            raise CaseError(
                f"parameter {self.name!r}: expected one of {', '.join(map(repr, self.choices))}, "
                f"got {value!r}"
            )
        kind = SCALARS[self.type]
        if isinstance(value, str) and kind is not str:
            return self.coerce(self._parse(value))
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if kind is float and isinstance(value, float) and not math.isfinite(value):
            raise CaseError(f"parameter {self.name!r}: expected a finite float, got {value!r}")
        if kind is float and isinstance(value, float):
            return value
        if not ok:
            raise CaseError(
                f"parameter {self.name!r}: expected {self.type}, got {type(value).__name__} "
                f"{value!r}"
            )
        return value

    def _parse(self, text: str) -> Any:
        try:
            if self.type == "bool":
                low = text.strip().lower()
                if low in TRUE | FALSE:
                    return low in TRUE
                raise ValueError
            return SCALARS[self.type](text)
        except ValueError:
            raise CaseError(
                f"parameter {self.name!r}: expected {self.type}, got {text!r}"
            ) from None


def _annotation(node: ast.expr, name: str) -> tuple[str, tuple]:
    if isinstance(node, ast.Name) and node.id in SCALARS:
        return node.id, ()
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Literal"
    ):
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        return "literal", tuple(ast.literal_eval(item) for item in items)
    raise CaseError(f"parameter {name!r}: unsupported type {ast.unparse(node)!r}")


def _comments(source: str) -> dict[int, str]:
    """The comment on each line of ``source`` (line number -> text after ``#``)."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {t.start[0]: t.string[1:].strip() for t in tokens if t.type == tokenize.COMMENT}


def _range(comment: str | None, name: str, path: Path) -> Range | None:
    """The ``# range: condition; reason`` comment of a parameter, checked for its shape."""
    if not comment or not comment.lower().startswith("range:"):
        return None
    condition, _, reason = comment[len("range:") :].partition(";")
    declared = Range(condition.strip(), reason.strip())
    try:
        _check_condition(declared.tree())
    except ZeroDivisionError:
        pass  # a division by another parameter: its shape is fine
    except (SyntaxError, ValueError) as err:
        part = f" (unsupported: {err})" if isinstance(err, ValueError) else ""
        raise CaseError(
            f"{path.name}: parameter {name!r}: cannot read the range {condition.strip()!r}"
            f"{part}; write a condition on x such as `# range: 0 < x <= 1`"
        ) from None
    return declared


def parameters(path: Path) -> dict[str, Parameter]:
    """The typed parameters (and declared ranges) of the cell tagged ``parameters``."""
    nb = notebooks.read(path)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise CaseError(f"{path.name}: expected one cell tagged 'parameters', found {len(cells)}")
    comments = _comments(cells[0].source)
    found: dict[str, Parameter] = {}
    for node in ast.parse(cells[0].source).body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Assign):
            raise CaseError(
                f"{path.name}: parameter {ast.unparse(node.targets[0])!r} needs a type "
                "annotation, e.g. `seed: int = 42`"
            )
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            raise CaseError(f"{path.name}: the parameters cell may only hold `name: type = value`")
        name = node.target.id
        kind, choices = _annotation(node.annotation, name)
        # the comment on the declaration's last line, or on any of its lines (a formatter
        # may wrap a long line as `name: int = (\n    0  # range: ...\n)`)
        lines = range(node.end_lineno, node.lineno - 1, -1)
        comment = next((comments[i] for i in lines if i in comments), None)
        declared = _range(comment, name, path)
        param = Parameter(name, kind, ast.literal_eval(node.value), choices, declared)
        param.coerce(param.default)  # the default itself must have the declared type
        found[name] = param
    for param in found.values():
        unknown = param.range.names() - {"x", *found} if param.range else set()
        if unknown:
            raise CaseError(
                f"{path.name}: parameter {param.name!r}: its range uses "
                f"{', '.join(sorted(unknown))}, which is not a parameter"
            )
    defaults = {name: p.default for name, p in found.items()}
    for param in found.values():
        try:
            param.check_range(defaults)
        except CaseError as err:
            raise CaseError(f"{path.name}: the default is out of range: {err}") from None
    return found


def validate(spec: dict[str, Parameter], values: dict[str, Any], case: str) -> dict[str, Any]:
    """Return ``values`` converted to their declared types, or raise naming the culprit.

    Then every declared range is checked with the values of the run (the given ones, the
    defaults for the rest), the given parameters first.
    """
    out = {}
    for name, value in values.items():
        if name not in spec:
            near = difflib.get_close_matches(name, spec, n=1)
            hint = f" Did you mean {near[0]!r}?" if near else ""
            raise CaseError(
                f"unknown parameter {name!r} for case {case!r}.{hint} The parameters are "
                f"{', '.join(spec)} (types, defaults and ranges: crm-workbook case {case} "
                "--list)"
            )
        out[name] = spec[name].coerce(value)
    run_values = {name: p.default for name, p in spec.items()} | out
    for name in sorted(spec, key=lambda n: n not in out):  # stable: given ones first
        spec[name].check_range(run_values, given=set(out))
    return out


class _ValidatedParameters(logging.Filter):
    """Papermill cannot parse ``Literal[...]`` annotations and warns that such parameters are
    unknown, and it reads a line with more than one ``=`` (a range such as ``x >= 0``) as
    unparsable; the cell has been parsed and the values validated already, so both warnings
    are noise."""

    NOISE = ("Passed unknown parameter", "Unable to parse line")

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.NOISE)


_PAPERMILL_FILTER = _ValidatedParameters()


def case_path(repo: Path, name: str) -> Path:
    folder = repo / "notebooks" / "cases"
    path = folder / f"{name.removesuffix('.ipynb')}.ipynb"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.ipynb"))) or "none"
        raise CaseError(f"unknown case {name!r}; the case studies are: {known}")
    return path


def output_name(name: str, values: dict[str, Any]) -> str:
    """``name`` for the defaults, ``name--key-value--...`` for a run with parameters."""
    parts = [f"{k}-{v}" for k, v in sorted(values.items())]
    return "--".join([name, *parts]).replace(os.sep, "_")


def run(
    repo: Path,
    name: str,
    values: dict[str, Any],
    *,
    output: Path | None = None,
    html: bool = True,
    progress: bool = True,
) -> Path:
    """Validate ``values``, execute the case with papermill, write it (and HTML) under build/.

    Nothing is written when validation fails. The kernel's working directory is the
    repository, whatever the caller's is.
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError

    path = case_path(repo, name)
    values = validate(parameters(path), values, path.stem)
    output = output or repo / "build" / "cases" / f"{output_name(path.stem, values)}.ipynb"
    output.parent.mkdir(parents=True, exist_ok=True)
    os.environ["PYTHONHASHSEED"] = "0"  # inherited by the kernel papermill starts
    headless, os.environ[HEADLESS] = os.environ.get(HEADLESS), "1"  # for this run only
    for logger in ("papermill", "papermill.translators"):  # a filter does not propagate
        logging.getLogger(logger).addFilter(_PAPERMILL_FILTER)  # adding twice is a no-op
    try:
        papermill.execute_notebook(
            str(path),
            str(output),
            parameters=values,
            cwd=str(repo),
            kernel_name="python3",
            progress_bar=progress,
            log_output=False,
            # the kernel's own start-up log (e.g. "running over TCP without encryption", a
            # local kernel's standard notice) is noise on the runner's stderr; errors stay
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
            execution_timeout=notebooks.TIMEOUT,  # a lost kernel message fails, not hangs
        )
    except CellTimeoutError:
        # nbclient's own traceback would follow; say what happened and what to try instead
        raise CaseFailed(
            f"case {path.stem!r} stopped: a cell ran longer than the {notebooks.TIMEOUT} s "
            "each cell may take. The parameters may ask for too large a computation (try a "
            "less extreme value), or a reply of the kernel was lost (run it again); the "
            f"partly run notebook is {output.name}"
        ) from None
    except papermill.PapermillExecutionError as err:
        # Report the notebook's own message (e.g. no rule passes the thresholds), not
        # papermill's and the kernel's stacked tracebacks.
        raise CaseFailed(
            f"case {path.stem!r} stopped in cell {err.exec_count}: {err.ename}: {err.evalue}"
            f" (the partly run notebook is {output.name})"
        ) from None
    finally:
        if headless is None:
            os.environ.pop(HEADLESS, None)
        else:
            os.environ[HEADLESS] = headless
    if html:
        write_html(notebooks.read(output), output.with_suffix(".html"))
    return output


def write_html(nb: Any, target: Path) -> None:
    """Render an executed case as one standalone HTML page beside its notebook.

    Links to notebooks point to their pages, and the contents link to the site's index.
    """
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    body = re.sub(r'href="([^"#:]+)\.ipynb(#[^"]*)?"', r'href="\1.html\2"', body)
    body = re.sub(r'href="((?:\.\./)*)CONTENTS\.md"', r'href="\1../index.html"', body)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, encoding="utf-8")
