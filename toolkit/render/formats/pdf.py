"""The printable handbook: the HTML page laid out by WeasyPrint as a tagged, bookmarked A4 PDF.

WeasyPrint is not safe for untrusted input by default (a `file:` URL reads any file, `/dev/urandom` never ends),
so it gets a fetcher that serves `data:` URIs and the exact font and logo files the policy names, and nothing
else; a refused fetch stops the build instead of becoming a log line. WeasyPrint is imported only here, inside
the functions (it takes about half a second), and its routine log chatter is kept off the user's terminal.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from toolkit.model import Policy
from toolkit.render import RenderOptions
from toolkit.render.formats.html import MIME_TYPES, render_html

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

SUFFIX = ".pdf"
PDF_VARIANT = "pdf/ua-1"  # tagged PDF 1.7 with /MarkInfo, /StructTreeRoot, /Lang and DisplayDocTitle
LOGGERS = ("weasyprint", "fontTools")
# Messages that say nothing a user can act on. The PDF's CSS holds nothing WeasyPrint does not know (screen-only
# rules live in screen.css), so any other warning is real.
NOISE = (
    "Using fontTools instead of HarfBuzz-Subset",  # machines without libharfbuzz-subset0: slower, same output
    "NOT subset; don't know how to subset; dropped",  # fontTools dropping a table the PDF does not need
)

log = logging.getLogger(__name__)


class RefusedFetch(ValueError):
    """The PDF asked for a resource outside the policy's own files: a bug or a hostile input, never ignored."""


def render(policy: Policy, options: RenderOptions) -> bytes:
    """The handbook as PDF bytes; the same policy, build time and environment give the same bytes.

    `options.pdf_engine` chooses WeasyPrint (the default, from the print HTML) or Typst (`toolkit.render.typst_pdf`).
    """
    if options.pdf_engine == "typst":
        from toolkit.render import typst_pdf

        return typst_pdf.render(policy, options)
    html = render_html(policy, options, for_pdf=True)
    return html_to_pdf(html, policy_files(policy))


def policy_files(policy: Policy) -> frozenset[Path]:
    """The only files the PDF may read: the TrueType fonts and the logo the policy names."""
    return policy.branding.assets


def html_to_pdf(html: str, allowed: Iterable[Path]) -> bytes:
    """Lay out `html` and write a tagged PDF with a deterministic identifier (a hash of the HTML)."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    with _quiet_weasyprint(), _tag_languages():
        try:
            document = HTML(string=html, url_fetcher=url_fetcher(allowed)).render()
            return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=identifier, finisher=_finish)
        except FatalURLFetchingError as error:  # a BaseException: turn it into an ordinary error
            cause = error.__cause__
            raise RefusedFetch(str(cause) if cause else str(error)) from None


def _finish(document: Any, pdf: Any) -> None:
    """Open with the bookmarks showing and the title (not the file name) in the window bar."""
    import pydyf

    pdf.catalog["PageMode"] = "/UseOutlines"
    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})


@contextmanager
def _tag_languages() -> Iterator[None]:
    """`/Lang` on the structure element of every HTML element with a `lang` of its own (a clause still in English
    in a Welsh document), so screen readers switch voice; WeasyPrint sets only the document's `/Lang`.

    WeasyPrint builds its structure tree with one recursive generator, `tags._build_box_tree`, which yields each
    box's element; wrapping it while rendering labels the element from the box's `lang` attribute. The innermost
    element with a `lang` is labelled first and is never overwritten, so nested languages come out right."""
    import pydyf
    from weasyprint.pdf import tags

    original = tags._build_box_tree

    def labelled(box: Any, *args: Any) -> Iterator[Any]:
        element = getattr(box, "element", None)
        lang = element.get("lang") if element is not None and element.tag != "html" else None
        for struct in original(box, *args):
            if lang and "Lang" not in struct:
                struct["Lang"] = pydyf.String(lang)
            yield struct

    tags._build_box_tree = labelled
    try:
        yield
    finally:
        tags._build_box_tree = original


# The fetcher -------------------------------------------------------------------------------------------------------


def url_fetcher(allowed: Iterable[Path]) -> URLFetcher:
    """A WeasyPrint fetcher that serves `data:` URIs and exactly the `allowed` files, and refuses the rest:
    http(s), other files, devices, symlinks out of the set. Built on `URLFetcher` with `fail_on_errors`, so
    WeasyPrint stops on a refusal instead of logging it and carrying on."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    real = frozenset(os.path.realpath(path) for path in allowed)

    class OnlyPolicyFiles(URLFetcher):
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                return _serve_file(url, real, URLFetcherResponse)
            raise RefusedFetch(f"refused to fetch {url[:200]!r}: only the policy's own files are allowed")

    return OnlyPolicyFiles(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=True, timeout=1)


def _serve_file(url: str, allowed: frozenset[str], response: type[URLFetcherResponse]) -> URLFetcherResponse:
    parts = urlsplit(url)
    path = os.path.realpath(url2pathname(parts.path))
    if parts.netloc not in ("", "localhost") or parts.query or path not in allowed or not os.path.isfile(path):
        raise RefusedFetch(f"refused to read {url[:200]!r}: not a font or logo file of this policy")
    mime = MIME_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")
    return response(url, body=Path(path).read_bytes(), headers={"Content-Type": mime})


# Logging -----------------------------------------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _quiet_weasyprint() -> Iterator[None]:
    """Hold back WeasyPrint's and fontTools' warnings while rendering, drop the known noise, and pass on the
    rest as warnings of this module, once each."""
    collector = _Collect()
    saved = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.propagate, logger.level))
        logger.addHandler(collector)
        logger.propagate = False
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, propagate, level in saved:
            logger.removeHandler(collector)
            logger.propagate, logger.level = propagate, level
        for message in dict.fromkeys(real_problems(collector.records)):
            log.warning("PDF: %s", message)


def real_problems(records: Iterable[logging.LogRecord]) -> list[str]:
    """The messages worth a user's attention: errors always, warnings unless known to be noise."""
    messages = []
    for record in records:
        message = record.getMessage()
        if record.levelno >= logging.ERROR or not any(noise in message for noise in NOISE):
            messages.append(message)
    return messages
