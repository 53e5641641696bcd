"""`site`: the hub as static files for any static host: the same pages as `serve`, without a server.

Search is Pagefind (the PyPI `pagefind[extended]` package runs its indexer): it indexes the written pages and
answers queries in the browser from static files, so the site needs no server and sends searches nowhere. The site
is built in a folder beside the target and swapped in when complete, so a failed export leaves the old site.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from toolkit.errors import OutputError, Problem, ToolkitError
from toolkit.hub import pages
from toolkit.hub.edit import file_history, git_root
from toolkit.hub.pages import Mode
from toolkit.hub.state import Hub
from toolkit.render.templates import HTML_TEMPLATES, html_environment

PAGEFIND_TIMEOUT_SECONDS = 600
SITE_MARKER = ".policy-toolkit-site"  # an export replaces only a folder that an export made


def export(
    profiles_dir: Path, core_dir: Path | None, out: Path, *, edit_url: str | None = None, base: str = "/"
) -> int:
    """Write every page under `out`; returns how many pages were written."""
    _check_replaceable(out)
    hub = Hub(profiles_dir, core_dir)
    root = git_root(hub.profiles_dir)
    base = "/" + base.strip("/") + "/" if base.strip("/") else "/"
    mode = Mode(
        base=base,
        search=True,
        edit_url=edit_url,
        history=file_history if root else None,
        project_root=root or hub.profiles_dir.parent,
    )
    files = site_files(hub, mode)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".partial"))
    try:
        for relative, text in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        index_for_search(staging)
        (staging / SITE_MARKER).write_text("Made by `policy-toolkit site`; replaced whole by the next export.\n")
        _swap_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sum(1 for name in files if name.endswith(".html"))


def site_files(hub: Hub, mode: Mode) -> dict[str, str]:
    """Every page and asset of the site by path, `folder/index.html` for each hub address."""
    files = {
        "assets/hub.css": pages.stylesheet(hub),
        "assets/search.js": (HTML_TEMPLATES / "search.js").read_text(encoding="utf-8"),
        "index.html": pages.index_page(hub, mode, resolve_all=True),
        "core/index.html": pages.policy_page(hub, hub.baseline(), mode, core=True),
        "clauses/index.html": pages.clause_index_page(hub, mode),
        "matrix/index.html": pages.matrix_page(hub, mode),
        "search/index.html": search_page(hub, mode),
    }
    for clause_id in pages.clause_ids(hub):
        files[f"clauses/{clause_id}/index.html"] = pages.clause_page(hub, clause_id, mode) or ""
    for name in hub.paths():
        outcome = hub.outcome(name)
        folder = f"profiles/{name}"
        if outcome.policy is None:
            files[f"{folder}/index.html"] = pages.problems_page(hub, name, outcome, mode)
            continue
        files[f"{folder}/index.html"] = pages.policy_page(hub, outcome.policy, mode)
        files[f"{folder}/diff/index.html"] = pages.diff_page(hub, outcome.policy, mode)
        if len(outcome.policy.chain) > 1:
            files[f"{folder}/diff-parent/index.html"] = pages.diff_page(hub, outcome.policy, mode, parent=True)
    return files


def search_page(hub: Hub, mode: Mode) -> str:
    page = html_environment().get_template("hub-search.html.j2")
    return page.render(
        version=hub.version,
        base=mode.base,
        hub_name=pages.HUB_NAME,
        live=False,
        search=True,
        errors=None,
        branding_css=None,
        footer=f"{pages.HUB_NAME}: the core guidance and every organisation's version.",
        title="Search",
    )


def index_for_search(folder: Path) -> None:
    """Run Pagefind's indexer over the written pages (it writes `pagefind/` with the index and its script)."""
    command = [sys.executable, "-m", "pagefind", "--site", str(folder), "--silent"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PAGEFIND_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise OutputError(Problem(f"the search index could not be built: {error}", file=folder)) from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise OutputError(Problem(f"the search index could not be built: {said[-1] if said else 'pagefind failed'}"))


def _check_replaceable(out: Path) -> None:
    """An export replaces the previous export whole; never a folder of other files (built documents, a site)."""
    if out.exists() and not out.is_dir():
        raise OutputError(Problem("the output folder is a file, not a folder", file=out))
    if out.is_dir() and any(out.iterdir()) and not (out / SITE_MARKER).is_file():
        raise ToolkitError(
            Problem(
                "this folder holds files that `site` did not make; it replaces a folder whole, so it will not use it",
                file=out,
                field="--out",
                hint="give an empty or new folder, e.g. --out hub-site/",
            )
        )


def _swap_in(staging: Path, out: Path) -> None:
    _check_replaceable(out)
    old = out.with_name(f".{out.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    staging.rename(out)
    with contextlib.suppress(OSError):
        shutil.rmtree(old)
