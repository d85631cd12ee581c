"""Moving time in tests: each area's clock readers, patched in one place.

A module that starts reading the clock is added here once, and every test that moves time in
that area follows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest


def patch_engine_clock(monkeypatch: pytest.MonkeyPatch, read: Callable[[], datetime]) -> None:
    """The follow-up engine (sweep and worker) takes ``read()`` as the time."""
    from chalicelib.services import followup_delivery, followup_sweep

    monkeypatch.setattr(followup_sweep, "utcnow", read)
    monkeypatch.setattr(followup_delivery, "utcnow", read)


def patch_ticket_clock(monkeypatch: pytest.MonkeyPatch, read: Callable[[], datetime]) -> None:
    """Tickets and their SLA clocks take ``read()`` (an aware datetime, UTC) as the time."""
    from chalicelib.services import ticket_sla, tickets

    monkeypatch.setattr(tickets, "utcnow", read)
    monkeypatch.setattr(ticket_sla, "utc_now", read)


def freeze(monkeypatch: pytest.MonkeyPatch, read: Callable[[], datetime]) -> None:
    """Every reader of the time in the application (``chalicelib.domain.clock``) takes
    ``read()`` (an aware datetime) as now."""
    from chalicelib.domain import clock

    monkeypatch.setattr(clock, "source", read)
