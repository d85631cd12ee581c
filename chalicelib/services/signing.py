"""Purpose-bound signing keys derived from the one application secret."""

from __future__ import annotations

import functools
import hashlib
import hmac

from chalicelib.config import app_secret


@functools.cache
def derived_key(purpose: str) -> bytes:
    """A key for one purpose (``cursor``, ``survey-token``...): HMAC(app secret, purpose)."""
    return hmac.new(app_secret(), purpose.encode(), hashlib.sha256).digest()


def reset_keys() -> None:
    """Forget derived keys (the secret changed: tests, local runs)."""
    derived_key.cache_clear()
