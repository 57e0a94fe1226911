"""Ed25519 keys and signatures, through the maintained ``cryptography`` library.

Text forms, so that keys travel inside documents and signatures inside plain files:

* a public key is ``"ed25519:"`` followed by the standard base64 of its 32 raw bytes;
* a signature is the standard base64 of its 64 raw bytes;
* a private key is a PKCS#8 PEM file (``-----BEGIN PRIVATE KEY-----``), readable by OpenSSL.

A key's fingerprint, for reading aloud over the 24-hour line when parties confirm each other's keys,
is the first 16 hex digits of the SHA-256 of its raw bytes, in groups of four.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from airdecon.errors import ProtocolError

__all__ = [
    "KEY_PREFIX",
    "fingerprint",
    "generate_private_key",
    "parse_public_key",
    "private_key_from_pem",
    "private_key_to_pem",
    "public_key_text",
    "sign",
    "verify",
]

KEY_PREFIX = "ed25519:"


def generate_private_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 private key (from the operating system's random source)."""
    return Ed25519PrivateKey.generate()


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The ``ed25519:<base64>`` text of a key's public half."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return KEY_PREFIX + base64.b64encode(raw).decode("ascii")


def parse_public_key(text: object, *, where: str = "signing_key") -> Ed25519PublicKey:
    """Read an ``ed25519:<base64>`` public key.

    Raises
    ------
    ProtocolError
        Naming *where* when the text is not a 32-byte Ed25519 key in that form.
    """
    if not isinstance(text, str) or not text.startswith(KEY_PREFIX):
        raise ProtocolError(f"{where}: must be a string 'ed25519:<base64 of 32 bytes>', got {text!r}")
    try:
        raw = base64.b64decode(text[len(KEY_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ProtocolError(f"{where}: not valid base64 after 'ed25519:'") from None
    if len(raw) != 32:
        raise ProtocolError(f"{where}: an Ed25519 public key is 32 bytes, got {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def fingerprint(text: str) -> str:
    """Short fingerprint of a public key text, e.g. ``"3f2a 9c01 77de 0b41"``."""
    raw = base64.b64decode(text[len(KEY_PREFIX) :])
    h = hashlib.sha256(raw).hexdigest()[:16]
    return " ".join(h[k : k + 4] for k in range(0, 16, 4))


def private_key_to_pem(key: Ed25519PrivateKey) -> bytes:
    """PKCS#8 PEM bytes of a private key (unencrypted: protect the file)."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def private_key_from_pem(data: bytes, *, where: str = "private key") -> Ed25519PrivateKey:
    """Read a PKCS#8 PEM Ed25519 private key.

    Raises
    ------
    ProtocolError
        When the bytes are not an unencrypted PEM Ed25519 private key.
    """
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ProtocolError(f"{where}: not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ProtocolError(f"{where}: not an Ed25519 key ({type(key).__name__})")
    return key


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    """Base64 Ed25519 signature of *message*."""
    return base64.b64encode(key.sign(message)).decode("ascii")


def verify(public_key: str, signature: str, message: bytes) -> bool:
    """Whether *signature* (base64) is a valid Ed25519 signature of *message* by *public_key*.

    Never raises on a malformed signature or key text: it is simply not valid.
    """
    try:
        pub = parse_public_key(public_key)
        raw = base64.b64decode(signature, validate=True)
    except (ProtocolError, binascii.Error, ValueError):
        return False
    if len(raw) != 64:
        return False
    try:
        pub.verify(raw, message)
    except InvalidSignature:
        return False
    return True
