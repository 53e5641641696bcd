"""Translations: units to translate, PO files in and out, and which translations are missing or stale."""
