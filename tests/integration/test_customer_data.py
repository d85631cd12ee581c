"""Customer data lifecycle: export of one customer's data, erasure of the person, offboarding.

Erasure is checked the strict way: after it, none of the customer's identifying strings (name,
email, phone, external id, the text they wrote) is found in *any* item of *any* table, while
what the tenant keeps (tickets, feedback scores and reports) is still there.
"""

from __future__ import annotations

import importlib
from typing import Any

from chalicelib.services.customer_data import CONTEXTS, ERASED_CUSTOMER, ERASED_TEXT
from tests.integration.conftest import Api, TenantKeys, body_of
from tests.integration.feedback_support import answer, survey_link
from tests.support.scan import all_items, snapshot_counts, tenant_snapshot
from tests.support.world import build_world

PERSON = {
    "name": "Rūta Kazlauskienė",
    "email": "ruta.k@private.lt",
    "phone": "+370 699 12345",
    "external_id": "crm-ruta-77",
}
WRITTEN = "My flat at Gedimino pr. 9 floods when the washer runs"


def _setup(api: Api, tenant: TenantKeys) -> dict[str, Any]:
    key = tenant.admin_key
    customer = body_of(
        api.request(
            "POST",
            "/v1/customers",
            key=key,
            json_body=PERSON,
            headers={"Idempotency-Key": "crm-import-1"},
        )
    )
    ticket = body_of(
        api.request(
            "POST",
            "/v1/tickets",
            key=key,
            json_body={
                "subject": f"Washer leaks — {PERSON['name']}",
                "description": WRITTEN,
                "customer_id": customer["id"],
            },
        )
    )
    api.request(
        "POST",
        f"/v1/tickets/{ticket['id']}/messages",
        key=key,
        json_body={
            "body": f"{WRITTEN} (again)",
            "author": {"kind": "customer", "id": customer["id"], "name": PERSON["name"]},
        },
    )
    api.request(
        "POST",
        f"/v1/tickets/{ticket['id']}/messages",
        key=key,
        json_body={"body": "A technician will call you.", "visibility": "public"},
    )
    page, _ = survey_link(tenant.tenant_id, customer["id"], kind="nps")
    assert answer(api, page, score=3, comment="Slow service").status_code == 200
    api.request("POST", "/v1/survey-opt-outs", key=key, json_body={"customer_id": customer["id"]})
    return {"customer": customer, "ticket": ticket}


def test_export_has_every_section(api: Api, tenant_a: TenantKeys) -> None:
    made = _setup(api, tenant_a)
    cid = made["customer"]["id"]
    r = api.request("GET", f"/v1/customers/{cid}/export", key=tenant_a.admin_key)
    assert r.status_code == 200, r.body
    export = body_of(r)
    sections = export["sections"]
    assert sections["customer"]["email"] == PERSON["email"]
    # The detractor score opened a closed-loop ticket too: both are the customer's.
    assert len(sections["tickets"]) == 2
    [ticket] = [t for t in sections["tickets"] if t["id"] == made["ticket"]["id"]]
    assert ticket["description"] == WRITTEN
    assert [m["body"] for m in ticket["messages"]] == [
        f"{WRITTEN} (again)",
        "A technician will call you.",
    ]
    assert sections["feedback"]["responses"][0]["score"] == 3
    assert sections["feedback"]["surveys_opted_out"] is True


def test_erasure_leaves_no_trace_of_the_person(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    made = _setup(api, tenant_a)
    other = _setup(api, tenant_b)  # the same person at another tenant is not touched
    cid, tid = made["customer"]["id"], made["ticket"]["id"]
    b_before = tenant_snapshot(tenant_b.tenant_id)
    report_before = body_of(api.request("GET", "/v1/reports/feedback", key=tenant_a.admin_key))

    r = api.request("POST", f"/v1/customers/{cid}/erase", key=tenant_a.admin_key)
    assert r.status_code == 200, r.body
    erased = body_of(r)["erased"]
    assert erased["customer"] == 3  # record + email guard + external-id guard
    # The two tickets (one opened by the detractor score's closed loop) and the customer's message.
    assert erased["tickets"] == 3
    assert erased["feedback"] == 2  # the response detached, the opt-out dropped
    assert erased["replays"] == 1  # the stored Idempotency-Key response

    key = tenant_a.admin_key
    assert api.request("GET", f"/v1/customers/{cid}", key=key).status_code == 404
    ticket = body_of(api.request("GET", f"/v1/tickets/{tid}", key=key))
    assert (ticket["subject"], ticket["description"]) == (ERASED_TEXT, ERASED_TEXT)
    messages = body_of(api.request("GET", f"/v1/tickets/{tid}/messages", key=key))["items"]
    assert [m["body"] for m in messages] == [ERASED_TEXT, "A technician will call you."]
    feedback = body_of(api.request("GET", "/v1/feedback", key=key))["items"]
    assert [(f["score"], f["customer_id"]) for f in feedback] == [(3, ERASED_CUSTOMER)]
    assert body_of(api.request("GET", "/v1/reports/feedback", key=key)) == report_before

    a_items = str(
        {t: [i for i in items if tenant_a.tenant_id in str(i)] for t, items in all_items().items()}
    )
    # The customer id stays on the tickets (pseudonymous: it resolves to no one any more).
    for trace in (*PERSON.values(), WRITTEN):
        assert trace not in a_items, f"{trace!r} survived the erasure"
    assert tenant_snapshot(tenant_b.tenant_id) == b_before
    assert (
        api.request(
            "GET", f"/v1/customers/{other['customer']['id']}", key=tenant_b.admin_key
        ).status_code
        == 200
    )

    # Repeating (or resuming) an erasure of a customer that is gone: 404, nothing changes.
    assert api.request("POST", f"/v1/customers/{cid}/erase", key=key).status_code == 404


def test_every_table_with_customer_data_has_an_eraser() -> None:
    """A context that stores ``customer_id`` must register export and erasure."""
    from chalicelib.store.base import TenantModel
    from chalicelib.store.tables import TABLE_MODELS

    covered = {t for _, path in CONTEXTS for t in importlib.import_module(path).TABLES}
    stack, models = list(TenantModel.__subclasses__()), []
    while stack:
        model = stack.pop()
        models.append(model)
        stack += model.__subclasses__()
    tables = {m.Meta.base_name for m in TABLE_MODELS}
    holding = {
        m.Meta.base_name
        for m in models
        if "customer_id" in m.get_attributes() and m.Meta.base_name in tables
    }
    missing = holding - covered
    assert not missing, (
        f"tables {sorted(missing)} store customer_id but no context in "
        f"chalicelib/services/customer_data CONTEXTS erases them"
    )


def test_offboarding_empties_every_table_of_one_tenant_only(api: Api) -> None:
    """With one of every resource (the route table's factories) for two tenants."""
    world = build_world(api)
    b_before = tenant_snapshot(world.b.tenant_id)
    a_counts = snapshot_counts(tenant_snapshot(world.a.tenant_id))
    assert sum(a_counts.values()) > 20, a_counts
    from chalicelib.store.tables import TABLE_MODELS

    written = {t for t, n in a_counts.items() if n}
    assert written >= {"customers", "tickets", "tenants", "feedback"}, written
    headers = {"Authorization": "Bearer test-platform-key"}
    for _ in range(5):
        r = api.request("DELETE", f"/platform/tenants/{world.a.tenant_id}", headers=headers)
        if body_of(r)["completed"]:
            break
    assert body_of(r)["completed"] is True
    left = {
        m.Meta.base_name: [
            i for i in items if world.a.tenant_id in str(i.get("pk")) + str(i.get("tenant_id"))
        ]
        for m in TABLE_MODELS
        for name, items in all_items().items()
        if name == m.Meta.table_name
    }
    assert not any(left.values()), {t: len(v) for t, v in left.items() if v}
    assert tenant_snapshot(world.b.tenant_id) == b_before
