"""The hub's pages, for the server and the static site alike: the same model and HTML renderer as `build`.

Clause text becomes HTML only through the HTML renderer's functions (`toolkit/render/formats/html.py`), which escape
every string; the hub's Jinja templates autoescape everything else. A page is a function of the hub's state and a
`Mode` (live server or static export), so both publish the same pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from markupsafe import Markup

from toolkit.diff import compare, compare_with_core, reporter
from toolkit.diff.formats._wording import change_words
from toolkit.diff.matrix import build_matrix, html_report
from toolkit.errors import Problem
from toolkit.hub.state import Hub, Outcome
from toolkit.model import CORE, Clause, Policy, Section, plain_text
from toolkit.render.formats import html as renderer
from toolkit.render.templates import HTML_TEMPLATES, html_environment
from toolkit.resolve.core import clause_titles
from toolkit.resolve.notes import sections_around_appendix

HUB_NAME = "Social media guidance hub"
EAGER_INDEX_LIMIT = 60  # up to this many profiles the index names every organisation; beyond, as they resolve
STATUS_WORDS = {
    "unchanged": "As in the core",
    "replaced": "Reworded",
    "added": "Added",
    "removed": "Removed",
    "excluded": "Left out",
    "included": "Included",
    "moved": "Moved",
}


@dataclass(frozen=True)
class Mode:
    """What differs between the live hub and the static site: links to editing or to proposing a change."""

    base: str = "/"
    live: bool = False  # live reload and "Change this clause" forms
    search: bool = False  # the static site's Pagefind search page
    edit_url: str | None = None  # e.g. https://git.example/org/repo/edit/main/{path}
    history: Callable[[Path], list[str]] | None = None  # a file's git history lines, newest first
    project_root: Path | None = None  # what edit_url paths are relative to
    extra: dict[str, str] = field(default_factory=dict)


# Shared pieces ---------------------------------------------------------------------------------------------------


def _render(hub: Hub, template: str, mode: Mode, **values: object) -> str:
    page = html_environment().get_template(template)
    return page.render(
        version=hub.version,
        base=mode.base,
        hub_name=HUB_NAME,
        live=mode.live,
        search=mode.search,
        errors=values.pop("errors", None),
        branding_css=values.pop("branding_css", None),
        footer=values.pop("footer", f"{HUB_NAME}: the core guidance and every organisation's version."),
        **values,
    )


def stylesheet(hub: Hub) -> str:
    """One stylesheet for every hub page: the HTML output's CSS (with its fonts) and the hub's own rules."""
    baseline = hub.baseline()
    font = baseline.branding.font
    faces = renderer.font_faces(
        font, renderer.css_string(f"{font.name} Embedded"), for_pdf=False, styles=renderer.FONT_STYLES
    )  # whole fonts: one stylesheet serves every page, whatever characters it holds
    css = str(renderer.page_css(baseline, for_pdf=False)).replace(renderer.FONTS_MARK, faces, 1)
    return f"{css}\n{_hub_css()}"


@cache
def _hub_css() -> str:
    return (HTML_TEMPLATES / "hub.css").read_text(encoding="utf-8")


def branding_css(policy: Policy) -> Markup:
    """An organisation's colours over the shared stylesheet (validated `#rrggbb` values only)."""
    branding = policy.branding
    rule = renderer.mix(branding.text_colour, branding.background_colour, 0.35)
    colours = (branding.primary_colour, branding.text_colour, branding.background_colour, rule)
    primary, text, background, rule = (renderer._colour(c) for c in colours)
    return Markup(f":root {{ --primary: {primary}; --text: {text}; --bg: {background}; --rule: {rule}; }}")


def problem_rows(problems: list[Problem], root: Path) -> list[dict[str, str | None]]:
    return [
        {
            "where": _where(p, root),
            "field": p.field,
            "message": p.message,
            "hint": p.hint,
        }
        for p in problems
    ]


def _where(problem: Problem, root: Path) -> str:
    if problem.file is None:
        return "profile"
    return Problem("", file=problem.file, line=problem.line, column=problem.column).render(root).rstrip(": ")


# The index -------------------------------------------------------------------------------------------------------


def index_page(hub: Hub, mode: Mode, *, resolve_all: bool = False) -> str:
    """Every profile. In a large folder names come from policies resolved so far (the server resolves the rest in
    the background), so the first page never waits for hundreds of profiles."""
    rows = []
    resolve_all = resolve_all or len(hub.paths()) <= EAGER_INDEX_LIMIT
    for name, path in hub.paths().items():
        outcome = hub.outcome(name) if resolve_all else hub.cached(name)
        rows.append(
            {
                "name": name,
                "label": outcome.policy.organisation.name if outcome and outcome.policy else name,
                "extends": " → ".join(outcome.chain[:-1]) if outcome and outcome.policy else "",
                "problems": len(outcome.problems) if outcome else 0,
                "resolved": outcome is not None,
                "bundled": not hub.is_editable(path),
            }
        )
    return _render(hub, "hub-index.html.j2", mode, title=HUB_NAME, rows=rows, core_version=hub.core.version)


# A policy: the core, or an organisation's version -----------------------------------------------------------------


def problems_page(hub: Hub, name: str, outcome: Outcome, mode: Mode) -> str:
    return _render(
        hub,
        "hub-problems.html.j2",
        mode,
        title=f"{name} has problems",
        problems=problem_rows(outcome.problems, hub.profiles_dir.parent),
        errors=True,
    )


def policy_page(hub: Hub, policy: Policy, mode: Mode, *, core: bool = False) -> str:
    """An organisation's guidance (or the core's), clause by clause, each with its permalink and actions."""
    before, after = sections_around_appendix(policy)
    sections = [*before, *after]
    body = Markup("\n").join(_section_html(hub, policy, s, mode, core=core) for s in sections if s.visible_clauses)
    if not core:
        body += renderer.tailoring_html(policy)
    contents = [(s.id, plain_text(s.title)) for s in sections if s.visible_clauses]
    if not core:
        contents.append((renderer.TAILORING_ID, renderer.TAILORING_TITLE))
    return _render(
        hub,
        "hub-policy.html.j2",
        mode,
        title="Core guidance" if core else policy.organisation.name,
        caption=f"Core guidance, version {policy.core.version}" if core else "Profile " + policy.profile,
        heading=policy.title if core else policy.full_title,
        subtitle=policy.subtitle,
        facts=[("Core version", policy.core.version)] if core else renderer.document_facts(policy),
        links=[] if core else _policy_links(policy, mode),
        contents=contents,
        body=body,
        branding_css=None if core else branding_css(policy),
    )


def _policy_links(policy: Policy, mode: Mode) -> list[tuple[str, str]]:
    base = f"{mode.base}profiles/{policy.profile}/"
    links = [(f"{base}diff/", "What this organisation changed from the core")]
    if len(policy.chain) > 1:
        links.append((f"{base}diff-parent/", f"Differences from {policy.chain[-2]}"))
    return links


def _section_html(hub: Hub, policy: Policy, section: Section, mode: Mode, *, core: bool) -> Markup:
    clauses = Markup("\n").join(
        _clause_html(hub, policy, clause, section, mode, core=core) for clause in section.visible_clauses
    )
    return Markup('<section class="section" id="{}">\n<h2>{}</h2>\n{}\n</section>').format(
        section.id, renderer.inlines_html(section.title), clauses
    )


def _clause_html(hub: Hub, policy: Policy, clause: Clause, section: Section, mode: Mode, *, core: bool) -> Markup:
    """The renderer's clause, then a line of links: compare across organisations, change or propose a change."""
    rendered = renderer.clause_html(clause, section)
    label = plain_text(clause.title) or clause.id
    links = [
        (
            f"{mode.base}clauses/{clause.id}/",
            Markup('Compare<span class="visually-hidden"> “{}”</span> across organisations').format(label),
        ),
    ]
    if not core:
        path = hub.paths().get(policy.profile)
        if mode.live and path is not None and hub.is_editable(path):
            href = f"{mode.base}profiles/{policy.profile}/clauses/{clause.id}/edit"
            links.append((href, Markup('Change this clause<span class="visually-hidden"> (“{}”)</span>').format(label)))
        elif mode.edit_url and path is not None:
            links.append(
                (
                    proposal_url(mode, path),
                    Markup('Propose a change<span class="visually-hidden"> to “{}”</span>').format(label),
                )
            )
    items = Markup("").join(Markup('<li><a href="{}">{}</a></li>').format(href, text) for href, text in links)
    actions = Markup('<ul class="hub-clause-actions">{}</ul>').format(items)
    history = _history_html(hub, policy, clause, mode) if not core else Markup()
    return Markup("{}\n{}{}").format(rendered[: -len("</section>")], actions, history) + Markup("</section>")


def proposal_url(mode: Mode, path: Path) -> str:
    root = mode.project_root or path.parent
    try:
        relative = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        relative = path.name
    return (mode.edit_url or "").replace("{path}", relative)


def _history_html(hub: Hub, policy: Policy, clause: Clause, mode: Mode) -> Markup:
    entries = clause_history(hub, clause, mode)
    if not entries:
        return Markup()
    items = Markup("").join(Markup("<li>{}</li>").format(entry) for entry in entries)
    label = plain_text(clause.title) or clause.id
    return Markup(
        '<details class="hub-history"><summary>History<span class="visually-hidden"> of “{}”</span></summary>'
        "<ul>{}</ul></details>"
    ).format(label, items)


def clause_history(hub: Hub, clause: Clause, mode: Mode) -> list[str]:
    """The git history of the files whose operations shaped this clause (who, when, the message)."""
    if mode.history is None:
        return []
    known = hub.paths()
    files = [known[change.layer] for change in clause.provenance.history if change.layer in known]
    lines: list[str] = []
    for file in dict.fromkeys(files):
        lines += mode.history(file)
    return lines


# A clause across organisations ------------------------------------------------------------------------------------


def clause_index_page(hub: Hub, mode: Mode) -> str:
    baseline = hub.baseline()
    policies = hub.policies()
    changed: dict[str, int] = {}
    extra: dict[str, tuple[str, str]] = {}
    for policy in policies:
        for section in policy.sections:
            for clause in section.clauses:
                if clause.provenance.changed_by not in (None, CORE) and clause.provenance.status != "unchanged":
                    changed[clause.id] = changed.get(clause.id, 0) + 1
                origin = clause.provenance.origin
                if origin != CORE and (clause.id not in extra or policy.profile == origin):  # named as it was added
                    extra[clause.id] = (plain_text(clause.title) or clause.id, origin)
    sections = [
        {
            "title": plain_text(section.title),
            "clauses": [
                {"id": c.id, "title": plain_text(c.title) or c.id, "changed": changed.get(c.id, 0)}
                for c in section.clauses
            ],
        }
        for section in baseline.sections
    ]
    if extra:
        sections.append(
            {
                "title": "Clauses organisations added",
                "clauses": [
                    {"id": cid, "title": f"{title} ({by})", "changed": changed.get(cid, 0)}
                    for cid, (title, by) in sorted(extra.items())
                ],
            }
        )
    return _render(hub, "hub-clauses.html.j2", mode, title="Clauses", sections=sections, total=len(policies))


def clause_ids(hub: Hub) -> list[str]:
    ids = {c.id: None for s in hub.baseline().sections for c in s.clauses}
    for policy in hub.policies():
        ids.update({c.id: None for s in policy.sections for c in s.clauses})
    return list(ids)


def clause_page(hub: Hub, clause_id: str, mode: Mode) -> str | None:
    """One clause, every organisation's wording side by side, with who changed it and why."""
    cards = []
    baseline = hub.baseline()
    core_clause = _find(baseline, clause_id)
    if core_clause is not None:
        cards.append(
            _card(hub, baseline, *core_clause, mode, href=f"{mode.base}core/#{clause_id}", name="Core guidance")
        )
    versions = [_card(hub, p, *found, mode) for p in hub.policies() if (found := _find(p, clause_id)) is not None]
    cards += sorted(versions, key=lambda card: not card["changed"])  # the changed wordings first
    if not cards:
        return None
    title = next((c["title"] for c in cards if c["title"]), clause_id)
    changed = sum(1 for c in cards if c["changed"])
    summary = f"{len(cards) - (core_clause is not None)} organisations have this clause; {changed} changed it."
    return _render(hub, "hub-clause.html.j2", mode, title=title, clause_id=clause_id, cards=cards, summary=summary)


def _find(policy: Policy, clause_id: str) -> tuple[Section, Clause] | None:
    for section in policy.sections:
        for clause in section.clauses:
            if clause.id == clause_id:
                return section, clause
    return None


def _card(
    hub: Hub,
    policy: Policy,
    section: Section,
    clause: Clause,
    mode: Mode,
    *,
    href: str | None = None,
    name: str | None = None,
) -> dict[str, object]:
    provenance = clause.provenance
    status = STATUS_WORDS.get(provenance.status, provenance.status)
    if provenance.changed_by and provenance.changed_by != CORE and provenance.status != "unchanged":
        status += f" by {provenance.changed_by}"
    if provenance.status == "replaced" and provenance.origin != CORE:
        status += f" (added by {provenance.origin})"
    tables = renderer._TableContext(f"{policy.profile}_{clause.id}", plain_text(clause.title) or clause.id)
    body = renderer.blocks_html(clause.blocks, 3, tables) if clause.visible else Markup("<p>Not in this version.</p>")
    return {
        "organisation": name or policy.organisation.name,
        "href": href or f"{mode.base}profiles/{policy.profile}/#{clause.id}",
        "status": status,
        "reason": provenance.reason,
        "changed": provenance.status != "unchanged",
        "title": plain_text(clause.title),
        "body": body,
        "history": clause_history(hub, clause, mode),
    }


# Reports: the differ's and the matrix's own pages, with a way back --------------------------------------------------


def diff_page(hub: Hub, policy: Policy, mode: Mode, *, parent: bool = False) -> str:
    if parent and len(policy.chain) > 1:
        older = hub.policy(policy.chain[-2])
        difference = compare(older, policy) if older is not None else compare_with_core(policy)
    else:
        difference = compare_with_core(policy)
    return with_hub_links(
        reporter("html").report(difference, branding=policy.branding),
        mode,
        f"{mode.base}profiles/{policy.profile}/",
        hub.version,
    )


def matrix_page(hub: Hub, mode: Mode) -> str:
    matrix = build_matrix(hub.policies(), clause_titles(hub.core))
    return with_hub_links(html_report(matrix), mode, mode.base, hub.version)


def with_hub_links(page: str, mode: Mode, back: str, version: int = 0) -> str:
    """A report page as its format writes it, with a link back into the hub (and live reload when serving)."""
    link = str(Markup('<p class="hub-back"><a href="{}">Back to the guidance hub</a></p>\n').format(back))
    opening = page.index(">", page.index("<main")) + 1
    page = page[:opening] + "\n" + link + page[opening:]
    if mode.live:
        script = (
            f'<script>new EventSource("{mode.base}events").onmessage = function () {{ location.reload(); }};</script>\n'
        )
        page = page.replace("</body>", script + "</body>", 1)
    return page


def saved_page(hub: Hub, before: Policy | None, after: Policy, clause_id: str, message: str, mode: Mode) -> str:
    """After a save: what was written, and the difference it made to the organisation's guidance."""
    changes = []
    if before is not None:
        for clause in compare(before, after).changed_clauses:
            changes.append(
                {
                    "id": clause.id,
                    "title": clause.title,
                    "words": change_words(clause),
                    "lines": [line.segments for line in clause.lines if line.op != "equal"],
                }
            )
    base = f"{mode.base}profiles/{after.profile}/"
    return _render(
        hub,
        "hub-saved.html.j2",
        mode,
        title="Change saved",
        message=message,
        changes=changes,
        links=[
            (f"{base}#{clause_id}", f"Back to {after.organisation.name}"),
            (f"{mode.base}clauses/{clause_id}/", "Compare this clause across organisations"),
        ],
    )


def edit_page(
    hub: Hub, mode: Mode, *, name: str, clause_id: str, label: str, form: object, csrf_token: str, git: bool
) -> str:
    """The "Change this clause" form; problems next to their fields and in a summary at the top that links to them."""
    from toolkit.hub.edit import Form

    assert isinstance(form, Form)
    path = hub.paths()[name]
    policy = hub.policy(name)
    organisation = policy.organisation.name if policy else name
    errors = [{"field": field, "message": message} for field, message in form.errors]
    fields = [
        ("title", "Title", "Leave empty to keep the core guidance's title.", "input"),
        (
            "text",
            "Text",
            "Markdown. {org.name}, {org.short_name} and {term.staff} (and the other placeholders in the README) "
            "are replaced with this organisation's words.",
            "textarea",
        ),
        ("reason", "Reason", "Why this organisation says it differently. Required to remove a clause.", "textarea"),
    ]
    return _render(
        hub,
        "hub-edit.html.j2",
        mode,
        title=f"Change “{label}”",
        organisation=organisation,
        clause_id=clause_id,
        file=path.name,
        action=f"{mode.base}profiles/{name}/clauses/{clause_id}/edit",
        back=f"{mode.base}profiles/{name}/#{clause_id}",
        csrf_token=csrf_token,
        file_hash=form.file_hash,
        fields=fields,
        values={
            "change": form.change,
            "title": form.title,
            "text": form.text,
            "reason": form.reason,
            "commit": form.commit,
        },
        field_errors=form.field_errors,
        errors=errors or None,
        git=git,
    )
