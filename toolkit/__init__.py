"""policy-toolkit: tailor the core social media guidance to an organisation, as HTML, Word and PDF.

The public API, for tests and other programs (the command line is a thin layer over it):

    from toolkit import resolve_profile, render_policy, compare_with_core
    policy = resolve_profile("profiles/riverside-borough-council.yaml")
    pdf_bytes = render_policy(policy, "pdf")
    changes = compare_with_core(policy)

Names load on first use, so importing the package (and `policy-toolkit --help`) stays quick.
"""

from __future__ import annotations

import importlib
from typing import Any

_API = {
    "load_core": "toolkit.resolve.core",
    "resolve_profile": "toolkit.resolve.policy",
    "core_baseline": "toolkit.resolve.policy",
    "render_policy": "toolkit.render:render",  # `toolkit.render` itself is the renderers' package
    "formats": "toolkit.render",
    "RenderOptions": "toolkit.render",
    "build_profile": "toolkit.render.build",
    "validate_profile": "toolkit.checks.validate",
    "compare": "toolkit.diff",
    "compare_with_core": "toolkit.diff",
    "review": "toolkit.checks.drift",
    "check": "toolkit.checks.drift",
    "ToolkitError": "toolkit.errors",
    "Problem": "toolkit.errors",
    "Policy": "toolkit.model",
}
__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
    module, _, attribute = _API[name].partition(":")
    return getattr(importlib.import_module(module), attribute or name)
