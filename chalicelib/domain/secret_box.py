"""Encrypting secrets at rest that must be readable again (AES-256-GCM).

Widget identity secrets verify HS256 signatures, so the service needs the secret itself, not a
hash of it. They are stored encrypted with a key derived from the application secret for this
purpose only; the associated data binds each ciphertext to its tenant and key id, so a
ciphertext copied onto another record (or another tenant) does not decrypt.
"""

from __future__ import annotations

import base64
import os

_VERSION = b"\x01"


def encrypt(key: bytes, plaintext: bytes, associated: bytes) -> str:
    """``base64url(version | nonce | ciphertext+tag)``."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext, _VERSION + associated)
    return base64.urlsafe_b64encode(_VERSION + nonce + sealed).decode()


def decrypt(key: bytes, token: str, associated: bytes) -> bytes | None:
    """The plaintext, or None if the token was not made by :func:`encrypt` for ``associated``."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        raw = base64.urlsafe_b64decode(token.encode())
    except ValueError:
        return None
    if len(raw) < 1 + 12 + 16 or raw[:1] != _VERSION:
        return None
    try:
        return AESGCM(key).decrypt(raw[1:13], raw[13:], _VERSION + associated)
    except InvalidTag:
        return None
