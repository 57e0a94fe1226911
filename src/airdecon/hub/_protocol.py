"""The protocol desk: the protocol in force, the versions awaiting signatures, and signing them.

:class:`ProtocolDesk` shows the protocol the hub enforces and, when the hub runs on a negotiation
directory, its pending versions; it records a party's acceptance, counter-proposal or amendment
signed in its officer's browser, tells every party, and applies a newly signed version live (same
parties only: thresholds and minima change).

Reading the negotiation directory verifies every signature in it: :meth:`ProtocolDesk.view` keeps
what it read until a file of the directory changes (its routes call it off the event loop). One
party may have at most ``max_pending_versions`` proposed versions awaiting signatures at once.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from airdecon.errors import InputError
from airdecon.hub._context import HubContext, InForce
from airdecon.hub._errors import Forbidden
from airdecon.hub._guard import QuotaExceeded
from airdecon.hub._record import Record
from airdecon.protocol import ProtocolDocument, ProtocolStore, diff_documents
from airdecon.protocol._negotiation import Version
from airdecon.store import ALL, NewEvent

__all__ = ["ProtocolDesk"]

log = logging.getLogger("airdecon.hub")


class ProtocolDesk:
    """The protocol in force and its negotiation (see the module docstring)."""

    def __init__(self, ctx: HubContext, record: Record, protocol_dir: Path | None) -> None:
        self._ctx = ctx
        self._record = record
        self.protocol_dir = protocol_dir
        self._lock = threading.Lock()  # one reader or writer of the negotiation directory at a time
        self._pending: tuple[tuple[Any, ...], list[dict[str, Any]]] | None = None  # (files, pending)

    @property
    def document(self) -> ProtocolDocument:
        """The protocol document the hub enforces."""
        return self._ctx.protocol.document

    @property
    def in_force(self) -> bool:
        """Whether :attr:`document` is signed by every party."""
        return self._ctx.protocol.signed

    @property
    def signatures(self) -> dict[str, Any]:
        """Every party's signature of :attr:`document`."""
        return dict(self._ctx.protocol.signatures)

    def view(self) -> dict[str, Any]:
        """The protocol in force (document, digest, signatures) and the versions awaiting signatures."""
        in_force = self._ctx.protocol
        view: dict[str, Any] = {
            "in_force": in_force.signed,
            "digest": in_force.document.digest,
            "document": in_force.document.to_mapping(),
            "signatures": dict(in_force.signatures),
            "pending": [],
        }
        if self.protocol_dir is not None:
            view["pending"] = self._pending_versions(self.protocol_dir)
        return view

    def _pending_versions(self, directory: Path) -> list[dict[str, Any]]:
        """The open versions of *directory*, read again only when one of its files changed."""
        with self._lock:
            files = _fingerprint(directory)
            if self._pending is not None and self._pending[0] == files:
                return list(self._pending[1])
            n = ProtocolStore(directory).load()
            pending = [_pending(n, v) for v in n.versions.values() if n.status(v.digest).state == "open"]
            self._pending = (files, pending)
            return list(pending)

    def sign(self, party: str, digest: str, signature: object) -> dict[str, Any]:
        """*party* accepts a pending version with a signature made in its officer's browser
        (*signature* as the request gave it: anything but a string is refused here)."""
        if not isinstance(signature, str):
            raise InputError("signature: base64 Ed25519 signature of the version's canonical bytes")
        with self._lock:
            store = ProtocolStore(self._negotiation_dir())
            n = store.load()
            n.accept_signed(digest, party, signature, datetime.now(UTC))
            store.save(n)
            status = n.status(n.resolve(digest).digest)
        self._reload()
        return self._tell(party, "accept", status)

    def draft(self, party: str, parent: str, document: object) -> dict[str, Any]:
        """Normalise a counter-proposal (or amendment) of *parent* without recording it: the
        canonical bytes the officer must sign, and the diff against the parent."""
        if not isinstance(document, dict):
            raise InputError("document: the proposed protocol document (an object)")
        with self._lock:
            n = ProtocolStore(self._negotiation_dir()).load()
            base = n.resolve(parent)
        doc = ProtocolDocument.from_mapping(
            {**document, "parent": base.digest, "revision": base.document.revision + 1}
        )
        doc.party(party)
        version = Version.of(doc)
        return {
            "digest": version.digest,
            "canonical_b64": base64.b64encode(version.data).decode("ascii"),
            "diff": _diff_json(base.document, doc),
        }

    def propose(self, party: str, canonical_b64: str, signature: str) -> dict[str, Any]:
        """Record a counter-proposal or amendment signed in the officer's browser."""
        try:
            data = base64.b64decode(canonical_b64, validate=True)
        except (binascii.Error, ValueError, TypeError):
            raise InputError("canonical_b64: base64 of the version's canonical bytes") from None
        version = Version.from_bytes(data, source="canonical_b64")
        with self._lock:
            store = ProtocolStore(self._negotiation_dir())
            n = store.load()
            self._within_quota(n, party, version.digest)
            v, _ = n.derive_signed(version.document, party, signature, datetime.now(UTC))
            store.save(n)
            status = n.status(v.digest)
        return self._tell(party, "propose", status)

    def _within_quota(self, n: Any, party: str, digest: str) -> None:
        """Refuse a new proposal of *party* when it already has ``max_pending_versions`` open."""
        limit = self._ctx.settings.max_pending_versions
        if digest in n.versions:
            return  # not a new version: the negotiation answers for it
        mine = sum(
            1 for v in n.versions.values() if n.status(v.digest).state == "open" and _proposer(n, v) == party
        )
        if mine >= limit:
            raise QuotaExceeded(
                f"quota max_pending_versions: {party} has {mine} proposed versions awaiting signatures, "
                f"at most {limit}; a new one can be proposed once one of them is signed or superseded"
            )

    def _negotiation_dir(self) -> Path:
        if self.protocol_dir is None:
            raise Forbidden("this hub runs on a protocol file, not a negotiation directory")
        return self.protocol_dir

    def _tell(self, party: str, action: str, status: Any) -> dict[str, Any]:
        """Tell every party what happened to a version; answer the caller with its status."""
        payload = {"action": action, "digest": status.digest, "state": status.state}
        self._record.append([NewEvent("protocol", party, payload, audience=ALL)])
        return {"digest": status.digest, "state": status.state, "missing": list(status.missing)}

    def _reload(self) -> None:
        """Apply a newly signed version live (same parties only; thresholds and minima change)."""
        ctx = self._ctx
        with self._lock:
            n = ProtocolStore(self._negotiation_dir()).load()
            version = n.in_force()
        if version is None or version.digest == ctx.protocol.document.digest:
            return
        if tuple(version.document.party_ids) != ctx.parties:
            log.warning("new version changes the parties: restart the hub")
            return
        with ctx.lock:
            signatures = {p: sig.to_mapping() for p, sig in n.signatures.get(version.digest, {}).items()}
            ctx.protocol = InForce(version.document, True, signatures)
            ctx.picture.protocol = version.document.rules
            ctx.picture.alerts.caution_s = version.document.rules.caution_s
            ctx.picture.alerts.warning_s = version.document.rules.warning_s
            ctx.guard.quotas = version.document.quotas  # quotas and disclosure terms are signed too
            ctx.disclosure.rules = version.document.disclosure


def _fingerprint(directory: Path) -> tuple[Any, ...]:
    """Every file under *directory* with its size and modification time: changes when one does."""
    out = []
    for root, _dirs, names in os.walk(directory):
        for name in names:
            path = os.path.join(root, name)
            with contextlib.suppress(OSError):
                st = os.stat(path)
                out.append((path, st.st_size, st.st_mtime_ns))
    return tuple(sorted(out))


def _proposer(n: Any, v: Any) -> str | None:
    """The party that proposed version *v* (None for one that none proposed here)."""
    return next((e.party for e in n.events if e.version == v.digest and e.action != "accept"), None)


def _pending(n: Any, v: Any) -> dict[str, Any]:
    st = n.status(v.digest)
    parent = n.versions.get(v.document.parent or "")
    proposer = _proposer(n, v)
    return {
        "digest": v.digest,
        "short": v.short,
        "title": v.document.title,
        "revision": v.document.revision,
        "parent": v.document.parent,
        "proposer": proposer,
        "signed_by": list(st.signed),
        "missing": list(st.missing),
        "canonical_b64": base64.b64encode(v.data).decode("ascii"),
        "diff": _diff_json(parent.document, v.document) if parent is not None else [],
    }


def _diff_json(old: ProtocolDocument, new: ProtocolDocument) -> list[dict[str, Any]]:
    """The changes between two protocol versions, as the API shows them."""
    return [{"path": c.path, "old": c.old, "new": c.new} for c in diff_documents(old, new)]
