"""Loaders for the real public datasets (work in progress)."""

__all__: list[str] = []
