"""Service-plan visit rules: working days from settings, re-planning, booking and settling."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.errors import Conflict, Invalid
from chalicelib.domain.holidays import preset_dates
from chalicelib.domain.maintenance import (
    AppointmentStatus,
    PlanStatus,
    Visit,
    VisitStatus,
    book_visit,
    check_outcome_time,
    next_open_visit,
    plan_status_after,
    replan,
    settle_visit,
    working_days,
)

LT = working_days(range(5), preset_dates(("LT",), range(2026, 2030)))


def test_working_days_follow_open_weekdays_and_holidays() -> None:
    assert LT(date(2027, 1, 4))  # a Monday
    assert not LT(date(2027, 1, 1))  # New Year's Day, a Friday
    assert not LT(date(2027, 1, 2))  # Saturday
    six_days = working_days(range(6), [])
    assert six_days(date(2027, 1, 2))  # Saturday is open
    assert not six_days(date(2027, 1, 3))
    with pytest.raises(Invalid) as info:
        working_days([], [])
    assert info.value.code == "no_working_day"


def test_a_leap_day_start_keeps_its_month_end_and_shifts_off_easter() -> None:
    visits = replan([], date(2028, 2, 29), 12, 3, LT)
    assert [v.nominal for v in visits] == [date(2028, 2, 29), date(2029, 2, 28), date(2030, 2, 28)]
    # Easter Monday 2027 is 29 March: a visit planned for it moves to Tuesday.
    easter = replan([], date(2027, 3, 29), 1, 1, LT)
    assert easter[0].planned == date(2027, 3, 30)


def test_replan_keeps_booked_and_completed_visits_and_moves_the_rest() -> None:
    visits = replan([], date(2027, 1, 4), 6, 4, LT)
    visits = book_visit(visits, 1, "A1", PlanStatus.ACTIVE)
    visits = settle_visit(visits, "A1", AppointmentStatus.COMPLETED)
    visits = book_visit(visits, 3, "A3", PlanStatus.ACTIVE)
    changed = replan(visits, date(2027, 1, 4), 3, 5, LT)
    assert [(v.number, v.status, v.appointment_id) for v in changed] == [
        (1, VisitStatus.COMPLETED, "A1"),
        (2, VisitStatus.PLANNED, None),
        (3, VisitStatus.BOOKED, "A3"),
        (4, VisitStatus.PLANNED, None),
        (5, VisitStatus.PLANNED, None),
    ]
    assert changed[1].nominal == date(2027, 4, 4)
    assert changed[2].planned == visits[2].planned  # the booked visit kept its date
    with pytest.raises(Conflict) as info:
        replan(visits, date(2027, 1, 4), 6, 2, LT)
    assert info.value.code == "visit_in_progress"
    assert len(replan(visits, date(2027, 1, 4), 6, 3, LT)) == 3  # drops planned visit 4


def test_booking_and_settling_a_visit() -> None:
    visits = replan([], date(2027, 1, 4), 6, 2, LT)
    assert next_open_visit(visits) == visits[0]
    booked = book_visit(visits, 1, "A1", PlanStatus.ACTIVE)
    assert next_open_visit(booked) == visits[1]
    with pytest.raises(Conflict) as taken:
        book_visit(booked, 1, "A2", PlanStatus.ACTIVE)
    assert taken.value.code == "visit_already_booked"
    with pytest.raises(Invalid):
        book_visit(booked, 3, "A2", PlanStatus.ACTIVE)
    with pytest.raises(Conflict) as cancelled:
        book_visit(visits, 2, "A2", PlanStatus.CANCELLED)
    assert cancelled.value.code == "service_plan_not_active"
    for outcome in (AppointmentStatus.NO_SHOW, AppointmentStatus.CANCELLED):
        freed = settle_visit(booked, "A1", outcome)
        assert (freed[0].status, freed[0].appointment_id) == (VisitStatus.PLANNED, None)
    done = settle_visit(booked, "A1", AppointmentStatus.COMPLETED)
    assert done[0].status is VisitStatus.COMPLETED
    assert settle_visit(done, "A1", AppointmentStatus.CANCELLED) == done  # settled once
    assert settle_visit(booked, "other", AppointmentStatus.COMPLETED) == booked


def test_plan_status_follows_its_visits() -> None:
    one = [Visit(1, date(2027, 1, 4), date(2027, 1, 4))]
    assert plan_status_after(one, PlanStatus.ACTIVE) is PlanStatus.ACTIVE
    done = settle_visit(
        book_visit(one, 1, "A", PlanStatus.ACTIVE), "A", AppointmentStatus.COMPLETED
    )
    assert plan_status_after(done, PlanStatus.ACTIVE) is PlanStatus.COMPLETED
    assert plan_status_after(done, PlanStatus.CANCELLED) is PlanStatus.CANCELLED
    assert next_open_visit(done) is None


def test_outcomes_wait_for_the_visit_to_begin() -> None:
    start = datetime(2027, 1, 4, 8, tzinfo=UTC)
    before = start - timedelta(minutes=1)
    for status in (AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW):
        with pytest.raises(Conflict) as info:
            check_outcome_time(status, start, before)
        assert info.value.code == "appointment_not_started"
        check_outcome_time(status, start, start)
    check_outcome_time(AppointmentStatus.CANCELLED, start, before)
