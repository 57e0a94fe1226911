"""A protocol directory: the negotiation kept in plain files that anyone can copy and verify offline.

::

    <dir>/
      airdecon-protocol.json         marker: {"format": "airdecon.protocol-store/1"}
      versions/<hex>.json            each version's canonical bytes, named by their SHA-256
      signatures/<hex>/<PARTY>.json  one signature record per party and version
      history.jsonl                  the events, one JSON object per line, in order

Files are only ever added (the history is appended); a version file is exactly the bytes that were
signed, so ``sha256sum versions/*.json`` shows each file's name and any Ed25519 tool can check a
signature against it. Writes go through a temporary file and an atomic rename.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from airdecon.documents import load_json, load_json_lines
from airdecon.errors import MalformedInput, ProtocolError
from airdecon.protocol._canonical import canonical_bytes, digest_of
from airdecon.protocol._negotiation import Event, Negotiation, Signature, Version, signature_bytes

__all__ = ["ProtocolStore"]

STORE_FORMAT = "airdecon.protocol-store/1"
_MARKER = "airdecon-protocol.json"
_HEX = re.compile(r"^[0-9a-f]{64}$")


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ProtocolStore:
    """The files of one negotiation (see the module docstring).

    Parameters
    ----------
    path : str or Path
        The protocol directory; it must have been created with :meth:`init`.

    Raises
    ------
    ProtocolError
        When *path* is not a protocol directory.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        marker = self.path / _MARKER
        try:
            meta = load_json(marker.read_bytes(), source=str(marker))
        except OSError:
            raise ProtocolError(
                f"{self.path}: not a protocol directory (run 'airdecon protocol init')"
            ) from None
        except MalformedInput as exc:
            raise ProtocolError(f"{self.path}: not a protocol directory ({exc})") from exc
        if meta != {"format": STORE_FORMAT}:
            raise ProtocolError(f"{marker}: unknown store format {meta!r}")

    @classmethod
    def init(cls, path: str | Path) -> ProtocolStore:
        """Create an empty protocol directory (the directory may exist but must be empty)."""
        p = Path(path)
        if p.exists() and (not p.is_dir() or any(p.iterdir())):
            raise ProtocolError(f"{p}: exists and is not an empty directory")
        for sub in ("versions", "signatures"):
            (p / sub).mkdir(parents=True, exist_ok=True)
        (p / "history.jsonl").touch()
        _write_atomic(p / _MARKER, canonical_bytes({"format": STORE_FORMAT}) + b"\n")
        return cls(p)

    # ---- reading -------------------------------------------------------------------------------
    def version_path(self, digest: str) -> Path:
        """File of a version."""
        return self.path / "versions" / f"{digest.removeprefix('sha256:')}.json"

    def signature_path(self, digest: str, party: str) -> Path:
        """File of a party's signature on a version."""
        return self.path / "signatures" / digest.removeprefix("sha256:") / f"{party}.json"

    def load(self) -> Negotiation:
        """Read every file back into a :class:`Negotiation` (judge it with ``verify``).

        Raises
        ------
        ProtocolError
            When a version file does not hash to its name (it was altered), or a file cannot be read.
        """
        versions: list[Version] = []
        for f in sorted((self.path / "versions").glob("*.json")):
            rel = f.relative_to(self.path)
            if not _HEX.match(f.stem):
                raise ProtocolError(f"{rel}: unexpected file in versions/")
            data = self._read(f)
            if digest_of(data) != "sha256:" + f.stem:
                raise ProtocolError(
                    f"{rel}: content does not match its digest (the document was altered after signing)"
                )
            versions.append(Version.from_bytes(data, source=str(rel)))
        signatures: list[Signature] = []
        for f in sorted((self.path / "signatures").glob("*/*.json")):
            rel = f.relative_to(self.path)
            try:
                raw = load_json(self._read(f), source=str(rel))
            except MalformedInput as exc:
                raise ProtocolError(str(exc)) from exc
            s = Signature.from_mapping(raw, source=str(rel))
            if s.version != "sha256:" + f.parent.name or s.party != f.stem:
                raise ProtocolError(f"{rel}: record names {s.party} on {s.version}, not its file's place")
            signatures.append(s)
        events: list[Event] = []
        history = self.path / "history.jsonl"
        try:
            lines = load_json_lines(self._read(history), source="history.jsonl")
        except MalformedInput as exc:
            raise ProtocolError(str(exc)) from exc
        for n, raw in lines:
            events.append(Event.from_mapping(raw, source=f"history.jsonl:{n}"))
        return Negotiation.restore(versions, signatures, events)

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            rel = path.relative_to(self.path)
            raise ProtocolError(f"{rel}: cannot read: {exc.strerror or exc}") from None

    # ---- writing -------------------------------------------------------------------------------
    def save(self, negotiation: Negotiation) -> None:
        """Write what the negotiation holds and the files do not: new versions, signatures, events.

        Raises
        ------
        ProtocolError
            When a file already holds something different (files are never overwritten).
        """
        for digest, v in negotiation.versions.items():
            self._add(self.version_path(digest), v.data)
        for by_party in negotiation.signatures.values():
            for s in by_party.values():
                self._add(self.signature_path(s.version, s.party), signature_bytes(s) + b"\n")
        history = self.path / "history.jsonl"
        stored = [ln for ln in self._read(history).decode("utf-8", "replace").split("\n") if ln.strip()]
        lines = [canonical_bytes(e.to_mapping()).decode("utf-8") for e in negotiation.events]
        if lines[: len(stored)] != stored:
            raise ProtocolError("history.jsonl: the stored history differs from the one being saved")
        if len(lines) > len(stored):
            _write_atomic(history, ("\n".join(lines) + "\n").encode("utf-8"))

    def _add(self, path: Path, data: bytes) -> None:
        if path.exists():
            if path.read_bytes() != data:
                raise ProtocolError(f"{path.relative_to(self.path)}: already exists with other content")
            return
        _write_atomic(path, data)
