"""Stage 2: resolve a profile chain against the core guidance into one `Policy` (settings, clause operations, text)."""
