"""Negotiation of the protocol: propose, counter, accept, amend; which version is in force. Pure logic.

No files and no clock here: every timestamp is a parameter, and :class:`ProtocolStore` persists
what this module produces. The rules:

* A party **proposes** a first version (no parent) and signs it.
* Each other party **accepts** it (signs the same canonical bytes) or **counters** it: a new
  version whose ``parent`` is the countered version's digest, signed by its author.
* A version is **in force** when every party it lists has a valid Ed25519 signature over its
  canonical bytes. A version not signed by every party is never in force.
* An **amendment** is a new version whose parent is the version in force; when it comes into force
  its ancestors are *superseded*. Only one line of versions can be in force: a version cannot be
  accepted when another version in force is not its ancestor.
* **Which key counts.** A party's signature on a version is checked against the party's key in the
  nearest ancestor that is in force (the *anchor*), or, when there is none or the party is new, the
  key in the version itself. So an amendment cannot replace another party's key and then sign for
  it: a key rotation is signed with the old key. Keys of a first version are only as good as the
  out-of-band check of their fingerprints over the 24-hour line (``airdecon protocol show``).

Everything is kept (versions, signatures, a history of events), and every signature can be checked
offline from the files alone (:meth:`Negotiation.verify`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from airdecon.errors import ProtocolError
from airdecon.protocol._audit import audit
from airdecon.protocol._document import ProtocolDocument
from airdecon.protocol._signing import public_key_text, sign, verify
from airdecon.protocol._versions import (
    Action,
    Event,
    Signature,
    Version,
    VersionStatus,
    signature_bytes,
    timestamp,
)

__all__ = ["Event", "Negotiation", "Signature", "Version", "VersionStatus", "signature_bytes", "timestamp"]


class Negotiation:
    """The negotiation state: versions, signatures, history. In memory, no I/O, no clock.

    Build empty and call :meth:`propose` / :meth:`counter` / :meth:`amend` / :meth:`accept`, or
    :meth:`restore` what a store read. Each call validates, records and returns what it added.
    """

    def __init__(self) -> None:
        self.versions: dict[str, Version] = {}
        self.signatures: dict[str, dict[str, Signature]] = {}
        self.events: list[Event] = []
        self._memo: dict[str, bool] = {}

    # ---- building ------------------------------------------------------------------------------
    @classmethod
    def restore(
        cls, versions: Iterable[Version], signatures: Iterable[Signature], events: Iterable[Event]
    ) -> Negotiation:
        """A negotiation from stored records, without judging them (see :meth:`verify`)."""
        n = cls()
        for v in versions:
            n.versions[v.digest] = v
        for s in signatures:
            n.signatures.setdefault(s.version, {})[s.party] = s
        n.events = sorted(events, key=lambda e: e.seq)
        return n

    def _record(self, action: Action, party: str, version: Version, at: datetime) -> Event:
        event = Event(
            seq=len(self.events) + 1,
            at=timestamp(at),
            action=action,
            party=party,
            version=version.digest,
            parent=version.document.parent,
        )
        self.events.append(event)
        return event

    def _add_version(self, action: Action, document: ProtocolDocument, party: str) -> Version:
        version = Version.of(document)
        if version.digest in self.versions:
            raise ProtocolError(f"version {version.short} already exists")
        document.party(party)  # the author must be a party to what it proposes
        if action == "propose":
            if document.parent is not None:
                raise ProtocolError("parent: a first proposal has no parent (use counter or amend)")
            current = self.in_force()
            if current is not None:
                raise ProtocolError(f"version {current.short} is in force: propose an amendment instead")
        else:
            if document.parent is None:
                raise ProtocolError(f"parent: missing (a {action} names the version it derives from)")
            parent = self.versions.get(document.parent)
            if parent is None:
                raise ProtocolError(f"parent: unknown version {document.parent}")
            if document.revision != parent.document.revision + 1:
                want = parent.document.revision + 1
                raise ProtocolError(f"revision: must be {want} (the parent is r{want - 1})")
            state = self.status(parent.digest).state
            if action == "counter" and state != "open":
                raise ProtocolError(f"cannot counter version {parent.short}: it is {state} (amend instead)")
            if action == "amend" and state != "in force":
                raise ProtocolError(f"cannot amend version {parent.short}: it is {state}, not in force")
        self.versions[version.digest] = version
        self._memo.clear()
        return version

    def propose(
        self, document: ProtocolDocument, party: str, key: Ed25519PrivateKey, at: datetime
    ) -> tuple[Version, Signature]:
        """*party* proposes a first version and signs it."""
        version = self._add_version("propose", document, party)
        self._record("propose", party, version, at)
        return version, self._sign(version, party, key, at)

    def counter(
        self, document: ProtocolDocument, party: str, key: Ed25519PrivateKey, at: datetime
    ) -> tuple[Version, Signature]:
        """*party* counters an open version (``document.parent``) with *document*, and signs it."""
        version = self._add_version("counter", document, party)
        self._record("counter", party, version, at)
        return version, self._sign(version, party, key, at)

    def amend(
        self, document: ProtocolDocument, party: str, key: Ed25519PrivateKey, at: datetime
    ) -> tuple[Version, Signature]:
        """*party* proposes an amendment to the version in force (``document.parent``), and signs it."""
        version = self._add_version("amend", document, party)
        self._record("amend", party, version, at)
        return version, self._sign(version, party, key, at)

    def accept(self, ref: str, party: str, key: Ed25519PrivateKey, at: datetime) -> Signature:
        """*party* accepts a version: signs its canonical bytes.

        Raises
        ------
        ProtocolError
            When the party is not in the version, has signed already, the key is not the party's,
            or the version can no longer come into force.
        """
        version = self.resolve(ref)
        version.document.party(party)
        if party in self._valid_signers(version.digest):
            raise ProtocolError(f"{party} has already signed version {version.short}")
        state = self.status(version.digest).state
        if state != "open":
            raise ProtocolError(f"cannot accept version {version.short}: it is {state}")
        signature = self._sign(version, party, key, at)
        self._record("accept", party, version, at)
        return signature

    def accept_signed(self, ref: str, party: str, signature: str, at: datetime) -> Signature:
        """*party* accepts a version with a signature made elsewhere (e.g. in the officer's browser,
        so the private key never leaves it): base64 Ed25519 over the version's canonical bytes.

        Raises
        ------
        ProtocolError
            As :meth:`accept`, and when the signature does not verify under the party's key.
        """
        version = self.resolve(ref)
        version.document.party(party)
        if party in self._valid_signers(version.digest):
            raise ProtocolError(f"{party} has already signed version {version.short}")
        state = self.status(version.digest).state
        if state != "open":
            raise ProtocolError(f"cannot accept version {version.short}: it is {state}")
        s = self._attach(version, party, signature, at)
        self._record("accept", party, version, at)
        return s

    def derive_signed(
        self, document: ProtocolDocument, party: str, signature: str, at: datetime
    ) -> tuple[Version, Signature]:
        """*party* counters an open version, or amends the version in force, with *document*
        (whose ``parent`` says which), signed elsewhere (see :meth:`accept_signed`).

        The signature is checked before anything is recorded: a bad one leaves no trace.
        """
        version = Version.of(document)
        expected = self._key_for_new(document, party)
        if not verify(expected, signature, version.data):
            raise ProtocolError(f"the signature is not {party}'s over version {version.short}")
        parent = self.versions.get(document.parent or "")
        action: Action = (
            "amend" if parent is not None and self.status(parent.digest).state == "in force" else "counter"
        )
        version = self._add_version(action, document, party)
        self._record(action, party, version, at)
        return version, self._attach(version, party, signature, at)

    def _key_for_new(self, document: ProtocolDocument, party: str) -> str:
        anchor = self.in_force()
        if anchor is not None:
            return anchor.document.party(party).signing_key
        return document.party(party).signing_key

    def _attach(self, version: Version, party: str, signature: str, at: datetime) -> Signature:
        expected = self.expected_key(version.digest, party)
        if not verify(expected, signature, version.data):
            raise ProtocolError(f"the signature is not {party}'s over version {version.short}")
        s = Signature(
            party=party,
            version=version.digest,
            public_key=expected,
            signature=signature,
            signed_at=timestamp(at),
        )
        self.signatures.setdefault(version.digest, {})[party] = s
        self._memo.clear()
        return s

    def _sign(self, version: Version, party: str, key: Ed25519PrivateKey, at: datetime) -> Signature:
        expected = self.expected_key(version.digest, party)
        given = public_key_text(key)
        if given != expected:
            raise ProtocolError(
                f"the key given is not {party}'s signing key for version {version.short} "
                f"(expected {expected}, got {given})"
            )
        s = Signature(
            party=party,
            version=version.digest,
            public_key=given,
            signature=sign(key, version.data),
            signed_at=timestamp(at),
        )
        self.signatures.setdefault(version.digest, {})[party] = s
        self._memo.clear()
        return s

    # ---- questions -----------------------------------------------------------------------------
    def resolve(self, ref: str) -> Version:
        """The version named by *ref*: a digest or a unique prefix of its hex (at least 4 digits),
        ``current`` (the version in force) or ``latest`` (the last one recorded).

        Raises
        ------
        ProtocolError
            When nothing or more than one version matches.
        """
        if ref == "current":
            v = self.in_force()
            if v is None:
                raise ProtocolError("no version is in force")
            return v
        if ref == "latest":
            if not self.events:
                raise ProtocolError("no version has been proposed yet")
            return self.versions[self.events[-1].version]
        hexpart = ref.removeprefix("sha256:").lower()
        if len(hexpart) < 4 or not re.fullmatch(r"[0-9a-f]+", hexpart):
            raise ProtocolError(
                f"version {ref!r}: give at least 4 hex digits of the digest, 'current' or 'latest'"
            )
        hits = [v for d, v in self.versions.items() if d[7:].startswith(hexpart)]
        if not hits:
            raise ProtocolError(f"version {ref!r}: no such version")
        if len(hits) > 1:
            raise ProtocolError(f"version {ref!r}: ambiguous ({', '.join(v.short for v in hits)})")
        return hits[0]

    def ancestors(self, digest: str) -> list[str]:
        """Digests of the version's ancestors, nearest first (stops at an unknown parent)."""
        out: list[str] = []
        seen = {digest}
        parent = self.versions[digest].document.parent
        while parent is not None and parent in self.versions and parent not in seen:
            out.append(parent)
            seen.add(parent)
            parent = self.versions[parent].document.parent
        return out

    def anchor(self, digest: str) -> str | None:
        """The nearest ancestor of the version that is fully signed, whose keys count for it."""
        for a in self.ancestors(digest):
            if self.fully_signed(a):
                return a
        return None

    def expected_key(self, digest: str, party: str) -> str:
        """The key a signature by *party* on the version must verify against (see module docstring)."""
        version = self.versions[digest]
        anchor = self.anchor(digest)
        if anchor is not None:
            for p in self.versions[anchor].document.parties:
                if p.id == party:
                    return p.signing_key
        return version.document.party(party).signing_key

    def _valid_signers(self, digest: str) -> set[str]:
        version = self.versions[digest]
        ok: set[str] = set()
        for party, s in self.signatures.get(digest, {}).items():
            if party not in version.document.party_ids:
                continue
            if verify(self.expected_key(digest, party), s.signature, version.data):
                ok.add(party)
        return ok

    def fully_signed(self, digest: str) -> bool:
        """Whether every party of the version has a valid signature on it."""
        if digest not in self._memo:
            self._memo[digest] = False  # guards a (malformed) cycle
            parties = set(self.versions[digest].document.party_ids)
            self._memo[digest] = parties <= self._valid_signers(digest)
        return self._memo[digest]

    def _heads(self) -> list[str]:
        """Fully signed versions that no fully signed version descends from."""
        full = [d for d in self.versions if self.fully_signed(d)]
        covered = {a for d in full for a in self.ancestors(d)}
        return sorted(d for d in full if d not in covered)

    def in_force(self) -> Version | None:
        """The version in force, or ``None`` when no version is signed by every party.

        Raises
        ------
        ProtocolError
            When two versions signed by every party diverge (neither descends from the other).
        """
        heads = self._heads()
        if len(heads) > 1:
            names = ", ".join(self.versions[d].short for d in heads)
            raise ProtocolError(f"conflicting versions signed by every party: {names}")
        return self.versions[heads[0]] if heads else None

    def status(self, ref: str) -> VersionStatus:
        """Where the version stands (see :class:`VersionStatus`)."""
        version = self.resolve(ref) if ref not in self.versions else self.versions[ref]
        digest = version.digest
        parties = version.document.party_ids
        signed = self._valid_signers(digest)
        missing = tuple(p for p in parties if p not in signed)
        heads = self._heads()
        state: Literal["in force", "superseded", "open", "stale"]
        if not missing:
            state = "in force" if digest in heads else "superseded"
        elif all(h in self.ancestors(digest) for h in heads):
            state = "open"
        else:
            state = "stale"
        return VersionStatus(digest, state, tuple(p for p in parties if p in signed), missing)

    # ---- checking ------------------------------------------------------------------------------
    def verify(self) -> list[str]:
        """Check everything offline; return the problems found (empty: all is well).

        Checked: every version's parent is known and its revision follows; every signature is by a
        party of its version, with the key the protocol designates, and verifies over the version's
        canonical bytes; every history event names a known version; at most one line is in force.
        """
        return audit(self)

    def check(self) -> Version | None:
        """:meth:`verify`, raising on the first problems; returns the version in force.

        Raises
        ------
        ProtocolError
            Listing every problem found.
        """
        problems = self.verify()
        if problems:
            raise ProtocolError("verification failed:\n  " + "\n  ".join(problems))
        return self.in_force()

    def history(self) -> list[dict[str, Any]]:
        """The history as plain mappings, in order."""
        return [e.to_mapping() for e in self.events]
