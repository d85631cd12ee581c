"""Buy, deliver and install, then a survey about the visit, answered from the email.

A fridge is sold whose warranty starts at delivery. The installation visit is booked and
completed: the warranty starts that day and its expiry reminders are planned from the real
end. A day later the customer gets a CSAT survey about the visit in their language, naming the
product; they answer with one click, and the answer is attributed to the technician and the
product in the tenant's feedback report.
"""

from __future__ import annotations

from datetime import date

from tests.journeys.catalogue import FRIDGE, product, register
from tests.journeys.harness import START, Journey, Person

TECHNICIAN = "Rūta Kazlauskienė"


def test_purchase_delivery_installation_survey(journey: Journey, person: Person) -> None:
    fridge = product(journey, FRIDGE)
    customer = journey.customer(person)
    unit = register(journey, customer, fridge["id"], purchased=START.date())
    assert unit["delivery_date"] is None  # cover counts from delivery, still unknown

    # Delivery and installation on Wednesday morning, local time.
    visit = journey.admin(
        "POST",
        "/v1/appointments",
        {
            "kind": "installation",
            "customer_id": customer["id"],
            "product_id": fridge["id"],
            "warranty_id": unit["id"],
            "starts_at": "2027-03-03T09:00:00+02:00",
            "ends_at": "2027-03-03T11:00:00+02:00",
            "technician": TECHNICIAN,
        },
    )
    journey.advance(days=2, hours=2)  # Wednesday 09:00 UTC: the technician is done
    journey.admin(
        "POST",
        f"/v1/appointments/{visit['id']}/transitions",
        {
            "status": "completed",
            "outcome_notes": "Installed and levelled",
            "signed_off_by": person.name,
            "version": visit["version"],
        },
    )

    # The warranty starts on the day of the installation, and reminders follow its real end.
    unit = journey.admin("GET", f"/v1/warranties/{unit['id']}")
    assert unit["delivery_date"] == "2027-03-03"
    assert unit["coverage"]["status"] == "under_warranty"
    assert unit["coverage"]["standard_ends_on"] == "2029-03-02"
    reminders = journey.admin("GET", "/v1/followups?kind=warranty_expiry_reminder")["items"]
    planned = [r for r in reminders if r["subject_id"] == unit["id"] and r["status"] == "scheduled"]
    assert sorted(r["due_at"][:10] for r in planned) == [
        "2029-01-31",
        "2029-02-23",
    ]

    # A day later: the survey about the visit, in the customer's language, naming the product.
    journey.advance(days=1, hours=1)
    survey = journey.expect_one(person)
    assert fridge["name"] in survey.text
    one_click = survey.link_to("/widget/v1/feedback/")
    page = journey.follow(one_click, headers={"Accept": "text/html"})
    assert page.status == 200
    assert f'lang="{person.locale}"' in page.text
    token_url = one_click.split("?")[0]
    answer = journey.follow(token_url, "POST", {"score": 5, "comment": "Ačiū, viskas puiku."})
    assert answer.status in (200, 201), answer.text

    # The answer is the technician's and the product's.
    [feedback] = journey.admin("GET", "/v1/feedback?kind=csat")["items"]
    assert feedback["score"] == 5
    assert feedback["subject_kind"] == "appointment"
    assert feedback["agent"] == TECHNICIAN
    assert feedback["product_id"] == fridge["id"]
    days = f"from={START.date()}&to={journey.today()}"
    by_agent = journey.admin("GET", f"/v1/reports/feedback?{days}&kind=csat&group_by=agent")
    assert TECHNICIAN in str(by_agent)
    by_product = journey.admin("GET", f"/v1/reports/feedback?{days}&kind=csat&group_by=product")
    assert fridge["id"] in str(by_product)

    # Nothing else was sent: the registration had its receipt, the reminders are years away.
    journey.advance(days=30)
    journey.expect_none(person)
    assert journey.today() > date(2027, 3, 30)
