"""Maintenance schedules and service visits (pure rules).

A service plan puts a customer's product on a schedule: ``visits`` visits every
``every_months`` months from ``start``. A visit that falls on a non-working day (weekend or a
tenant holiday) moves to the next working day, as ERPNext's maintenance schedule does; the
nominal date stays on record so later visits do not drift.

Appointments (delivery, installation, training, maintenance, repair visits)::

    scheduled ──> completed | no_show | cancelled
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from chalicelib.domain.coverage import add_months
from chalicelib.domain.errors import Conflict, Invalid

MAX_VISITS = 120
MAX_SHIFT_DAYS = 31  # a calendar with no working day in a month is a configuration error


@dataclass(frozen=True)
class PlannedVisit:
    """One visit of a schedule: its nominal date and the working day it is planned on."""

    number: int
    nominal: date
    planned: date


def is_weekday(day: date) -> bool:
    """Monday to Friday (the default working days)."""
    return day.weekday() < 5


def next_working_day(day: date, is_working_day: Callable[[date], bool]) -> date:
    """``day`` itself if it is a working day, else the first working day after it."""
    for offset in range(MAX_SHIFT_DAYS + 1):
        candidate = day + timedelta(days=offset)
        if is_working_day(candidate):
            return candidate
    raise Invalid(
        "the tenant's calendar has no working day within a month of a visit",
        code="no_working_day",
    )


def schedule(
    start: date,
    every_months: int,
    visits: int,
    is_working_day: Callable[[date], bool] = is_weekday,
) -> list[PlannedVisit]:
    """The visits of a plan, each shifted off non-working days."""
    if not 1 <= every_months <= 120:
        raise Invalid("every_months must be 1 to 120", code="invalid_interval")
    if not 1 <= visits <= MAX_VISITS:
        raise Invalid(f"a plan has 1 to {MAX_VISITS} visits", code="invalid_visits")
    planned = []
    for number in range(1, visits + 1):
        nominal = add_months(start, every_months * (number - 1))
        planned.append(PlannedVisit(number, nominal, next_working_day(nominal, is_working_day)))
    return planned


class VisitKind(StrEnum):
    """What a service visit is for."""

    DELIVERY = "delivery"
    INSTALLATION = "installation"
    TRAINING = "training"
    MAINTENANCE = "maintenance"
    REPAIR = "repair"


class AppointmentStatus(StrEnum):
    """Where an appointment is."""

    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


def check_appointment_transition(current: AppointmentStatus, target: AppointmentStatus) -> None:
    """Only a scheduled appointment changes status, and it does so once."""
    if current is not AppointmentStatus.SCHEDULED:
        raise Conflict(
            f"the appointment is already {current}", code="appointment_transition_not_allowed"
        )
    if target is AppointmentStatus.SCHEDULED:
        raise Conflict("the appointment is already scheduled", code="appointment_status_unchanged")


def discounted_price(price_minor: int, discount_percent: int) -> int:
    """A price in minor units after a whole-percent discount, rounded half up."""
    if not 0 <= discount_percent <= 100:
        raise Invalid("a discount is 0 to 100 percent", code="invalid_discount")
    return (price_minor * (100 - discount_percent) + 50) // 100
