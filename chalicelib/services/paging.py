"""Turning ``limit``/``cursor`` into Query arguments and pages into list responses."""

from __future__ import annotations

from typing import Any

from chalicelib.config import get_settings
from chalicelib.domain.cursors import decode_cursor, encode_cursor
from chalicelib.services.signing import derived_key
from chalicelib.store.paging import Page, StartKey


def page_request(
    owner: str, scope: str, limit: int | None, cursor: str | None
) -> tuple[int, StartKey | None]:
    """Validated page size and start key; a foreign or forged cursor is a 400."""
    settings = get_settings()
    size = min(limit or settings.page_limit_default, settings.page_limit_max)
    if not cursor:
        return size, None
    start = decode_cursor(derived_key("cursor"), owner, scope, cursor)
    _check_start_key(owner, start)
    return size, start


def _check_start_key(owner: str, start: dict[str, Any]) -> None:
    # Defence in depth: even a validly signed cursor must name only the owner's partitions.
    from chalicelib.domain.errors import BadRequest
    from chalicelib.store.base import PARTITION_KEY_ATTRIBUTES

    for name, value in start.items():
        if name in PARTITION_KEY_ATTRIBUTES and owner != "platform":
            text = value.get("S") if isinstance(value, dict) else None
            if not isinstance(text, str) or not (text == owner or text.startswith(owner + "#")):
                raise BadRequest("the cursor is not valid for this list", code="invalid_cursor")


def next_cursor(owner: str, scope: str, page: Page[Any]) -> str | None:
    """The signed cursor for the page after ``page`` (None on the last page)."""
    if page.next_key is None:
        return None
    return encode_cursor(derived_key("cursor"), owner, scope, page.next_key)
