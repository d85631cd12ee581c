"""Warranty coverage: when a registered product is covered, by what, and why.

A registration has a **standard** warranty of ``months`` from its start date (the purchase
date, or the delivery/installation date when the product's terms say so and it is known),
and any number of **extended plans**, each a contiguous period. All periods are calendar
dates, end inclusive: 24 months from 2024-01-31 ends on 2026-01-30. Month arithmetic clamps to
the month's end (2024-01-31 + 1 month = 2024-02-29), as contracts and ERPNext do.

Status on a date:

==================  =====================================================================
``not_started``     before the warranty starts (bought, not yet delivered/installed)
``under_warranty``  inside the standard period
``extended``        inside an active extended plan
``expired``         after every period (or in a gap between them)
``void``            voided on or before that date (misuse, tampering...), whatever else
==================  =====================================================================
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from chalicelib.domain.errors import Conflict, Invalid

MAX_MONTHS = 600  # 50 years: a bound, so typos do not create eternal warranties


class CoverageStatus(StrEnum):
    """Where a registration stands on a given date."""

    NOT_STARTED = "not_started"
    UNDER_WARRANTY = "under_warranty"
    EXTENDED = "extended"
    EXPIRED = "expired"
    VOID = "void"


class StartsFrom(StrEnum):
    """What the standard warranty counts from."""

    PURCHASE = "purchase"
    DELIVERY = "delivery"  # delivery or installation, whichever the registration records


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the end of the target month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(start: date, months: int) -> date:
    """The last covered day of a period of ``months`` starting on ``start``."""
    if not 0 < months <= MAX_MONTHS:
        raise Invalid(f"a warranty period is 1 to {MAX_MONTHS} months", code="invalid_period")
    return add_months(start, months) - timedelta(days=1)


@dataclass(frozen=True)
class PlanPeriod:
    """One purchased extended plan."""

    plan_id: str
    name: str
    start: date
    end: date  # inclusive
    active: bool = True  # cancelled plans stay on record but cover nothing


@dataclass(frozen=True)
class Registration:
    """What coverage is computed from (a snapshot of the product's terms at registration)."""

    purchase_date: date
    months: int
    starts_from: StartsFrom = StartsFrom.PURCHASE
    delivery_date: date | None = None
    plans: tuple[PlanPeriod, ...] = ()
    voided_on: date | None = None

    @property
    def start(self) -> date:
        """The first covered day."""
        if self.starts_from is StartsFrom.DELIVERY and self.delivery_date is not None:
            return self.delivery_date
        return self.purchase_date

    @property
    def standard_end(self) -> date:
        """The last day of the standard warranty."""
        return period_end(self.start, self.months)

    def active_plans(self) -> list[PlanPeriod]:
        """Active extended plans, earliest first."""
        return sorted((p for p in self.plans if p.active), key=lambda p: p.start)

    @property
    def coverage_end(self) -> date:
        """The last covered day of the chain starting with the standard warranty."""
        end = self.standard_end
        for plan in self.active_plans():
            if plan.start <= end + timedelta(days=1):
                end = max(end, plan.end)
        return end


@dataclass(frozen=True)
class Coverage:
    """The answer to "is it covered on this date?"."""

    on: date
    status: CoverageStatus
    covered: bool
    start: date
    standard_end: date
    extended_end: date | None  # last day of the last active plan
    covered_until: date | None  # end of the period in force on ``on`` (None if not covered)
    plan_id: str | None
    plan_name: str | None
    reason: str


def coverage_on(registration: Registration, on: date) -> Coverage:
    """Coverage of ``registration`` on the date ``on``."""
    start, standard_end = registration.start, registration.standard_end
    plans = registration.active_plans()
    extended_end = max((p.end for p in plans), default=None)

    def answer(
        status: CoverageStatus,
        reason: str,
        *,
        until: date | None = None,
        plan: PlanPeriod | None = None,
    ) -> Coverage:
        return Coverage(
            on=on,
            status=status,
            covered=status in {CoverageStatus.UNDER_WARRANTY, CoverageStatus.EXTENDED},
            start=start,
            standard_end=standard_end,
            extended_end=extended_end,
            covered_until=until,
            plan_id=plan.plan_id if plan else None,
            plan_name=plan.name if plan else None,
            reason=reason,
        )

    if registration.voided_on is not None and on >= registration.voided_on:
        return answer(CoverageStatus.VOID, f"the warranty was voided on {registration.voided_on}")
    if on < start:
        basis = "delivery" if start != registration.purchase_date else "purchase"
        return answer(CoverageStatus.NOT_STARTED, f"the warranty starts on {start} ({basis})")
    if on <= standard_end:
        return answer(
            CoverageStatus.UNDER_WARRANTY,
            f"within the standard {registration.months}-month warranty ({start} to {standard_end})",
            until=standard_end,
        )
    for plan in plans:
        if plan.start <= on <= plan.end:
            return answer(
                CoverageStatus.EXTENDED,
                f"within the extended plan {plan.name} ({plan.start} to {plan.end})",
                until=plan.end,
                plan=plan,
            )
    last = max(standard_end, extended_end or standard_end)
    if on > last:
        return answer(CoverageStatus.EXPIRED, f"coverage ended on {last}")
    return answer(CoverageStatus.EXPIRED, "not covered: between the warranty and a later plan")


def next_plan_start(registration: Registration) -> date:
    """Where a newly bought plan starts: the day after the current coverage chain ends."""
    return registration.coverage_end + timedelta(days=1)


def plan_period(
    registration: Registration, months: int, *, starts_on: date | None = None
) -> tuple[date, date]:
    """The period of a new plan, refusing one that overlaps an active plan or the warranty.

    Without ``starts_on`` the plan continues the current coverage. A plan cannot be added to a
    void registration.
    """
    if registration.voided_on is not None:
        raise Conflict("a void warranty cannot be extended", code="warranty_void")
    start = starts_on or next_plan_start(registration)
    end = period_end(start, months)
    if start <= registration.standard_end:
        raise Conflict(
            f"an extended plan must start after the standard warranty ends "
            f"({registration.standard_end})",
            code="plan_overlap",
        )
    for plan in registration.active_plans():
        if start <= plan.end and plan.start <= end:
            raise Conflict(
                f"the period {start} to {end} overlaps the active plan {plan.name} "
                f"({plan.start} to {plan.end})",
                code="plan_overlap",
            )
    return start, end


def registration_deadline(purchase_date: date, within_days: int | None) -> date | None:
    """The last day a product may be registered, when its terms require registration."""
    return None if within_days is None else purchase_date + timedelta(days=within_days)
