"""Signed customer identity for the widget: verifying a tenant-signed JWT (pure).

The tenant's own server signs a short-lived JWT for its logged-in customer with one of its
widget identity secrets (HS256, the secret's ``kid`` in the header). We accept exactly HS256:
the algorithm is pinned before the signature is checked, so ``alg: none`` or an asymmetric
algorithm confusion never gets near a verifier. ``exp`` and ``iat`` are required, clock skew is
bounded, and a token may not live longer than the configured maximum (a leaked token is
useful for minutes, not days).

Claims: ``sub`` (the tenant's external id of the customer, required), ``email`` (required),
``name`` (optional), ``exp``, ``iat`` (required), ``nbf``, ``jti`` (optional).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import Unauthorized

ALGORITHM = "HS256"
MAX_TOKEN_LENGTH = 4096
_KID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9._:@/+-]{1,128}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")


@dataclass(frozen=True)
class Identity:
    """A verified customer identity: who the tenant says the visitor is."""

    external_id: str
    email: str
    name: str | None
    kid: str


def _refuse(detail: str, code: str = "invalid_identity_token") -> Unauthorized:
    return Unauthorized(detail, code=code)


def verify_identity_token(
    token: str,
    secret_for_kid: Callable[[str], bytes | None],
    *,
    now: float,
    max_skew_seconds: int,
    max_lifetime_seconds: int,
) -> Identity:
    """The identity in ``token``, or 401 for anything not genuine, current and well-formed."""
    import jwt

    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise _refuse("the identity token is missing or too long")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise _refuse("the identity token is not a JWT") from exc
    if header.get("alg") != ALGORITHM:
        raise _refuse("identity tokens must be signed with HS256")
    kid = header.get("kid")
    if not isinstance(kid, str) or not _KID.match(kid):
        raise _refuse("the identity token header needs the 'kid' of a widget secret")
    secret = secret_for_kid(kid)
    if secret is None:
        raise _refuse("the identity token names an unknown or revoked secret", "unknown_kid")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            # The times are checked below against the application's one clock, not PyJWT's.
            options={
                "require": ["exp", "iat", "sub"],
                "verify_aud": False,
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise _refuse("the identity token signature or claims are not valid") from exc
    return _identity(claims, kid, now, max_skew_seconds, max_lifetime_seconds)


def _identity(
    claims: dict[str, Any], kid: str, now: float, skew: int, max_lifetime: int
) -> Identity:
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int | float) or not isinstance(exp, int | float):
        raise _refuse("'iat' and 'exp' must be numeric dates")
    if iat > now + skew:
        raise _refuse("the identity token was issued in the future ('iat')")
    if exp <= now - skew:
        raise _refuse("the identity token has expired", "identity_token_expired")
    nbf = claims.get("nbf")
    if nbf is not None and (not isinstance(nbf, int | float) or nbf > now + skew):
        raise _refuse("the identity token is not valid yet ('nbf')")
    if exp - iat > max_lifetime:
        raise _refuse(f"identity tokens may live at most {max_lifetime} seconds (exp - iat)")
    sub, email, name = claims.get("sub"), claims.get("email"), claims.get("name")
    if not isinstance(sub, str) or not _EXTERNAL_ID.match(sub):
        raise _refuse("'sub' must be the customer's external id (1-128 of A-Z a-z 0-9 ._:@/+-)")
    if not isinstance(email, str) or len(email) > 254 or not _EMAIL.match(email):
        raise _refuse("'email' must be the customer's email address")
    if name is not None and (not isinstance(name, str) or not 0 < len(name.strip()) <= 200):
        raise _refuse("'name' must be a string of at most 200 characters")
    local, _, domain = email.partition("@")
    return Identity(
        external_id=sub,
        email=f"{local}@{domain.lower()}",
        name=name.strip() if isinstance(name, str) else None,
        kid=kid,
    )
