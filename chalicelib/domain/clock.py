"""The one clock: every reader of "now" in the application goes through this module.

Tests move time in one place (``tests/support/clocks.py`` replaces :data:`source`), so a
journey can run a warranty to its expiry or an appointment to its reminder without patching
each module that looks at the time. Times are timezone-aware UTC, truncated to milliseconds:
the precision we store and return (RFC 3339 with ``Z``, see :func:`stamp`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime


def _system() -> datetime:
    return datetime.now(UTC)


# Replaced by tests (one place); never by application code.
source: Callable[[], datetime] = _system


def now() -> datetime:
    """The current time, aware UTC, truncated to milliseconds."""
    current = source().astimezone(UTC)
    return current.replace(microsecond=(current.microsecond // 1000) * 1000)


def today() -> date:
    """Today's date in UTC."""
    return now().date()


def epoch() -> float:
    """The current time as epoch seconds (token expiries, rate windows)."""
    return now().timestamp()


def stamp(moment: datetime) -> str:
    """The one time format of stored and returned times: RFC 3339 UTC, milliseconds, ``Z``."""
    value = moment.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
