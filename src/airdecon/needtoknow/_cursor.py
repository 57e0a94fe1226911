"""Opaque, party-bound stream cursors: resume after a reconnect without revealing global counts.

The hub's record numbers every entry globally. Handing those numbers to a party would tell it how
many events it was *not* shown (another party's report rate, hence roughly its fleet size). A
cursor is the global sequence number encrypted (AES-256, one block) together with a tag of the
party it was issued to: it orders nothing, counts nothing, and is refused if another party presents it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from airdecon.errors import InputError

__all__ = ["CursorCodec"]


class CursorCodec:
    """Encode/decode cursors with a secret key (random per hub process unless given)."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key if key is not None else os.urandom(32)
        if len(self._key) != 32:
            raise ValueError("cursor key must be 32 bytes")

    @staticmethod
    def _tag(party: str) -> bytes:
        return hashlib.sha256(party.encode("utf-8")).digest()[:8]

    def encode(self, party: str, seq: int) -> str:
        """The cursor for global entry *seq*, valid only for *party*."""
        block = struct.pack(">Q", seq) + self._tag(party)
        enc = Cipher(algorithms.AES(self._key), modes.ECB()).encryptor()  # one block: ECB is a PRP here
        return base64.urlsafe_b64encode(enc.update(block) + enc.finalize()).decode().rstrip("=")

    def decode(self, party: str, cursor: str) -> int:
        """The global entry number behind *cursor*; ``InputError`` if it is not *party*'s."""
        if cursor in ("", "0"):
            return 0
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            if len(raw) != 16:
                raise ValueError
            dec = Cipher(algorithms.AES(self._key), modes.ECB()).decryptor()
            block = dec.update(raw) + dec.finalize()
        except (ValueError, TypeError):
            raise InputError("invalid cursor") from None
        if block[8:] != self._tag(party):
            raise InputError("invalid cursor")
        return int(struct.unpack(">Q", block[:8])[0])
