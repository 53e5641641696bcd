"""Where the files shipped inside the package live: the core guidance, HTML and Word templates, fonts, sector profiles.

Found next to this module (importlib.resources), so an installed wheel works in any folder, not only a clone.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

PACKAGE_DIR = Path(str(files("toolkit")))
TEMPLATES_DIR = PACKAGE_DIR / "templates"
CORE_DIR = TEMPLATES_DIR / "core"
HTML_DIR = TEMPLATES_DIR / "html"
WORD_DIR = TEMPLATES_DIR / "word"
FONTS_DIR = TEMPLATES_DIR / "fonts"
BUNDLED_PROFILES_DIR = PACKAGE_DIR / "sectors"
