"""``python -m crmlib`` is the ``crm-workbook`` command."""

import sys

from crmlib.workbook.cli import main

sys.exit(main())
