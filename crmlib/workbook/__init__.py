"""Tooling that builds the workbook: the ``crm-workbook`` command and what it calls.

This is the only part of crmlib that knows the repository's folders (``notebooks/``,
``solutions/``, ``exercises/``, ``build/``); the analysis modules never import it.
"""
