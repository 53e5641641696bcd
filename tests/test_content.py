"""The guidance as its readers meet it: a summary short enough to read alone, no sentence said twice, plain
sentences, and PDF pages without stranded lines. Thresholds come from the text as it stands (see each constant), so
an edit that makes it longer, more repetitive or harder to read fails here and has to be a decision."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from difflib import SequenceMatcher
from functools import cache

import pyphen
import pytest
from pypdf import PdfReader

from toolkit.model import Heading, ListBlock, Paragraph, Policy, Table, plain_text
from toolkit.render import RenderOptions
from toolkit.render.formats import pdf

from .conftest import LAYOUT_CASES, _resolved, layout_case
from .test_facts import SAMPLES

SUMMARY = "glance"  # the "At a glance" section
SUMMARY_WORDS = 450
RESTATED_BY_DESIGN = {SUMMARY, "contacts"}  # the summary and the contact list repeat the guidance on purpose
NEAR_DUPLICATE = 0.8  # share of words in common, in order (difflib's ratio), for sentences of 8 words or more
MAX_SENTENCE_WORDS = 13.5  # on 30 November 2026: 12.4 to 12.8 words a sentence
MIN_READING_EASE = 70.0  # Flesch reading ease on 30 November 2026: 71.7 to 73.5
MIN_PAGE_FILL = 0.15
BUILD_TIME = datetime.fromtimestamp(1764000000, UTC)
BODY = (60, 775)  # points from the page foot: between the running footer and header on A4
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
WORD = re.compile(r"[A-Za-z][A-Za-z']*")


# The text ------------------------------------------------------------------------------------------------------------


def paragraphs(blocks: list) -> list[str]:
    """Each paragraph, heading or list item as one string; tables are data, not prose."""
    found: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph | Heading):
            found.append(plain_text(block.inlines))
        elif isinstance(block, ListBlock):
            for item in block.items:
                found += paragraphs(item.blocks)
        elif not isinstance(block, Table):
            raise TypeError(block)
    return found


def sentences(policy: Policy, *, skip: set[str] = frozenset()) -> list[tuple[str, str]]:
    """(section ID, sentence) for every sentence a reader sees in the sections."""
    return [
        (section.id, sentence)
        for section in policy.visible_sections
        if section.id not in skip
        for clause in section.visible_clauses
        for text in paragraphs(clause.blocks)
        for sentence in SENTENCE_END.split(text)
        if WORD.search(sentence)
    ]


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def near_duplicates(found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Pairs of sentences in different sections that share most of their words in the same order."""
    long = [(section, sentence, words(sentence)) for section, sentence in found if len(words(sentence)) >= 8]
    return [
        (a, b)
        for i, (section_a, a, words_a) in enumerate(long)
        for section_b, b, words_b in long[i + 1 :]
        if section_a != section_b and SequenceMatcher(None, words_a, words_b).ratio() >= NEAR_DUPLICATE
    ]


@pytest.fixture(scope="module")
def hyphenator() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_GB")


def reading_ease(text_sentences: list[str], hyphenator: pyphen.Pyphen) -> tuple[float, float]:
    """(words a sentence, Flesch reading ease), syllables counted from the hyphenation dictionary."""
    all_words = [w for s in text_sentences for w in WORD.findall(s)]
    syllables = sum(len(hyphenator.positions(w)) + 1 for w in all_words)
    per_sentence = len(all_words) / len(text_sentences)
    return per_sentence, 206.835 - 1.015 * per_sentence - 84.6 * syllables / len(all_words)


@pytest.mark.parametrize("name", SAMPLES)
def test_the_summary_is_short_enough_to_read_alone(name):
    policy = _resolved(name)
    summary = next(s for s in policy.visible_sections if s.id == SUMMARY)
    assert policy.visible_sections[0] is summary  # at the top: the full guidance follows
    text = " ".join([plain_text(summary.title)] + [plain_text(c.title) for c in summary.visible_clauses])
    text += " " + " ".join(t for c in summary.visible_clauses for t in paragraphs(c.blocks))
    assert len(text.split()) <= SUMMARY_WORDS


@pytest.mark.parametrize("name", SAMPLES)
def test_no_sentence_is_said_twice(name):
    assert near_duplicates(sentences(_resolved(name), skip=RESTATED_BY_DESIGN)) == []


def test_the_duplicate_check_catches_a_reworded_repeat():
    found = [
        ("confidentiality", "Don't take photos or videos on wards or in other clinical areas, with consent."),
        ("photography", "Do not take photos or videos on wards or in other clinical areas without consent."),
        ("photography", "Check the background of every photo you take at work, including selfies."),
    ]
    assert len(near_duplicates(found)) == 1


@pytest.mark.parametrize("name", SAMPLES)
def test_sentences_stay_short_and_plain(name, hyphenator):
    per_sentence, ease = reading_ease([s for _, s in sentences(_resolved(name))], hyphenator)
    assert per_sentence <= MAX_SENTENCE_WORDS
    assert ease >= MIN_READING_EASE


# The PDF pages -------------------------------------------------------------------------------------------------------


PAGE_SAMPLES = ["greenvale-hospitals", "dyffryn-tawel-council", "department-for-coastal-affairs", "local-council"]
LAYOUT_PROFILES = ["hartmoor-national-park-authority", "hartmoor-ranger-service"]  # a long tailoring table
ENGINES = ["weasyprint", "typst"]


def _policy(name: str) -> Policy:
    return layout_case(name) if (LAYOUT_CASES / f"{name}.yaml").is_file() else _resolved(name)


@cache
def page_lines(name: str, engine: str) -> list[list[tuple[float, str]]]:
    """A profile's PDF as lines of body text per page: (height above the page foot, text)."""
    options = RenderOptions(timestamp=BUILD_TIME, pdf_engine=engine)
    reader = PdfReader(io.BytesIO(pdf.render(_policy(name), options)))
    result = []
    for page in reader.pages:
        lines: list[tuple[float, str]] = []

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float, into=lines) -> None:
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if BODY[0] < y < BODY[1] and text.strip():
                into.append((y, text.strip()))

        page.extract_text(visitor_text=visit)
        result.append(lines)
    return result


@pytest.fixture(scope="module", params=PAGE_SAMPLES)
def pages(request) -> tuple[Policy, list[list[tuple[float, str]]]]:
    """A sample's WeasyPrint PDF as lines of body text per page."""
    return _policy(request.param), page_lines(request.param, "weasyprint")


@pytest.fixture(
    scope="module",
    params=[(name, engine) for name in PAGE_SAMPLES + LAYOUT_PROFILES for engine in ENGINES],
    ids="-".join,
)
def any_pages(request) -> tuple[Policy, list[list[tuple[float, str]]]]:
    """The samples' and the layout cases' PDFs, from both engines, as lines of body text per page."""
    name, engine = request.param
    return _policy(name), page_lines(name, engine)


def squash(text: str) -> str:
    return re.sub(r"[\s•]+", "", text)


def test_the_summary_is_one_page(pages):
    policy, texts = pages
    summary = next(s for s in policy.visible_sections if s.id == SUMMARY)
    first, last = paragraphs(summary.visible_clauses[0].blocks)[0], paragraphs(summary.visible_clauses[-1].blocks)[-1]
    joined = [squash("".join(text for _, text in lines)) for lines in texts]
    holding_first = [i for i, page in enumerate(joined) if squash(first) in page]
    holding_last = [i for i, page in enumerate(joined) if squash(last)[-40:] in page]
    assert holding_first and holding_first[0] in holding_last  # the same words may recur later in the guidance


def test_no_page_is_nearly_empty_except_where_a_section_ends(any_pages):
    """A page less than 15 % full is only allowed where the next page starts a new section (or there is none)."""
    policy, texts = any_pages
    titles = [squash(plain_text(s.title)) for s in policy.visible_sections] + [squash("How this guidance was tailored")]
    for number, lines in enumerate(texts[1:-1], start=2):  # the cover is full by design; the last page ends
        fill = (BODY[1] - min(y for y, _ in lines)) / (BODY[1] - BODY[0]) if lines else 0
        next_start = squash("".join(text for _, text in texts[number]))
        ends_section = any(next_start.startswith(title) for title in titles)
        assert fill >= MIN_PAGE_FILL or ends_section, f"page {number} is {fill:.0%} full"
    last = texts[-1]
    assert last and (BODY[1] - min(y for y, _ in last)) / (BODY[1] - BODY[0]) >= MIN_PAGE_FILL  # no one-line ending
