"""Speed and memory of policy-toolkit, as ratios measured in one run (`make bench`).

Every figure pairs like with like and interleaves the rounds (A, B, A, B, ...), so a machine that slows down or
speeds up during the run moves both sides of a ratio alike; each figure is the median of its rounds with the range
(min–max) beside it. The pairs:

- one profile, all three formats, in process / raw WeasyPrint writing the same print HTML with the same tagging;
- PDF only / the same raw WeasyPrint;
- `--help`, `validate`, `diff PROFILE`, `list`, whole processes / `python -c "import typer"`;
- `build --jobs 2` / `build --jobs 1` (wall time), and a second build with nothing changed / the first;
- Typst / WeasyPrint rendering the same policy's PDF (CPU time), with pages a second for each;
- `load_yaml` over the sample profiles with libyaml's events / with ruamel.yaml's reader alone (CPU time);
- `diff --all` and `check` over a generated 600-organisation fixture (seconds, and peak memory);
- peak memory of one build worker building a 110-page handbook in all formats, as many times as a worker does
  before it is replaced, with each PDF engine; the HTML page's size.

It also projects the time for 600 organisations × 3 formats on this machine's cores from a measured sample, for
each PDF engine (or measures it, with `--full`), and lists what `validate` imports (`python -X importtime`).

Usage: `uv run python benchmarks/run.py [--rounds N] [--sample N] [--full] [--json FILE]`
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "profiles"
SAMPLE = "riverside-borough-council"
FIXTURE_SIZE = 600
HEAVY_MODULES = ("docx", "docxtpl", "weasyprint", "typst", "fontTools", "PIL")
# Its own cache folder (remembered results, compiled templates, font subsets), so the user's is neither used nor
# filled; "warm" figures are warm after the first, uncounted round.
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1764000000", "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="bench-cache-")}
ENV.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's Python keeps compiled modules; a run without them recompiles all
os.environ["SOURCE_DATE_EPOCH"] = ENV["SOURCE_DATE_EPOCH"]


# Measuring --------------------------------------------------------------------------------------------------------


def interleaved(tasks: dict[str, Callable[[], object]], rounds: int, clock: Callable[[], float]) -> dict[str, list]:
    """Each task once per round, in turn; a warm-up round first (not counted)."""
    times: dict[str, list[float]] = {name: [] for name in tasks}
    for round_number in range(rounds + 1):
        for name, task in tasks.items():
            started = clock()
            task()
            if round_number:
                times[name].append(clock() - started)
    return times


def cpu() -> float:
    """CPU time of this process and of the children it has waited for: a Typst compile may run in a forked child
    (to bound its memory), and its work must count."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def ratio(times: dict[str, list[float]], top: str, bottom: str) -> dict[str, float]:
    """Median and range of the per-round ratios top/bottom (rounds paired, so drift cancels)."""
    ratios = [a / b for a, b in zip(times[top], times[bottom], strict=True)]
    return {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios)}


def seconds(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def process(*arguments: str, cwd: Path = ROOT) -> Callable[[], None]:
    def run() -> None:
        subprocess.run([sys.executable, *arguments], cwd=cwd, env=ENV, check=True, capture_output=True)

    return run


def toolkit(*arguments: str, cwd: Path = ROOT) -> Callable[[], None]:
    return process("-m", "toolkit", *arguments, cwd=cwd)


def wall() -> float:
    return time.perf_counter()


def measured_run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, float, float]:
    """Exit code, wall seconds and peak memory (MiB; the largest of the process and the workers it waited for)
    of one command, measured on its own (not the largest of every child this benchmark has run)."""
    started = wall()
    child = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, wall() - started, usage.ru_maxrss / 1024


# Fixture ----------------------------------------------------------------------------------------------------------


def make_fixture(folder: Path, size: int = FIXTURE_SIZE) -> Path:
    """`size` fictional organisations made from the sample profiles (names changed), with reviewed lock files."""
    profiles = folder / "profiles"
    shutil.copytree(PROFILES, profiles)
    samples = sorted(path for path in PROFILES.glob("*.yaml") if not path.name.endswith(".lock.yaml"))
    for number in range(1, size + 1):
        base = samples[number % len(samples)]
        name = f"fixture-{number:03d}-{base.stem}"
        text = base.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^name: (.*)$", rf"name: \1 {number:03d}", text, count=1)
        (profiles / f"{name}.yaml").write_text(text, encoding="utf-8")
        lock = base.with_name(base.stem + ".lock.yaml")
        if lock.exists():
            locked = re.sub(r"(?m)^profile: .*$", f"profile: {name}", lock.read_text(encoding="utf-8"), count=1)
            (profiles / f"{name}.lock.yaml").write_text(locked, encoding="utf-8")
    return profiles


# The figures ------------------------------------------------------------------------------------------------------


def render_figures(rounds: int) -> dict[str, object]:
    """In process: the toolkit's outputs against raw WeasyPrint on the same HTML with the same tagging."""
    import weasyprint

    from toolkit.render import RenderOptions, render
    from toolkit.render.formats.html import render_html
    from toolkit.resolve.policy import resolve_profile

    path = PROFILES / f"{SAMPLE}.yaml"
    options = RenderOptions()
    html = render_html(resolve_profile(path, PROFILES), options, for_pdf=True)

    def everything() -> None:
        policy = resolve_profile(path, PROFILES)
        for name in ("html", "docx", "pdf"):
            render(policy, name, options)

    def pdf_only() -> None:
        render(resolve_profile(path, PROFILES), "pdf", options)

    def raw_weasyprint() -> None:
        weasyprint.HTML(string=html, base_url=str(ROOT)).write_pdf(pdf_variant="pdf/ua-1")

    tasks = {"all3": everything, "raw": raw_weasyprint, "pdf": pdf_only, "raw2": raw_weasyprint}
    times = interleaved(tasks, rounds, cpu)
    return {
        "all 3 formats / raw WeasyPrint (tagged)": ratio(times, "all3", "raw"),
        "PDF only / raw WeasyPrint (tagged)": ratio(times, "pdf", "raw2"),
        "raw WeasyPrint CPU s": seconds(times["raw"]),
    }


def engine_figures(rounds: int) -> dict[str, object]:
    """Typst against WeasyPrint on the same policy: CPU time, pages and pages a second.

    Typst remembers layouts between compiles in one process, so each render gets a policy it has not seen (another
    organisation name, as in a real build of many organisations); both engines get the same one.
    """
    from toolkit.render import RenderOptions
    from toolkit.render.formats import pdf
    from toolkit.resolve.policy import resolve_profile

    policy = resolve_profile(PROFILES / f"{SAMPLE}.yaml", PROFILES)
    weasy, typst = RenderOptions(), RenderOptions(pdf_engine="typst")
    pages = {"weasyprint": page_count(pdf.render(policy, weasy)), "typst": page_count(pdf.render(policy, typst))}
    serial = iter(range(1, 10_000))

    def renamed():
        organisation = policy.organisation.model_copy(update={"name": f"Benchmark Council {next(serial)}"})
        return policy.model_copy(update={"organisation": organisation})

    variants = [renamed() for _ in range(rounds + 1)]
    per_engine = {"weasyprint": iter(variants), "typst": iter(variants)}
    tasks = {
        "weasyprint": lambda: pdf.render(next(per_engine["weasyprint"]), weasy),
        "typst": lambda: pdf.render(next(per_engine["typst"]), typst),
    }
    times = interleaved(tasks, rounds, cpu)
    return {
        "Typst / WeasyPrint PDF (CPU, a document new to each engine)": ratio(times, "typst", "weasyprint"),
        "pages": pages,
        "pages per CPU second": {name: pages[name] / statistics.median(times[name]) for name in pages},
        "ms CPU per page": {name: 1000 * statistics.median(times[name]) / pages[name] for name in pages},
    }


def page_count(data: bytes) -> int:
    """The /Count of the PDF's page tree, looked for in the file and in its compressed object streams."""
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        with contextlib.suppress(zlib.error):
            chunks.append(zlib.decompressobj().decompress(data[match.end() : match.end() + 1_000_000]))
    counts = [
        int(value)
        for chunk in chunks
        for pattern in (rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b")
        for value in re.findall(pattern, chunk)
    ]
    return max(counts, default=0)


def command_figures(rounds: int) -> dict[str, object]:
    """The everyday commands as a person runs them: again with nothing changed (results remembered), after
    editing one profile, and cold (an empty cache folder: nothing remembered, no compiled templates)."""
    baseline = process("-c", "import typer")
    scratch = Path(tempfile.mkdtemp(prefix="bench-profiles-")) / "profiles"
    shutil.copytree(PROFILES, scratch)  # edited there, so the other commands' results stay warm
    edited = scratch / "greenvale-hospitals.yaml"
    original = edited.read_bytes()
    counter = iter(range(1_000_000))

    def after_editing_one() -> None:
        edited.write_bytes(original + f"\n# edit {next(counter)}\n".encode())
        toolkit("validate", "--profiles", str(scratch))()

    def cold(*arguments: str) -> Callable[[], None]:
        def run() -> None:
            with tempfile.TemporaryDirectory() as empty:
                subprocess.run(
                    [sys.executable, "-m", "toolkit", *arguments],
                    cwd=ROOT,
                    env={**ENV, "XDG_CACHE_HOME": empty},
                    check=True,
                    capture_output=True,
                )

        return run

    tasks = {
        "typer": baseline,
        "help": toolkit("--help"),
        "typer2": baseline,
        "validate": toolkit("validate"),
        "typer3": baseline,
        "diff": toolkit("diff", f"profiles/{SAMPLE}.yaml"),
        "typer4": baseline,
        "list": toolkit("list"),
        "validate, one profile edited": after_editing_one,
        "validate, cold": cold("validate"),
        "diff PROFILE, cold": cold("diff", f"profiles/{SAMPLE}.yaml"),
    }
    try:
        times = interleaved(tasks, rounds, wall)
    finally:
        shutil.rmtree(scratch.parent, ignore_errors=True)
    return {
        "--help / import typer": ratio(times, "help", "typer"),
        "validate (every profile) / import typer": ratio(times, "validate", "typer2"),
        "diff PROFILE / import typer": ratio(times, "diff", "typer3"),
        "list / import typer": ratio(times, "list", "typer4"),
        "seconds": {name: seconds(values) for name, values in times.items() if not name.startswith("typer")}
        | {"import typer": seconds(times["typer"])},
    }


def yaml_figures(rounds: int) -> dict[str, object]:
    """`load_yaml` over the sample and bundled profiles and their lock files, read three ways: by the marked reader
    (libyaml's events into marked dicts and lists: what `load_yaml` does), by the node reader (libyaml's events
    built by ruamel's constructor) and by ruamel's own reader alone (what a file falls back to)."""
    from toolkit.load import yamlio

    files = [*sorted(PROFILES.rglob("*.yaml")), *sorted((ROOT / "toolkit" / "sectors").glob("*.yaml"))]
    readers = {"marked": yamlio._marked_from_events, "nodes": yamlio._fast_load}

    def fall_back(text: str) -> object:
        raise yamlio._FallBack

    def read_all(*switched_off: str) -> Callable[[], None]:
        def run() -> None:
            for name in switched_off:
                setattr(yamlio, f"_{'marked_from_events' if name == 'marked' else 'fast_load'}", fall_back)
            try:
                for path in files:
                    yamlio.load_yaml(path)
            finally:
                yamlio._marked_from_events, yamlio._fast_load = readers["marked"], readers["nodes"]

        return run

    times = interleaved(
        {"marked": read_all(), "nodes": read_all("marked"), "ruamel": read_all("marked", "nodes")}, rounds, cpu
    )
    return {
        "files": len(files),
        "marked reader / ruamel reader": ratio(times, "marked", "ruamel"),
        "node reader (libyaml events + ruamel constructor) / ruamel reader": ratio(times, "nodes", "ruamel"),
        "seconds": {name: seconds(values) for name, values in times.items()},
    }


def imports_of_validate() -> dict[str, object]:
    """`python -X importtime` on `validate`: total import time and which heavy libraries were imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "toolkit", "validate"],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
    )
    modules = {}
    for line in result.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[0].startswith("import time:") and parts[1].strip().isdigit():
            modules[parts[2].strip()] = int(parts[1])
    top = sum(microseconds for name, microseconds in modules.items() if "." not in name)
    return {
        "import seconds (top-level modules, cumulative)": top / 1e6,
        "heavy libraries imported": sorted(name for name in modules if name in HEAVY_MODULES),
    }


def build_figures(rounds: int, jobs: int) -> dict[str, object]:
    """build --all of the samples: N workers against one, and a second build with nothing changed."""
    with tempfile.TemporaryDirectory() as folder:
        out1, out2, out3 = (Path(folder) / name for name in ("one", "many", "incremental"))

        def first() -> None:
            shutil.rmtree(out3, ignore_errors=True)
            toolkit("build", "--all", "-o", str(out3), "--jobs", str(jobs))()

        tasks = {
            "one": toolkit("build", "--all", "--force", "-o", str(out1), "--jobs", "1"),
            "many": toolkit("build", "--all", "--force", "-o", str(out2), "--jobs", str(jobs)),
            "first": first,
            "again": toolkit("build", "--all", "-o", str(out3), "--jobs", str(jobs)),
        }
        times = interleaved(tasks, rounds, wall)
        same = all((out1 / path.name).read_bytes() == path.read_bytes() for path in out2.glob("[!.]*")) and len(
            list(out1.glob("[!.]*"))
        ) == len(list(out2.glob("[!.]*")))
    return {
        f"build --all --jobs {jobs} / --jobs 1 (wall)": ratio(times, "many", "one"),
        "second build, nothing changed / first (wall)": ratio(times, "again", "first"),
        "same bytes whatever the number of jobs": same,
        "seconds": {name: seconds(values) for name, values in times.items()},
    }


def fixture_figures(profiles: Path, jobs: int, rounds: int = 3) -> dict[str, object]:
    """Over the 600-organisation fixture: diff --all and check, cold, again and after one edit, `rounds` times each
    (each round from an empty cache folder, editing another profile), as medians and ranges."""
    project = profiles.parent
    states = ("cold", "again, nothing changed", "again, one profile edited")
    figures: dict[str, object] = {}
    editable = sorted(profiles.glob("fixture-*.yaml"))
    for label, arguments in (("diff --all", ["diff", "--all"]), ("check", ["check"])):
        spent: dict[str, list[float]] = {state: [] for state in states}
        peaks: dict[str, list[float]] = {state: [] for state in states}
        codes: dict[str, set[int]] = {state: set() for state in states}
        for round_number in range(rounds):
            with tempfile.TemporaryDirectory() as empty:
                environment = {**ENV, "XDG_CACHE_HOME": empty}
                for state in states:
                    if state.endswith("edited"):
                        edited = editable[round_number % len(editable)]
                        edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
                    command = [sys.executable, "-m", "toolkit", *arguments, "--jobs", str(jobs)]
                    code, wall_seconds, peak = measured_run(command, project, environment)
                    spent[state].append(wall_seconds)
                    peaks[state].append(peak)
                    codes[state].add(code)
        for state in states:
            figures[f"{label} over {count(profiles)} profiles, {state}, s (wall)"] = seconds(spent[state])
            figures[f"{label}, {state}: peak memory of a process, MiB"] = max(peaks[state])
            figures[f"{label}, {state}: exit codes"] = sorted(codes[state])
    return figures


def fixture_builds(profiles: Path, jobs: int, sample: int, full: bool) -> dict[str, object]:
    """The time to build 600 organisations × 3 formats, per PDF engine. With Typst all 600 are built (about two
    minutes): a projection from small builds swings by a fifth with a second's noise. With WeasyPrint (about 17
    minutes) it is projected unless `--full`, from builds of a sample and of half of it, so that what a build pays
    once (starting Python, imports, workers) is counted once and not 600/sample times: projected = T(sample) +
    (600 − sample) × (T(sample) − T(half)) / (sample − half)."""
    project = profiles.parent
    figures: dict[str, object] = {}
    names = sorted(path for path in profiles.glob("fixture-*.yaml") if not path.name.endswith(".lock.yaml"))
    for engine in ("typst", "weasyprint"):
        whole = full or engine == "typst"
        chosen = names if whole else names[:: max(1, len(names) // sample)][:sample]
        half = chosen[: len(chosen) // 2]
        spent = build_seconds(chosen, profiles, project / f"out-{engine}", jobs, engine)
        key = f"600 organisations × 3 formats, {engine}, {jobs} workers, s (wall)"
        if whole:
            figures[key] = spent
            figures[f"{key}: measured on"] = f"{len(chosen)} organisations, all built"
            figures[f"{engine}: s per organisation (wall, {jobs} workers)"] = spent / len(chosen)
            continue
        spent_half = build_seconds(half, profiles, project / f"out-{engine}-half", jobs, engine)
        each = (spent - spent_half) / (len(chosen) - len(half))
        figures[key] = spent + (FIXTURE_SIZE - len(chosen)) * each
        figures[f"{key}: measured on"] = (
            f"{len(chosen)} organisations in {spent:.1f} s and {len(half)} in {spent_half:.1f} s, projected"
        )
        figures[f"{engine}: s per organisation (wall, {jobs} workers)"] = each
    return figures


def build_seconds(chosen: list[Path], profiles: Path, out: Path, jobs: int, engine: str) -> float:
    """Wall time of one `build` of the chosen profiles into an empty folder."""
    shutil.rmtree(out, ignore_errors=True)
    arguments = ["build", *map(str, chosen), "--profiles", str(profiles), "-o", str(out), "--jobs", str(jobs)]
    started = wall()
    subprocess.run(
        [sys.executable, "-m", "toolkit", *arguments, "--pdf-engine", engine],
        cwd=profiles.parent,
        env=ENV,
        check=True,
        capture_output=True,
    )
    return wall() - started


def count(profiles: Path) -> int:
    return len([path for path in profiles.glob("*.yaml") if not path.name.endswith(".lock.yaml")]) + 3


HANDBOOK_PAGES = 110  # the long handbook the worker's memory is measured on


def worker_memory(documents: dict[str, int]) -> dict[str, object]:
    """Peak resident memory of one process building a long handbook (the sample's sections repeated to at least
    HANDBOOK_PAGES pages) in every format, one after another as many times as a build worker does before it is
    replaced (`documents`, by PDF engine). A worker compiles Typst PDFs in a short-lived child process
    (`toolkit.render.typst_pdf`), whose peak counts too: the child's resident memory includes what it shares with
    the worker, so the larger of the two is the worker's peak."""
    script = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from benchmarks.run import page_count\n"
        "from toolkit.render import RenderOptions, render\n"
        "from toolkit.render.build import start_build_worker\n"
        "from toolkit.resolve.policy import resolve_profile\n"
        "start_build_worker(None)  # as a build worker starts\n"
        f"policy = resolve_profile(Path({str(PROFILES / (SAMPLE + '.yaml'))!r}), Path({str(PROFILES)!r}))\n"
        "options = RenderOptions(pdf_engine=sys.argv[1])\n"
        "pages, copies = page_count(render(policy, 'pdf', options)), 1\n"
        f"while pages * copies < {HANDBOOK_PAGES}: copies += 1\n"
        "long = policy.model_copy(update={'sections': policy.sections * copies})\n"
        "marks = []\n"
        "count = int(sys.argv[2])\n"
        "for number in range(count):\n"
        "    named = long.organisation.model_copy(update={'name': f'Benchmark Council {number}'})\n"
        "    document = long.model_copy(update={'organisation': named})  # a new organisation each time\n"
        "    for name in ('html', 'docx', 'pdf'):\n"
        "        data = render(document, name, options)\n"
        "    if number == 0: pages = page_count(data)\n"
        "    if number in (0, 9, 19, 29, 39, count - 1):\n"
        "        own, child = (resource.getrusage(who).ru_maxrss / 1024 for who in (resource.RUSAGE_SELF, "
        "resource.RUSAGE_CHILDREN))\n"
        "        marks.append(max(own, child))\n"
        "print(pages, marks)\n"
    )
    figures: dict[str, object] = {}
    for engine, count in documents.items():
        result = subprocess.run(
            [sys.executable, "-c", script, engine, str(count)],
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            text=True,
            check=True,
        )
        pages, _, marks_text = result.stdout.strip().partition(" ")
        marks = json.loads(marks_text)
        figures[f"{engine}: pages of the handbook"] = int(pages)
        figures[f"{engine}: peak MiB after 1, 10, 20, ... and {count} handbooks (3 formats each)"] = marks
        figures[f"{engine}: growth per handbook, MiB"] = (marks[-1] - marks[0]) / max(1, count - 1)
    return figures


def html_size() -> dict[str, object]:
    from toolkit.render import RenderOptions, render
    from toolkit.resolve.policy import resolve_profile

    sizes = {
        path.stem: len(render(resolve_profile(path, PROFILES), "html", RenderOptions()))
        for path in sorted(PROFILES.glob("*.yaml"))
        if not path.name.endswith(".lock.yaml")
    }
    return {
        "HTML page KB (largest sample)": max(sizes.values()) / 1000,
        "by profile (KB)": {k: v / 1000 for k, v in sizes.items()},
    }


# Report -----------------------------------------------------------------------------------------------------------


def show(title: str, figures: dict[str, object]) -> None:
    print(f"\n## {title}")
    for name, value in figures.items():
        if isinstance(value, dict) and {"median", "min", "max"} <= set(value):
            print(f"  {name}: {value['median']:.3f} ({value['min']:.3f}–{value['max']:.3f})")
        elif isinstance(value, float):
            print(f"  {name}: {value:.3f}")
        else:
            print(f"  {name}: {json.dumps(value, default=str) if isinstance(value, dict | list) else value}")


def fixture(arguments: argparse.Namespace, jobs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        return fixture_figures(make_fixture(Path(folder)), jobs)


def fixture_build(arguments: argparse.Namespace, jobs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        return fixture_builds(make_fixture(Path(folder)), jobs, arguments.sample, arguments.full)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sample", type=int, default=30, help="organisations built to project 600 (default 30)")
    parser.add_argument(
        "--full", action="store_true", help="build all 600 organisations with WeasyPrint too, instead of projecting"
    )
    parser.add_argument("--jobs", type=int, default=None, help="workers (default: the machine's cores)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--only", help="run only the sections whose title contains this text")
    arguments = parser.parse_args()
    from toolkit.parallel import default_jobs
    from toolkit.render.build import TASKS_PER_WORKER, WEASYPRINT_TASKS_PER_WORKER

    jobs = arguments.jobs or default_jobs()
    print(f"policy-toolkit benchmark: {jobs} workers, {arguments.rounds} interleaved rounds, medians (min–max)")
    results: dict[str, dict[str, object]] = {}
    sections: list[tuple[str, Callable[[], dict[str, object]]]] = [
        ("Rendering one profile, in process (CPU)", lambda: render_figures(arguments.rounds)),
        ("PDF engines (CPU)", lambda: engine_figures(arguments.rounds)),
        ("Everyday commands, whole processes (wall)", lambda: command_figures(arguments.rounds)),
        ("Reading YAML, in process (CPU)", lambda: yaml_figures(arguments.rounds)),
        ("What validate imports", imports_of_validate),
        ("Building the samples", lambda: build_figures(max(1, arguments.rounds // 2), jobs)),
        (
            "Memory of one worker",
            lambda: worker_memory({"weasyprint": WEASYPRINT_TASKS_PER_WORKER, "typst": TASKS_PER_WORKER}),
        ),
        ("HTML page size", html_size),
    ]
    sections.append((f"{FIXTURE_SIZE}-organisation fixture: diff and check", lambda: fixture(arguments, jobs)))
    sections.append((f"{FIXTURE_SIZE}-organisation fixture: builds", lambda: fixture_build(arguments, jobs)))
    for title, measure in sections:
        if arguments.only and arguments.only.lower() not in title.lower():
            continue
        results[title] = measure()
        show(title, results[title])
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
