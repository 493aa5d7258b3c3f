"""crmlib: the helper library of CRM Workbook.

One module per idea of the course: ``rfm``, ``value``, ``clv``, ``basket``, ``models``,
``evaluate``, ``segment``, ``datasets``; ``check`` holds the exercise self-checks and
``workbook`` the command-line tooling that builds the workbook.
"""

__version__ = "0.1.0"
