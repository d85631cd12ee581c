"""Extended cover: the reminder before the warranty ends, a plan bought in time, one too late.

A month before the fridge's warranty ends, the customer is reminded in their language, with the
product, the end date, the plan on offer and a link to extend. The plan bought in time starts
the day after the warranty ends (never backdated) and the second reminder is dropped. A boiler
whose cover ended months ago cannot be extended any more: the purchase is refused and its
cover stays as it was.
"""

from __future__ import annotations

from datetime import date

from tests.journeys.catalogue import BOILER, FRIDGE, product, register
from tests.journeys.harness import Journey, Person

END_LABEL = {"lt": "2027-03-31", "lv": "31.03.2027", "en": "31 March 2027"}


def test_extension_in_time_and_too_late(journey: Journey, person: Person) -> None:
    fridge = product(journey, FRIDGE)
    boiler = product(journey, BOILER)
    customer = journey.customer(person)
    # Delivered 1 April 2025: the two-year warranty ends on 31 March 2027.
    unit = register(journey, customer, fridge["id"], date(2025, 3, 28), date(2025, 4, 1))
    assert unit["coverage"]["standard_ends_on"] == "2027-03-31"

    # 30 days before the end, in the morning: the reminder, with the way to extend.
    journey.advance(hours=2)
    reminder = journey.expect_one(person)
    assert fridge["name"] in reminder.text
    assert "Frostline Care +3" in reminder.text
    assert END_LABEL[person.locale] in reminder.text
    extend = reminder.link_to("/actions/")
    page = journey.follow(extend, headers={"Accept": "text/html"})
    assert page.status == 200
    assert "Frostline Care +3" in page.text

    # Bought in time: the plan starts the day after the warranty ends.
    unit = journey.admin(
        "POST",
        f"/v1/warranties/{unit['id']}/plans",
        {"plan_code": "plus3", "version": unit["version"]},
    )
    [plan] = unit["plans"]
    assert (plan["starts_on"], plan["ends_on"]) == ("2027-04-01", "2030-03-31")
    mid_march = journey.admin("GET", f"/v1/warranties/{unit['id']}/coverage?on=2027-03-15")
    assert mid_march["status"] == "under_warranty"
    next_year = journey.admin("GET", f"/v1/warranties/{unit['id']}/coverage?on=2028-03-15")
    assert next_year["status"] == "extended"

    # The 7-day reminder of the old end is dropped; nothing more arrives this month.
    journey.advance(days=24)
    journey.advance(hours=2)
    journey.expect_none(person)

    # The boiler's cover ended last autumn: too late to extend; nothing changes.
    old = register(journey, customer, boiler["id"], date(2024, 10, 1))
    refused = journey.call(
        "POST",
        f"/v1/warranties/{old['id']}/plans",
        {"plan_code": "care2", "version": old["version"]},
        key=journey.admin_key,
    )
    assert refused.status in (409, 422), refused.text
    assert refused.body["code"] == "extension_window_closed"
    after = journey.admin("GET", f"/v1/warranties/{old['id']}")
    assert after["plans"] == []
    assert after["version"] == old["version"]
    before_purchase = journey.admin("GET", f"/v1/warranties/{old['id']}/coverage?on=2026-12-01")
    assert before_purchase["status"] == "expired"
