"""The coverage seams as pure rules: when an extension may be bought and where it starts, what a
completed delivery or installation does to the warranty's start, and when an authorised
centre's maintenance discount applies."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.coverage import (
    Handover,
    PlanPeriod,
    Registration,
    StartsFrom,
    coverage_on,
    extension_deadline,
    handover_date,
    plan_period,
)
from chalicelib.domain.errors import Conflict, Invalid
from chalicelib.domain.maintenance import DiscountReason, Visit, plan_discount, visit_discount

REG = Registration(purchase_date=date(2024, 1, 31), months=24)  # covered to 2026-01-30


# --- extension windows ----------------------------------------------------------------------------


def test_before_expiry_an_extension_continues_the_cover() -> None:
    assert plan_period(REG, 12, today=date(2025, 6, 1)) == (date(2026, 1, 31), date(2027, 1, 30))
    # On the last covered day too (the default window is "until the cover ends").
    assert plan_period(REG, 12, today=date(2026, 1, 30))[0] == date(2026, 1, 31)


def test_after_expiry_an_extension_starts_on_the_day_it_is_bought() -> None:
    start, end = plan_period(REG, 12, today=date(2026, 3, 10), window_days=90)
    assert (start, end) == (date(2026, 3, 10), date(2027, 3, 9))
    reg = Registration(REG.purchase_date, 24, plans=(PlanPeriod("P", "Plus", start, end),))
    # The days between the old end and the purchase stay uncovered.
    assert not coverage_on(reg, date(2026, 1, 31)).covered
    assert not coverage_on(reg, date(2026, 3, 9)).covered
    assert coverage_on(reg, date(2026, 3, 10)).covered
    # The cover now ends with the plan, and a further plan continues it.
    assert reg.coverage_end == end
    assert plan_period(reg, 12, today=date(2026, 4, 1))[0] == date(2027, 3, 10)


def test_the_purchase_window_closes_after_its_days() -> None:
    assert extension_deadline(REG, 0) == date(2026, 1, 30)
    assert extension_deadline(REG, 30) == date(2026, 3, 1)
    assert plan_period(REG, 12, today=date(2026, 3, 1), window_days=30)[0] == date(2026, 3, 1)
    with pytest.raises(Conflict) as info:
        plan_period(REG, 12, today=date(2026, 3, 2), window_days=30)
    assert info.value.code == "extension_window_closed"
    assert "2026-01-30" in str(info.value)
    assert "2026-03-01" in str(info.value)
    with pytest.raises(Conflict) as closed:
        plan_period(REG, 12, today=date(2026, 1, 31))  # default: only until the cover ends
    assert closed.value.code == "extension_window_closed"
    with pytest.raises(Invalid):
        extension_deadline(REG, -1)


def test_a_plan_never_starts_before_the_day_it_is_bought() -> None:
    with pytest.raises(Invalid) as info:
        plan_period(REG, 12, today=date(2026, 3, 1), window_days=90, starts_on=date(2026, 2, 1))
    assert info.value.code == "plan_start_in_past"
    # A later start is the buyer's choice (the gap is not covered).
    assert plan_period(REG, 12, today=date(2025, 1, 1), starts_on=date(2026, 6, 1))[0] == date(
        2026, 6, 1
    )


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 1, 1)),
    st.integers(1, 60),
    st.integers(0, 4000),
    st.integers(0, 400),
    st.integers(1, 36),
)
def test_a_plan_never_covers_a_day_before_its_purchase(
    purchase: date, months: int, bought_after: int, window: int, plan_months: int
) -> None:
    today = purchase + timedelta(days=bought_after)
    standard = Registration(purchase, months)
    if today > standard.standard_end + timedelta(days=window):
        with pytest.raises(Conflict, match="could be bought until"):
            plan_period(standard, plan_months, today=today, window_days=window)
        return
    start, end = plan_period(standard, plan_months, today=today, window_days=window)
    assert start >= today
    reg = Registration(purchase, months, plans=(PlanPeriod("P", "Plus", start, end),))
    for day in (today - timedelta(days=1), start - timedelta(days=1)):
        assert coverage_on(reg, day).covered == coverage_on(standard, day).covered


# --- coverage start from delivery or installation ------------------------------------------------


def test_a_delivery_records_its_date_when_none_is_recorded() -> None:
    reg = Registration(date(2026, 3, 1), 12, StartsFrom.DELIVERY)
    assert handover_date(reg, Handover.DELIVERY, date(2026, 3, 9)) == date(2026, 3, 9)
    delivered = Registration(date(2026, 3, 1), 12, StartsFrom.DELIVERY, date(2026, 3, 9))
    # A second delivery visit does not move a recorded delivery.
    assert handover_date(delivered, Handover.DELIVERY, date(2026, 3, 20)) is None
    # An installation after the delivery is when the product starts working: it counts.
    assert handover_date(delivered, Handover.INSTALLATION, date(2026, 3, 20)) == date(2026, 3, 20)
    assert handover_date(delivered, Handover.INSTALLATION, date(2026, 3, 9)) is None
    assert handover_date(delivered, Handover.INSTALLATION, date(2026, 3, 5)) is None
    # A visit before the purchase hands nothing over.
    assert handover_date(reg, Handover.DELIVERY, date(2026, 2, 27)) is None


# --- the maintenance discount ---------------------------------------------------------------


def test_the_discount_needs_an_authorised_centre_and_a_valid_covering_registration() -> None:
    visit = date(2025, 6, 1)
    assert visit_discount(centre_authorised=True, registration=REG, on=visit).applies
    assert visit_discount(centre_authorised=False, registration=REG, on=visit).reason is (
        DiscountReason.CENTRE_NOT_AUTHORISED
    )
    assert visit_discount(centre_authorised=True, registration=None, on=visit).reason is (
        DiscountReason.NO_REGISTRATION
    )
    void = Registration(REG.purchase_date, 24, voided_on=date(2025, 1, 1))
    assert visit_discount(centre_authorised=True, registration=void, on=visit).reason is (
        DiscountReason.WARRANTY_VOID
    )
    after = date(2026, 1, 31)
    assert visit_discount(centre_authorised=True, registration=REG, on=after).reason is (
        DiscountReason.NOT_COVERED
    )
    # Extended cover counts: the plan is a warranty the customer paid for.
    extended = Registration(
        REG.purchase_date, 24, plans=(PlanPeriod("P", "Plus", after, date(2027, 1, 30)),)
    )
    assert visit_discount(centre_authorised=True, registration=extended, on=after).applies


def test_the_plan_discount_summarises_its_visits() -> None:
    covered = Visit(1, date(2025, 6, 2), date(2025, 6, 2), discounted=True)
    plain = Visit(2, date(2026, 6, 1), date(2026, 6, 1))
    assert plan_discount([covered, plain], DiscountReason.NOT_COVERED) is DiscountReason.COVERED
    assert plan_discount([plain], DiscountReason.NOT_COVERED) is DiscountReason.NOT_COVERED
