"""Opaque, tamper-proof pagination cursors.

A cursor is ``base64url(json) . base64url(hmac)``. The JSON binds the DynamoDB start key to the
owner (tenant id, or ``platform``) and to the list it came from (name + filters), so a cursor
from another tenant, another list or a forged one is refused (400) before any data is read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from chalicelib.domain.errors import BadRequest

_VERSION = 1


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, b"cursor\x00" + body, hashlib.sha256).digest()[:18]


def encode_cursor(key: bytes, owner: str, scope: str, start_key: dict[str, Any]) -> str:
    """Sign ``start_key`` for ``owner`` and list ``scope``."""
    body = json.dumps(
        {"v": _VERSION, "o": owner, "s": scope, "k": start_key}, separators=(",", ":")
    ).encode()
    return f"{_b64(body)}.{_b64(_mac(key, body))}"


def decode_cursor(key: bytes, owner: str, scope: str, cursor: str) -> dict[str, Any]:
    """Verify a cursor and return its start key, or raise ``BadRequest(invalid_cursor)``."""
    invalid = BadRequest(
        "the cursor is not valid for this list; start again without a cursor",
        code="invalid_cursor",
    )
    try:
        body_text, mac_text = cursor.split(".")
        body, mac = _unb64(body_text), _unb64(mac_text)
    except (ValueError, TypeError) as exc:
        raise invalid from exc
    # base64 decoding tolerates stray characters and unused trailing bits, so only the
    # canonical spelling of a signed cursor is accepted: any edit to the text is refused.
    if _b64(body) != body_text or _b64(mac) != mac_text:
        raise invalid
    if not hmac.compare_digest(_mac(key, body), mac):
        raise invalid
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise invalid from exc
    if (
        not isinstance(payload, dict)
        or payload.get("v") != _VERSION
        or payload.get("o") != owner
        or payload.get("s") != scope
        or not isinstance(payload.get("k"), dict)
    ):
        raise invalid
    start_key: dict[str, Any] = payload["k"]
    return start_key
