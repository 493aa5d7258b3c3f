"""Run a case-study notebook with parameters that are checked before anything executes.

Papermill injects whatever it is given: a misspelt name is silently ignored and a number
passed as text breaks the notebook halfway. Here the ``parameters`` cell is the contract:
each line is ``name: type = default`` with type ``int``, ``float``, ``str``, ``bool`` or
``Literal[...]``, and values are validated against it first.
"""

from __future__ import annotations

import ast
import difflib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import notebooks

SCALARS = {"int": int, "float": float, "str": str, "bool": bool}
TRUE, FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


class CaseError(ValueError):
    """An unknown case, an unknown parameter or a value of the wrong type."""


class CaseFailed(RuntimeError):
    """The case ran but stopped with an error (e.g. a value outside its range)."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str  # "int", "float", "str", "bool" or "literal"
    default: Any
    choices: tuple = ()

    def describe(self) -> str:
        kind = f"one of {', '.join(map(repr, self.choices))}" if self.choices else self.type
        return f"{self.name} ({kind}, default {self.default!r})"

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
            return float(value)
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


def parameters(path: Path) -> dict[str, Parameter]:
    """The typed parameters declared in the cell tagged ``parameters`` of ``path``."""
    nb = notebooks.read(path)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise CaseError(f"{path.name}: expected one cell tagged 'parameters', found {len(cells)}")
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
        param = Parameter(name, kind, ast.literal_eval(node.value), choices)
        param.coerce(param.default)  # the default itself must have the declared type
        found[name] = param
    return found


def validate(spec: dict[str, Parameter], values: dict[str, Any], case: str) -> dict[str, Any]:
    """Return ``values`` converted to their declared types, or raise naming the culprit."""
    valid = "; ".join(p.describe() for p in spec.values())
    out = {}
    for name, value in values.items():
        if name not in spec:
            near = difflib.get_close_matches(name, spec, n=1)
            hint = f" Did you mean {near[0]!r}?" if near else ""
            raise CaseError(
                f"unknown parameter {name!r} for case {case!r}.{hint} Valid parameters: {valid}"
            )
        try:
            out[name] = spec[name].coerce(value)
        except CaseError as err:
            raise CaseError(f"{err}. Valid parameters: {valid}") from None
    return out


class _ValidatedParameters(logging.Filter):
    """Papermill cannot parse ``Literal[...]`` annotations and warns that such parameters are
    unknown; they have been validated against the cell already, so the warning is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Passed unknown parameter")


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

    path = case_path(repo, name)
    values = validate(parameters(path), values, path.stem)
    output = output or repo / "build" / "cases" / f"{output_name(path.stem, values)}.ipynb"
    output.parent.mkdir(parents=True, exist_ok=True)
    os.environ["PYTHONHASHSEED"] = "0"  # inherited by the kernel papermill starts
    logging.getLogger("papermill").addFilter(_PAPERMILL_FILTER)  # adding twice is a no-op
    try:
        papermill.execute_notebook(
            str(path),
            str(output),
            parameters=values,
            cwd=str(repo),
            kernel_name="python3",
            progress_bar=progress,
            log_output=False,
        )
    except papermill.PapermillExecutionError as err:
        # Range checks live in the notebook (a type cannot express them): report the
        # notebook's own message, not papermill's and the kernel's stacked tracebacks.
        raise CaseFailed(
            f"case {path.stem!r} stopped in cell {err.exec_count}: {err.ename}: {err.evalue}"
            f" (the partly run notebook is {output.name})"
        ) from None
    if html:
        from .build import write_html

        write_html(notebooks.read(output), output.with_suffix(".html"))
    return output
