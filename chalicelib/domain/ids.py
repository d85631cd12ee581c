"""Identifiers: ULIDs (sortable by creation time, 26 Crockford base-32 characters)."""

from __future__ import annotations

import re

from ulid import ULID

_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def new_id() -> str:
    """A new ULID string."""
    return str(ULID())


def is_id(value: str) -> bool:
    """True if ``value`` is a well-formed ULID string (upper case)."""
    return bool(_ULID.match(value))
