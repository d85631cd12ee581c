"""The link rules: one owner check for every link, and what a linked change does to a ticket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import links
from chalicelib.domain.claims import ClaimStatus
from chalicelib.domain.tickets import Status, Visibility

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def test_links_to_the_customers_own_records_pass() -> None:
    links.ensure_same_customer(
        "C1", [links.registration("C1"), links.ticket("C1"), links.service_plan("C1")]
    )
    links.ensure_same_customer("C1", [])


def test_every_foreign_link_is_named_once() -> None:
    with pytest.raises(links.CustomerMismatch) as refused:
        links.ensure_same_customer(
            "C1",
            [links.registration("C2"), links.ticket("C1"), links.appointment("C3")],
        )
    error = refused.value
    assert error.code == "customer_mismatch"
    assert [e.field for e in error.errors] == ["warranty_id", "appointment_id"]
    assert "registration, appointment" in error.detail


def test_every_claim_status_has_a_ticket_effect() -> None:
    assert set(links.CLAIM_TICKET_EFFECTS) == set(ClaimStatus) - {ClaimStatus.SUBMITTED}
    public = {s for s, e in links.CLAIM_TICKET_EFFECTS.items() if e.note is Visibility.PUBLIC}
    assert public == {ClaimStatus.APPROVED, ClaimStatus.REJECTED, ClaimStatus.RESOLVED}


@pytest.mark.parametrize(
    ("current", "wanted", "solved_at", "expected"),
    [
        (Status.NEW, Status.OPEN, None, Status.OPEN),
        (Status.OPEN, Status.OPEN, None, None),  # already there
        (Status.PENDING, Status.SOLVED, None, Status.SOLVED),
        (Status.NEW, None, None, None),  # nothing wanted
        (Status.SOLVED, Status.OPEN, NOW - timedelta(days=1), Status.OPEN),  # reopened
        (Status.SOLVED, Status.OPEN, NOW - timedelta(days=30), None),  # window over: stays
        (Status.CLOSED, Status.OPEN, None, None),  # final
    ],
)
def test_the_ticket_moves_only_where_its_state_machine_allows(
    current: Status, wanted: Status | None, solved_at: datetime | None, expected: Status | None
) -> None:
    assert (
        links.ticket_status_after(current, wanted, solved_at=solved_at, now=NOW, reopen_window=WEEK)
        == expected
    )
