"""A fault under warranty: a claim, the centre in the customer's region, a repair, resolved.

The customer's fridge, delivered last summer, stops cooling. The tenant files a warranty claim:
it is covered, opens a ticket in the customer's language and goes to the authorised centre of
the region in the customer's address, without anyone typing the region. The claim is approved
(the customer is told on their ticket), a repair visit is booked on the ticket, the repair is
done and the claim resolved: the ticket is solved with the outcome, and the customer gets the
survey about it.
"""

from __future__ import annotations

from datetime import date

from tests.journeys.catalogue import FRIDGE, centres, product, register
from tests.journeys.harness import Journey, Person

DESCRIPTION = {
    "lt": "Šaldytuvas nustojo šaldyti.",
    "lv": "Ledusskapis pārstāja dzesēt.",
    "en": "The fridge stopped cooling.",
}


def test_covered_claim_to_repair(journey: Journey, person: Person) -> None:
    fridge = product(journey, FRIDGE)
    by_region = centres(journey, [fridge["id"]])
    customer = journey.customer(person)
    unit = register(journey, customer, fridge["id"], date(2026, 7, 1), date(2026, 7, 3))

    claim = journey.admin(
        "POST", f"/v1/warranties/{unit['id']}/claims", {"description": DESCRIPTION[person.locale]}
    )
    assert claim["billing"] == "covered"
    assert claim["service_centre_id"] == by_region[person.region]
    ticket = journey.admin("GET", f"/v1/tickets/{claim['ticket_id']}")
    assert ticket["customer_id"] == customer["id"]
    assert ticket["warranty_id"] == unit["id"]
    assert ticket["entitlement"] == "covered"

    # The customer sees the claim's ticket, in their language, on the shop's site.
    mine = journey.widget("GET", "/widget/v1/tickets", signed_in=person, expect=200).body
    [seen] = mine["items"]
    assert fridge["name"] in seen["subject"]
    assert "claim" not in seen["subject"].lower() or person.locale == "en"

    # Approved: the ticket is open and the customer is told on it.
    claim = journey.admin(
        "POST",
        f"/v1/warranties/{unit['id']}/claims/{claim['id']}/transitions",
        {"status": "approved", "version": claim["version"]},
    )
    ticket = journey.admin("GET", f"/v1/tickets/{claim['ticket_id']}")
    assert ticket["status"] == "open"
    shown = journey.widget(
        "GET", f"/widget/v1/tickets/{ticket['id']}", signed_in=person, expect=200
    ).body
    assert len(shown["messages"]) == 1  # the approval, in the customer's language

    # A repair visit booked on the ticket is linked both ways.
    visit = journey.admin(
        "POST",
        "/v1/appointments",
        {
            "kind": "repair",
            "customer_id": customer["id"],
            "warranty_id": unit["id"],
            "product_id": fridge["id"],
            "ticket_id": ticket["id"],
            "service_centre_id": claim["service_centre_id"],
            "starts_at": "2027-03-02T10:00:00+02:00",
            "ends_at": "2027-03-02T12:00:00+02:00",
            "technician": "Mindaugas",
        },
    )
    ticket = journey.admin("GET", f"/v1/tickets/{ticket['id']}")
    assert ticket["appointment_id"] == visit["id"]
    claim = journey.admin(
        "POST",
        f"/v1/warranties/{unit['id']}/claims/{claim['id']}/transitions",
        {"status": "in_repair", "version": claim["version"]},
    )
    journey.advance(days=1, hours=4)
    journey.admin(
        "POST",
        f"/v1/appointments/{visit['id']}/transitions",
        {"status": "completed", "outcome_notes": "Compressor relay replaced", "version": 1},
    )
    journey.advance(hours=2)  # the centre reports the repair back later that day
    claim = journey.admin(
        "POST",
        f"/v1/warranties/{unit['id']}/claims/{claim['id']}/transitions",
        {"status": "resolved", "resolution": "repaired", "version": claim["version"]},
    )

    # Resolved: the ticket is solved with the outcome; the customer was told at each step.
    ticket = journey.admin("GET", f"/v1/tickets/{ticket['id']}")
    assert ticket["status"] == "solved"
    shown = journey.widget(
        "GET", f"/widget/v1/tickets/{ticket['id']}", signed_in=person, expect=200
    ).body
    assert len(shown["messages"]) >= 2
    assert all(not m["from_customer"] for m in shown["messages"])

    # One survey, about the repair visit, in the customer's language; the ticket's own survey
    # a little later is held back by the survey interval (one survey at a time).
    journey.advance(hours=23)  # the visit's survey is due (a day after the visit)
    survey = journey.expect_one(person)
    assert "/widget/v1/feedback/" in survey.text
    assert "Mindaugas" in survey.text
    journey.advance(hours=2)  # the ticket's survey is due now, and held back
    journey.expect_none(person)
