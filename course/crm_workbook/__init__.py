"""The CRM Workbook course toolkit, built on crmlib.

Self-checks (``check``), the notebook session (``session``), interactive explorers
(``widgets``) and the ``crm-workbook`` command that executes the notebooks, writes exercises
and answer keys, runs case studies and builds the site. This is the only package that knows
the repository's folders (``notebooks/``, ``solutions/``, ``exercises/``, ``build/``);
crmlib never imports it.
"""
