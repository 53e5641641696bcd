"""Speed and memory of the toolkit against the raw engines it drives, measured in the same run.

Each task runs in its own Python process (so peak memory is that task's alone), renders once to warm up, then
`--repeat` times; the table reports the median time and peak resident memory, and the ratio of the toolkit's
figures to the raw engine's:

- pdf: the toolkit's PDF (resolve + HTML + WeasyPrint with its locked-down fetcher and PDF/UA tagging) against raw
  WeasyPrint writing the very same HTML with its defaults, and against raw WeasyPrint with the same tagging.
- docx: the toolkit's Word file (resolve + house template + structure + reproducible zip) against raw docxtpl
  rendering the same paragraphs through a one-loop template.
- html and resolve: the toolkit alone (no raw engine to compare with), for scale.

Usage: `uv run python benchmarks/run.py [--profile NAME] [--repeat N] [--json FILE]`
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "profiles"
PAIRS = [("pdf", "weasyprint"), ("pdf", "weasyprint-tagged"), ("docx", "docxtpl")]
TASKS = ["resolve", "html", "pdf", "weasyprint", "weasyprint-tagged", "docx", "docxtpl"]


# Tasks: each returns a function that does the work once ----------------------------------------------------------


def _policy(profile: str):
    from toolkit.resolve.policy import resolve_profile

    return resolve_profile(next(PROFILES.rglob(f"{profile}.yaml")), PROFILES)


def task(name: str, profile: str) -> Callable[[], object]:
    from toolkit.render import RenderOptions, render

    options = RenderOptions()
    path = next(PROFILES.rglob(f"{profile}.yaml"))
    if name == "resolve":
        from toolkit.resolve.policy import resolve_profile

        return lambda: resolve_profile(path, PROFILES)
    if name in ("html", "pdf", "docx"):
        from toolkit.resolve.policy import resolve_profile

        return lambda: render(resolve_profile(path, PROFILES), name, options)
    if name.startswith("weasyprint"):
        return _raw_weasyprint(profile, tagged=name.endswith("tagged"))
    if name == "docxtpl":
        return _raw_docxtpl(profile)
    raise SystemExit(f"unknown task {name}")


def _raw_weasyprint(profile: str, tagged: bool) -> Callable[[], object]:
    """WeasyPrint on the toolkit's own print HTML, with its default fetcher: the engine's cost alone."""
    import weasyprint

    from toolkit.render import RenderOptions
    from toolkit.render.formats.html import render_html

    html = render_html(_policy(profile), RenderOptions(), for_pdf=True)
    options = {"pdf_variant": "pdf/ua-1"} if tagged else {}
    return lambda: weasyprint.HTML(string=html, base_url=str(ROOT)).write_pdf(**options)


def _raw_docxtpl(profile: str) -> Callable[[], object]:
    """docxtpl filling a one-loop template with the same paragraphs: what a plain docxtpl script would do."""
    from docx import Document
    from docxtpl import DocxTemplate

    from toolkit.model import block_text, plain_text

    policy = _policy(profile)
    paragraphs = []
    for section in policy.visible_sections:
        paragraphs.append(plain_text(section.title))
        for clause in section.visible_clauses:
            paragraphs += [plain_text(clause.title)] if clause.title else []
            paragraphs += block_text(clause.blocks).splitlines()
    template = io.BytesIO()
    document = Document()
    document.add_paragraph("{{ title }}")
    document.add_paragraph("{%p for text in paragraphs %}")
    document.add_paragraph("{{ text }}")
    document.add_paragraph("{%p endfor %}")
    document.save(template)

    def once() -> bytes:
        template.seek(0)
        filled = DocxTemplate(template)
        filled.render({"title": policy.full_title, "paragraphs": paragraphs}, autoescape=True)
        out = io.BytesIO()
        filled.save(out)
        return out.getvalue()

    return once


def run_task(name: str, profile: str, repeat: int) -> dict[str, object]:
    started = time.perf_counter()
    work = task(name, profile)
    work()  # warm-up: imports, caches, fonts
    setup = time.perf_counter() - started
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"task": name, "times": times, "setup": setup, "peak_mib": peak_kib / 1024}


# The parent: one process per task, then the table -------------------------------------------------------------


def measure(name: str, profile: str, repeat: int) -> dict[str, object]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "1764000000")}
    command = [sys.executable, __file__, "--child", name, "--profile", profile, "--repeat", str(repeat)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if result.returncode != 0:
        raise SystemExit(f"task {name} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def report(results: dict[str, dict], profile: str, repeat: int) -> str:
    lines = [
        f"policy-toolkit benchmark: profile {profile}, {repeat} runs per task after one warm-up, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs",
        "",
    ]
    lines.append(f"{'task':<20}{'median s':>10}{'min s':>9}{'max s':>9}{'peak MiB':>10}")
    for name, result in results.items():
        times = result["times"]
        lines.append(
            f"{name:<20}{statistics.median(times):>10.3f}{min(times):>9.3f}{max(times):>9.3f}"
            f"{result['peak_mib']:>10.0f}"
        )
    lines += ["", f"{'toolkit / raw engine':<34}{'time':>8}{'memory':>9}"]
    for ours, raw in PAIRS:
        if ours in results and raw in results:
            time_ratio = statistics.median(results[ours]["times"]) / statistics.median(results[raw]["times"])
            memory_ratio = results[ours]["peak_mib"] / results[raw]["peak_mib"]
            lines.append(f"{ours + ' / ' + raw:<34}{time_ratio:>7.2f}×{memory_ratio:>8.2f}×")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="riverside-borough-council")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_task(args.child, args.profile, args.repeat)))
        return
    results = {name: measure(name, args.profile, args.repeat) for name in args.tasks.split(",")}
    print(report(results, args.profile, args.repeat))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    tempfile.tempdir = tempfile.gettempdir()
    main()
