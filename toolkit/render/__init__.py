"""Renderers: one module per output format, each turning a resolved `Policy` into the bytes of one file.

A renderer module defines `SUFFIX` (".html") and `render(policy, options) -> bytes`, reads nothing but the policy,
the options and the files the policy names, and fetches nothing. Adding a format means adding one module to `formats/`.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import ModuleType
from typing import TYPE_CHECKING

from toolkit.errors import Problem, ToolkitError
from toolkit.render import formats as formats_package

if TYPE_CHECKING:  # the cache check of a build imports this package, and needs no model
    from toolkit.model import Policy

EPOCH_FLOOR = datetime(1980, 1, 1, tzinfo=UTC)  # ZIP files cannot hold earlier dates
EPOCH_CEILING = 4354819199  # 2107-12-31 23:59:59 UTC: ZIP files cannot hold later dates


@dataclass(frozen=True)
class RenderOptions:
    """What a renderer may vary by besides the policy: the build time and the toolkit version stamped in metadata."""

    timestamp: datetime = field(default_factory=lambda: build_timestamp())
    generator: str = "policy-toolkit"
    pdf_engine: str = "weasyprint"  # or "typst": an option of the pdf format (see PDF_ENGINES)


PDF_ENGINES = ("weasyprint", "typst")


def build_timestamp() -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), otherwise now; never before 1980 (ZIP's floor)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return max(datetime.now(UTC).replace(microsecond=0), EPOCH_FLOOR)
    if not epoch.isascii() or not epoch.isdigit() or int(epoch) > EPOCH_CEILING:
        raise ToolkitError(
            Problem(
                f"`{epoch[:40]}` is not a usable build time",
                field="SOURCE_DATE_EPOCH",
                hint=f"give whole seconds since 1970, from 0 to {EPOCH_CEILING}: the end of 2107 is the last date a "
                ".docx can hold, and times before 1980 are written as 1 January 1980",
            )
        )
    return max(datetime.fromtimestamp(int(epoch), UTC), EPOCH_FLOOR)


def formats() -> list[str]:
    """Every output format, in a stable order: the modules of this package."""
    return sorted(
        module.name for module in pkgutil.iter_modules(formats_package.__path__) if not module.name.startswith("_")
    )


def renderer(name: str) -> ModuleType:
    """The module for one format, imported only when needed (WeasyPrint takes a while to import)."""
    return importlib.import_module(f"{formats_package.__name__}.{name}")


def render(policy: Policy, name: str, options: RenderOptions | None = None) -> bytes:
    return renderer(name).render(policy, options or RenderOptions())
