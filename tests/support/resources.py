"""How to make one of every resource for a tenant, through the API: the registry that generated
tests (tenant-isolation matrix, log audit, data lifecycle) use to cover every route.

**Adding a route with a new path parameter?** Register a factory for the parameter's name here
(``@factory("ticket_id")``): a function that creates the resource for the given tenant through
the API and returns the value to put in the path. Nothing else needs editing: the matrix in
``tests/integration/test_isolation_matrix.py`` picks the new route up from
``chalicelib.api.routing.OPERATIONS`` and fails, pointing here, until the factory exists.

Factories may depend on other parameters (``requires=("ticket_id",)`` for a message) and should
put ``maker.marker`` into a text field and use ``maker.email()`` for addresses, so a leak of the
resource into another tenant's responses is recognisable.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from chalicelib.api.routing import Operation


class Requester(Protocol):
    """What factories need from a client: the integration ``Api`` helper fits."""

    def request(
        self,
        method: str,
        path: str,
        *,
        key: str | None = None,
        json_body: Any = None,
        body: str | bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any: ...


@dataclass
class Maker:
    """One tenant's view while making resources: its key, its made ids, a recognisable marker."""

    api: Requester
    tenant_id: str
    admin_key: str
    widget_key: str
    marker: str
    made: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # credentials made along the way
    _counter: int = 0

    @property
    def origin(self) -> str:
        """The web origin the tenant's onboarding widget key allows."""
        return f"https://{self.marker.lower()}.example.com"

    def email(self) -> str:
        """A fresh email address that carries the tenant's marker."""
        self._counter += 1
        return f"{self.marker.lower()}.{self._counter}@example.com"

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        expect: tuple[int, ...] = (200, 201),
        headers: dict[str, str] | None = None,
    ) -> Any:
        """Call the API as this tenant's admin and return the JSON body (asserting success)."""
        response = self.api.request(
            method, path, key=self.admin_key, json_body=body, headers=headers
        )
        assert response.status_code in expect, (
            f"factory call {method} {path} → {response.status_code}: {response.body!r}"
        )
        raw = response.body
        return json.loads(raw) if raw else None


FactoryFn = Callable[[Maker], str]


@dataclass(frozen=True)
class Factory:
    """How to obtain a value for one path parameter."""

    key: str  # ``param`` or ``<path prefix>:param``; also the key of ``Maker.made``
    create: FactoryFn
    requires: tuple[str, ...] = ()
    tenant_owned: bool = True  # False: the value means the same for every tenant (a name)


FACTORIES: dict[str, Factory] = {}


def factory(
    param: str,
    *,
    under: str | None = None,
    requires: tuple[str, ...] = (),
    tenant_owned: bool = True,
) -> Callable[[FactoryFn], FactoryFn]:
    """Register the factory of path parameter ``param`` (for paths under ``under`` only, when
    two resources use the same parameter name, e.g. ``key_id`` of API keys and widget keys)."""

    def register(fn: FactoryFn) -> FactoryFn:
        key = f"{under}:{param}" if under else param
        FACTORIES[key] = Factory(key, fn, requires, tenant_owned)
        return fn

    return register


def factory_for(path: str, param: str) -> Factory | None:
    """The factory for ``param`` of ``path``: the longest matching ``under`` wins."""
    scoped = [
        f
        for key, f in FACTORIES.items()
        if ":" in key and key.rsplit(":", 1)[1] == param and path.startswith(key.rsplit(":", 1)[0])
    ]
    if scoped:
        return max(scoped, key=lambda f: len(f.key))
    return FACTORIES.get(param)


# Data that has no id of its own (settings) but must never show up in another tenant's
# responses: each seeder writes some of it for a tenant, with the marker in it.
SEEDERS: list[Callable[[Maker], None]] = []

# Bodies for operations whose smallest valid body the schema alone cannot produce, by operation
# name (the route function's name); ``"<name>[<field>]"`` is the body to use when the matrix
# sets ``<field>`` to another tenant's id (when the plain example excludes that field).
EXAMPLE_BODIES: dict[str, dict[str, Any]] = {}

# Query values for read operations with *required* query parameters, by operation name: a
# function of the reading tenant's maker (values usually name that tenant's own resources).
REQUIRED_QUERIES: dict[str, Callable[[Maker], dict[str, str]]] = {}


def missing_factory_message(param: str, op: Operation) -> str:
    """The failure text for a route whose parameter has no factory."""
    return (
        f"No resource factory for path parameter '{param}' of {op.method} {op.path}. "
        f"Register one in tests/support/resources.py: "
        f'@factory("{param}") def make_x(maker: Maker) -> str — create the resource for '
        f"maker's tenant through the API and return the id (use maker.marker / maker.email() "
        f"in its text so leaks are recognisable)."
    )


def make(maker: Maker, param: str, path: str = "") -> str:
    """The value of ``param`` (of ``path``) for maker's tenant, creating what it needs first."""
    entry = factory_for(path, param)
    if entry is None:
        raise KeyError(param)
    if entry.key in maker.made:
        return maker.made[entry.key]
    for needed in entry.requires:
        make(maker, needed)
    maker.made[entry.key] = entry.create(maker)
    return maker.made[entry.key]


def path_values(maker: Maker, op: Operation) -> dict[str, str]:
    """Every path parameter of ``op`` made for maker's tenant."""
    import re

    return {param: make(maker, param, op.path) for param in re.findall(r"{([a-z_]+)}", op.path)}


def example_body(op: Operation, using: str | None = None) -> dict[str, Any] | None:
    """A valid body for ``op`` (registered example, else the smallest the schema allows);
    ``using`` names an id field the caller is about to set."""
    from tests.support.examples import NoExample, minimal_body

    if op.body is None:
        return None
    if using and f"{op.name}[{using}]" in EXAMPLE_BODIES:
        return dict(EXAMPLE_BODIES[f"{op.name}[{using}]"])
    if op.name in EXAMPLE_BODIES:
        return dict(EXAMPLE_BODIES[op.name])
    try:
        return minimal_body(op.body)
    except NoExample as exc:
        raise AssertionError(
            f"cannot derive a valid body for {op.method} {op.path} ({exc}); add one to "
            f"EXAMPLE_BODIES['{op.name}'] in tests/support/resources.py"
        ) from exc


# --- customers -------------------------------------------------------------------------------


@factory("customer_id")
def make_customer(maker: Maker) -> str:
    """A customer with email, phone and external id (all personal data fields set)."""
    email = maker.email()
    body = {
        "name": f"{maker.marker} Customer",
        "email": email,
        "phone": "+370 600 00000",
        # Unique per customer: some generated tests make more than one customer per tenant.
        "external_id": f"{maker.marker}-ext-{email.split('@')[0].rsplit('.', 1)[1]}",
        "locale": "lt",
        "time_zone": "Europe/Vilnius",
        "marketing_consent": True,  # custom follow-ups to them are allowed
    }
    return str(maker.call("POST", "/v1/customers", body)["id"])


# --- tickets ---------------------------------------------------------------------------------

EXAMPLE_BODIES["create_ticket"] = {
    "subject": "Example",
    "description": "Example",
    "customer_email": "matrix@example.com",
}
EXAMPLE_BODIES["create_ticket[customer_id]"] = {"subject": "Example", "description": "Example"}


@factory("ticket_id", requires=("customer_id",))
def make_ticket(maker: Maker) -> str:
    """A ticket of the tenant's customer, with a public reply and an internal note."""
    body = {
        "subject": f"{maker.marker} washer leaks",
        "description": f"{maker.marker}: water under the machine",
        "customer_id": maker.made["customer_id"],
        "tags": [maker.marker.lower()],
    }
    ticket_id = str(maker.call("POST", "/v1/tickets", body)["id"])
    for visibility in ("public", "internal"):
        maker.call(
            "POST",
            f"/v1/tickets/{ticket_id}/messages",
            {"body": f"{maker.marker} {visibility} message", "visibility": visibility},
        )
    return ticket_id


@factory("attachment_id", requires=("ticket_id",))
def make_attachment(maker: Maker) -> str:
    """An announced (pending) attachment of the tenant's ticket."""
    body = {"filename": f"{maker.marker.lower()}-receipt.pdf", "content_type": "application/pdf"}
    created = maker.call(
        "POST", f"/v1/tickets/{maker.made['ticket_id']}/attachments", {**body, "size": 1024}
    )
    return str(created["attachment"]["id"])


# --- feedback --------------------------------------------------------------------------------


@factory("survey_id")
def make_survey(maker: Maker) -> str:
    """An NPS survey configuration."""
    return str(
        maker.call("POST", "/v1/surveys", {"kind": "nps", "name": f"{maker.marker} NPS"})["id"]
    )


def survey_link(maker: Maker) -> Any:
    """Fresh signed NPS survey links for maker's customer, as the follow-up worker mails them."""
    from datetime import UTC, datetime, timedelta

    from chalicelib.domain.ids import new_id
    from chalicelib.domain.survey_tokens import SurveyGrant, expiry
    from chalicelib.services.survey_links import survey_links

    customer_id = make(maker, "customer_id")
    grant = SurveyGrant(
        tenant_id=maker.tenant_id,
        followup_id=new_id(),
        customer_id=customer_id,
        survey_kind="nps",
        subject_kind="customer",
        subject_id=customer_id,
        expires_at=expiry(datetime.now(UTC), timedelta(days=30)),
        survey_id=None,
    )
    return survey_links(grant)


@factory("feedback_id", requires=("customer_id",))
def make_feedback(maker: Maker) -> str:
    """An answered survey: a signed link as the follow-up worker mails it, answered publicly."""
    from urllib.parse import urlsplit

    customer_id = maker.made["customer_id"]
    page = urlsplit(survey_link(maker).page_url).path
    answered = maker.api.request(
        "POST", page, json_body={"score": 9, "comment": f"{maker.marker} loved it"}
    )
    assert answered.status_code == 200, answered.body
    listed = maker.call("GET", f"/v1/feedback?customer_id={customer_id}")
    return str(listed["items"][0]["id"])


# --- warranties and service ------------------------------------------------------------------


@factory("product_id")
def make_product(maker: Maker) -> str:
    """A product with warranty terms, an extended plan and a maintenance interval."""
    body = {
        "sku": f"{maker.marker}-WM-{maker.email().split('@')[0].rsplit('.', 1)[1]}",  # unique
        "name": f"{maker.marker} washing machine",
        "category": "laundry",
        "warranty": {"months": 24, "covers": ["parts", "labour"]},
        "extended_plans": [
            {"code": "plus1", "name": "Plus", "months": 12, "price": "49.00", "currency": "EUR"}
        ],
        "maintenance_interval_months": 12,
    }
    return str(maker.call("POST", "/v1/products", body)["id"])


def next_serial(maker: Maker) -> str:
    """A serial number not registered yet for the tenant: ``<marker>-SN-1`` first, then 2..."""
    maker.extra["serials"] = maker.extra.get("serials", 0) + 1
    return f"{maker.marker}-SN-{maker.extra['serials']}"


@factory("warranty_id", requires=("product_id", "customer_id"))
def make_warranty(maker: Maker) -> str:
    """A registration of the tenant's product by its customer, bought a month ago."""
    from datetime import UTC, datetime, timedelta

    body = {
        "product_id": maker.made["product_id"],
        "customer_id": maker.made["customer_id"],
        "serial_number": next_serial(maker),
        "purchase_date": (datetime.now(UTC).date() - timedelta(days=30)).isoformat(),
        "retailer": f"{maker.marker} shop",
    }
    return str(maker.call("POST", "/v1/warranties", body)["id"])


@factory("claim_id", requires=("warranty_id",))
def make_claim(maker: Maker) -> str:
    """A claim on the tenant's registration (opens a linked ticket)."""
    body = {"description": f"{maker.marker}: drum does not spin"}
    created = maker.call("POST", f"/v1/warranties/{maker.made['warranty_id']}/claims", body)
    return str(created["id"])


@factory("centre_id")
def make_centre(maker: Maker) -> str:
    """An authorised service centre."""
    body = {
        "name": f"{maker.marker} service",
        "address": "Gedimino pr. 1, Vilnius",
        "country": "LT",
        "categories": ["laundry"],
        "email": maker.email(),
    }
    return str(maker.call("POST", "/v1/service-centres", body)["id"])


@factory("service_centre_id", requires=("centre_id",))
def make_centre_reference(maker: Maker) -> str:
    """The centre, as bodies and filters name it."""
    return maker.made["centre_id"]


@factory("plan_id", requires=("warranty_id", "centre_id"))
def make_service_plan(maker: Maker) -> str:
    """A yearly maintenance plan of the registration at the (authorised) centre."""
    body = {
        "customer_id": maker.made["customer_id"],
        "product_id": maker.made["product_id"],
        "warranty_id": maker.made["warranty_id"],
        "start": "2027-03-01",
        "visits": 3,
        "service_centre_id": maker.made["centre_id"],
        "visit_price": "80.00",
        "currency": "EUR",
        "notes": f"{maker.marker} plan",
    }
    return str(maker.call("POST", "/v1/service-plans", body)["id"])


@factory("service_plan_id", requires=("plan_id",))
def make_plan_reference(maker: Maker) -> str:
    """The plan, as bodies name it."""
    return maker.made["plan_id"]


@factory("number", under="/v1/service-plans", tenant_owned=False)
def make_visit_number(maker: Maker) -> str:
    """A visit number of a plan (the same for every tenant)."""
    return "3"


@factory("appointment_id", requires=("plan_id",))
def make_appointment(maker: Maker) -> str:
    """The plan's first visit, booked with a technician."""
    body = {
        "starts_at": "2027-03-01T08:00:00Z",
        "ends_at": "2027-03-01T10:00:00Z",
        "technician": f"{maker.marker} tech",
        "notes": f"{maker.marker} visit",
    }
    created = maker.call(
        "POST", f"/v1/service-plans/{maker.made['plan_id']}/visits/1/appointment", body
    )
    return str(created["id"])


WINDOW = {"starts_at": "2027-03-02T08:00:00Z", "ends_at": "2027-03-02T10:00:00Z"}
EXAMPLE_BODIES["book_visit"] = dict(WINDOW)
EXAMPLE_BODIES["create_appointment"] = {
    "kind": "repair",
    "customer_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
    **WINDOW,
}
EXAMPLE_BODIES["transition_appointment"] = {"status": "cancelled", "cancel_reason": "Example"}
EXAMPLE_BODIES["purchase_plan"] = {"plan_code": "plus1"}
EXAMPLE_BODIES["transition_claim"] = {"status": "approved"}


def _own_serial(maker: Maker) -> dict[str, str]:
    make(maker, "warranty_id")
    return {"serial": f"{maker.marker}-SN-1"}


def _centre_for_own_product(maker: Maker) -> dict[str, str]:
    make(maker, "centre_id")  # serves every product of the tenant in its country
    return {"product_id": make(maker, "product_id"), "country": "LT"}


REQUIRED_QUERIES["coverage_by_serial"] = _own_serial
REQUIRED_QUERIES["route_centre"] = _centre_for_own_product


# --- follow-ups and webhooks ----------------------------------------------------------------


@factory("followup_id", requires=("customer_id",))
def make_followup(maker: Maker) -> str:
    """A custom follow-up to the tenant's customer, due tomorrow."""
    from datetime import UTC, datetime, timedelta

    body = {
        "customer_id": maker.made["customer_id"],
        "due_at": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
        "subject": f"{maker.marker} reminder",
        "message": f"{maker.marker}: time to change the filter.",
    }
    return str(maker.call("POST", "/v1/followups", body)["id"])


@factory("webhook_id")
def make_webhook(maker: Maker) -> str:
    """A webhook endpoint of the tenant (its secret kept in ``maker.extra``)."""
    body = {
        "url": f"https://{maker.marker.lower()}.example.com/hooks",
        "description": f"{maker.marker} CRM",
    }
    created = maker.call("POST", "/v1/webhooks", body)
    maker.extra[f"webhook:{created['id']}"] = created["secret"]
    return str(created["id"])


_SOME_ID = "01J0000000000000000000000Z"
EXAMPLE_BODIES["create_followup"] = {
    "customer_id": _SOME_ID,
    "due_at": "2031-01-15T10:00:00Z",
    "message": "Time to change the filter.",
}
EXAMPLE_BODIES["create_followup[webhook_id]"] = {
    "customer_id": _SOME_ID,
    "due_at": "2031-01-15T10:00:00Z",
    "channel": "webhook",
    "webhook_id": _SOME_ID,
}


# --- tenants: API keys and settings ----------------------------------------------------------


@factory("key_id")
def make_api_key(maker: Maker) -> str:
    """A second, read-only API key."""
    body = {"name": f"{maker.marker} key", "scopes": ["customers:read"]}
    return str(maker.call("POST", "/v1/api-keys", body)["id"])


@factory("key_id", under="/v1/widget-keys")
def make_widget_key(maker: Maker) -> str:
    """A second publishable widget key."""
    body = {"name": f"{maker.marker} site", "allowed_origins": [maker.origin]}
    return str(maker.call("POST", "/v1/widget-keys", body)["id"])


@factory("kid")
def make_widget_secret(maker: Maker) -> str:
    """An identity-signing secret (kept in ``maker.extra`` to sign widget identities)."""
    created = maker.call("POST", "/v1/widget-secrets", {"name": f"{maker.marker} signer"})
    maker.extra[f"secret:{created['kid']}"] = created["secret"]
    return str(created["kid"])


@factory("ticket_id", under="/widget/v1/tickets")
def make_widget_ticket(maker: Maker) -> str:
    """A ticket opened through the widget by the tenant's signed-in widget customer."""
    body = {"subject": f"{maker.marker} via widget", "message": f"{maker.marker} widget text"}
    response = maker.api.request(
        "POST", "/widget/v1/tickets", json_body=body, headers=widget_credentials(maker)
    )
    assert response.status_code == 201, response.body
    return str(json.loads(response.body)["ticket"]["id"])


def seed_settings(maker: Maker) -> None:
    """Change the general settings so they carry the tenant's marker."""
    maker.call("PUT", "/v1/settings/general", {"support_email": maker.email()})


SEEDERS.append(seed_settings)


# --- credentials per auth kind -----------------------------------------------------------------


# How a tenant authenticates on routes of each tenant-scoped auth kind (``Operation.auth``).
# Auth kinds listed in NON_TENANT_AUTH serve no tenant data by a tenant credential.
def widget_credentials(maker: Maker) -> dict[str, str]:
    """The tenant's widget key from its allowed origin, with a signed-in customer's token."""
    import time

    import jwt

    kid = make(maker, "kid")
    secret = maker.extra[f"secret:{kid}"]
    now = int(time.time())
    claims = {
        "sub": f"{maker.marker.lower()}-customer",
        "email": f"{maker.marker.lower()}.widget@example.com",
        "name": f"{maker.marker} Widget",
        "iat": now,
        "exp": now + 600,
    }
    token = jwt.encode(claims, secret, algorithm="HS256", headers={"kid": kid})
    return {
        "X-Widget-Key": maker.widget_key,
        "Origin": maker.origin,
        "Authorization": f"Bearer {token}",
    }


CREDENTIALS: dict[str, Callable[[Maker], dict[str, str]]] = {
    "secret": lambda maker: {"Authorization": f"Bearer {maker.admin_key}"},
    "widget": widget_credentials,
}
NON_TENANT_AUTH = frozenset({"none", "platform"})


# --- concurrent writers ----------------------------------------------------------------------

# For conditional operations (``If-Match``) whose smallest valid body changes nothing (a partial
# update with no fields), what writer ``w``'s ``n``-th write sends, by operation name. The
# concurrency test (tests/integration/test_concurrency.py) runs every conditional operation.
CONCURRENT_CHANGES: dict[str, Callable[[int, int], dict[str, Any]]] = {
    "update_customer": lambda w, n: {"name": f"Writer {w}.{n}"},
    "update_ticket": lambda w, n: {"subject": f"Writer {w}.{n}"},
    "update_widget_key": lambda w, n: {"name": f"Writer {w}.{n}"},
    "update_survey": lambda w, n: {"name": f"Writer {w}.{n}"},
    "update_product": lambda w, n: {"name": f"Writer {w}.{n}"},
    "update_warranty": lambda w, n: {"retailer": f"Writer {w}.{n}"},
    "update_centre": lambda w, n: {"name": f"Writer {w}.{n}"},
    "update_service_plan": lambda w, n: {"notes": f"Writer {w}.{n}"},
    "update_appointment": lambda w, n: {"notes": f"Writer {w}.{n}"},
    "update_webhook": lambda w, n: {"description": f"Writer {w}.{n}"},
}
