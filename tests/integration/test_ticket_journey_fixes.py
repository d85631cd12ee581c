"""Regressions of the ticket journeys (issue 16): what a customer and an agent saw break.

- 4: system tickets (the closed loop after a low score, or any ticket the tenant marks
  ``internal``) are never listed or readable through the widget;
- 5: a first (or next) response target ends only at a public agent reply: solving without one
  is not "met", and the report never counts more responses met than responses made;
- 11: UTF-8 header values arrive as API Gateway hands them (latin-1 decoded bytes) and are
  stored as the text the client sent;
- 12: an API key with an unknown scope is refused, naming the scope and the valid ones;
- 14: tickets by ``type`` and appointments by ``kind`` are one Query of an index each.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.integration.feedback_support import answer, new_customer, survey_link
from tests.support.clocks import freeze
from tests.support.dynamo_calls import recording
from tests.support.widget import SHOP, sign_identity, widget_headers

ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")
VILNIUS = ZoneInfo("Europe/Vilnius")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.body
    return body_of(response)


def open_ticket(api: Api, tenant: TenantKeys, customer_id: str, **fields: Any) -> dict[str, Any]:
    body = {"subject": "Boiler", "description": "No heat", "customer_id": customer_id, **fields}
    return dict(ok(api.request("POST", "/v1/tickets", key=tenant.admin_key, json_body=body), 201))


# --- 4: system tickets stay internal ----------------------------------------------------------


@pytest.fixture
def shop(api: Api, tenant_a: TenantKeys) -> dict[str, str]:
    """Tenant A's shop: a widget key on SHOP and an identity secret."""
    key = ok(
        api.request(
            "POST",
            "/v1/widget-keys",
            key=tenant_a.admin_key,
            json_body={"name": "Shop", "allowed_origins": [SHOP]},
        ),
        201,
    )["key"]
    secret = ok(
        api.request("POST", "/v1/widget-secrets", key=tenant_a.admin_key, json_body={"name": "s"}),
        201,
    )
    return {"key": key, "kid": secret["kid"], "secret": secret["secret"]}


def signed_in(shop: dict[str, str], email: str = "ona@example.lt") -> dict[str, str]:
    token = sign_identity(shop["secret"], shop["kid"], sub="cust-ona", email=email, name="Ona")
    return widget_headers(shop["key"], token=token)


def widget_list(api: Api, headers: dict[str, str], query: str = "") -> dict[str, Any]:
    return dict(ok(api.request("GET", f"/widget/v1/tickets{query}", headers=headers)))


def test_the_closed_loop_ticket_is_internal_and_never_reaches_the_widget(
    api: Api, tenant_a: TenantKeys, shop: dict[str, str]
) -> None:
    ona = signed_in(shop)
    body = {"subject": "Dishwasher leaks", "message": "Water under the door."}
    mine = ok(api.request("POST", "/widget/v1/tickets", headers=ona, json_body=body), 201)
    ticket_id = mine["ticket"]["id"]
    customer_id = ok(api.request("GET", f"/v1/tickets/{ticket_id}", key=tenant_a.admin_key))[
        "customer_id"
    ]
    page, _ = survey_link(
        tenant_a.tenant_id, customer_id, kind="csat", subject_kind="ticket", subject_id=ticket_id
    )
    assert answer(api, page, score=1, comment="Still leaking").status_code == 200
    feedback = ok(api.request("GET", "/v1/feedback", key=tenant_a.admin_key))["items"][0]
    loop_id = feedback["closed_loop_ticket_id"]
    assert loop_id

    # The customer sees their own ticket only; the system ticket reads as not there.
    assert [t["id"] for t in widget_list(api, ona)["items"]] == [ticket_id]

    agent_view = ok(api.request("GET", f"/v1/tickets/{loop_id}", key=tenant_a.admin_key))
    assert agent_view["internal"] is True
    assert agent_view["customer_id"] == customer_id
    assert not ULID.search(agent_view["subject"]), agent_view["subject"]
    assert "Dishwasher leaks" in agent_view["subject"]

    for method, path, json_body in (
        ("GET", f"/widget/v1/tickets/{loop_id}", None),
        ("POST", f"/widget/v1/tickets/{loop_id}/messages", {"message": "Hello?"}),
    ):
        r = api.request(method, path, headers=ona, json_body=json_body)
        assert r.status_code == 404, (path, r.body)
        assert body_of(r)["code"] == "ticket_not_found"


def test_a_ticket_the_tenant_marks_internal_leaves_the_widget_and_comes_back(
    api: Api, tenant_a: TenantKeys, shop: dict[str, str]
) -> None:
    ona = signed_in(shop)
    body = {"subject": "Oven door", "message": "The hinge is loose."}
    public = ok(api.request("POST", "/widget/v1/tickets", headers=ona, json_body=body), 201)
    customer_id = ok(
        api.request("GET", f"/v1/tickets/{public['ticket']['id']}", key=tenant_a.admin_key)
    )["customer_id"]
    # Agents' own notes about the customer, several of them: the widget pages past them all.
    hidden = [
        open_ticket(api, tenant_a, customer_id, subject=f"Check credit {n}", internal=True)
        for n in range(3)
    ]
    assert all(t["internal"] for t in hidden)
    listed = widget_list(api, ona, "?limit=1")
    assert [t["id"] for t in listed["items"]] == [public["ticket"]["id"]]
    assert listed["next_cursor"] is None

    # Made public, a ticket shows; marked internal again, it is gone.
    shown = hidden[0]
    changed = ok(
        api.request(
            "PATCH",
            f"/v1/tickets/{shown['id']}",
            key=tenant_a.admin_key,
            json_body={"internal": False, "version": shown["version"]},
        )
    )
    assert changed["internal"] is False
    assert {t["id"] for t in widget_list(api, ona)["items"]} == {
        public["ticket"]["id"],
        shown["id"],
    }
    ok(api.request("GET", f"/widget/v1/tickets/{shown['id']}", headers=ona))
    ok(
        api.request(
            "PATCH",
            f"/v1/tickets/{shown['id']}",
            key=tenant_a.admin_key,
            json_body={"internal": True, "version": changed["version"]},
        )
    )
    assert [t["id"] for t in widget_list(api, ona)["items"]] == [public["ticket"]["id"]]
    r = api.request("GET", f"/widget/v1/tickets/{shown['id']}", headers=ona)
    assert r.status_code == 404, r.body
    # The agents' list by customer still has all of them.
    everything = ok(
        api.request("GET", f"/v1/tickets?customer_id={customer_id}", key=tenant_a.admin_key)
    )
    assert len(everything["items"]) == 4


def test_an_internal_ticket_is_never_surveyed(api: Api, tenant_a: TenantKeys) -> None:
    customer = new_customer(api, tenant_a)
    internal = open_ticket(api, tenant_a, customer, internal=True)
    public = open_ticket(api, tenant_a, customer)
    for ticket in (internal, public):
        set_status(api, tenant_a, ticket, "solved")
    planned = ok(api.request("GET", "/v1/followups", key=tenant_a.admin_key))["items"]
    assert [(p["kind"], p["subject_id"]) for p in planned] == [("csat_survey", public["id"])]


# --- 5: a response target ends only at a public agent reply ----------------------------------


@pytest.fixture
def ticket_time(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Move every clock of the application (starting Monday 2 March 2026, 10:00 Vilnius)."""
    now = {"at": datetime(2026, 3, 2, 10, 0, tzinfo=VILNIUS)}
    freeze(monkeypatch, lambda: now["at"].astimezone(UTC))

    def move(to: datetime) -> None:
        now["at"] = to

    return move


def target(ticket: dict[str, Any], metric: str) -> dict[str, Any]:
    return next(t for t in ticket["sla"]["targets"] if t["metric"] == metric)


def set_status(api: Api, tenant: TenantKeys, ticket: dict[str, Any], status: str) -> Any:
    current = ok(api.request("GET", f"/v1/tickets/{ticket['id']}", key=tenant.admin_key))
    return ok(
        api.request(
            "PATCH",
            f"/v1/tickets/{ticket['id']}",
            key=tenant.admin_key,
            json_body={"status": status, "version": current["version"]},
        )
    )


def reply(api: Api, tenant: TenantKeys, ticket: dict[str, Any], visibility: str = "public") -> None:
    ok(
        api.request(
            "POST",
            f"/v1/tickets/{ticket['id']}/messages",
            key=tenant.admin_key,
            json_body={"body": "We are on it.", "visibility": visibility},
        ),
        201,
    )


def report(api: Api, tenant: TenantKeys) -> dict[str, Any]:
    return dict(
        ok(
            api.request(
                "GET", "/v1/reports/tickets?from=2026-03-01&to=2026-03-31", key=tenant.admin_key
            )
        )
    )


def test_solving_without_a_public_reply_does_not_meet_the_first_response_target(
    api: Api, tenant_a: TenantKeys, ticket_time: Callable[[datetime], None]
) -> None:
    customer = new_customer(api, tenant_a)
    silent = open_ticket(api, tenant_a, customer)  # normal: first response within 480 min
    answered = open_ticket(api, tenant_a, customer)
    late = open_ticket(api, tenant_a, customer, priority="urgent")  # 60 min
    ticket_time(datetime(2026, 3, 2, 10, 20, tzinfo=VILNIUS))
    reply(api, tenant_a, silent, visibility="internal")  # a note is no reply
    reply(api, tenant_a, answered)
    ticket_time(datetime(2026, 3, 2, 10, 30, tzinfo=VILNIUS))
    solved = set_status(api, tenant_a, silent, "solved")
    set_status(api, tenant_a, answered, "solved")
    ticket_time(datetime(2026, 3, 2, 11, 30, tzinfo=VILNIUS))
    late_solved = set_status(api, tenant_a, late, "solved")

    first = target(solved, "first_response")
    assert first["status"] == "stopped", first
    assert first["completed_at"] is None
    assert first["stopped_at"] is not None
    assert first["breached_at"] is None
    assert solved["first_response_at"] is None
    assert target(solved, "resolution")["status"] == "met"
    # Past due when solved without a reply: breached, not met.
    assert target(late_solved, "first_response")["status"] == "breached"

    numbers = report(api, tenant_a)
    first_sla = numbers["sla"]["first_response"]
    made = numbers["first_response"]["count"]
    assert made == 1
    assert (first_sla["met"], first_sla["breached"]) == (1, 1)
    # Every first-response target has one outcome: the late one is counted as breached.
    assert first_sla["stopped_without_reply"] == 1
    assert first_sla["met"] <= made


def test_a_reopened_ticket_resumes_its_unanswered_first_response(
    api: Api, tenant_a: TenantKeys, ticket_time: Callable[[datetime], None]
) -> None:
    customer = new_customer(api, tenant_a)
    ticket = open_ticket(api, tenant_a, customer)
    ticket_time(datetime(2026, 3, 2, 10, 30, tzinfo=VILNIUS))
    set_status(api, tenant_a, ticket, "solved")
    ticket_time(datetime(2026, 3, 2, 12, 0, tzinfo=VILNIUS))
    reopened = set_status(api, tenant_a, ticket, "open")
    first = target(reopened, "first_response")
    assert first["status"] == "running", first
    assert first["elapsed_minutes"] == 30.0  # the time while solved does not count
    assert report(api, tenant_a)["sla"]["first_response"]["stopped_without_reply"] == 0
    ticket_time(datetime(2026, 3, 2, 12, 10, tzinfo=VILNIUS))
    reply(api, tenant_a, ticket)
    answered = ok(api.request("GET", f"/v1/tickets/{ticket['id']}", key=tenant_a.admin_key))
    assert target(answered, "first_response")["status"] == "met"
    numbers = report(api, tenant_a)
    assert numbers["sla"]["first_response"]["met"] == numbers["first_response"]["count"] == 1


def test_an_internal_ticket_closing_by_itself_does_not_email_the_customer(
    api: Api, tenant_a: TenantKeys, ticket_time: Callable[[datetime], None]
) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from chalicelib.services.ticket_jobs import sweep

    settings = {"auto_solve_pending_after_days": 2, "auto_close_notice_hours": 24}
    ok(api.request("PUT", "/v1/settings/tickets", key=tenant_a.admin_key, json_body=settings))
    customer = new_customer(api, tenant_a, email="ona@example.lt")
    internal = open_ticket(api, tenant_a, customer, subject="Check credit", internal=True)
    public = open_ticket(api, tenant_a, customer, subject="Boiler")
    for ticket in (internal, public):
        set_status(api, tenant_a, ticket, "pending")
    mailbox = ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sent_messages
    before = len(mailbox)
    when = datetime(2026, 3, 3, 11, 0, tzinfo=VILNIUS)
    ticket_time(when)
    assert sweep(when.astimezone(UTC)).as_dict()["notices"] == 1
    sent = mailbox[before:]
    assert len(sent) == 1
    assert "Boiler" in sent[0].subject
    assert "Check credit" not in sent[0].subject


# --- 11: UTF-8 header values ------------------------------------------------------------------


def as_api_gateway_sends(text: str) -> str:
    """A header value as API Gateway hands it to the function: its UTF-8 bytes read as latin-1."""
    return text.encode("utf-8").decode("latin-1")


def test_utf8_agent_headers_are_stored_as_sent(api: Api, tenant_a: TenantKeys) -> None:
    customer = new_customer(api, tenant_a)
    headers = {
        "X-Agent-Id": as_api_gateway_sends("rūta"),
        "X-Agent-Name": as_api_gateway_sends("Rūta Žemaitė"),
    }
    body = {"subject": "Boiler", "description": "No heat", "customer_id": customer}
    created = ok(
        api.request("POST", "/v1/tickets", key=tenant_a.admin_key, json_body=body, headers=headers),
        201,
    )
    audit = ok(api.request("GET", f"/v1/tickets/{created['id']}/audit", key=tenant_a.admin_key))
    actor = audit["items"][0]["actor"]
    assert (actor["id"], actor["name"]) == ("rūta", "Rūta Žemaitė")


def test_a_header_that_is_not_utf8_is_a_400(api: Api, tenant_a: TenantKeys) -> None:
    customer = new_customer(api, tenant_a)
    body = {"subject": "Boiler", "description": "No heat", "customer_id": customer}
    r = api.request(
        "POST",
        "/v1/tickets",
        key=tenant_a.admin_key,
        json_body=body,
        headers={"X-Agent-Id": b"r\xfbta".decode("latin-1")},
    )
    assert r.status_code == 400, r.body
    problem = body_of(r)
    assert problem["code"] == "invalid_header"
    assert "X-Agent-Id" in problem["detail"]


# --- 12: API key scopes -----------------------------------------------------------------------


def test_an_unknown_scope_is_refused_naming_it_and_the_valid_ones(
    api: Api, tenant_a: TenantKeys
) -> None:
    from chalicelib.domain.api_keys import ALL_SCOPES

    r = api.request(
        "POST",
        "/v1/api-keys",
        key=tenant_a.admin_key,
        json_body={"name": "Support desk", "scopes": ["tickets:read", "custmers:read"]},
    )
    assert r.status_code == 422, r.body
    problem = body_of(r)
    assert problem["code"] == "validation_failed"
    (error,) = problem["errors"]
    assert error["field"] == "scopes.1"
    assert "custmers:read" in error["message"]
    for scope in ALL_SCOPES:
        assert scope in error["message"]
    ok(
        api.request(
            "POST",
            "/v1/api-keys",
            key=tenant_a.admin_key,
            json_body={"name": "Support desk", "scopes": ["tickets:read", "customers:read"]},
        ),
        201,
    )


def test_the_schema_enumerates_the_scopes_authorisation_knows(api: Api) -> None:
    from chalicelib.domain.api_keys import ALL_SCOPES

    document = ok(api.request("GET", "/openapi.json"))
    schemas = document["components"]["schemas"]
    items = schemas["ApiKeyCreate"]["properties"]["scopes"]["items"]
    if "$ref" in items:
        items = schemas[items["$ref"].rsplit("/", 1)[1]]
    assert sorted(items["enum"]) == sorted(ALL_SCOPES)


# --- 14: lists by ticket type and visit kind --------------------------------------------------


def test_tickets_by_type_are_one_query_of_their_index(api: Api, tenant_a: TenantKeys) -> None:
    customer = new_customer(api, tenant_a)
    complaints = [open_ticket(api, tenant_a, customer, type="complaint")["id"] for _ in range(3)]
    for _ in range(6):
        open_ticket(api, tenant_a, customer)  # questions, updated later: newer in by_updated
    listed = ok(api.request("GET", "/v1/tickets?type=complaint", key=tenant_a.admin_key))
    assert [t["id"] for t in listed["items"]] == complaints[::-1]
    with recording() as filtered:
        page = ok(api.request("GET", "/v1/tickets?type=complaint&limit=2", key=tenant_a.admin_key))
    assert [t["id"] for t in page["items"]] == complaints[:0:-1]
    assert page["next_cursor"]
    with recording() as unfiltered:
        ok(api.request("GET", "/v1/tickets?limit=2", key=tenant_a.admin_key))
    # One Query of the type index reading the page and the item telling there is more (the
    # newer questions are never read), then the settings: what the unfiltered page costs.
    assert filtered.calls == unfiltered.calls == ["Query", "Query"]
    assert filtered.items_read == unfiltered.items_read
    rest = ok(
        api.request(
            "GET",
            f"/v1/tickets?type=complaint&limit=2&cursor={page['next_cursor']}",
            key=tenant_a.admin_key,
        )
    )
    assert [t["id"] for t in rest["items"]] == complaints[:1]
    assert rest["next_cursor"] is None
    # A type change moves the ticket between the lists; other filters still combine.
    moved = ok(api.request("GET", f"/v1/tickets/{complaints[0]}", key=tenant_a.admin_key))
    ok(
        api.request(
            "PATCH",
            f"/v1/tickets/{moved['id']}",
            key=tenant_a.admin_key,
            json_body={"type": "incident", "status": "open", "version": moved["version"]},
        )
    )
    assert [
        t["id"]
        for t in ok(api.request("GET", "/v1/tickets?type=incident", key=tenant_a.admin_key))[
            "items"
        ]
    ] == [moved["id"]]
    both = ok(api.request("GET", "/v1/tickets?type=complaint&status=new", key=tenant_a.admin_key))
    assert {t["id"] for t in both["items"]} == set(complaints[1:])
    bad = api.request("GET", "/v1/tickets?type=rant", key=tenant_a.admin_key)
    assert bad.status_code == 400, bad.body


def test_appointments_by_kind_are_one_query_of_their_index(api: Api, tenant_a: TenantKeys) -> None:
    customer = new_customer(api, tenant_a)
    made: dict[str, list[str]] = {"delivery": [], "installation": []}
    for day, kind in enumerate(
        ["delivery", "installation", "delivery", "installation", "delivery"]
    ):
        created = ok(
            api.request(
                "POST",
                "/v1/appointments",
                key=tenant_a.admin_key,
                json_body={
                    "kind": kind,
                    "customer_id": customer,
                    "starts_at": f"2027-02-0{day + 1}T08:00:00Z",
                    "ends_at": f"2027-02-0{day + 1}T09:00:00Z",
                },
            ),
            201,
        )
        made[kind].append(created["id"])
    listed = ok(api.request("GET", "/v1/appointments?kind=installation", key=tenant_a.admin_key))
    assert [a["id"] for a in listed["items"]] == made["installation"]
    with recording() as log:
        page = ok(
            api.request("GET", "/v1/appointments?kind=installation&limit=1", key=tenant_a.admin_key)
        )
    assert [a["id"] for a in page["items"]] == made["installation"][:1]
    assert (log.calls, log.items_read) == (["Query"], 2)  # the page and the one telling "more"
    ranged = ok(
        api.request(
            "GET",
            "/v1/appointments?kind=delivery&from=2027-02-02T00:00:00Z",
            key=tenant_a.admin_key,
        )
    )
    assert [a["id"] for a in ranged["items"]] == made["delivery"][1:]
    bad = api.request("GET", "/v1/appointments?kind=party", key=tenant_a.admin_key)
    assert bad.status_code == 400, bad.body
