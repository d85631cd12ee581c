"""Maintenance schedules and service visits (pure rules).

A service plan puts a customer's product on a schedule: ``visits`` visits every
``every_months`` months from ``start``. A visit that falls on a non-working day (weekend or a
tenant holiday) moves to the next working day, as ERPNext's maintenance schedule does; the
nominal date stays on record so later visits do not drift.

Each planned visit is ``planned`` until a dispatcher books it as an appointment (``booked``);
the appointment's outcome completes the visit, or (no-show, cancelled) puts it back to
``planned`` so it is booked again. A plan whose every visit is completed is ``completed``::

    visit:  planned ──book──> booked ──appointment completed──> completed
               ^                 |
               +── no_show / cancelled ──+

    plan:   active ──(all visits completed)──> completed
              |
              +──cancel──> cancelled

Appointments (delivery, installation, training, maintenance, repair visits)::

    scheduled ──> completed | no_show | cancelled
    (rescheduling changes the window of a scheduled appointment; it stays scheduled)

The authorised-centre maintenance discount applies to a visit only when the centre is
authorised for the product and the plan's registration is valid (not void) and covered on the
visit's date, by the standard warranty or an extended plan (an extension is cover the customer
paid for, and maintenance at an authorised centre is what keeps it valid). No registration, a
void one, or a visit before or after the cover: list price.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from chalicelib.domain.coverage import CoverageStatus, Registration, add_months, coverage_on
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


def working_days(open_weekdays: Iterable[int], holidays: Iterable[date]) -> Callable[[date], bool]:
    """A working-day test: ``open_weekdays`` (0 = Monday) minus ``holidays``."""
    weekdays = frozenset(open_weekdays)
    closed = frozenset(holidays)
    if not weekdays:
        raise Invalid("the tenant's business hours have no working weekday", code="no_working_day")
    return lambda day: day.weekday() in weekdays and day not in closed


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


class VisitStatus(StrEnum):
    """Where a planned visit of a service plan is."""

    PLANNED = "planned"
    BOOKED = "booked"
    COMPLETED = "completed"


class PlanStatus(StrEnum):
    """Where a service plan is."""

    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Visit:
    """A planned visit with its progress."""

    number: int
    nominal: date
    planned: date
    status: VisitStatus = VisitStatus.PLANNED
    appointment_id: str | None = None
    discounted: bool = False  # the centre's maintenance discount applies (see visit_discount)


def replan(
    current: Sequence[Visit],
    start: date,
    every_months: int,
    visits: int,
    is_working_day: Callable[[date], bool] = is_weekday,
) -> list[Visit]:
    """The visits after a change of interval or count: visits already booked or completed
    keep their dates and state; only still-planned visits move. Dropping a visit that is
    booked or completed is refused (cancel or finish its appointment first)."""
    fresh = schedule(start, every_months, visits, is_working_day)
    by_number = {v.number: v for v in current}
    for dropped in current[visits:]:
        if dropped.status is not VisitStatus.PLANNED:
            raise Conflict(
                f"visit {dropped.number} is {dropped.status}; a plan cannot drop it",
                code="visit_in_progress",
            )
    result = []
    for planned in fresh:
        old = by_number.get(planned.number)
        if old is not None and old.status is not VisitStatus.PLANNED:
            result.append(old)
        else:
            result.append(Visit(planned.number, planned.nominal, planned.planned))
    return result


def next_open_visit(visits: Sequence[Visit]) -> Visit | None:
    """The first visit still waiting to be booked (what a dispatcher works from)."""
    return next((v for v in visits if v.status is VisitStatus.PLANNED), None)


def plan_status_after(visits: Sequence[Visit], current: PlanStatus) -> PlanStatus:
    """``completed`` once every visit is completed; a cancelled plan stays cancelled."""
    if current is PlanStatus.CANCELLED:
        return current
    if visits and all(v.status is VisitStatus.COMPLETED for v in visits):
        return PlanStatus.COMPLETED
    return PlanStatus.ACTIVE


def book_visit(
    visits: Sequence[Visit], number: int, appointment_id: str, plan_status: PlanStatus
) -> list[Visit]:
    """Mark visit ``number`` as booked by ``appointment_id``."""
    if plan_status is not PlanStatus.ACTIVE:
        raise Conflict(f"the service plan is {plan_status}", code="service_plan_not_active")
    found = [v for v in visits if v.number == number]
    if not found:
        raise Invalid(
            f"the plan has visits 1 to {len(visits)}; there is no visit {number}",
            code="unknown_visit",
        )
    if found[0].status is not VisitStatus.PLANNED:
        raise Conflict(f"visit {number} is already {found[0].status}", code="visit_already_booked")
    return [
        replace(v, status=VisitStatus.BOOKED, appointment_id=appointment_id)
        if v.number == number
        else v
        for v in visits
    ]


def settle_visit(
    visits: Sequence[Visit], appointment_id: str, outcome: AppointmentStatus
) -> list[Visit]:
    """Apply an appointment's outcome to the visit it booked: completed completes it; a
    no-show or a cancellation frees it to be booked again."""
    result = []
    for v in visits:
        if v.appointment_id != appointment_id or v.status is not VisitStatus.BOOKED:
            result.append(v)
        elif outcome is AppointmentStatus.COMPLETED:
            result.append(replace(v, status=VisitStatus.COMPLETED))
        else:
            result.append(replace(v, status=VisitStatus.PLANNED, appointment_id=None))
    return result


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


def check_outcome_time(target: AppointmentStatus, starts_at: datetime, now: datetime) -> None:
    """A visit is completed or missed only once its window has begun; cancelling is any time."""
    if target in (AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW) and now < starts_at:
        raise Conflict(
            f"the visit starts at {starts_at.isoformat()}; it cannot be {target} before then",
            code="appointment_not_started",
        )


def discounted_price(price_minor: int, discount_percent: int) -> int:
    """A price in minor units after a whole-percent discount, rounded half up."""
    if not 0 <= discount_percent <= 100:
        raise Invalid("a discount is 0 to 100 percent", code="invalid_discount")
    return (price_minor * (100 - discount_percent) + 50) // 100


class DiscountReason(StrEnum):
    """Why a visit gets the authorised centre's maintenance discount, or why not."""

    COVERED = "covered"
    NO_CENTRE = "no_centre"
    CENTRE_NOT_AUTHORISED = "centre_not_authorised"
    NO_REGISTRATION = "no_registration"
    WARRANTY_VOID = "warranty_void"
    NOT_COVERED = "not_covered"


@dataclass(frozen=True)
class DiscountDecision:
    """Whether the maintenance discount applies to one visit, and why."""

    reason: DiscountReason

    @property
    def applies(self) -> bool:
        """The visit is priced with the centre's discount."""
        return self.reason is DiscountReason.COVERED


def visit_discount(
    *,
    centre_authorised: bool,
    registration: Registration | None,
    on: date,
    has_centre: bool = True,
) -> DiscountDecision:
    """The discount rule for a visit on ``on``: an authorised centre, and a registration that
    is valid and covered (standard or extended) on that day."""
    if not has_centre:
        return DiscountDecision(DiscountReason.NO_CENTRE)
    if not centre_authorised:
        return DiscountDecision(DiscountReason.CENTRE_NOT_AUTHORISED)
    if registration is None:
        return DiscountDecision(DiscountReason.NO_REGISTRATION)
    status = coverage_on(registration, on).status
    if status is CoverageStatus.VOID:
        return DiscountDecision(DiscountReason.WARRANTY_VOID)
    if status in (CoverageStatus.UNDER_WARRANTY, CoverageStatus.EXTENDED):
        return DiscountDecision(DiscountReason.COVERED)
    return DiscountDecision(DiscountReason.NOT_COVERED)


def price_visits(
    visits: Sequence[Visit], decide: Callable[[date], DiscountDecision]
) -> tuple[list[Visit], DiscountReason]:
    """Each visit marked discounted or not on its planned date, and the plan's reason: covered
    when any visit is discounted, else the first visit's reason."""
    decisions = [decide(v.planned) for v in visits]
    priced = [replace(v, discounted=d.applies) for v, d in zip(visits, decisions, strict=True)]
    first = decisions[0].reason if decisions else DiscountReason.NOT_COVERED
    return priced, plan_discount(priced, first)


def plan_discount(visits: Sequence[Visit], otherwise: DiscountReason) -> DiscountReason:
    """``covered`` when any visit of the plan is discounted, else ``otherwise``."""
    return DiscountReason.COVERED if any(v.discounted for v in visits) else otherwise
