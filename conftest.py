"""Doctests of crmlib and crm_workbook share worker processes with tests that call the
notebooks' ``setup()``, which sets pandas' display options for the session: every test
starts from pandas' defaults, whatever ran before it in the same process."""

import pandas as pd
import pytest

#: The options ``crm_workbook.session.setup`` sets.
DISPLAY_OPTIONS = ("display.precision", "display.max_columns", "display.width")


@pytest.fixture(autouse=True)
def _pandas_display_defaults():
    for option in DISPLAY_OPTIONS:
        pd.reset_option(option)
    yield
