"""Need to know for planned operations: what a party may see of another's operation.

* its own operations: everything it filed, every version;
* another party's **hazard area** (``public: true``): the area as filed, with the filer's 24-hour
  contacts from the protocol (a hazard area names no aircraft);
* another party's other operations: nothing at all — not its id, volumes, aircraft or purpose.
  What a party learns of them is only its notices: the part of its *own* volume within the
  minima of theirs (:mod:`airdecon.operations`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["operation_audience", "operation_view"]


def operation_audience(filer: str, public: bool) -> str | list[str]:
    """Who an operation's record events go to: every party for a hazard area, else its filer."""
    return "all" if public else [filer]


def operation_view(
    reader: str, filer: str, operation: Mapping[str, Any], contacts: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """*operation* (as recorded) as *reader* may see it, or ``None`` when it may not."""
    if reader == filer:
        return dict(operation)
    if not operation.get("public"):
        return None
    view = {k: v for k, v in operation.items() if k != "aircraft"}
    view["contacts"] = [dict(c) for c in contacts]
    return view
