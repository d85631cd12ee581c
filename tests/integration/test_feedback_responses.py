"""Responses: list filters and paging, agent/product attribution, closed loop, anonymity,
opt-outs and tenant isolation of survey links."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.integration.feedback_support import answer, new_customer, survey_link
from tests.support.products import product_id
from tests.support.scan import scan_table


def open_ticket(api: Api, tenant: TenantKeys, customer_id: str, **fields: Any) -> dict[str, Any]:
    if "product_id" in fields:  # a SKU label: link the tenant's real product
        fields["product_id"] = product_id(api, tenant, fields["product_id"])
    response = api.request(
        "POST",
        "/v1/tickets",
        key=tenant.admin_key,
        json_body={"subject": "Broken", "description": "It broke", "customer_id": customer_id}
        | fields,
    )
    assert response.status_code == 201, response.body
    return dict(body_of(response))


def feedback(api: Api, tenant: TenantKeys, query: str = "") -> dict[str, Any]:
    response = api.request("GET", f"/v1/feedback{query}", key=tenant.admin_key)
    assert response.status_code == 200, response.body
    return dict(body_of(response))


def test_agent_and_product_come_from_the_surveyed_ticket(api: Api, tenant_a: TenantKeys) -> None:
    customer = new_customer(api, tenant_a)
    ticket = open_ticket(api, tenant_a, customer, assignee="ana", product_id="P-7")
    page, _ = survey_link(
        tenant_a.tenant_id, customer, kind="csat", subject_kind="ticket", subject_id=ticket["id"]
    )
    assert answer(api, page, score=5).status_code == 200
    item = feedback(api, tenant_a)["items"][0]
    assert (item["agent"], item["product_id"], item["subject_id"]) == (
        "ana",
        product_id(api, tenant_a, "P-7"),
        ticket["id"],
    )
    got = api.request("GET", f"/v1/feedback/{item['id']}", key=tenant_a.admin_key)
    assert body_of(got) == item


def test_list_filters_and_paging(api: Api, tenant_a: TenantKeys) -> None:
    api.request(
        "PUT",
        "/v1/settings/feedback",
        key=tenant_a.admin_key,
        json_body={"closed_loop": {"enabled": False}},
    )
    customer = new_customer(api, tenant_a)
    other = new_customer(api, tenant_a, name="Jonas")
    ana = open_ticket(api, tenant_a, customer, assignee="ana", product_id="P-1")
    ben = open_ticket(api, tenant_a, customer, assignee="ben", product_id="P-2")
    answers = [
        ("nps", 9, ana["id"], customer),
        ("nps", 3, ben["id"], customer),
        ("csat", 5, ana["id"], other),
        ("csat", 1, ben["id"], other),
        ("ces", 2, ana["id"], customer),
    ]
    for kind, score, ticket_id, who in answers:
        page, _ = survey_link(
            tenant_a.tenant_id, who, kind=kind, subject_kind="ticket", subject_id=ticket_id
        )
        body: dict[str, Any] = {"score": score}
        if score < 4:
            body["comment"] = "not great"
        assert answer(api, page, **body).status_code == 200

    def scores(query: str) -> list[tuple[str, int]]:
        return sorted((i["kind"], i["score"]) for i in feedback(api, tenant_a, query)["items"])

    assert len(scores("")) == 5
    assert scores("?kind=nps") == [("nps", 3), ("nps", 9)]
    assert scores("?agent=ana") == [("ces", 2), ("csat", 5), ("nps", 9)]
    assert scores("?agent=ana&kind=csat") == [("csat", 5)]
    assert scores(f"?product_id={product_id(api, tenant_a, 'P-2')}") == [("csat", 1), ("nps", 3)]
    assert scores("?min_score=3&max_score=5") == [("csat", 5), ("nps", 3)]
    assert scores("?kind=nps&max_score=6") == [("nps", 3)]
    assert scores(f"?customer_id={other}") == [("csat", 1), ("csat", 5)]
    assert scores("?has_comment=true") == [("ces", 2), ("csat", 1), ("nps", 3)]
    assert scores("?has_comment=false") == [("csat", 5), ("nps", 9)]
    today = feedback(api, tenant_a)["items"][0]["answered_at"][:10]
    assert len(scores(f"?answered_from={today}")) >= 4  # today's, in UTC or Vilnius time
    assert scores("?answered_to=2000-01-01") == []

    first = feedback(api, tenant_a, "?limit=2")
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    second = feedback(api, tenant_a, f"?limit=2&cursor={first['next_cursor']}")
    third = feedback(api, tenant_a, f"?limit=2&cursor={second['next_cursor']}")
    assert third["next_cursor"] is None
    ids = [i["id"] for page in (first, second, third) for i in page["items"]]
    assert len(set(ids)) == 5
    answered = [i["answered_at"] for page in (first, second, third) for i in page["items"]]
    assert answered == sorted(answered, reverse=True)
    # A cursor is bound to its filters.
    other_filter = api.request(
        "GET", f"/v1/feedback?kind=nps&cursor={first['next_cursor']}", key=tenant_a.admin_key
    )
    assert other_filter.status_code == 400
    for bad in ("?min_score=6&max_score=2", "?kind=stars", "?answered_from=today", "?agent=a%23b"):
        response = api.request("GET", f"/v1/feedback{bad}", key=tenant_a.admin_key)
        assert response.status_code == 400, (bad, response.body)


def test_detractor_opens_a_closed_loop_ticket_with_the_comment(
    api: Api, tenant_a: TenantKeys
) -> None:
    customer = new_customer(api, tenant_a)
    ticket = open_ticket(api, tenant_a, customer, assignee="ana", product_id="P-1")
    page, _ = survey_link(
        tenant_a.tenant_id, customer, kind="nps", subject_kind="ticket", subject_id=ticket["id"]
    )
    assert answer(api, page, score=2).status_code == 200
    item = feedback(api, tenant_a)["items"][0]
    follow_up_id = item["closed_loop_ticket_id"]
    assert follow_up_id
    follow_up = body_of(api.request("GET", f"/v1/tickets/{follow_up_id}", key=tenant_a.admin_key))
    assert follow_up["customer_id"] == customer
    assert follow_up["assignee"] == "ana"
    assert follow_up["priority"] == "high"
    assert follow_up["product_id"] == product_id(api, tenant_a, "P-1")
    assert "closed-loop" in follow_up["tags"]
    assert "NPS" in follow_up["subject"]
    # The comment sent after the score lands on the same ticket; no second ticket.
    assert answer(api, page, score=2, comment="Nobody called back").status_code == 200
    messages = body_of(
        api.request("GET", f"/v1/tickets/{follow_up_id}/messages", key=tenant_a.admin_key)
    )
    assert any("Nobody called back" in m["body"] for m in messages["items"])
    tickets = body_of(api.request("GET", "/v1/tickets?limit=100", key=tenant_a.admin_key))
    assert len([t for t in tickets["items"] if "closed-loop" in t["tags"]]) == 1


def test_closed_loop_is_configurable(api: Api, tenant_a: TenantKeys) -> None:
    customer = new_customer(api, tenant_a)
    page, _ = survey_link(tenant_a.tenant_id, customer, kind="csat")
    assert answer(api, page, score=3).status_code == 200  # 3 is not low by default
    assert feedback(api, tenant_a)["items"][0]["closed_loop_ticket_id"] is None
    api.request(
        "PUT",
        "/v1/settings/feedback",
        key=tenant_a.admin_key,
        json_body={"closed_loop": {"csat_max": 3, "priority": "urgent"}},
    )
    page, _ = survey_link(tenant_a.tenant_id, customer, kind="csat")
    assert answer(api, page, score=3).status_code == 200
    ticket_id = feedback(api, tenant_a)["items"][0]["closed_loop_ticket_id"]
    assert ticket_id
    got = body_of(api.request("GET", f"/v1/tickets/{ticket_id}", key=tenant_a.admin_key))
    assert got["priority"] == "urgent"
    disabled = api.request(
        "PUT",
        "/v1/settings/feedback",
        key=tenant_a.admin_key,
        json_body={"closed_loop": {"enabled": False}, "version": 1},
    )
    assert disabled.status_code == 200, disabled.body
    page, _ = survey_link(tenant_a.tenant_id, customer, kind="nps")
    assert answer(api, page, score=0).status_code == 200
    assert feedback(api, tenant_a, "?kind=nps")["items"][0]["closed_loop_ticket_id"] is None


def test_anonymous_feedback_strips_customer_identity(api: Api, tenant_a: TenantKeys) -> None:
    customer = new_customer(api, tenant_a)
    page, _ = survey_link(tenant_a.tenant_id, customer, kind="nps")
    assert answer(api, page, score=9).status_code == 200
    assert feedback(api, tenant_a)["items"][0]["customer_id"] == customer
    api.request(
        "PUT", "/v1/settings/feedback", key=tenant_a.admin_key, json_body={"anonymous": True}
    )
    item = feedback(api, tenant_a)["items"][0]
    assert item["customer_id"] is None
    got = body_of(api.request("GET", f"/v1/feedback/{item['id']}", key=tenant_a.admin_key))
    assert got["customer_id"] is None
    by_customer = api.request("GET", f"/v1/feedback?customer_id={customer}", key=tenant_a.admin_key)
    assert by_customer.status_code == 422
    assert body_of(by_customer)["code"] == "anonymous_feedback"


def test_unsubscribe_from_surveys(api: Api, tenant_a: TenantKeys) -> None:
    from chalicelib import context
    from chalicelib.services.feedback import is_opted_out

    customer = new_customer(api, tenant_a)
    page, _ = survey_link(tenant_a.tenant_id, customer)
    with context.serving_tenant(tenant_a.tenant_id):
        assert not is_opted_out(tenant_a.tenant_id, customer)
    done = api.request("POST", page + "/unsubscribe", headers={"Accept-Language": "lv"})
    assert done.status_code == 200, done.body
    assert body_of(done) == {
        "unsubscribed": True,
        "message": "Jūs vairs nesaņemsiet aptaujas.",
    }
    assert api.request("POST", page + "/unsubscribe").status_code == 200  # idempotent
    assert body_of(api.request("GET", page))["unsubscribed"] is True
    with context.serving_tenant(tenant_a.tenant_id):
        assert is_opted_out(tenant_a.tenant_id, customer)
    listed = body_of(api.request("GET", "/v1/survey-opt-outs", key=tenant_a.admin_key))
    assert [(o["customer_id"], o["source"]) for o in listed["items"]] == [(customer, "survey_link")]
    removed = api.request("DELETE", f"/v1/survey-opt-outs/{customer}", key=tenant_a.admin_key)
    assert removed.status_code == 204
    again = api.request("DELETE", f"/v1/survey-opt-outs/{customer}", key=tenant_a.admin_key)
    assert again.status_code == 404
    added = api.request(
        "POST", "/v1/survey-opt-outs", key=tenant_a.admin_key, json_body={"customer_id": customer}
    )
    assert added.status_code == 201
    assert body_of(added)["source"] == "api"
    unknown = api.request(
        "POST",
        "/v1/survey-opt-outs",
        key=tenant_a.admin_key,
        json_body={"customer_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"},
    )
    assert unknown.status_code == 404


def test_a_link_of_tenant_a_never_touches_tenant_b(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    a_customer = new_customer(api, tenant_a)
    b_customer = new_customer(api, tenant_b)
    b_ticket = open_ticket(api, tenant_b, b_customer, assignee="bob", product_id="PB")
    # A's link naming B's customer and ticket ids: resolved inside A only (nothing found there).
    page, _ = survey_link(
        tenant_a.tenant_id,
        b_customer,
        kind="csat",
        subject_kind="ticket",
        subject_id=b_ticket["id"],
    )
    shown = api.request("GET", page)
    assert shown.status_code == 200
    assert body_of(shown)["company"] == "Tenant A"
    assert answer(api, page, score=1).status_code == 200
    stored = [i for i in scan_table("test-feedback") if "#RESPONSE" in i["pk"]["S"]]
    assert [i["pk"]["S"] for i in stored] == [f"{tenant_a.tenant_id}#RESPONSE"]
    assert "agent" not in stored[0] or stored[0]["agent"].get("NULL")  # B's ticket not read
    assert feedback(api, tenant_b)["items"] == []
    assert len(feedback(api, tenant_a)["items"]) == 1
    # B cannot read A's response by id either.
    response_id = feedback(api, tenant_a)["items"][0]["id"]
    assert (
        api.request("GET", f"/v1/feedback/{response_id}", key=tenant_b.admin_key).status_code == 404
    )
    # A's own link for its own customer never lists under B.
    page_a, _ = survey_link(tenant_a.tenant_id, a_customer, kind="nps")
    assert answer(api, page_a, score=10).status_code == 200
    assert feedback(api, tenant_b)["items"] == []


def test_offboarding_removes_feedback(api: Api, tenant_a: TenantKeys) -> None:
    from tests.integration.conftest import PLATFORM

    customer = new_customer(api, tenant_a)
    page, _ = survey_link(tenant_a.tenant_id, customer, kind="nps")
    assert answer(api, page, score=4).status_code == 200
    api.request("POST", page + "/unsubscribe")
    assert any(i["pk"]["S"].startswith(tenant_a.tenant_id) for i in scan_table("test-feedback"))
    response = api.request(
        "DELETE",
        f"/platform/tenants/{tenant_a.tenant_id}",
        headers={"Authorization": PLATFORM["Authorization"]},
    )
    assert response.status_code in (200, 202, 204), response.body
    assert not any(i["pk"]["S"].startswith(tenant_a.tenant_id) for i in scan_table("test-feedback"))
    gone = answer(api, page, score=9)
    assert gone.status_code in (400, 410)
