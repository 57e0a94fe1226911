"""The web console's static files (HTML, JS, CSS, vendored map library and offline base map).

No Python logic: :func:`static_dir` tells the hub where to serve them from.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["static_dir"]


def static_dir() -> Path:
    """The folder holding ``index.html`` and its assets."""
    return Path(str(resources.files("airdecon.web").joinpath("static")))
