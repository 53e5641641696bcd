"""How one policy departs from the core guidance or from another policy, clause by clause.

`compare` produces a `PolicyDiff`; each module in `toolkit.diff.formats` turns one into a report (adding a report
format means adding one module there).
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from toolkit.diff.compare import compare
from toolkit.diff.model import PolicyDiff
from toolkit.model import Policy
from toolkit.resolve.policy import core_baseline

__all__ = ["PolicyDiff", "compare", "compare_with_core", "report_formats", "reporter"]


def compare_with_core(policy: Policy) -> PolicyDiff:
    """What the profile chain changed: clause operations and terms, not the details it filled in."""
    return compare(core_baseline(policy), policy)


def report_formats() -> list[str]:
    from toolkit.diff import formats

    return sorted(module.name for module in pkgutil.iter_modules(formats.__path__) if not module.name.startswith("_"))


def reporter(name: str) -> ModuleType:
    return importlib.import_module(f"toolkit.diff.formats.{name}")
