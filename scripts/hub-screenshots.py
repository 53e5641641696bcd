"""Take the README's pictures of the guidance hub (docs/hub.png, docs/hub-clause.png) with Playwright and Chromium.

Usage: `uv run python scripts/hub-screenshots.py` (serves a copy of profiles/ on a free local port).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHOTS = {
    "hub.png": ("profiles/riverside-borough-council/", 1280, 800),
    "hub-clause.png": ("clauses/politics.council-publicity/", 1280, 800),
}


def main() -> None:
    from playwright.sync_api import sync_playwright

    from toolkit.hub.app import HubApp, start_in_thread
    from toolkit.hub.state import Hub

    with tempfile.TemporaryDirectory() as temporary:
        profiles = Path(temporary) / "profiles"
        shutil.copytree(ROOT / "profiles", profiles)
        stop, url = start_in_thread(HubApp(Hub(profiles), watch=False))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
                for name, (address, width, height) in SHOTS.items():
                    page = browser.new_page(viewport={"width": width, "height": height})
                    page.goto(url + address)
                    page.screenshot(path=ROOT / "docs" / name)
                    page.close()
                browser.close()
        finally:
            stop()


if __name__ == "__main__":
    main()
