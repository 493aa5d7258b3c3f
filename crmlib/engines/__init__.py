"""The same summaries where the data are: DuckDB on one machine, Spark on a cluster.

``crmlib.rfm``, ``crmlib.btyd`` and ``crmlib.basket`` are the readable pandas reference. An
engine computes the same definitions (:mod:`crmlib.engines.definitions`, the SQL written
once) and gives the same answers, with the same errors and warnings:

- :mod:`crmlib.engines.duckdb`: a pandas frame, a CSV or a Parquet file, larger than memory
  if need be (``rfm``, ``rfm_summary``, ``btyd_summary``);
- :mod:`crmlib.engines.spark`: Spark DataFrames, files or tables on a cluster, plus
  FP-growth through Spark MLlib and per-customer scoring of a fitted BTYD model
  (``pip install crmlib[spark]``).

The engine modules are imported on demand, so ``import crmlib`` needs neither.
"""

from __future__ import annotations

ENGINES = ("duckdb", "spark")

__all__ = ["ENGINES"]
