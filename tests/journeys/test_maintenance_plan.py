"""A maintenance plan: the centre's discount, a reminder with a way to book, the visit, a survey.

The customer's boiler, under warranty, gets a yearly maintenance plan at the authorised centre
of their region, priced with the centre's discount. A week before the first visit they are
reminded in their language, with the product, the date and a link to book; the visit is booked
and done, and the survey about it follows. A unit whose warranty was voided gets no discount.
"""

from __future__ import annotations

from datetime import date

from tests.journeys.catalogue import BOILER, centres, product, register
from tests.journeys.harness import Journey, Person

VISIT_LABEL = {"lt": "2027-03-15", "lv": "15.03.2027", "en": "15 March 2027"}


def test_maintenance_plan_with_reminder_and_discount(journey: Journey, person: Person) -> None:
    boiler = product(journey, BOILER)
    by_region = centres(journey, [boiler["id"]], discount=15)
    centre_id = by_region[person.region]
    customer = journey.customer(person)
    unit = register(journey, customer, boiler["id"], date(2026, 3, 10))

    plan = journey.admin(
        "POST",
        "/v1/service-plans",
        {
            "customer_id": customer["id"],
            "product_id": boiler["id"],
            "warranty_id": unit["id"],
            "start": "2027-03-15",
            "visits": 3,
            "service_centre_id": centre_id,
            "visit_price": "80.00",
            "currency": "EUR",
        },
    )
    assert plan["centre_authorised"] is True
    assert (plan["discount_percent"], plan["price_after_discount"]) == (15, "68.00")
    assert plan["visits"][0]["planned_date"] == "2027-03-15"

    # A week before the visit: the reminder with the product, the date and a way to book.
    journey.advance(days=7, hours=2)
    reminder = journey.expect_one(person)
    assert boiler["name"] in reminder.text
    assert VISIT_LABEL[person.locale] in reminder.text
    book = reminder.link_to("/actions/")
    page = journey.follow(book, headers={"Accept": "text/html"})
    assert page.status == 200
    assert f'lang="{person.locale}"' in page.text

    # Booked and done; the survey about the visit follows the next day.
    visit = journey.admin(
        "POST",
        f"/v1/service-plans/{plan['id']}/visits/1/appointment",
        {
            "starts_at": "2027-03-15T09:00:00+02:00",
            "ends_at": "2027-03-15T10:00:00+02:00",
            "technician": "Andrius",
        },
    )
    journey.advance(days=7)  # Monday 15 March, 11:00 local
    journey.admin(
        "POST",
        f"/v1/appointments/{visit['id']}/transitions",
        {"status": "completed", "outcome_notes": "Burner cleaned", "version": visit["version"]},
    )
    plan = journey.admin("GET", f"/v1/service-plans/{plan['id']}")
    assert plan["visits"][0]["status"] == "completed"
    journey.advance(days=1, hours=1)
    survey = journey.expect_one(person)
    assert "/widget/v1/feedback/" in survey.text

    # A voided unit: the centre is still authorised, but there is no discount on it.
    voided = register(journey, customer, boiler["id"], date(2026, 5, 2))
    journey.admin(
        "POST",
        f"/v1/warranties/{voided['id']}/void",
        {"reason": "Opened by an unauthorised repairer", "version": voided["version"]},
    )
    no_discount = journey.admin(
        "POST",
        "/v1/service-plans",
        {
            "customer_id": customer["id"],
            "product_id": boiler["id"],
            "warranty_id": voided["id"],
            "start": "2027-06-01",
            "visits": 1,
            "service_centre_id": centre_id,
            "visit_price": "80.00",
            "currency": "EUR",
        },
    )
    assert (no_discount["discount_percent"], no_discount["price_after_discount"]) == (0, "80.00")
