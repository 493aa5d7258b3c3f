"""Reading, cleaning, executing and writing notebooks the same way everywhere."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from .session import HEADLESS, escape_markdown

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
CELL_METADATA_KEPT = ("tags", "translation")  # translation: see crm_workbook.translation
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# Seconds per cell. Cells take seconds; this bounds a stall: the kernel client can miss the
# wake-up of a reply that has arrived and finds it only when its wait times out (seen with
# ipykernel 6 and 7 under parallel runs), so a long timeout would be a long stall.
TIMEOUT = 90


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Keep only metadata that is the same on every machine (kernelspec, language)."""
    nb.metadata = nbformat.from_dict(
        {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    )
    for cell in nb.cells:
        cell.metadata = nbformat.from_dict(
            {k: v for k, v in cell.metadata.items() if k in CELL_METADATA_KEPT and v}
        )
        if cell.cell_type == "code":
            cell.outputs = _merge_streams(cell.outputs)
            for out in cell.outputs:
                # Widget state is not stored, so a saved widget view could never render; its
                # random model id would only churn the file. The text fallback stays.
                out.get("data", {}).pop(WIDGET_VIEW, None)
    return nb


def _merge_streams(outputs: list) -> list:
    """Join consecutive stdout (or stderr) chunks: how the kernel splits them varies by run."""
    merged: list = []
    for out in outputs:
        last = merged[-1] if merged else None
        if (
            out.get("output_type") == "stream"
            and last is not None
            and last.get("output_type") == "stream"
            and last.get("name") == out.get("name")
        ):
            last["text"] = "".join(last["text"]) + "".join(out["text"])
        else:
            merged.append(out)
    return merged


def dumps(nb: nbformat.NotebookNode) -> str:
    text = nbformat.writes(normalise(nb))
    return text if text.endswith("\n") else text + "\n"


def write(nb: nbformat.NotebookNode, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(nb), encoding="utf-8")


def kernel_env(**extra: str) -> dict[str, str]:
    """The environment every notebook kernel gets: reproducible set and dict hashing, and
    explorers in their static form (no browser shows this run)."""
    env = {**os.environ, "PYTHONHASHSEED": "0", HEADLESS: "1", **extra}
    env.pop("JPY_PARENT_PID", None)
    if env.get("CRMLIB_DATA", "").strip():
        # Kernels start in the notebook's folder: a relative data home would mean another
        # folder there, so it is made absolute from where the command was started.
        env["CRMLIB_DATA"] = str(Path(env["CRMLIB_DATA"].strip()).expanduser().resolve())
    return env


def execute(nb: nbformat.NotebookNode, cwd: Path, **extra_env: str) -> float:
    """Execute ``nb`` in place with the ``python3`` kernel in ``cwd``; return seconds taken."""
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=TIMEOUT,
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    start = time.perf_counter()
    client.execute(env=kernel_env(**extra_env))
    return time.perf_counter() - start


def title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The first Markdown heading of the notebook."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


# A machine path in a stored output: the reader's machine differs, so it must never show.
MACHINE_PATH = re.compile(r"(/root/|/home/[^/\s]+/|/Users/|/tmp/|/work/|[A-Z]:\\\\|site-packages)")


def problems(nb: nbformat.NotebookNode, *, executed: bool = True) -> list[str]:
    """What is wrong with a stored notebook, as readable sentences (empty when clean).

    ``executed`` notebooks (chapters, cases, solutions) must have every code cell run once,
    in order, in one session: nbval compares only cells that were executed and saved, so an
    unexecuted notebook would otherwise pass silently.
    """
    found = []
    if dict(nb.metadata) != dict(normalise(nbformat.from_dict(nb)).metadata):
        found.append("notebook metadata is not normalised (run `crm-workbook execute`)")
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for c in code]
    if executed and None in counts:
        found.append(f"{counts.count(None)} of {len(code)} code cells were never executed")
    elif executed and counts != list(range(1, len(code) + 1)):
        found.append(f"code cells were not run once, top to bottom (execution counts {counts})")
    if not executed and any(counts) or not executed and any(c.outputs for c in code):
        found.append("an exercise notebook must be stored without outputs")
    for index, cell in enumerate(nb.cells, start=1):
        extra = set(cell.metadata) - set(CELL_METADATA_KEPT)
        if extra:
            found.append(f"cell {index}: per-machine metadata {sorted(extra)}")
        shown = [cell.source] if cell.cell_type == "markdown" else []
        shown += [o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", [])]
        if any(escape_markdown(text) != text for text in shown):
            found.append(
                f"cell {index}: Markdown misreads a single '~' (strikes text through) or a "
                "'$' before an amount (starts a formula); write '\\~' and '\\$' (md() "
                "escapes both)"
            )
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(f"cell {index}: stored an error ({output.get('ename')})")
            match = MACHINE_PATH.search(json.dumps(output))
            if match:
                found.append(f"cell {index}: an output shows a machine path ({match.group(0)})")
    return found
