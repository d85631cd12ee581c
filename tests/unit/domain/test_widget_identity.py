"""Identity token verification: pinned HS256, bounded lifetime and skew, required claims."""

from __future__ import annotations

import time
from collections.abc import Callable

import jwt
import pytest

from chalicelib.domain.errors import Unauthorized
from chalicelib.domain.widget_identity import verify_identity_token

KID = "01J0000000000000000000000A"
SECRET = b"wsec_unit-test-secret-that-is-long-enough-for-hs256"


def lookup(kid: str) -> bytes | None:
    return SECRET if kid == KID else None


def verify(token: str, now: float | None = None) -> object:
    return verify_identity_token(
        token,
        lookup,
        now=now if now is not None else time.time(),
        max_skew_seconds=60,
        max_lifetime_seconds=3600,
    )


def make(**claims: object) -> str:
    now = int(time.time())
    body: dict[str, object] = {
        "sub": "c-1",
        "email": "Ona@Example.LT",
        "iat": now,
        "exp": now + 300,
    }
    body.update(claims)
    headers = {"kid": claims.pop("_kid", KID)} if "_kid" in claims else {"kid": KID}
    body.pop("_kid", None)
    return jwt.encode(body, SECRET, algorithm="HS256", headers=headers)


def test_valid_token() -> None:
    identity = verify(make(name="  Ona  "))
    assert identity.external_id == "c-1"  # type: ignore[attr-defined]
    assert identity.email == "Ona@example.lt"  # type: ignore[attr-defined]
    assert identity.name == "Ona"  # type: ignore[attr-defined]


def test_clock_skew_is_bounded() -> None:
    now = int(time.time())
    token = make(iat=now - 400, exp=now - 30)
    verify(token)  # expired 30 s ago: within the 60 s skew
    with pytest.raises(Unauthorized):
        verify(make(iat=now - 400, exp=now - 90))
    verify(make(iat=now + 30, exp=now + 300))
    with pytest.raises(Unauthorized):
        verify(make(iat=now + 120, exp=now + 300))


@pytest.mark.parametrize(
    "forge",
    [
        lambda: make(exp=None),
        lambda: make(iat=None),
        lambda: make(sub=None),
        lambda: make(email=None),
        lambda: make(sub="has space"),
        lambda: make(name=""),
        lambda: make(iat=int(time.time()), exp=int(time.time()) + 7200),
        lambda: make(_kid="01J0000000000000000000000B"),
        lambda: make(_kid="not-a-kid"),
        lambda: jwt.encode({"sub": "c"}, SECRET, algorithm="HS384", headers={"kid": KID}),
        lambda: make()[:-3] + "AAA",
    ],
)
def test_refused(forge: Callable[[], str]) -> None:
    token = forge()
    with pytest.raises(Unauthorized):
        verify(token)
