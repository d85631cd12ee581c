"""The signed customer action pages behind reminder links: extend the cover, book the visit,
send the proof of purchase. Plain HTML forms (no JavaScript), the customer's language, the
tenant's brand colour; JSON for the widget; forged, expired and foreign links refused.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from chalicelib.i18n import action_pages as texts
from tests.integration.conftest import Api, TenantKeys, body_of

TODAY = datetime.now(UTC).date()
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
FORM = {**HTML, "Content-Type": "application/x-www-form-urlencoded"}


def call(api: Api, tenant: TenantKeys, method: str, path: str, body: Any = None) -> Any:
    response = api.request(method, path, key=tenant.admin_key, json_body=body)
    assert response.status_code < 300, response.body
    return body_of(response)


def _text(response: Any) -> str:
    body = response.body
    return body.decode() if isinstance(body, bytes) else str(body)


def link(
    tenant: TenantKeys,
    customer_id: str,
    action: str,
    subject_id: str,
    now: datetime | None = None,
) -> str:
    """The path of an action link, as a reminder email carries it."""
    from chalicelib.services.action_links import action_url

    url = action_url(tenant.tenant_id, customer_id, action, subject_id, now or datetime.now(UTC))
    return urlsplit(url).path


def world(api: Api, tenant: TenantKeys, locale: str = "lt", serial: str = "DW-7") -> dict[str, Any]:
    """A product with an extension offer, a customer in ``locale`` and a registration."""
    products = call(api, tenant, "GET", "/v1/products?limit=100")["items"]
    product = next((p for p in products if p["sku"] == "DW-200"), None) or call(
        api,
        tenant,
        "POST",
        "/v1/products",
        {
            "sku": "DW-200",
            "name": "Dishwasher 200",
            "warranty": {"months": 24, "registration_required_within_days": 30},
            "extended_plans": [
                {
                    "code": "plus3",
                    "name": "Plus 3 years",
                    "months": 36,
                    "price": "99.00",
                    "currency": "EUR",
                }
            ],
            "maintenance_interval_months": 12,
        },
    )
    customer = call(
        api,
        tenant,
        "POST",
        "/v1/customers",
        {"name": "Ona Petraitė", "email": f"{serial.lower()}@example.lt", "locale": locale},
    )
    warranty = call(
        api,
        tenant,
        "POST",
        "/v1/warranties",
        {
            "product_id": product["id"],
            "customer_id": customer["id"],
            "serial_number": serial,
            "purchase_date": (TODAY - timedelta(days=10)).isoformat(),
        },
    )
    return {"product": product, "customer": customer, "warranty": warranty}


def tickets_of(api: Api, tenant: TenantKeys, customer_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = call(
        api, tenant, "GET", f"/v1/tickets?customer_id={customer_id}"
    )["items"]
    return items


# --- extend the cover -------------------------------------------------------------------------


def test_extend_cover_page_lists_the_plans_and_a_choice_opens_a_request(
    api: Api, tenant_a: TenantKeys
) -> None:
    call(api, tenant_a, "PUT", "/v1/settings/general", {"brand_color": "#0B3D91"})
    w = world(api, tenant_a)
    path = link(tenant_a, w["customer"]["id"], "extend_cover", w["warranty"]["id"])

    # JSON for the widget.
    shown = body_of(api.request("GET", path))
    assert (shown["action"], shown["locale"], shown["brand_color"]) == (
        "extend_cover",
        "lt",
        "#0B3D91",
    )
    view = shown["extend_cover"]
    standard_end = date.fromisoformat(w["warranty"]["coverage"]["standard_ends_on"])
    [plan] = view["plans"]
    assert plan["code"] == "plus3"
    assert plan["starts_on"] == (standard_end + timedelta(days=1)).isoformat()
    assert view["cover_ends_on"] == standard_end.isoformat()

    # The page a browser gets: a plain form, no script, in Lithuanian and the brand colour.
    page = api.request("GET", path, headers=HTML)
    assert page.status_code == 200
    html = _text(page)
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'none'" in csp
    assert "form-action 'self'" in csp
    assert "<script" not in html
    assert "--brand:#0b3d91" in html
    assert texts.text("title_extend_cover", "lt") in html
    assert "Plus 3 years: 36 mėn., 99.00 EUR" in html
    assert re.search(r'<form method="post" action="[^"/]+">', html)
    assert 'name="plan_code"' in html

    # Choosing the plan: a request ticket for the tenant, the confirmation for the customer.
    done = api.request("POST", path, body=urlencode({"plan_code": "plus3"}), headers=FORM)
    assert done.status_code == 200, done.body
    assert texts.text("extend_done", "lt") in _text(done)
    [ticket] = tickets_of(api, tenant_a, w["customer"]["id"])
    assert ticket["type"] == "request"
    assert ticket["warranty_id"] == w["warranty"]["id"]
    assert ticket["subject"] == "Garantijos pratęsimo užklausa: Dishwasher 200"
    assert ticket["channel"] == "widget"
    assert "Planas: Plus 3 years (36 mėn., 99.00 EUR)." in ticket["description"]
    # Nothing is bought by the page itself: the tenant sells the plan.
    assert call(api, tenant_a, "GET", f"/v1/warranties/{w['warranty']['id']}")["plans"] == []

    # The same request as JSON (the widget).
    r = api.request("POST", path, json_body={"plan_code": "plus3"})
    assert r.status_code == 200, r.body
    assert body_of(r)["status"] == "requested"
    assert body_of(r)["ticket_id"]


def test_extend_cover_refusals_are_said_in_the_customers_language(
    api: Api, tenant_a: TenantKeys
) -> None:
    w = world(api, tenant_a, locale="lv", serial="DW-8")
    path = link(tenant_a, w["customer"]["id"], "extend_cover", w["warranty"]["id"])
    no_plan = api.request("POST", path, body="", headers=FORM)
    assert no_plan.status_code == 422
    assert texts.problem("plan_required", "lv") in _text(no_plan)
    unknown = api.request("POST", path, body="plan_code=gold", headers=FORM)
    assert unknown.status_code == 409
    assert texts.problem("plan_not_available", "lv") in _text(unknown)
    bad = api.request("POST", path, body="plan_code=NOT+A+CODE", headers=FORM)
    assert bad.status_code == 422
    assert texts.problem("validation_failed", "lv") in _text(bad)
    assert "string should match" not in _text(bad).lower()
    # A void registration offers nothing and takes no request.
    warranty = call(api, tenant_a, "GET", f"/v1/warranties/{w['warranty']['id']}")
    call(
        api,
        tenant_a,
        "POST",
        f"/v1/warranties/{warranty['id']}/void",
        {"reason": "Tampered", "version": warranty["version"]},
    )
    shown = body_of(api.request("GET", path))["extend_cover"]
    assert (shown["status"], shown["plans"], shown["cover_ends_on"]) == ("void", [], None)
    refused = api.request("POST", path, json_body={"plan_code": "plus3"})
    assert refused.status_code == 409
    assert body_of(refused)["code"] == "warranty_void"
    assert tickets_of(api, tenant_a, w["customer"]["id"]) == []


# --- book the visit ---------------------------------------------------------------------------


def _plan(api: Api, tenant: TenantKeys, w: dict[str, Any]) -> dict[str, Any]:
    return dict(
        call(
            api,
            tenant,
            "POST",
            "/v1/service-plans",
            {
                "customer_id": w["customer"]["id"],
                "product_id": w["product"]["id"],
                "warranty_id": w["warranty"]["id"],
                "start": (TODAY + timedelta(days=40)).isoformat(),
                "visits": 2,
            },
        )
    )


def test_book_visit_confirms_or_proposes_another_date(api: Api, tenant_a: TenantKeys) -> None:
    w = world(api, tenant_a, locale="lv", serial="DW-9")
    plan = _plan(api, tenant_a, w)
    path = link(tenant_a, w["customer"]["id"], "book_visit", plan["id"])
    first = plan["visits"][0]

    view = body_of(api.request("GET", path))["book_visit"]
    assert (view["visit_number"], view["planned_date"]) == (1, first["planned_date"])
    html = _text(api.request("GET", path, headers=HTML))
    planned = date.fromisoformat(first["planned_date"])
    assert texts.format_date(planned, "lv") in html  # dd.mm.yyyy.
    assert 'name="decision" value="propose"' in html
    assert 'type="date" name="proposed_date"' in html

    # Another date without the date: said in Latvian, nothing opened.
    missing = api.request("POST", path, body="decision=propose", headers=FORM)
    assert missing.status_code == 422
    assert texts.problem("proposed_date_required", "lv") in _text(missing)
    assert tickets_of(api, tenant_a, w["customer"]["id"]) == []

    wanted = TODAY + timedelta(days=50)
    body = urlencode({"decision": "propose", "proposed_date": wanted.isoformat(), "note": "Pēc 17"})
    done = api.request("POST", path, body=body, headers=FORM)
    assert done.status_code == 200, done.body
    assert texts.text("visit_proposed", "lv") in _text(done)
    [ticket] = tickets_of(api, tenant_a, w["customer"]["id"])
    assert ticket["type"] == "request"
    assert ticket["warranty_id"] == w["warranty"]["id"]
    assert f"service-plan:{plan['id'].lower()}" in ticket["tags"]
    description = ticket["description"]
    assert f"Vēlamais datums: {texts.format_date(wanted, 'lv')}." in description
    assert "Piezīme: Pēc 17" in description
    assert plan["id"] in description

    confirmed = api.request("POST", path, json_body={"decision": "confirm"})
    assert confirmed.status_code == 200, confirmed.body
    assert body_of(confirmed)["message"] == texts.text("visit_confirmed", "lv")


# --- proof of purchase ------------------------------------------------------------------------


def _upload(form: dict[str, Any], content: bytes, name: str = "receipt.pdf") -> str:
    """Post the file to S3 as the browser would (moto answers), return the redirect path."""
    import requests

    response = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": (name, content, "application/octet-stream")},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["Location"])
    return f"{location.path}?{location.query}"


def test_proof_of_purchase_upload_completes_the_registration(
    api: Api, tenant_a: TenantKeys
) -> None:
    w = world(api, tenant_a, serial="DW-10")
    [reminder] = call(api, tenant_a, "GET", "/v1/followups?kind=registration_reminder")["items"]
    assert reminder["status"] == "scheduled"
    path = link(tenant_a, w["customer"]["id"], "proof_of_purchase", w["warranty"]["id"])

    page = api.request("GET", path, headers=HTML)
    html = _text(page)
    assert 'enctype="multipart/form-data"' in html
    assert 'name="success_action_redirect"' in html
    assert 'type="file" name="file"' in html
    form_action = re.search(r"form-action 'self' (\S+);", page.headers["Content-Security-Policy"])
    assert form_action
    assert "<script" not in html

    form = body_of(api.request("GET", path))["proof_of_purchase"]["upload"]
    assert form["fields"]["key"].startswith(
        f"{tenant_a.tenant_id}/proof-of-purchase/{w['warranty']['id']}/"
    )
    assert urlsplit(form["url"]).netloc == form_action.group(1).split("//", 1)[1]
    back = _upload(form, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")
    assert back.startswith(path + "/receipt?")
    done = api.request("GET", back, headers=HTML)
    assert done.status_code == 200, done.body
    assert texts.text("proof_done", "lt") in _text(done)
    warranty = call(api, tenant_a, "GET", f"/v1/warranties/{w['warranty']['id']}")
    assert warranty["proof_of_purchase"] == form["fields"]["key"]
    [reminder] = call(api, tenant_a, "GET", "/v1/followups?kind=registration_reminder")["items"]
    assert (reminder["status"], reminder["reason"]) == ("cancelled", "registration_completed")
    # The browser following the redirect again changes nothing.
    again = api.request("GET", back)
    assert again.status_code == 200
    assert body_of(again)["status"] == "received"


def test_a_receipt_that_is_not_a_pdf_or_image_is_refused_and_removed(
    api: Api, tenant_a: TenantKeys
) -> None:
    import boto3

    from chalicelib.config import get_settings

    w = world(api, tenant_a, serial="DW-11")
    path = link(tenant_a, w["customer"]["id"], "proof_of_purchase", w["warranty"]["id"])
    form = body_of(api.request("GET", path))["proof_of_purchase"]["upload"]
    back = _upload(form, b"MZ\x90\x00 not a receipt", name="receipt.exe")
    refused = api.request("GET", back, headers=HTML)
    assert refused.status_code == 422
    assert texts.problem("receipt_type_not_allowed", "lt") in _text(refused)
    s3 = boto3.client("s3", region_name="eu-west-1")
    listed = s3.list_objects_v2(Bucket=get_settings().uploads_bucket, Prefix=form["fields"]["key"])
    assert listed.get("KeyCount", 0) == 0
    assert (
        call(api, tenant_a, "GET", f"/v1/warranties/{w['warranty']['id']}")["proof_of_purchase"]
        is None
    )
    # An upload from another registration's folder is not this one's.
    other = world(api, tenant_a, serial="DW-12")
    foreign = f"{tenant_a.tenant_id}/proof-of-purchase/{other['warranty']['id']}/x-receipt"
    r = api.request("GET", f"{path}/receipt?{urlencode({'key': foreign})}")
    assert r.status_code == 422
    assert body_of(r)["code"] == "receipt_missing"


# --- links that cannot be used ----------------------------------------------------------------


def test_forged_and_expired_links_get_a_localised_page(api: Api, tenant_a: TenantKeys) -> None:
    w = world(api, tenant_a, serial="DW-13")
    path = link(tenant_a, w["customer"]["id"], "extend_cover", w["warranty"]["id"])
    body, mac = path.rsplit("/", 1)[1].split(".")
    forged = path.rsplit("/", 1)[0] + "/" + body + "." + ("A" * len(mac))
    r = api.request("GET", forged, headers={**HTML, "Accept-Language": "lt"})
    assert r.status_code == 400
    assert texts.problem("invalid_action_link", "lt") in _text(r)
    assert body_of(api.request("GET", forged))["code"] == "invalid_action_link"

    old = link(
        tenant_a,
        w["customer"]["id"],
        "extend_cover",
        w["warranty"]["id"],
        now=datetime.now(UTC) - timedelta(days=31),
    )
    r = api.request("GET", old, headers={**HTML, "Accept-Language": "lv,en;q=0.5"})
    assert r.status_code == 410
    assert texts.problem("action_link_expired", "lv") in _text(r)
    posted = api.request("POST", old, body="plan_code=plus3", headers=FORM)
    assert posted.status_code == 410


@pytest.mark.parametrize("action", ["extend_cover", "proof_of_purchase", "book_visit"])
def test_another_customers_or_tenants_subject_is_not_found(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys, action: str
) -> None:
    mine = world(api, tenant_a, serial="DW-14")
    theirs = world(api, tenant_a, serial="DW-15")
    other_tenant = world(api, tenant_b, serial="DW-16")
    subject = {
        "extend_cover": lambda w: w["warranty"]["id"],
        "proof_of_purchase": lambda w: w["warranty"]["id"],
        "book_visit": lambda w: _plan(api, tenant_a if w is not other_tenant else tenant_b, w)[
            "id"
        ],
    }[action]
    for foreign in (subject(theirs), subject(other_tenant)):
        path = link(tenant_a, mine["customer"]["id"], action, foreign)
        r = api.request("GET", path)
        assert r.status_code == 404, r.body
        assert body_of(r)["code"] == "action_subject_not_found"
        page = api.request("GET", path, headers=HTML)
        assert page.status_code == 404
        assert texts.problem("action_subject_not_found", "lt") in _text(page)
        if action != "proof_of_purchase":
            posted = api.request("POST", path, json_body={"plan_code": "plus3"})
            assert posted.status_code == 404
    assert tickets_of(api, tenant_a, mine["customer"]["id"]) == []
