"""Need to know for planned operations: what a party may see of another's operation.

* its own operations: everything it filed, every version;
* another party's **hazard area** (``public: true``): the area as filed, with the filer's 24-hour
  contacts from the protocol (a hazard area names no aircraft), and whether the reader has
  acknowledged its current version. A hazard area is acknowledged like a safety notice on the
  line: the acknowledgement goes to the filer and the acknowledging party only (the filer sees
  ``acknowledged_by``; a third party never learns who acknowledged);
* another party's other operations: nothing at all — not its id, volumes, aircraft or purpose.
  What a party learns of them is only its notices: the part of its *own* volume within the
  minima of theirs (:mod:`airdecon.operations`), and the other party's name unless the
  protocol hides it (:func:`plans_other_party`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airdecon.protocol import DisclosureRules

__all__ = [
    "ANOTHER_PARTY",
    "hazard_ack_audience",
    "operation_audience",
    "operation_view",
    "plans_other_party",
]


def operation_audience(filer: str, public: bool) -> str | list[str]:
    """Who an operation's record events go to: every party for a hazard area, else its filer."""
    return "all" if public else [filer]


def hazard_ack_audience(filer: str, reader: str) -> list[str]:
    """Who learns that *reader* acknowledged *filer*'s hazard area: those two only."""
    return sorted({filer, reader})


def operation_view(
    reader: str,
    filer: str,
    operation: Mapping[str, Any],
    contacts: list[dict[str, Any]],
    acks: Mapping[str, int] | None = None,
) -> dict[str, Any] | None:
    """*operation* (as recorded) as *reader* may see it, or ``None`` when it may not; *acks* are
    the parties that acknowledged the hazard area and the version each acknowledged."""
    current = {p for p, v in (acks or {}).items() if v == operation.get("version")}
    if reader == filer:
        view = dict(operation)
        if operation.get("public") and acks is not None:
            view["acknowledged_by"] = sorted(current)
        return view
    if not operation.get("public"):
        return None
    view = {k: v for k, v in operation.items() if k != "aircraft"}
    view["contacts"] = [dict(c) for c in contacts]
    if acks is not None:
        view["acknowledged"] = reader in current
    return view


#: How a notice or an area alert names the other party when the protocol hides it (not a valid
#: party id: it can never be mistaken for one).
ANOTHER_PARTY = "another party"


def plans_other_party(rules: DisclosureRules) -> str | None:
    """How notices of plan against plan name the other party: ``None`` to name it (the default),
    else :data:`ANOTHER_PARTY` (``disclosure.plans_name_party: false``: every other party is then
    one plan, so neither the notice nor its id nor how many there are says which)."""
    return None if rules.plans_name_party else ANOTHER_PARTY
