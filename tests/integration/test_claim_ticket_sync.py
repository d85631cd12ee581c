"""A claim and its ticket, a visit and its ticket, move together (through the API).

The ticket a claim opens has its subject in the customer's language; a claim's decisions move
the ticket (approved / in repair → open, resolved / rejected → solved) with a public note in
the customer's language where the customer should know and an internal note otherwise; a
visit booked for a ticket is linked from it, and its outcome is noted on it. The claim (or
visit) and the ticket are one transaction: a stale claim changes neither.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()


def call(api: Api, tenant: TenantKeys, method: str, path: str, body: Any = None) -> Any:
    return api.request(method, path, key=tenant.admin_key, json_body=body)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.body
    return body_of(response)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def registered(
    api: Api,
    tenant: TenantKeys,
    *,
    locale: str | None,
    serial: str,
    bought_days_ago: int = 30,
) -> dict[str, Any]:
    """A customer (in ``locale``, or none set) with a registered washing machine."""
    product = api.request("GET", "/v1/products", key=tenant.admin_key)
    found = [p for p in body_of(product)["items"] if p["sku"] == "WM-7"]
    if found:
        product_id = found[0]["id"]
    else:
        product_id = ok(
            call(
                api,
                tenant,
                "POST",
                "/v1/products",
                {"sku": "WM-7", "name": "Skalbimo mašina WM-7", "warranty": {"months": 24}},
            ),
            201,
        )["id"]
    customer_body: dict[str, Any] = {"name": "Ona", "email": f"{serial.lower()}@example.lt"}
    if locale:
        customer_body["locale"] = locale
    customer = ok(call(api, tenant, "POST", "/v1/customers", customer_body), 201)
    warranty = ok(
        call(
            api,
            tenant,
            "POST",
            "/v1/warranties",
            {
                "product_id": product_id,
                "customer_id": customer["id"],
                "serial_number": serial,
                "purchase_date": (TODAY - timedelta(days=bought_days_ago)).isoformat(),
            },
        ),
        201,
    )
    return {"customer": customer, "warranty": warranty, "product_id": product_id}


def claim(api: Api, tenant: TenantKeys, owner: dict[str, Any], **body: Any) -> dict[str, Any]:
    return ok(
        call(
            api,
            tenant,
            "POST",
            f"/v1/warranties/{owner['warranty']['id']}/claims",
            {"description": "Būgnas nesisuka", **body},
        ),
        201,
    )


def move(api: Api, tenant: TenantKeys, made: dict[str, Any], **body: Any) -> Any:
    path = f"/v1/warranties/{made['warranty_id']}/claims/{made['id']}/transitions"
    return call(api, tenant, "POST", path, {"version": made["version"], **body})


def ticket(api: Api, tenant: TenantKeys, ticket_id: str) -> dict[str, Any]:
    return ok(call(api, tenant, "GET", f"/v1/tickets/{ticket_id}"))


def notes(api: Api, tenant: TenantKeys, ticket_id: str) -> list[dict[str, Any]]:
    return ok(call(api, tenant, "GET", f"/v1/tickets/{ticket_id}/messages"))["items"]


@pytest.mark.parametrize(
    ("locale", "subject"),
    [
        ("lt", "Garantinė pretenzija: Skalbimo mašina WM-7, serijos Nr. SN-7"),
        ("lv", "Garantijas pretenzija: Skalbimo mašina WM-7, sērijas Nr. SN-7"),
        ("en", "Warranty claim: Skalbimo mašina WM-7, serial no. SN-7"),
        # No locale of their own: the tenant's (lt).
        (None, "Garantinė pretenzija: Skalbimo mašina WM-7, serijos Nr. SN-7"),
    ],
)
def test_the_claim_ticket_subject_is_in_the_customers_language(
    api: Api, tenant_a: TenantKeys, locale: str | None, subject: str
) -> None:
    owner = registered(api, tenant_a, locale=locale, serial="SN-7")
    made = claim(api, tenant_a, owner)
    assert ticket(api, tenant_a, made["ticket_id"])["subject"] == subject


def test_a_resolved_claim_solves_its_ticket_and_tells_the_customer(
    api: Api, tenant_a: TenantKeys
) -> None:
    owner = registered(api, tenant_a, locale="lt", serial="LT-1")
    made = claim(api, tenant_a, owner)
    ticket_id = made["ticket_id"]
    assert ticket(api, tenant_a, ticket_id)["status"] == "new"

    approved = ok(move(api, tenant_a, made, status="approved"))
    assert ticket(api, tenant_a, ticket_id)["status"] == "open"
    [note] = notes(api, tenant_a, ticket_id)
    assert note["visibility"] == "public"
    assert note["author"]["kind"] == "system"
    assert note["body"] == (
        "Jūsų garantinė pretenzija patvirtinta: šiam atvejui taikoma garantija. "
        "Netrukus su Jumis susisieksime ir suderinsime tolesnius veiksmus."
    )

    repairing = ok(move(api, tenant_a, approved, status="in_repair", notes="Keičiamas guolis"))
    after_repair = notes(api, tenant_a, ticket_id)
    assert after_repair[-1]["visibility"] == "internal"
    assert after_repair[-1]["body"] == (
        f"Pretenzija {made['id']}: remontuojama.\nPastabos: Keičiamas guolis"
    )

    ok(move(api, tenant_a, repairing, status="resolved", resolution="repaired"))
    solved = ticket(api, tenant_a, ticket_id)
    assert solved["status"] == "solved"
    assert solved["solved_at"] is not None
    assert solved["sla"]["state"] != "running"
    last = notes(api, tenant_a, ticket_id)[-1]
    assert last["visibility"] == "public"
    assert last["body"] == (
        "Jūsų garantinė pretenzija išnagrinėta: gaminys suremontuotas. Dėkojame už kantrybę."
    )
    # The ticket's audit names who decided; the first response still waits for a person.
    audit = ok(call(api, tenant_a, "GET", f"/v1/tickets/{ticket_id}/audit"))["items"]
    assert audit[-1]["actor"]["kind"] == "agent"
    assert solved["first_response_at"] is None


def test_a_rejected_claim_solves_its_ticket_with_the_reason_in_latvian(
    api: Api, tenant_a: TenantKeys
) -> None:
    owner = registered(api, tenant_a, locale="lv", serial="LV-1")
    made = claim(api, tenant_a, owner)
    ok(move(api, tenant_a, made, status="rejected", reason="mehānisks bojājums"))
    assert ticket(api, tenant_a, made["ticket_id"])["status"] == "solved"
    [note] = notes(api, tenant_a, made["ticket_id"])
    assert note["visibility"] == "public"
    assert note["body"] == (
        "Diemžēl Jūsu garantijas pretenzija ir noraidīta.\nIemesls: mehānisks bojājums\n"
        "Ja Jums ir jautājumi, lūdzu, rakstiet mums."
    )


def test_a_chargeable_claim_approved_says_the_work_is_charged(
    api: Api, tenant_a: TenantKeys
) -> None:
    owner = registered(api, tenant_a, locale="en", serial="EN-1", bought_days_ago=900)
    made = claim(api, tenant_a, owner)
    assert made["billing"] == "chargeable"
    ok(move(api, tenant_a, made, status="approved"))
    [note] = notes(api, tenant_a, made["ticket_id"])
    assert "not under warranty, so the work will be charged" in note["body"]


def test_a_cancelled_claim_leaves_the_ticket_to_the_team(api: Api, tenant_a: TenantKeys) -> None:
    owner = registered(api, tenant_a, locale="lt", serial="LT-2")
    made = claim(api, tenant_a, owner)
    ok(move(api, tenant_a, made, status="cancelled"))
    assert ticket(api, tenant_a, made["ticket_id"])["status"] == "new"
    [note] = notes(api, tenant_a, made["ticket_id"])
    assert note["visibility"] == "internal"
    assert note["body"].startswith(f"Pretenzija {made['id']}: atšaukta.")


def test_an_attached_ticket_follows_its_claim(api: Api, tenant_a: TenantKeys) -> None:
    owner = registered(api, tenant_a, locale="lt", serial="LT-3")
    own = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/tickets",
            {
                "subject": "Triukšmas",
                "description": "Garsiai",
                "customer_id": owner["customer"]["id"],
            },
        ),
        201,
    )
    made = claim(api, tenant_a, owner, ticket_id=own["id"])
    ok(move(api, tenant_a, made, status="approved"))
    assert ticket(api, tenant_a, own["id"])["status"] == "open"
    assert [n["visibility"] for n in notes(api, tenant_a, own["id"])] == ["public"]


def test_a_stale_claim_change_touches_neither_the_claim_nor_its_ticket(
    api: Api, tenant_a: TenantKeys
) -> None:
    owner = registered(api, tenant_a, locale="lt", serial="LT-4")
    made = claim(api, tenant_a, owner)
    ok(move(api, tenant_a, made, status="approved"))
    before = ticket(api, tenant_a, made["ticket_id"])
    stale = move(api, tenant_a, made, status="in_repair")  # still version 1
    assert stale.status_code == 409, stale.body
    assert body_of(stale)["code"] == "version_conflict"
    assert ticket(api, tenant_a, made["ticket_id"]) == before
    assert len(notes(api, tenant_a, made["ticket_id"])) == 1


def visit(api: Api, tenant: TenantKeys, owner: dict[str, Any], ticket_id: str, **extra: Any) -> Any:
    return call(
        api,
        tenant,
        "POST",
        "/v1/appointments",
        {
            "kind": "repair",
            "customer_id": owner["customer"]["id"],
            "warranty_id": owner["warranty"]["id"],
            "ticket_id": ticket_id,
            "technician": "Rūta",
            "starts_at": iso(NOW - timedelta(hours=1)),
            "ends_at": iso(NOW + timedelta(hours=1)),
            **extra,
        },
    )


def test_a_repair_visit_is_linked_from_its_ticket_and_noted_on_it(
    api: Api, tenant_a: TenantKeys
) -> None:
    owner = registered(api, tenant_a, locale="lv", serial="LT-5")
    made = claim(api, tenant_a, owner)
    ticket_id = made["ticket_id"]
    first = ok(visit(api, tenant_a, owner, ticket_id), 201)
    linked = ticket(api, tenant_a, ticket_id)
    assert linked["appointment_id"] == first["id"]
    audit = ok(call(api, tenant_a, "GET", f"/v1/tickets/{ticket_id}/audit"))["items"]
    assert {"field": "appointment_id", "old": None, "new": first["id"]} in audit[-1]["changes"]

    path = f"/v1/appointments/{first['id']}/transitions"
    ok(
        call(
            api,
            tenant_a,
            "POST",
            path,
            {
                "status": "completed",
                "outcome_notes": "Pakeistas guolis",
                "signed_off_by": "Ona Petraitė",
                "version": first["version"],
            },
        )
    )
    [done] = notes(api, tenant_a, ticket_id)
    # A note for the team, in the tenant's language (lt), the window in its time zone.
    assert done["visibility"] == "internal"
    lines = done["body"].split("\n")
    vilnius = ZoneInfo("Europe/Vilnius")
    starts, ends = [(NOW + timedelta(hours=h)).astimezone(vilnius) for h in (-1, 1)]
    assert lines[:3] == [
        "Vizitas baigtas.",
        "Tipas: Remontas",
        f"Laikas: {starts:%Y-%m-%d %H:%M}\N{EN DASH}{ends:%H:%M}",
    ]
    assert lines[3:] == ["Rezultatas: Pakeistas guolis", "Pasirašė: Ona Petraitė"]

    second = ok(visit(api, tenant_a, owner, ticket_id), 201)
    assert ticket(api, tenant_a, ticket_id)["appointment_id"] == second["id"]
    ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/appointments/{second['id']}/transitions",
            {"status": "cancelled", "cancel_reason": "Klientas išvyko", "version": 1},
        )
    )
    cancelled = notes(api, tenant_a, ticket_id)[-1]["body"].split("\n")
    assert cancelled[0] == "Vizitas atšauktas."
    assert cancelled[-1] == "Priežastis: Klientas išvyko"


def test_a_closed_ticket_takes_no_new_visit(api: Api, tenant_a: TenantKeys) -> None:
    owner = registered(api, tenant_a, locale="lt", serial="LT-6")
    own = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/tickets",
            {
                "subject": "Triukšmas",
                "description": "Garsiai",
                "customer_id": owner["customer"]["id"],
            },
        ),
        201,
    )
    solved = ok(
        call(api, tenant_a, "PATCH", f"/v1/tickets/{own['id']}", {"status": "solved", "version": 1})
    )
    ok(
        call(
            api,
            tenant_a,
            "PATCH",
            f"/v1/tickets/{own['id']}",
            {"status": "closed", "version": solved["version"]},
        )
    )
    refused = visit(api, tenant_a, owner, own["id"])
    assert refused.status_code == 409, refused.body
    assert body_of(refused)["code"] == "ticket_closed"
    listed = ok(
        call(api, tenant_a, "GET", f"/v1/appointments?customer_id={owner['customer']['id']}")
    )
    assert listed["items"] == []


def test_a_ticket_changed_meanwhile_is_re_read_and_the_claim_still_lands(
    api: Api, tenant_a: TenantKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.services import ticket_sync

    owner = registered(api, tenant_a, locale="lt", serial="LT-7")
    made = claim(api, tenant_a, owner)
    ticket_id = made["ticket_id"]
    original = ticket_sync._read
    reads: list[int] = []

    def read_then_race(*args: Any, **kwargs: Any) -> Any:
        read = original(*args, **kwargs)
        if not reads:  # an agent changes the ticket between the read and the write
            current = ticket(api, tenant_a, ticket_id)
            ok(
                call(
                    api,
                    tenant_a,
                    "PATCH",
                    f"/v1/tickets/{ticket_id}",
                    {"priority": "high", "version": current["version"]},
                )
            )
        reads.append(1)
        return read

    monkeypatch.setattr(ticket_sync, "_read", read_then_race)
    approved = ok(move(api, tenant_a, made, status="approved"))
    assert approved["status"] == "approved"
    assert len(reads) == 2  # re-read once
    now = ticket(api, tenant_a, ticket_id)
    assert (now["priority"], now["status"]) == ("high", "open")
    assert len(notes(api, tenant_a, ticket_id)) == 1
