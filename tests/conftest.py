"""Test-suite set-up shared by unit tests and nbval notebook runs.

Environment variables set here are inherited by the notebook kernels that nbval and papermill
start, so notebooks read the real datasets from ``../shared/datasets`` when it exists.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crm_workbook import exercises

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "datasets"

os.environ["PYTHONHASHSEED"] = "0"
if SHARED_DATA.is_dir() and "CRMLIB_DATA" not in os.environ:
    os.environ["CRMLIB_DATA"] = str(SHARED_DATA)

# The Korean hand-outs are not stored (see crm_workbook.exercises): write them before the
# tests that read them are collected, as `make lab` and the site build do.
exercises.write_all(REPO / "ko" / "solutions", REPO / "ko" / "exercises")


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real public datasets; tests that need it fail loudly without it."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the real datasets are expected in {SHARED_DATA} (see README, 'Data')")
    return SHARED_DATA
