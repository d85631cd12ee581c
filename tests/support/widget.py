"""Test helpers for the widget API: headers from a page origin, and signing identity tokens."""

from __future__ import annotations

import time
from typing import Any

import jwt

SHOP = "https://shop.example.com"


def widget_headers(
    widget_key: str, origin: str | None = SHOP, token: str | None = None
) -> dict[str, str]:
    """What the widget script sends: the publishable key, the page's origin, maybe a JWT."""
    headers = {"X-Widget-Key": widget_key}
    if origin is not None:
        headers["Origin"] = origin
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def sign_identity(
    secret: str,
    kid: str,
    *,
    sub: str = "cust-1",
    email: str = "ona@example.lt",
    name: str | None = "Ona",
    lifetime: int = 600,
    issued: float | None = None,
    algorithm: str = "HS256",
    **extra: Any,
) -> str:
    """A customer identity token as the tenant's server would sign it."""
    iat = int(issued if issued is not None else time.time())
    claims: dict[str, Any] = {"sub": sub, "email": email, "iat": iat, "exp": iat + lifetime}
    if name is not None:
        claims["name"] = name
    claims.update(extra)
    return jwt.encode(claims, secret, algorithm=algorithm, headers={"kid": kid})
