"""Checks over resolved policies: validation, warnings (lint) and drift against a reviewed core."""
