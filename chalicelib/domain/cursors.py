"""Opaque, tamper-proof pagination cursors.

A cursor is a sealed token (:mod:`chalicelib.domain.sealed`) whose payload binds the DynamoDB
start key to the owner (tenant id, or ``platform``) and to the list it came from (name +
filters), so a cursor from another tenant, another list or a forged one is refused (400)
before any data is read.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.errors import BadRequest
from chalicelib.domain.sealed import seal, unseal

_VERSION = 1
_PURPOSE = "cursor"


def encode_cursor(key: bytes, owner: str, scope: str, start_key: dict[str, Any]) -> str:
    """Sign ``start_key`` for ``owner`` and list ``scope``."""
    return seal(key, _PURPOSE, {"v": _VERSION, "o": owner, "s": scope, "k": start_key})


def decode_cursor(key: bytes, owner: str, scope: str, cursor: str) -> dict[str, Any]:
    """Verify a cursor and return its start key, or raise ``BadRequest(invalid_cursor)``."""
    payload = unseal(key, _PURPOSE, cursor)
    if (
        payload is None
        or payload.get("v") != _VERSION
        or payload.get("o") != owner
        or payload.get("s") != scope
        or not isinstance(payload.get("k"), dict)
    ):
        raise BadRequest(
            "the cursor is not valid for this list; start again without a cursor",
            code="invalid_cursor",
        )
    start_key: dict[str, Any] = payload["k"]
    return start_key
