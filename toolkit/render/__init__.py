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

from toolkit.model import Policy
from toolkit.render import formats as formats_package

EPOCH_FLOOR = datetime(1980, 1, 1, tzinfo=UTC)  # ZIP files cannot hold earlier dates


@dataclass(frozen=True)
class RenderOptions:
    """What a renderer may vary by besides the policy: the build time and the toolkit version stamped in metadata."""

    timestamp: datetime = field(default_factory=lambda: build_timestamp())
    generator: str = "policy-toolkit"
    pdf_engine: str = "weasyprint"  # or "typst": an option of the pdf format (see PDF_ENGINES)


PDF_ENGINES = ("weasyprint", "typst")


def build_timestamp() -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), otherwise now; never before 1980 (ZIP's floor)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit() else datetime.now(UTC)
    return max(moment.replace(microsecond=0), EPOCH_FLOOR)


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
