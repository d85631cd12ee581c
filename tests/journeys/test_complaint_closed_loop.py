"""A complaint with an SLA: pending, solved, a CSAT survey, a detractor and the closed loop.

The customer writes in through the widget; an agent answers (the first response), asks for a
photo (pending pauses the clock), the customer answers (open again), the agent solves it. A
day later the customer gets a CSAT survey in their language, answers it badly from the email's
one-click link, and the tenant gets a closed-loop ticket that the customer never sees. The
ticket and feedback reports agree with what happened.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.journeys.harness import START, Journey, Person

SUBJECTS = {
    "lt": "Šaldytuvo durys neužsidaro",
    "lv": "Ledusskapja durvis neaizveras",
    "en": "The fridge door does not close",
}
MESSAGES = {
    "lt": "Nuo pristatymo dienos šaldytuvo durys neužsidaro iki galo.",
    "lv": "Kopš piegādes dienas ledusskapja durvis līdz galam neaizveras.",
    "en": "Since the delivery the fridge door does not close properly.",
}


def test_complaint_to_closed_loop(journey: Journey, person: Person) -> None:
    journey.admin(
        "PUT",
        "/v1/settings/sla",
        {
            "policies": [
                {
                    "name": "Complaints",
                    "priority": "high",
                    "first_response_minutes": 120,
                    "resolution_minutes": 2 * 24 * 60,
                    "business_hours": False,
                }
            ]
        },
    )
    customer = journey.customer(person)

    # The customer writes in through the widget on the shop's site and gets a link by email.
    opened = journey.widget(
        "POST",
        "/widget/v1/tickets",
        {
            "name": person.name,
            "email": person.email,
            "subject": SUBJECTS[person.locale],
            "message": MESSAGES[person.locale],
            "locale": person.locale,
            "page_url": f"{journey.origin}/support",
        },
        expect=201,
    ).body
    ticket_id = opened["ticket"]["id"]
    received = journey.expect_one(person)
    token = parse_qs(urlsplit(received.link_to("/support")).query)["aftersales_ticket"][0]
    ticket = journey.admin("GET", f"/v1/tickets/{ticket_id}")
    assert ticket["customer_id"] == customer["id"]  # found by email, not a second customer
    ticket = journey.admin(
        "PATCH", f"/v1/tickets/{ticket_id}", {"priority": "high", "version": ticket["version"]}
    )

    # The agent answers within the hour (the first response), then waits for a photo.
    journey.advance(minutes=40)
    journey.admin(
        "POST", f"/v1/tickets/{ticket_id}/messages", {"body": "Could you send a photo of the seal?"}
    )
    ticket = journey.admin("GET", f"/v1/tickets/{ticket_id}")
    ticket = journey.admin(
        "PATCH", f"/v1/tickets/{ticket_id}", {"status": "pending", "version": ticket["version"]}
    )
    assert ticket["status"] == "pending"

    # The customer answers from the email's link that afternoon: pending goes back to open.
    journey.advance(hours=6)
    journey.widget(
        "POST",
        f"/widget/v1/tickets/{ticket_id}/messages",
        {"message": "The seal is torn at the bottom."},
        headers={"X-Ticket-Token": token},
        expect=201,
    )
    ticket = journey.admin("GET", f"/v1/tickets/{ticket_id}")
    assert ticket["status"] == "open"

    # Solved: a CSAT survey follows a day later, in the customer's language.
    journey.admin(
        "PATCH", f"/v1/tickets/{ticket_id}", {"status": "solved", "version": ticket["version"]}
    )
    journey.advance(hours=25)
    survey = journey.expect_one(person)
    assert SUBJECTS[person.locale] in survey.subject
    one_click = survey.link_to("/widget/v1/feedback/")
    page = journey.follow(one_click.split("?")[0] + "?score=1", headers={"Accept": "text/html"})
    assert page.status == 200
    assert f'lang="{person.locale}"' in page.text
    answer = journey.follow(one_click.split("?")[0], "POST", {"score": 1, "comment": "Per lėtai."})
    assert answer.status in (200, 201), answer.text

    # The tenant sees the detractor and a closed-loop ticket for it.
    [feedback] = journey.admin("GET", "/v1/feedback?kind=csat")["items"]
    assert (feedback["score"], feedback["customer_id"], feedback["subject_id"]) == (
        1,
        customer["id"],
        ticket_id,
    )
    loop = journey.admin("GET", f"/v1/tickets/{feedback['closed_loop_ticket_id']}")
    assert loop["customer_id"] == customer["id"]
    assert loop["priority"] == "high"

    # The customer, signed in on the shop's site, sees their complaint and never the loop
    # ticket the tenant opened about them.
    mine = journey.widget("GET", "/widget/v1/tickets", signed_in=person, expect=200).body
    assert [t["id"] for t in mine["items"]] == [ticket_id]
    journey.widget("GET", f"/widget/v1/tickets/{loop['id']}", signed_in=person, expect=404)

    # Reports agree with the story: one first response made and met; one resolution met;
    # the CSAT counted once, unsatisfied.
    first_day, day = START.date().isoformat(), journey.today().isoformat()
    report = journey.admin("GET", f"/v1/reports/tickets?from={first_day}&to={day}")
    first_response = report["sla"]["first_response"]
    assert (first_response["met"], first_response["breached"]) == (1, 0)
    assert report["first_response"]["count"] == 1
    assert report["sla"]["resolution"]["met"] == 1
    assert report["solved"] == 1
    figures = journey.admin("GET", f"/v1/reports/feedback?from={first_day}&to={day}&kind=csat")
    assert figures["totals"]["csat"]["responses"] == 1
    assert figures["totals"]["csat"]["satisfied"] == 0
