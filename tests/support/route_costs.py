"""Drive every catalogued route once, as a tenant that has data, and count its DynamoDB cost.

Used by the budget test (``tests/integration/test_route_budgets.py``) and by ``make bench``
(the per-route table of ``docs/benchmarks.md``), so the table and the assertions are the same
measurement against the same budgets (``tests/support/route_budgets.py``).

How each route is driven:

- the tenant is onboarded through the platform API and gets one of every resource from the
  factories of ``tests/support/resources.py`` (the same ones the isolation matrix uses);
- reads (GET, CORS preflights) run first, on those shared resources;
- writes run on resources made fresh for them (a DELETE must not remove what a later route
  reads), with a valid body, a fresh ``Idempotency-Key`` and the current version as ``If-Match``;
- platform writes run on tenants onboarded for the purpose;
- before each measured request one unmeasured request with the same credential warms the
  per-container authentication cache, so the figures are those of a warm container (the
  first request of a container adds the key lookup, see the note in the report).

Every measured request must succeed: a budget is the cost of doing the work, not of refusing.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.api.route_catalog import ROUTES
from chalicelib.api.routing import Operation, all_operations
from tests.support.dynamo_calls import recording
from tests.support.resources import (
    CONCURRENT_CHANGES,
    CREDENTIALS,
    REQUIRED_QUERIES,
    Maker,
    Requester,
    example_body,
    factory_for,
    make,
    next_serial,
    survey_link,
)
from tests.support.world import PLATFORM_KEY, onboard, path_params

_sequence = itertools.count(1)


@dataclass(frozen=True)
class Measured:
    """What one request of a route cost."""

    route: str  # "METHOD /path"
    status: int
    calls: tuple[str, ...]
    items_read: int
    items_written: int


@dataclass
class Request:
    """One request to make."""

    path: str
    headers: dict[str, str]
    body: Any = None


def route_key(method: str, path: str) -> str:
    """The key of a route in the budget table."""
    return f"{method} {path}"


def catalogued_routes() -> list[str]:
    """Every route of the generated catalog, as budget keys."""
    return [route_key(method, path) for _, path, method, _ in ROUTES]


# --- bodies and queries a schema alone cannot give -------------------------------------------


def warranty_body(maker: Maker) -> dict[str, Any]:
    """A registration of the tenant's product for its customer, with a new serial number."""
    from datetime import UTC, datetime, timedelta

    return {
        "product_id": make(maker, "product_id"),
        "customer_id": make(maker, "customer_id"),
        "serial_number": next_serial(maker),
        "purchase_date": (datetime.now(UTC).date() - timedelta(days=30)).isoformat(),
        "retailer": f"{maker.marker} shop",
    }


BodyFn = Callable[[Maker], dict[str, Any]]

BODIES: dict[str, BodyFn] = {
    "create_customer": lambda m: {"name": f"{m.marker} New", "email": m.email()},
    "create_ticket": lambda m: {
        "subject": "Dryer stopped",
        "description": "It stops after a minute",
        "customer_id": make(m, "customer_id"),
    },
    "add_message": lambda m: {"body": "We are on it", "visibility": "public"},
    "add_optout": lambda m: {"customer_id": make(m, "customer_id")},
    "create_product": lambda m: {
        "sku": f"{m.marker}-NEW-{next(_sequence)}",
        "name": "Dryer",
        "category": "laundry",
        "warranty": {"months": 24, "covers": ["parts"]},
    },
    "update_product": lambda m: {"name": "Washing machine, rev. B"},
    "register_warranty": warranty_body,
    "update_warranty": lambda m: {"retailer": "Another shop"},
    "submit_claim": lambda m: {"description": "Door seal leaks"},
    "create_centre": lambda m: {
        "name": "Kaunas service",
        "address": "Laisvės al. 1, Kaunas",
        "country": "LT",
        "regions": ["Kaunas"],
    },
    "update_centre": lambda m: {"regions": ["Vilnius", "Trakai"]},
    "create_survey": lambda m: {"kind": "ces", "name": f"{m.marker} effort"},
    "update_survey": lambda m: {"name": f"{m.marker} NPS (renamed)"},
    "create_widget_key": lambda m: {"name": "Second site", "allowed_origins": [m.origin]},
    "update_widget_key": lambda m: {"name": "Renamed site"},
    "widget_open_ticket": lambda m: {"subject": "Noise", "message": "Loud when spinning"},
    "widget_reply": lambda m: {"message": "Still loud"},
    "widget_register_product": lambda m: {
        **{k: v for k, v in warranty_body(m).items() if k not in ("customer_id", "retailer")},
    },
    "widget_check_coverage": lambda m: {
        "serial_number": m.extra["serial"],
        "email": m.extra["customer_email"],
    },
    "answer_survey": lambda m: {"score": 9, "comment": "Quick and friendly"},
    "submit_action": lambda m: {"plan_code": "plus1"},
    "create_appointment": lambda m: {
        "kind": "repair",
        "customer_id": make(m, "customer_id"),
        "starts_at": "2027-03-02T08:00:00Z",
        "ends_at": "2027-03-02T10:00:00Z",
    },
    "create_followup": lambda m: {
        "customer_id": make(m, "customer_id"),
        "due_at": "2031-01-15T10:00:00Z",
        "message": "Time to change the filter.",
    },
    "create_service_plan": lambda m: {
        "customer_id": make(m, "customer_id"),
        "product_id": make(m, "product_id"),
        # a registration has one active plan: a new one for this plan
        "warranty_id": str(m.call("POST", "/v1/warranties", warranty_body(m))["id"]),
        "start": "2027-03-01",
        "visits": 3,
        "service_centre_id": make(m, "centre_id"),
        "visit_price": "80.00",
        "currency": "EUR",
    },
    "create_webhook": lambda m: {"url": f"https://{m.marker.lower()}.example.com/new-hook"},
    "create_tenant": lambda m: {"name": "Onboarded Co"},
    "suspend_tenant": lambda m: {"reason": "Unpaid invoice"},
}

QueryFn = Callable[[Maker], dict[str, str]]

QUERIES: dict[str, QueryFn] = {}


# What must be true before a route can do its work (done unmeasured), by operation name.
PREPARE: dict[str, Callable[[Maker, dict[str, str]], None]] = {
    "remove_optout": lambda m, v: m.call(
        "POST", "/v1/survey-opt-outs", {"customer_id": v["customer_id"]}
    ),
}


def _body(op: Operation, maker: Maker) -> Any:
    if op.name in BODIES:
        return BODIES[op.name](maker)
    if op.name in CONCURRENT_CHANGES:
        return CONCURRENT_CHANGES[op.name](0, next(_sequence))
    return example_body(op)


def _query(op: Operation, maker: Maker, page: dict[str, str] | None = None) -> str:
    from urllib.parse import urlencode

    values = REQUIRED_QUERIES[op.name](maker) if op.name in REQUIRED_QUERIES else {}
    if page and op.query is not None and "limit" in op.query.model_fields:
        values.update(page)
    if op.name in QUERIES:
        values.update(QUERIES[op.name](maker))
    return f"?{urlencode(values)}" if values else ""


def _receipt_query(values: dict[str, str], maker: Maker) -> str:
    """The query S3 appends to the receipt redirect, for a receipt uploaded beforehand."""
    from urllib.parse import urlencode

    return "?" + urlencode({"key": uploaded_receipt(maker, values["token"])})


# --- the tenant with data ----------------------------------------------------------------------


def survey_token(maker: Maker) -> str:
    """A fresh signed survey link token for the tenant's customer (as the follow-up mails it)."""
    return str(survey_link(maker).token)


def action_link_token(maker: Maker, op: Operation) -> str:
    """A signed action link token for the tenant's customer and registration, as a reminder
    email carries it: proof of purchase for the receipt route, else extend the cover."""
    from datetime import UTC, datetime

    from chalicelib.services.action_links import action_token

    warranty = maker.call("GET", f"/v1/warranties/{make(maker, 'warranty_id')}")
    action = "proof_of_purchase" if op.path.endswith("/receipt") else "extend_cover"
    return action_token(
        maker.tenant_id, warranty["customer_id"], action, warranty["id"], datetime.now(UTC)
    )


def uploaded_receipt(maker: Maker, token: str) -> str:
    """A PDF receipt uploaded as the proof-of-purchase form does (S3 POST), its object key."""
    import requests

    shown = maker.api.request("GET", f"/widget/v1/actions/{token}")
    form = json.loads(shown.body)["proof_of_purchase"]["upload"]
    files = {"file": ("receipt.pdf", b"%PDF-1.4 receipt", "application/pdf")}
    posted = requests.post(
        form["url"], data=form["fields"], files=files, allow_redirects=False, timeout=10
    )
    assert posted.status_code == 303, posted.text
    return str(form["fields"]["key"])


def unsubscribe_link_token(maker: Maker) -> str:
    """A signed unsubscribe-from-surveys token for the tenant's customer, as a follow-up
    email's unsubscribe link carries it."""
    from chalicelib.domain.ids import new_id
    from chalicelib.services.unsubscribe import unsubscribe_token

    return unsubscribe_token(maker.tenant_id, make(maker, "customer_id"), "surveys", new_id())


def _uploaded_attachment(maker: Maker) -> str:
    """An attachment announced and uploaded (so it can be confirmed)."""
    from chalicelib.config import get_settings
    from chalicelib.store.clients import aws_client

    ticket_id = make(maker, "ticket_id")
    created = maker.call(
        "POST",
        f"/v1/tickets/{ticket_id}/attachments",
        {"filename": "receipt.pdf", "content_type": "application/pdf", "size": 11},
    )
    fields = created["upload"]["fields"]
    aws_client("s3").put_object(
        Bucket=get_settings().attachments_bucket,
        Key=fields["key"],
        Body=b"%PDF-1.7 ok",
        ContentType="application/pdf",
    )
    return str(created["attachment"]["id"])


def tenant_with_data(api: Requester, name: str = "Costs Co", marker: str = "COSTMARK") -> Maker:
    """Onboard a tenant and make one of every resource (plus what the scenarios read)."""
    maker = onboard(api, name, marker)
    for op in all_operations():
        for param in path_params(op):
            if factory_for(op.path, param) is not None:
                make(maker, param, op.path)
    from tests.support.resources import SEEDERS

    for seed in SEEDERS:
        seed(maker)
    warranty = maker.call("GET", f"/v1/warranties/{make(maker, 'warranty_id')}")
    customer = maker.call("GET", f"/v1/customers/{warranty['customer_id']}")
    maker.extra["serial"] = warranty["serial_number"]
    maker.extra["customer_email"] = customer["email"]
    # An answered survey, so feedback lists and the feedback report have something to read.
    token = survey_token(maker)
    answered = api.request(
        "POST", f"/widget/v1/feedback/{token}", json_body={"score": 10, "comment": "Great"}
    )
    assert answered.status_code == 200, answered.body
    return maker


# --- requests ----------------------------------------------------------------------------------


# A fresh resource that uses up something of what it requires gets that made fresh too: an
# appointment books its plan's first visit, which a plan offers once; a registration has one
# active service plan.
CONSUMES: dict[str, tuple[str, ...]] = {
    "appointment_id": ("plan_id", "service_plan_id", "warranty_id"),
    "plan_id": ("service_plan_id", "warranty_id"),
}


def _fresh(maker: Maker, op: Operation | None) -> Maker:
    """A view of the tenant that makes new resources for ``op``'s path instead of reusing the
    shared ones (what they depend on, e.g. a claim's warranty, is shared unless in the path)."""
    made = dict(maker.made)
    for param in path_params(op) if op else []:
        found = factory_for(op.path, param) if op else None
        if found is not None:
            made.pop(found.key, None)
            for key in CONSUMES.get(found.key, ()):
                made.pop(key, None)
    return dataclasses.replace(maker, made=made)


def _current_version(maker: Maker, op: Operation, path: str) -> str | None:
    """The ETag of the resource a conditional write changes (its nearest ``/{id}`` path, or
    the path itself for singletons such as settings sections)."""
    resource = path
    segments = op.path.split("/")
    while "{" in op.path and not segments[-1].startswith("{"):
        segments.pop()
        resource = resource.rsplit("/", 1)[0]
    response = maker.api.request("GET", resource, key=maker.admin_key)
    assert response.status_code == 200, f"GET {resource}: {response.body!r}"
    etag = response.headers.get("ETag") or response.headers.get("etag")
    version = re.sub(r"\D", "", etag) if etag else str(json.loads(response.body)["version"])
    return None if int(version) == 0 else f'"{version}"'  # 0: never written, nothing to match


def _fill(path: str, values: dict[str, str]) -> str:
    from urllib.parse import quote

    for param, value in values.items():
        path = path.replace("{" + param + "}", quote(value, safe=""))
    return path


def _platform_target(api: Requester, op: Operation, main: Maker) -> str:
    """The tenant a platform route acts on: the main tenant for reads, a new one for writes."""
    if op.method == "GET":
        return main.tenant_id
    target = onboard(api, f"Target {op.name}", f"T{next(_sequence)}MARK")
    if op.name == "reactivate_tenant":
        suspended = api.request(
            "POST",
            f"/platform/tenants/{target.tenant_id}/suspend",
            headers={"Authorization": f"Bearer {PLATFORM_KEY}"},
            json_body={"reason": "Unpaid invoice"},
        )
        assert suspended.status_code == 200, suspended.body
    return target.tenant_id


def _values(op: Operation, maker: Maker, api: Requester, main: Maker) -> dict[str, str]:
    values: dict[str, str] = {}
    for param in path_params(op):
        if param == "token" and op.path.startswith("/widget/v1/unsubscribe/"):
            values[param] = unsubscribe_link_token(maker)
        elif param == "token" and op.path.startswith("/widget/v1/actions/"):
            values[param] = action_link_token(maker, op)
        elif param == "token":
            values[param] = survey_token(maker)
        elif param == "tenant_id":
            values[param] = _platform_target(api, op, main)
        elif param == "survey_id" and op.method != "GET":
            # One survey per kind may be active: the shared one is, so writes get an inactive one.
            created = maker.call(
                "POST", "/v1/surveys", {"kind": "csat", "name": "CSAT draft", "active": False}
            )
            values[param] = str(created["id"])
        elif param == "attachment_id" and op.name == "confirm_attachment":
            values[param] = _uploaded_attachment(maker)
        else:
            values[param] = make(maker, param, op.path)
    return values


def build_request(
    api: Requester,
    method: str,
    path: str,
    op: Operation | None,
    main: Maker,
    *,
    page: dict[str, str] | None = None,
) -> tuple[Request, Maker]:
    """The request that exercises route ``method path``, and the tenant view it used."""
    maker = main if method in ("GET", "OPTIONS") else _fresh(main, op)
    if op is None:  # a CORS preflight of a widget path
        target = next(o for o in all_operations() if o.path == path)
        values = _values(target, maker, api, main)
        preflight = {"Origin": maker.origin, "Access-Control-Request-Method": target.method}
        return Request(_fill(path, values), preflight), maker
    values = _values(op, maker, api, main)
    if op.name in PREPARE:
        PREPARE[op.name](maker, values)
    filled = _fill(path, values)
    headers: dict[str, str] = {}
    if op.auth == "platform":
        headers["Authorization"] = f"Bearer {PLATFORM_KEY}"
    elif op.auth in CREDENTIALS:
        headers.update(CREDENTIALS[op.auth](maker))
    if op.idempotent:
        headers["Idempotency-Key"] = f"costs-{op.name}-{next(_sequence)}"
    version = _current_version(maker, op, filled) if op.conditional else None
    if version:
        headers["If-Match"] = version
    body = _body(op, maker) if op.body is not None else None
    if op.name == "receive_receipt":
        return Request(filled + _receipt_query(values, maker), headers, body), maker
    return Request(filled + (_query(op, maker, page) if op.query else ""), headers, body), maker


def _warm(api: Requester, op: Operation | None, request: Request) -> None:
    """One unmeasured request with the same credential (a warm container's caches)."""
    if op is None:  # preflights: the allowed-origins cache
        api.request("OPTIONS", "/widget/v1/config", headers=request.headers)
        return
    if op.auth in ("none", "platform"):
        return
    path = "/v1/settings/general" if op.auth == "secret" else "/widget/v1/config"
    headers = {k: v for k, v in request.headers.items() if k in ("Authorization", "X-Widget-Key")}
    if op.auth == "widget":
        headers["Origin"] = request.headers["Origin"]
    response = api.request("GET", path, headers=headers)
    assert response.status_code == 200, f"warm-up {path}: {response.body!r}"


def _order(key: str) -> tuple[int, str]:
    method, path = key.split(" ", 1)
    if method in ("GET", "OPTIONS"):
        return (0, key)
    return (2 if path.startswith("/platform/") else 1, key)


def measure_routes(
    api: Requester,
    only: set[str] | None = None,
    main: Maker | None = None,
    page: dict[str, str] | None = None,
) -> dict[str, Measured]:
    """Drive every catalogued route (or those in ``only``) once and record what it cost
    (``page``: query values such as ``limit`` for the routes that page)."""
    operations = {route_key(op.method, op.path): op for op in all_operations()}
    main = main or tenant_with_data(api)
    measured: dict[str, Measured] = {}
    for key in sorted(catalogued_routes(), key=_order):
        if only is not None and key not in only:
            continue
        method, path = key.split(" ", 1)
        op = operations.get(key)
        request, maker = build_request(api, method, path, op, main, page=page)
        _warm(api, op, request)
        with recording() as log:
            response = api.request(
                method, request.path, json_body=request.body, headers=request.headers
            )
        main._counter = max(main._counter, maker._counter)
        assert response.status_code < 400, (
            f"{key} as {request.path}: {response.status_code} {response.body!r}"
        )
        measured[key] = Measured(
            key, response.status_code, tuple(log.calls), log.items_read, log.items_written
        )
    return measured


def explain(route: str) -> str:
    """The path parameters of a route, for messages."""
    return ", ".join(re.findall(r"{([a-z_]+)}", route)) or "none"
