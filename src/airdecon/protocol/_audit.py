"""The offline check of a negotiation: every version, signature and history event, from the files alone.

:func:`audit` is what :meth:`airdecon.protocol.Negotiation.verify` runs: every version's parent is
known and its revision follows; every signature is by a party of its version, with the key the
protocol designates (the anchor's, see :mod:`._negotiation`), and verifies over the version's
canonical bytes; every history event names a known version; at most one line is in force.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airdecon.errors import ProtocolError
from airdecon.protocol._signing import verify

if TYPE_CHECKING:
    from airdecon.protocol._negotiation import Negotiation

__all__ = ["audit"]


def audit(neg: Negotiation) -> list[str]:
    """The problems found in *neg* (empty: all is well; module docstring)."""
    problems: list[str] = []
    for digest, v in neg.versions.items():
        if v.digest != digest:
            problems.append(f"version {digest}: content does not match its digest")
        parent = v.document.parent
        if parent is not None:
            if parent not in neg.versions:
                problems.append(f"version {v.short}: parent {parent} is unknown")
            elif neg.versions[parent].document.revision + 1 != v.document.revision:
                problems.append(f"version {v.short}: revision does not follow its parent's")
    for digest, by_party in sorted(neg.signatures.items()):
        version = neg.versions.get(digest)
        for party, s in sorted(by_party.items()):
            where = f"signature of {party} on {digest[7:19]}"
            if version is None:
                problems.append(f"{where}: no such version")
                continue
            if s.version != digest or s.party != party:
                problems.append(f"{where}: record names {s.party} on {s.version}")
                continue
            if party not in version.document.party_ids:
                problems.append(f"{where}: {party} is not a party to this version")
                continue
            expected = neg.expected_key(digest, party)
            if s.public_key != expected:
                problems.append(f"{where}: made with key {s.public_key}, but {party}'s key is {expected}")
            elif not verify(expected, s.signature, version.data):
                problems.append(
                    f"{where}: does not verify against {party}'s key "
                    "(the document or the signature was altered)"
                )
    for e in neg.events:
        if e.version not in neg.versions:
            problems.append(f"history #{e.seq}: unknown version {e.version}")
    try:
        neg.in_force()
    except ProtocolError as exc:
        problems.append(str(exc))
    return problems
