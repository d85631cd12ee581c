"""The widget of a signed-in customer: their products, their cover, their requests.

Signed in on the shop's site, the customer registers the fridge they bought, sees its cover,
asks a question without retyping who they are, and reads the agent's answer. After the tenant
sells them extended cover, the widget shows the later end of cover; a unit voided for tampering
shows since when it is void, never a future "ended on" date.
"""

from __future__ import annotations

from datetime import date

from tests.journeys.catalogue import FRIDGE, product, register
from tests.journeys.harness import Journey, Person

QUESTION = {
    "lt": ("Kaip nustatyti temperatūrą?", "Kokia temperatūra rekomenduojama šaldiklyje?"),
    "lv": ("Kā iestatīt temperatūru?", "Kāda temperatūra ir ieteicama saldētavā?"),
    "en": ("How do I set the temperature?", "What temperature do you recommend for the freezer?"),
}


def test_signed_in_customer(journey: Journey, person: Person) -> None:
    fridge = product(journey, FRIDGE)
    customer = journey.customer(person)

    # The customer registers their fridge from the shop's site.
    registered = journey.widget(
        "POST",
        "/widget/v1/registrations",
        {
            "product_id": fridge["id"],
            "serial_number": "FX600-LT-0042",
            "purchase_date": "2027-02-20",
            "delivery_date": "2027-02-22",
        },
        signed_in=person,
        expect=201,
    ).body
    assert registered["product_name"] == fridge["name"]
    assert registered["coverage"]["status"] == "under_warranty"
    assert registered["coverage"]["cover_ends_on"] == "2029-02-21"
    [unit] = journey.admin("GET", f"/v1/warranties?customer_id={customer['id']}")["items"]
    assert unit["customer_id"] == customer["id"]  # the identity's customer, not a new one

    # A question, without name or email: the identity says who is asking.
    subject, message = QUESTION[person.locale]
    opened = journey.widget(
        "POST",
        "/widget/v1/tickets",
        {"subject": subject, "message": message},
        signed_in=person,
        expect=201,
    ).body
    ticket_id = opened["ticket"]["id"]
    ticket = journey.admin("GET", f"/v1/tickets/{ticket_id}")
    assert ticket["customer_id"] == customer["id"]
    journey.admin("POST", f"/v1/tickets/{ticket_id}/messages", {"body": "-18 °C."})
    shown = journey.widget(
        "GET", f"/widget/v1/tickets/{ticket_id}", signed_in=person, expect=200
    ).body
    assert [m["body"] for m in shown["messages"]][-1] == "-18 °C."
    internal = journey.admin(
        "POST",
        f"/v1/tickets/{ticket_id}/messages",
        {"body": "Customer asked twice", "visibility": "internal"},
    )
    shown = journey.widget(
        "GET", f"/widget/v1/tickets/{ticket_id}", signed_in=person, expect=200
    ).body
    assert internal["id"] not in {m["id"] for m in shown["messages"]}

    # Extended cover sold by the tenant: the widget shows the later end.
    unit = journey.admin(
        "POST",
        f"/v1/warranties/{unit['id']}/plans",
        {"plan_code": "plus3", "version": unit["version"]},
    )
    [mine] = journey.widget("GET", "/widget/v1/registrations", signed_in=person, expect=200).body[
        "items"
    ]
    assert mine["coverage"]["cover_ends_on"] == "2032-02-21"
    checked = journey.widget(
        "POST",
        "/widget/v1/warranty/check",
        {"serial_number": "FX600-LT-0042"},
        signed_in=person,
        expect=200,
    ).body
    assert checked["cover_ends_on"] == "2032-02-21"

    # A voided unit: void since the day it was voided; no end of cover in the future.
    other = register(journey, customer, fridge["id"], date(2026, 9, 1), date(2026, 9, 3))
    journey.admin(
        "POST",
        f"/v1/warranties/{other['id']}/void",
        {"reason": "Seal broken", "version": other["version"]},
    )
    checked = journey.widget(
        "POST",
        "/widget/v1/warranty/check",
        {"serial_number": other["serial_number"]},
        signed_in=person,
        expect=200,
    ).body
    assert checked["status"] == "void"
    assert checked["void_since"] == journey.today().isoformat()
    assert checked["cover_ends_on"] is None or checked["cover_ends_on"] <= checked["void_since"]
