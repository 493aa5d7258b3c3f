"""``python -m crm_workbook`` is the ``crm-workbook`` command."""

import sys

from crm_workbook.cli import main

sys.exit(main())
