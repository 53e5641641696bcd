"""Stage 1: read profile files safely (YAML with line numbers), validate them (pydantic) and follow `extends:`."""
