"""What changed between two protocol versions, field by field, for people deciding whether to sign.

The diff walks the two normalised documents together. Objects are compared key by key; lists of
objects that carry an identity (``id`` for parties and formations, ``name`` for bands, volumes and
contacts) are matched by it, so reordering is not a change and a change inside the third party is
reported as ``parties[RED].watch_own_pairs``; other lists are compared as whole values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from airdecon.protocol._canonical import canonical_bytes

__all__ = ["Change", "diff_documents", "format_diff"]

_IDENTITY_KEYS = ("id", "name")


@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` is ``added``, ``removed`` or ``changed``; values are normalised JSON.

    ``str(change)`` writes values in canonical JSON (``5`` and ``5.0`` are both ``5``).
    """

    path: str
    kind: Literal["added", "removed", "changed"]
    old: Any = None
    new: Any = None

    def __str__(self) -> str:
        if self.kind == "added":
            return f"+ {self.path}: {_show(self.new)}"
        if self.kind == "removed":
            return f"- {self.path}: {_show(self.old)}"
        return f"~ {self.path}: {_show(self.old)} -> {_show(self.new)}"


def _show(value: Any) -> str:
    return canonical_bytes(value).decode("utf-8")


def _identity(items: list[Any]) -> str | None:
    """The key that identifies items of this list, if every item is an object carrying it uniquely."""
    if not items or not all(isinstance(x, dict) for x in items):
        return None
    for key in _IDENTITY_KEYS:
        values = [x.get(key) for x in items]
        if all(isinstance(v, str) for v in values) and len(set(values)) == len(values):
            return key
    return None


def _walk(old: Any, new: Any, path: str, out: list[Change]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            sub = f"{path}.{key}" if path else key
            if key not in new:
                out.append(Change(sub, "removed", old=old[key]))
            elif key not in old:
                out.append(Change(sub, "added", new=new[key]))
            else:
                _walk(old[key], new[key], sub, out)
        return
    if isinstance(old, list) and isinstance(new, list):
        ko, kn = _identity(old), _identity(new)
        key = ko if (ko == kn or not new) else (kn if not old else None)
        if key is not None:
            before = {x[key]: x for x in old}
            after = {x[key]: x for x in new}
            for ident in [x[key] for x in old] + [x[key] for x in new if x[key] not in before]:
                sub = f"{path}[{ident}]"
                if ident not in after:
                    out.append(Change(sub, "removed", old=before[ident]))
                elif ident not in before:
                    out.append(Change(sub, "added", new=after[ident]))
                else:
                    _walk(before[ident], after[ident], sub, out)
            return
    if old != new or (type(old) is not type(new) and not _same_number(old, new)):
        out.append(Change(path or "<document>", "changed", old=old, new=new))


def _same_number(a: Any, b: Any) -> bool:
    numeric = (int, float)
    return isinstance(a, numeric) and isinstance(b, numeric) and not isinstance(a, bool) and a == b


def diff_documents(old: Any, new: Any) -> list[Change]:
    """Field-level differences from *old* to *new*.

    Parameters
    ----------
    old, new : ProtocolDocument or mapping
        Documents (normalised with ``to_mapping`` when they have it).

    Returns
    -------
    list of Change
        In document order; empty when the documents mean the same.
    """
    a = old.to_mapping() if hasattr(old, "to_mapping") else old
    b = new.to_mapping() if hasattr(new, "to_mapping") else new
    out: list[Change] = []
    _walk(a, b, "", out)
    return out


def format_diff(changes: list[Change]) -> str:
    """The changes as text, one per line (``+`` added, ``-`` removed, ``~`` changed)."""
    return "\n".join(str(c) for c in changes) if changes else "(no changes)"
