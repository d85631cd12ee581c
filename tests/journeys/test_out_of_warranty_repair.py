"""A fault out of warranty: the claim is chargeable, and the customer hears it in their words.

A boiler bought three years ago, whose two-year warranty ended, breaks down. The claim is
recorded as chargeable with the reason (expired on the day before the fault), its ticket says
so, and rejecting the free repair tells the customer on their ticket in their language, while
the tenant's records keep the coverage decision.
"""

from __future__ import annotations

from datetime import date

from tests.journeys.catalogue import BOILER, centres, product, register
from tests.journeys.harness import Journey, Person


def test_expired_claim_is_chargeable(journey: Journey, person: Person) -> None:
    boiler = product(journey, BOILER)
    by_region = centres(journey, [boiler["id"]])
    customer = journey.customer(person)
    unit = register(journey, customer, boiler["id"], date(2024, 2, 10))
    assert unit["coverage"]["status"] == "expired"
    assert unit["coverage"]["standard_ends_on"] == "2026-02-09"

    claim = journey.admin(
        "POST", f"/v1/warranties/{unit['id']}/claims", {"description": "No hot water."}
    )
    assert claim["billing"] == "chargeable"
    assert claim["coverage_status"] == "expired"
    assert claim["service_centre_id"] == by_region[person.region]
    ticket = journey.admin("GET", f"/v1/tickets/{claim['ticket_id']}")
    assert ticket["entitlement"] != "covered"

    claim = journey.admin(
        "POST",
        f"/v1/warranties/{unit['id']}/claims/{claim['id']}/transitions",
        {
            "status": "rejected",
            "reason": "Warranty ended on 2026-02-09",
            "version": claim["version"],
        },
    )
    assert claim["status"] == "rejected"
    ticket = journey.admin("GET", f"/v1/tickets/{claim['ticket_id']}")
    assert ticket["status"] == "solved"

    shown = journey.widget(
        "GET", f"/widget/v1/tickets/{ticket['id']}", signed_in=person, expect=200
    ).body
    [note] = shown["messages"]
    assert not note["from_customer"]
    assert "2026" in note["body"]  # the decision names the end of cover
