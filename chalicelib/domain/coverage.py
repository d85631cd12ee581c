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

Extension windows: an extended plan may be bought until the cover ends, or, when the product
allows it, up to ``extension_purchase_window_days`` after (default 0: only before expiry, so a
buyer cannot wait for a fault before paying for cover). A plan starts on the later of the day
it is bought and the day after the current cover ends: a plan bought after expiry never covers
a day before its purchase.

Coverage start: a completed delivery records its date when none is recorded; a completed
installation records its date when none is recorded or the recorded one is earlier (a product
that must be installed starts working on installation). The date counts only for terms that
start from delivery.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from chalicelib.domain.errors import Conflict, Invalid

MAX_MONTHS = 600  # 50 years: a bound, so typos do not create eternal warranties
DEFAULT_EXTENSION_WINDOW_DAYS = 0  # extensions are sold only while the product is covered
MAX_EXTENSION_WINDOW_DAYS = 3650


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


class Handover(StrEnum):
    """A completed visit that hands the product over to the customer."""

    DELIVERY = "delivery"
    INSTALLATION = "installation"


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
        """The last covered day: the end of the standard warranty or of the latest active
        plan (a plan bought after expiry leaves a gap, but the cover still ends with it)."""
        return max([self.standard_end, *(p.end for p in self.active_plans())])


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


def extension_deadline(registration: Registration, window_days: int) -> date:
    """The last day an extended plan may be bought: ``window_days`` after the cover ends."""
    if not 0 <= window_days <= MAX_EXTENSION_WINDOW_DAYS:
        raise Invalid(
            f"an extension purchase window is 0 to {MAX_EXTENSION_WINDOW_DAYS} days",
            code="invalid_extension_window",
        )
    return registration.coverage_end + timedelta(days=window_days)


def next_plan_start(registration: Registration, today: date) -> date:
    """Where a plan bought ``today`` starts: the day after the current cover ends, or today
    when the cover already ended (cover is never sold for days gone by)."""
    return max(today, registration.coverage_end + timedelta(days=1))


def plan_period(
    registration: Registration,
    months: int,
    *,
    today: date,
    window_days: int = DEFAULT_EXTENSION_WINDOW_DAYS,
    starts_on: date | None = None,
) -> tuple[date, date]:
    """The period of a plan bought ``today``: refused on a void registration (409
    ``warranty_void``), after the purchase window (409 ``extension_window_closed``), from a
    day before the purchase (422 ``plan_start_in_past``) or overlapping the warranty or an
    active plan (409 ``plan_overlap``). Without ``starts_on`` it continues the current cover
    (see ``next_plan_start``)."""
    if registration.voided_on is not None:
        raise Conflict("a void warranty cannot be extended", code="warranty_void")
    deadline = extension_deadline(registration, window_days)
    if today > deadline:
        raise Conflict(
            f"the cover ended on {registration.coverage_end}; this product's extensions could "
            f"be bought until {deadline}",
            code="extension_window_closed",
        )
    if starts_on is not None and starts_on < today:
        raise Invalid(
            f"an extended plan cannot start before the day it is bought ({today})",
            code="plan_start_in_past",
        )
    start = starts_on or next_plan_start(registration, today)
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


def handover_date(registration: Registration, kind: Handover, on: date) -> date | None:
    """The delivery date to record after a ``kind`` visit completed ``on``, or None when the
    registration keeps its date: a delivery counts when none is recorded, an installation also
    when it comes after the recorded delivery; a visit before the purchase counts for nothing."""
    if on < registration.purchase_date:
        return None
    recorded = registration.delivery_date
    if recorded is None:
        return on
    if kind is Handover.INSTALLATION and on > recorded:
        return on
    return None


def registration_deadline(purchase_date: date, within_days: int | None) -> date | None:
    """The last day a product may be registered, when its terms require registration."""
    return None if within_days is None else purchase_date + timedelta(days=within_days)
