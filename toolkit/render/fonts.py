"""Fonts cut down to the characters one page uses, for the HTML output (the full files would be most of its size).

A page's font is subset with fontTools to printable ASCII plus every other character on the page, and saved as
WOFF2. Subsetting takes a fraction of a second per style, so results are kept by font file and character set: in
memory for the process and on disk (the user's cache folder), and most pages share a character set. Equal inputs
give equal bytes, so the HTML stays byte-for-byte reproducible; a cache entry that cannot be read is made again.
"""

from __future__ import annotations

import hashlib
import io
from functools import cache
from importlib.metadata import version
from pathlib import Path

from toolkit.usercache import cache_dir, store

ALWAYS = "".join(chr(code) for code in range(0x20, 0x7F))  # printable ASCII: cheap, and covers typing in forms

FEATURES = ("kern", "liga", "mark", "mkmk")  # kerning, fi/fl ligatures, accents placed on letters
RECIPE = f"woff2, no hinting, source date, {FEATURES}"  # part of the cache key: change it when _subset changes

_memory: dict[str, bytes] = {}


def page_characters(text: str) -> str:
    """The characters to keep for a page: printable ASCII and whatever else the page holds, sorted."""
    return "".join(sorted(set(ALWAYS) | {ch for ch in set(text) if ord(ch) > 0x7E}))


def subset_woff2(font_file: Path, characters: str) -> bytes:
    """`font_file` as WOFF2 holding only `characters` (and what shaping them needs)."""
    key = _key(font_file, characters)
    if key in _memory:
        return _memory[key]
    cached = _cache_dir() / f"{key}.woff2"
    try:
        data = cached.read_bytes()
    except OSError:
        data = _subset(font_file, characters)
        store(cached, data)
    _memory[key] = data
    return data


def _subset(font_file: Path, characters: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False  # screens rasterise well without it; it was about a third of each file
    options.layout_features = list(FEATURES)
    font = TTFont(font_file, recalcTimestamp=False)  # the source font's date, not now: same bytes every time
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(ch) for ch in characters])
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _key(font_file: Path, characters: str) -> str:
    digest = hashlib.sha256(_file_digest(font_file))
    digest.update(characters.encode("utf-8", "surrogatepass"))
    digest.update(f"{_fonttools_version()} {RECIPE}".encode())
    return digest.hexdigest()


_digests: dict[tuple[str, int, int], bytes] = {}


def _file_digest(path: Path) -> bytes:
    """A font file's sha256, read once per process while its size and time are unchanged (every page of a build
    uses the same few fonts)."""
    status = path.stat()
    key = (str(path), status.st_size, status.st_mtime_ns)
    if key not in _digests:
        _digests[key] = hashlib.sha256(path.read_bytes()).digest()
    return _digests[key]


@cache
def _fonttools_version() -> str:
    return version("fonttools")


def _cache_dir() -> Path:
    return cache_dir("font-subsets")
