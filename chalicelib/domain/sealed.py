"""Sealed tokens: a JSON payload and its HMAC, as one URL-safe string.

``base64url(json) . base64url(hmac-sha256(purpose, json)[:18])``. Used for pagination cursors,
survey links, unsubscribe links and magic links. The purpose is part of the MAC, so a token
minted for one purpose never verifies as another. Only the canonical spelling is accepted:
base64 decoding tolerates stray characters and unused trailing bits, so without that check
some edited tokens would still verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, purpose: str, body: bytes) -> bytes:
    return hmac.new(key, purpose.encode() + b"\x00" + body, hashlib.sha256).digest()[:18]


def seal(key: bytes, purpose: str, payload: dict[str, Any]) -> str:
    """Serialise and sign ``payload`` for ``purpose``."""
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64(body)}.{_b64(_mac(key, purpose, body))}"


def unseal(key: bytes, purpose: str, token: str) -> dict[str, Any] | None:
    """The payload of a genuine token for ``purpose``, or ``None`` for anything else."""
    try:
        body_text, mac_text = token.split(".")
        body, mac = _unb64(body_text), _unb64(mac_text)
    except (ValueError, TypeError):
        return None
    if _b64(body) != body_text or _b64(mac) != mac_text:
        return None
    if not hmac.compare_digest(_mac(key, purpose, body), mac):
        return None
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None
