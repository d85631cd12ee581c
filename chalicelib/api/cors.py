"""CORS for the widget API, per tenant (Chalice's CORSConfig allows only one fixed origin).

- An actual ``/widget/v1`` request gets ``Access-Control-Allow-Origin: <its origin>`` only after
  its publishable key was found and the origin is on *that key's* allow-list
  (``services.widget_auth.resolve``); refused requests carry no CORS headers at all, so the
  page that sent them cannot read the answer.
- A preflight (``OPTIONS``) carries an ``Origin`` but no key: the browser sends no custom
  header values with it. It is answered positively only when some usable widget key of some
  tenant allows the origin (the platform's origin directory, cached per container), and
  otherwise refused with 403 and no CORS headers. The key-specific check then happens on the
  actual request.
- Token endpoints under ``/widget/v1`` that need no widget key (survey answers, whose signed
  token is the credential) answer with CORS headers for origins in the same directory.

Every widget response says ``Vary: Origin`` so no cache serves one origin's answer to another.
No cookies are used, so ``Access-Control-Allow-Credentials`` is never sent.
"""

from __future__ import annotations

import time
from threading import Lock

from chalice.app import Request, Response

WIDGET_PREFIX = "/widget/"
ALLOWED_HEADERS = (
    "content-type",
    "x-widget-key",
    "authorization",
    "idempotency-key",
    "x-ticket-token",
    "accept-language",
)
EXPOSED_HEADERS = "Retry-After, X-Request-Id, ETag"
PREFLIGHT_MAX_AGE = 600
_DIRECTORY_TTL = 60.0
_MAX_CACHED = 4096
_directory: dict[str, tuple[bool, float]] = {}
_lock = Lock()


def is_widget_path(path: str) -> bool:
    """Whether ``path`` belongs to the public widget API."""
    return path.startswith(WIDGET_PREFIX)


def vary_only() -> dict[str, str]:
    """Headers of a widget response that may not be read cross-origin."""
    return {"Vary": "Origin"}


def allow(origin: str) -> dict[str, str]:
    """Headers that let the page on ``origin`` read this response."""
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": EXPOSED_HEADERS,
        "Vary": "Origin",
    }


def clear_cache() -> None:
    """Forget cached directory answers (tests)."""
    with _lock:
        _directory.clear()


def origin_known(origin: str | None) -> bool:
    """Whether any usable widget key allows ``origin`` (cached for a minute per container)."""
    from chalicelib.domain.widget_origins import (
        OriginError,
        directory_candidates,
        normalise_origin,
    )

    try:
        normalised = normalise_origin(origin or "")
    except OriginError:
        return False
    now = time.monotonic()
    with _lock:
        cached = _directory.get(normalised)
    if cached and cached[1] > now:
        return cached[0]
    from chalicelib.store.widget import origin_in_directory

    known = origin_in_directory(directory_candidates(normalised))
    with _lock:
        if len(_directory) >= _MAX_CACHED:
            _directory.clear()
        _directory[normalised] = (known, now + _DIRECTORY_TTL)
    return known


def preflight(request: Request, methods: list[str]) -> Response:
    """Answer a CORS preflight for a widget path served by ``methods``."""
    from chalicelib import context
    from chalicelib.api.problems import problem_response

    headers = {k.lower(): v for k, v in (request.headers or {}).items()}
    origin = headers.get("origin")
    wanted = (headers.get("access-control-request-method") or "").upper()
    vary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    if not origin or wanted not in methods or not origin_known(origin):
        return problem_response(
            403,
            "origin_not_allowed",
            "this origin may not call the widget API",
            instance=request.path if hasattr(request, "path") else None,
            request_id=context.current_request_id(),
            headers={"Vary": vary},
        )
    return Response(
        body="",
        status_code=204,
        headers={
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": ", ".join(sorted({*methods, "OPTIONS"})),
            "Access-Control-Allow-Headers": ", ".join(ALLOWED_HEADERS),
            "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE),
            "Vary": vary,
        },
    )
