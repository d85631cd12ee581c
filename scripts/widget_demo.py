"""The widget demo site of the local stack: the reference script and a page that embeds it.

Served on its own origin (``http://127.0.0.1:$WIDGET_PORT``, default API port + 2) so the page
calls the API cross-origin, exactly as a tenant's website would. By default it embeds the demo
tenant's key; ``/?key=<publishable key>`` embeds any tenant's (whose key must allow this page's
origin, see docs/widget.md). For the demo tenant it also plays the tenant's server for
signed-in customers: ``/demo/identity-token`` signs a short-lived identity JWT with the demo
tenant's widget secret (the server-side half of docs/widget.md).
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

WIDGET_DIR = Path(__file__).resolve().parent.parent / "widget"
DEMO_CUSTOMER = {"sub": "demo-ona", "email": "ona@example.lt", "name": "Ona Petraitė"}


@dataclass(frozen=True)
class DemoSite:
    """What the demo page needs to know."""

    host: str
    port: int
    api: str
    outbox: str
    tenant_name: str
    widget_key: str
    kid: str
    secret: str

    @property
    def url(self) -> str:
        """The demo page's address."""
        return f"http://{self.host}:{self.port}/"


def origins(host: str, port: int) -> list[str]:
    """The origins the demo site is reachable on (both go on the demo key's allow-list)."""
    return [f"http://{host}:{port}", f"http://localhost:{port}"]


def seed(tenant_id: str, page_url: str) -> tuple[str, str]:
    """Give the demo tenant an identity secret and point follow-up links at the demo page."""
    from chalicelib import context
    from chalicelib.schemas.widget import WidgetSecretCreate, WidgetSettings
    from chalicelib.services import settings, widget_secrets

    with context.serving_tenant(tenant_id):
        secret = widget_secrets.create_secret(tenant_id, WidgetSecretCreate(name="Demo site"))
        settings.put_section(tenant_id, "widget", WidgetSettings(page_url=page_url), None)
    return secret.kid, secret.secret


def seed_products(tenant_id: str) -> None:
    """A demo product, Ona's registration of serial DW-1001 (for the warranty check), an
    authorised service centre and a yearly maintenance plan with its first visit booked."""
    from datetime import UTC, date, datetime, time, timedelta

    from chalicelib import context
    from chalicelib.schemas.service import CentreCreate, ServicePlanCreate, VisitBooking
    from chalicelib.schemas.warranties import (
        ExtendedPlanOffer,
        ProductCreate,
        WarrantyCreate,
        WarrantyTerms,
    )
    from chalicelib.services import (
        appointments,
        customers,
        products,
        service_centres,
        service_plans,
        warranties,
    )

    with context.serving_tenant(tenant_id):
        product = products.create_product(
            tenant_id,
            ProductCreate(
                sku="DW-100",
                name="Dishwasher DW-100",
                category="kitchen",
                warranty=WarrantyTerms(months=24, covers=["parts", "labour"]),
                extended_plans=[
                    ExtendedPlanOffer(
                        code="plus1", name="Plus 1 year", months=12, price="49.00", currency="EUR"
                    )
                ],
                maintenance_interval_months=12,
            ),
        )
        ona = customers.find_or_create_customer(
            tenant_id, email=DEMO_CUSTOMER["email"], name=DEMO_CUSTOMER["name"]
        )
        registration = warranties.register(
            tenant_id,
            WarrantyCreate(
                product_id=product.id,
                serial_number="DW-1001",
                customer_id=ona.id,
                purchase_date=date.today() - timedelta(days=90),
            ),
        )
        centre = service_centres.create_centre(
            tenant_id,
            CentreCreate(
                name="Vilnius Appliance Service",
                address="Gedimino pr. 1, Vilnius",
                country="LT",
                regions=["Vilnius"],
                categories=["kitchen"],
                maintenance_discount_percent=10,
            ),
        )
        plan = service_plans.create_plan(
            tenant_id,
            ServicePlanCreate(
                customer_id=ona.id,
                product_id=product.id,
                warranty_id=registration.id,
                start=date.today() + timedelta(days=30),
                visits=3,
                service_centre_id=centre.id,
                visit_price="60.00",
                currency="EUR",
            ),
        )
        first = plan.visits[0].planned_date
        appointments.book_plan_visit(
            tenant_id,
            plan.id,
            1,
            VisitBooking(
                starts_at=datetime.combine(first, time(9), UTC),
                ends_at=datetime.combine(first, time(11), UTC),
                technician="Jonas",
            ),
        )


def identity_token(site: DemoSite) -> str:
    """What the tenant's server does for a signed-in customer (see docs/widget.md)."""
    import jwt

    now = int(time.time())
    claims = {**DEMO_CUSTOMER, "iat": now, "exp": now + 600}
    return jwt.encode(claims, site.secret, algorithm="HS256", headers={"kid": site.kid})


# A publishable key as platform onboarding and /v1/widget-keys issue it (checked before it is
# echoed into the page; the API decides whether it is valid).
_PUBLISHABLE_KEY = re.compile(r"^pk_[A-Za-z0-9_-]{10,200}$")


def chosen_key(site: DemoSite, query: str) -> str | None:
    """The publishable key ``?key=`` names, if well-formed (None: the demo tenant's)."""
    values = parse_qs(query).get("key") or []
    key = values[0].strip() if values else ""
    return key if _PUBLISHABLE_KEY.match(key) and key != site.widget_key else None


def render_page(site: DemoSite, key: str | None = None) -> bytes:
    """The demo page with a publishable key and the API's address filled in.

    ``key`` None embeds the demo tenant's key (sign-in offered); another tenant's key embeds
    that tenant's widget, anonymous only: this page cannot sign identities with its secret.
    """
    text = (WIDGET_DIR / "demo.html").read_text(encoding="utf-8")
    origin = f"http://{site.host}:{site.port}"
    values = {
        "TENANT_NAME": site.tenant_name if key is None else "Your tenant",
        "DEMO_CUSTOMER": DEMO_CUSTOMER["name"],
        "WIDGET_JS": f"{origin}/aftersales-widget.js",
        "WIDGET_KEY": key or site.widget_key,
        "API": site.api,
        "OUTBOX": site.outbox,
        "ORIGIN": origin,
        "SIGN_IN_HIDDEN": "" if key is None else "hidden",
    }
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", html.escape(value))
    return text.encode()


def handler(site: DemoSite) -> type[BaseHTTPRequestHandler]:
    """The request handler class of the demo site."""

    class DemoHandler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def _send(self, status: int, content_type: str, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if path in ("/", "/index.html"):
                page = render_page(site, chosen_key(site, query))
                self._send(200, "text/html; charset=utf-8", page)
            elif path == "/aftersales-widget.js":
                script = (WIDGET_DIR / "aftersales-widget.js").read_bytes()
                self._send(200, "text/javascript; charset=utf-8", script)
            elif path == "/demo/identity-token":
                self._send(200, "text/plain; charset=utf-8", identity_token(site).encode())
            else:
                self._send(404, "text/plain; charset=utf-8", b"not found")

    return DemoHandler


def serve(site: DemoSite) -> ThreadingHTTPServer:
    """Bind the demo site (the caller runs ``serve_forever`` on a thread)."""
    return ThreadingHTTPServer((site.host, site.port), handler(site))
