"""Placeholder: filled in by the companion issue."""

__all__: list[str] = []
