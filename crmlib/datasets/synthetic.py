"""Generators of the bundled teaching datasets (work in progress)."""

__all__: list[str] = []
