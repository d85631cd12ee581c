"""Identifiers: ULIDs (sortable by creation time, 26 Crockford base-32 characters)."""

from __future__ import annotations

import re

_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def new_id() -> str:
    """A new ULID string."""
    # Imported here: python-ulid loads importlib.metadata, ~40 ms of cold start that the
    # middleware (which only needs an id per request) should not pay at import.
    from ulid import ULID

    return str(ULID())


def is_id(value: str) -> bool:
    """True if ``value`` is a well-formed ULID string (upper case)."""
    return bool(_ULID.match(value))
