from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.claims import (
    TRANSITIONS,
    Billing,
    ClaimStatus,
    Resolution,
    billing_for,
    check_transition,
)
from chalicelib.domain.coverage import Registration, coverage_on
from chalicelib.domain.errors import Conflict, Invalid
from chalicelib.domain.maintenance import (
    AppointmentStatus,
    check_appointment_transition,
    discounted_price,
    is_weekday,
    schedule,
)

ALL = list(ClaimStatus)


@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("target", ALL)
def test_every_claim_transition(current: ClaimStatus, target: ClaimStatus) -> None:
    details = {
        "reason": "misuse" if target is ClaimStatus.REJECTED else None,
        "resolution": Resolution.REPAIRED if target is ClaimStatus.RESOLVED else None,
    }
    if target in TRANSITIONS[current]:
        check_transition(current, target, **details)
    else:
        with pytest.raises(Conflict):
            check_transition(current, target, **details)


def test_rejection_needs_a_reason_and_resolution_a_resolution() -> None:
    with pytest.raises(Invalid) as info:
        check_transition(ClaimStatus.SUBMITTED, ClaimStatus.REJECTED, reason="  ")
    assert info.value.code == "reason_required"
    with pytest.raises(Invalid) as info:
        check_transition(ClaimStatus.IN_REPAIR, ClaimStatus.RESOLVED)
    assert info.value.code == "resolution_required"
    with pytest.raises(Invalid):
        check_transition(
            ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, resolution=Resolution.REFUNDED
        )


def test_billing_follows_coverage_on_the_reported_date() -> None:
    reg = Registration(date(2024, 1, 1), 12)
    assert billing_for(coverage_on(reg, date(2024, 6, 1))) is Billing.COVERED
    assert billing_for(coverage_on(reg, date(2025, 1, 1))) is Billing.CHARGEABLE


def test_schedule_shifts_off_weekends_and_holidays_without_drift() -> None:
    holidays = {date(2025, 12, 24), date(2025, 12, 25), date(2025, 12, 26)}

    def working(day: date) -> bool:
        return is_weekday(day) and day not in holidays

    visits = schedule(date(2025, 6, 24), 6, 3, working)
    assert [v.nominal for v in visits] == [date(2025, 6, 24), date(2025, 12, 24), date(2026, 6, 24)]
    # 24-26 Dec are holidays, 27-28 a weekend.
    assert [v.planned for v in visits] == [date(2025, 6, 24), date(2025, 12, 29), date(2026, 6, 24)]
    month_end = schedule(date(2025, 1, 31), 1, 3)
    assert [v.nominal for v in month_end] == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
    ]
    assert month_end[0].planned == date(2025, 1, 31)  # a Friday


def test_schedule_limits() -> None:
    with pytest.raises(Invalid):
        schedule(date(2025, 1, 1), 0, 1)
    with pytest.raises(Invalid):
        schedule(date(2025, 1, 1), 1, 0)
    with pytest.raises(Invalid) as info:
        schedule(date(2025, 1, 1), 1, 1, lambda day: False)
    assert info.value.code == "no_working_day"


def test_appointment_status_changes_once() -> None:
    check_appointment_transition(AppointmentStatus.SCHEDULED, AppointmentStatus.COMPLETED)
    for final in (
        AppointmentStatus.COMPLETED,
        AppointmentStatus.NO_SHOW,
        AppointmentStatus.CANCELLED,
    ):
        with pytest.raises(Conflict):
            check_appointment_transition(final, AppointmentStatus.CANCELLED)
    with pytest.raises(Conflict):
        check_appointment_transition(AppointmentStatus.SCHEDULED, AppointmentStatus.SCHEDULED)


def test_discount_rounds_half_up_in_minor_units() -> None:
    assert discounted_price(9999, 10) == 8999
    assert discounted_price(15, 50) == 8
    assert discounted_price(1000, 0) == 1000
    with pytest.raises(Invalid):
        discounted_price(1000, 101)
