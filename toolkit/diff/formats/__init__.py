"""Diff reports: one module per format, each with `SUFFIX` and `report(diff, ...) -> bytes | str`."""
