"""The guidance hub with many profiles: time to first page, from saving a profile to the open page's reload, and
the static export.

A generated fixture of `--count` profiles (default 600), each extending a sector profile and changing one clause,
is served on 127.0.0.1 as `serve` does (with its background resolving), then:

- first page: from starting the server to the index page's last byte;
- first organisation: one organisation's page on a cold cache (one profile resolved);
- save to reload: from rewriting one profile file (as an editor saves it) to the reload event reaching an open
  page's event stream, and then that organisation's page served again (only what depends on the file is redone);
- clause comparison: one clause across every organisation, once everything is resolved;
- static export: `site` for the whole folder, search index included.

Usage: `uv run python benchmarks/hub.py [--count N] [--skip-export] [--json FILE]`
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECTORS = ["local-council", "nhs-trust", "central-government"]
CLAUSES = ["principles.credible", "principles.consistent", "code.public", "personal.freedom"]


def fixture(folder: Path, count: int) -> Path:
    profiles = folder / "profiles"
    profiles.mkdir()
    for number in range(count):
        clause = CLAUSES[number % len(CLAUSES)]
        (profiles / f"body-{number:04d}.yaml").write_text(
            f"# A generated organisation for the benchmark.\n"
            f"extends: {SECTORS[number % len(SECTORS)]}\n"
            f"name: Example Body {number}\n"
            f"clauses:\n"
            f"  - replace: {clause}\n"
            f"    text: |\n"
            f"      Example Body {number} words this clause its own way.\n"
            f"    reason: Benchmark fixture.\n",
            encoding="utf-8",
        )
    return profiles


def get(url: str) -> bytes:
    with urlopen(url, timeout=600) as response:
        return response.read()


def wait_for_event(url: str, ready: threading.Event, arrived: list[float]) -> None:
    """Read the event stream; note when the first event after the greeting arrives."""
    host, port = url.split("//")[1].rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    connection.request("GET", "/events")
    response = connection.getresponse()
    events = 0
    while True:
        line = response.fp.readline()
        if not line:
            return
        if line.startswith(b"data:"):
            events += 1
            if events == 1:
                ready.set()
            else:
                arrived.append(time.perf_counter())
                connection.close()
                return


class Figures(dict):
    """The figures so far, each printed as it is measured (a long run still says something when stopped)."""

    def __setitem__(self, name: str, value: float) -> None:
        super().__setitem__(name, value)
        print(f"  {name:38} {value:10.2f}", flush=True)


def measure(count: int, export: bool) -> dict[str, float]:
    from toolkit.hub.app import HubApp, start_in_thread, warm
    from toolkit.hub.state import Hub

    results: dict[str, float] = Figures()
    with tempfile.TemporaryDirectory() as temporary:
        profiles = fixture(Path(temporary), count)
        started = time.perf_counter()
        hub = Hub(profiles)
        hub.paths()
        web = HubApp(hub)
        stop, url = start_in_thread(web)
        warm(hub)
        get(url)
        results["first page (s)"] = time.perf_counter() - started
        moment = time.perf_counter()
        get(f"{url}profiles/body-0007/")
        results["first organisation page (s)"] = time.perf_counter() - moment

        ready, arrived = threading.Event(), []
        reader = threading.Thread(target=wait_for_event, args=(url, ready, arrived), daemon=True)
        reader.start()
        ready.wait(30)
        target = profiles / "body-0003.yaml"
        saved = time.perf_counter()
        target.write_text(target.read_text(encoding="utf-8").replace("its own way", "in new words"), encoding="utf-8")
        reader.join(60)
        if arrived:
            results["save to reload event (s)"] = arrived[0] - saved
        page = get(f"{url}profiles/body-0003/")
        results["save to page served again (s)"] = time.perf_counter() - saved
        assert b"in new words" in page

        moment = time.perf_counter()
        for name in hub.paths():
            hub.outcome(name)
        results["resolving the rest (s)"] = time.perf_counter() - moment
        moment = time.perf_counter()
        get(f"{url}clauses/principles.credible/")
        results["clause comparison, all resolved (s)"] = time.perf_counter() - moment
        stop()

        if export:
            from toolkit.hub.site import export as export_site

            moment = time.perf_counter()
            pages = export_site(profiles, None, Path(temporary) / "site")
            results["static export (s)"] = time.perf_counter() - moment
            results["static pages"] = pages
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600, help="how many generated profiles (default 600)")
    parser.add_argument("--skip-export", action="store_true", help="leave out the static export")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    arguments = parser.parse_args()
    print(f"Guidance hub with {arguments.count} profiles", flush=True)
    results = measure(arguments.count, not arguments.skip_export)
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
