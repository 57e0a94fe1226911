"""The hub's Ed25519 signing key for checkpoints, and loading the public key a verifier trusts."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from airdecon.errors import InputError

__all__ = ["HubKey", "Signer", "key_id", "load_public_key", "verify_signature"]


@runtime_checkable
class Signer(Protocol):
    """Anything that signs checkpoint messages: the store asks for nothing more.

    Attributes
    ----------
    key_id : str
        A short stable identifier of the public key (see :func:`key_id`), stored with each checkpoint.
    """

    key_id: str

    def sign(self, message: bytes) -> bytes:
        """Return the signature of *message*."""
        ...


def _raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    """First 16 hex digits of SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(_raw_public(public)).hexdigest()[:16]


class HubKey:
    """An Ed25519 private key that signs audit checkpoints (a :class:`Signer`).

    Create with :meth:`generate` or :meth:`from_pem`; keep :meth:`private_pem` secret, publish
    :meth:`public_pem` to every party and to the working group.
    """

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public_key: Ed25519PublicKey = private.public_key()
        self.key_id: str = key_id(self.public_key)

    @classmethod
    def generate(cls) -> HubKey:
        """A fresh random key."""
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(cls, data: bytes) -> HubKey:
        """Load an unencrypted PKCS#8 PEM private key.

        Raises
        ------
        InputError
            If *data* is not an Ed25519 private key.
        """
        try:
            private = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise InputError(f"not a PEM private key: {exc}") from exc
        if not isinstance(private, Ed25519PrivateKey):
            raise InputError("the private key is not Ed25519")
        return cls(private)

    def private_pem(self) -> bytes:
        """The private key as unencrypted PKCS#8 PEM."""
        return self._private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def public_pem(self) -> bytes:
        """The public key as SubjectPublicKeyInfo PEM."""
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, message: bytes) -> bytes:
        """Ed25519 signature (64 bytes) of *message*."""
        return self._private.sign(message)

    def __repr__(self) -> str:
        return f"HubKey(key_id={self.key_id!r})"


def load_public_key(source: Ed25519PublicKey | bytes | str | Path) -> Ed25519PublicKey:
    """An Ed25519 public key from a key object, PEM bytes, 64 hex digits (raw key) or a PEM file path.

    Raises
    ------
    InputError
        If the source is not an Ed25519 public key.
    """
    if isinstance(source, Ed25519PublicKey):
        return source
    if isinstance(source, str) and len(source) == 64:
        try:
            return Ed25519PublicKey.from_public_bytes(bytes.fromhex(source))
        except ValueError:
            pass
    if isinstance(source, str | Path):
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read public key {source}: {exc}") from exc
    else:
        data = source
    try:
        public = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise InputError(f"not a PEM public key: {exc}") from exc
    if not isinstance(public, Ed25519PublicKey):
        raise InputError("the public key is not Ed25519")
    return public


def verify_signature(public: Ed25519PublicKey, message: bytes, signature_hex: str) -> bool:
    """True when *signature_hex* is a valid Ed25519 signature of *message* under *public*."""
    try:
        public.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True
