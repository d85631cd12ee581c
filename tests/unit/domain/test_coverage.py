from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.coverage import (
    CoverageStatus,
    PlanPeriod,
    Registration,
    StartsFrom,
    add_months,
    coverage_on,
    next_plan_start,
    period_end,
    plan_period,
)
from chalicelib.domain.errors import Conflict, Invalid


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap February
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # leap day a year on
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 8, 31), 1, date(2024, 9, 30)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)), st.integers(1, 240))
def test_period_end_is_the_day_before_the_anniversary(start: date, months: int) -> None:
    end = period_end(start, months)
    assert end == add_months(start, months) - timedelta(days=1)
    assert end >= start


def test_period_bounds() -> None:
    with pytest.raises(Invalid):
        period_end(date(2024, 1, 1), 0)
    with pytest.raises(Invalid):
        period_end(date(2024, 1, 1), 601)


REG = Registration(purchase_date=date(2024, 1, 31), months=24)
BOUGHT = date(2025, 12, 1)  # plans below are bought while the standard warranty runs


def test_standard_warranty_from_purchase() -> None:
    assert REG.start == date(2024, 1, 31)
    assert REG.standard_end == date(2026, 1, 30)
    before = coverage_on(REG, date(2024, 1, 30))
    assert before.status is CoverageStatus.NOT_STARTED
    assert not before.covered
    first = coverage_on(REG, date(2024, 1, 31))
    assert first.status is CoverageStatus.UNDER_WARRANTY
    assert first.covered
    last = coverage_on(REG, date(2026, 1, 30))
    assert last.covered
    assert last.covered_until == date(2026, 1, 30)
    after = coverage_on(REG, date(2026, 1, 31))
    assert after.status is CoverageStatus.EXPIRED
    assert not after.covered
    assert "2026-01-30" in after.reason


def test_delivery_start_when_terms_say_so() -> None:
    reg = Registration(
        purchase_date=date(2024, 3, 1),
        months=12,
        starts_from=StartsFrom.DELIVERY,
        delivery_date=date(2024, 3, 20),
    )
    assert reg.start == date(2024, 3, 20)
    assert coverage_on(reg, date(2024, 3, 10)).status is CoverageStatus.NOT_STARTED
    assert coverage_on(reg, date(2025, 3, 19)).covered
    assert not coverage_on(reg, date(2025, 3, 20)).covered
    # Without a delivery date, the purchase date counts.
    assert Registration(date(2024, 3, 1), 12, StartsFrom.DELIVERY).start == date(2024, 3, 1)
    # With purchase terms a delivery date changes nothing.
    assert Registration(date(2024, 3, 1), 12, delivery_date=date(2024, 3, 20)).start == date(
        2024, 3, 1
    )


def test_extended_plans_stack_after_the_warranty() -> None:
    start, end = plan_period(REG, 12, today=BOUGHT)
    assert (start, end) == (date(2026, 1, 31), date(2027, 1, 30))
    reg = Registration(REG.purchase_date, 24, plans=(PlanPeriod("P1", "Gold", start, end),))
    assert next_plan_start(reg, BOUGHT) == date(2027, 1, 31)
    cov = coverage_on(reg, date(2026, 6, 1))
    assert cov.status is CoverageStatus.EXTENDED
    assert cov.plan_id == "P1"
    assert cov.covered_until == end
    assert cov.extended_end == end
    second = plan_period(reg, 24, today=BOUGHT)
    assert second == (date(2027, 1, 31), date(2029, 1, 30))
    stacked = Registration(
        REG.purchase_date,
        24,
        plans=(PlanPeriod("P1", "Gold", start, end), PlanPeriod("P2", "Gold", *second)),
    )
    assert stacked.coverage_end == date(2029, 1, 30)
    assert coverage_on(stacked, date(2028, 2, 29)).plan_id == "P2"
    assert coverage_on(stacked, date(2029, 1, 31)).status is CoverageStatus.EXPIRED


def test_plan_overlap_is_refused() -> None:
    reg = Registration(
        REG.purchase_date,
        24,
        plans=(PlanPeriod("P1", "Gold", date(2026, 1, 31), date(2027, 1, 30)),),
    )
    with pytest.raises(Conflict) as info:
        plan_period(reg, 12, today=BOUGHT, starts_on=date(2026, 12, 1))
    assert info.value.code == "plan_overlap"
    with pytest.raises(Conflict):
        plan_period(reg, 12, today=date(2025, 1, 1), starts_on=date(2025, 6, 1))  # in the warranty
    # A cancelled plan no longer blocks its period.
    cancelled = Registration(
        REG.purchase_date,
        24,
        plans=(PlanPeriod("P1", "Gold", date(2026, 1, 31), date(2027, 1, 30), active=False),),
    )
    assert plan_period(cancelled, 12, today=BOUGHT) == (date(2026, 1, 31), date(2027, 1, 30))
    assert coverage_on(cancelled, date(2026, 6, 1)).status is CoverageStatus.EXPIRED


def test_gap_between_warranty_and_a_later_plan_is_not_covered() -> None:
    late = plan_period(REG, 12, today=BOUGHT, starts_on=date(2026, 6, 1))
    reg = Registration(REG.purchase_date, 24, plans=(PlanPeriod("P1", "Late", *late),))
    gap = coverage_on(reg, date(2026, 3, 1))
    assert gap.status is CoverageStatus.EXPIRED
    assert "between" in gap.reason
    assert coverage_on(reg, date(2026, 6, 1)).covered
    assert reg.coverage_end == late[1]  # the cover ends with the later plan, gap or not


def test_void_wins_from_its_date() -> None:
    reg = Registration(
        REG.purchase_date,
        24,
        plans=(PlanPeriod("P1", "Gold", date(2026, 1, 31), date(2027, 1, 30)),),
        voided_on=date(2025, 5, 5),
    )
    assert coverage_on(reg, date(2025, 5, 4)).covered
    void = coverage_on(reg, date(2025, 5, 5))
    assert void.status is CoverageStatus.VOID
    assert not void.covered
    assert coverage_on(reg, date(2026, 6, 1)).status is CoverageStatus.VOID
    with pytest.raises(Conflict) as info:
        plan_period(reg, 12, today=BOUGHT)
    assert info.value.code == "warranty_void"


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 1, 1)),
    st.integers(1, 60),
    st.lists(st.integers(1, 36), max_size=4),
    st.integers(-400, 8000),
)
def test_chained_plans_cover_every_day_until_the_end(
    purchase: date, months: int, plan_months: list[int], offset: int
) -> None:
    reg = Registration(purchase, months)
    for number, length in enumerate(plan_months):
        start, end = plan_period(reg, length, today=purchase)
        reg = Registration(
            purchase, months, plans=(*reg.plans, PlanPeriod(f"P{number}", "Plan", start, end))
        )
    day = purchase + timedelta(days=offset)
    cov = coverage_on(reg, day)
    assert cov.covered == (purchase <= day <= reg.coverage_end)
