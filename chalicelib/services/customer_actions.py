"""Customer action pages: what a reminder link lets its customer see and do.

A signed action link (``services/action_links.py``) names one tenant, customer, action and
subject. Its page shows the subject in the customer's language:

- ``extend_cover``: the registration's product, end of cover and the product's extended plans
  that can still be bought today (the warranty rules decide: ``domain/coverage.plan_period``);
  choosing one opens a *request* ticket linked to the registration for the tenant to act on
  (a plan is sold by the tenant, who takes the payment; the page never buys one itself).
- ``book_visit``: the service plan's next visit and its planned date; the customer confirms it
  or asks for another date (with a note): a *request* ticket linked to the plan's registration
  and product, tagged with the plan.
- ``proof_of_purchase``: an upload form (S3 presigned POST, no JavaScript) whose redirect lands
  on :func:`receive_receipt`, which checks the file and attaches it to the registration through
  the warranty update path (the registration reminder is then cancelled).

The tenant comes from the verified token only. A subject that does not exist, or that belongs
to another customer, is a 404 (``action_subject_not_found``), like another tenant's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from chalicelib import context
from chalicelib.config import get_settings
from chalicelib.domain import clock
from chalicelib.domain import coverage as rules
from chalicelib.domain.actors import customer as customer_actor
from chalicelib.domain.errors import Conflict, DomainError, Gone, Invalid, NotFound
from chalicelib.i18n import action_pages as texts
from chalicelib.i18n.surveys import accept_language_locales
from chalicelib.observability import logger
from chalicelib.schemas.action_pages import (
    ActionPage,
    ActionRequest,
    ActionResult,
    ExtendCoverView,
    OfferedPlan,
    ProofView,
    ReceiptQuery,
    UploadForm,
    VisitView,
)
from chalicelib.schemas.settings import GeneralSettings
from chalicelib.schemas.tickets import TicketCreate
from chalicelib.schemas.warranties import WarrantyUpdate
from chalicelib.services.action_links import ActionGrant, verify_action_token

if TYPE_CHECKING:
    from chalicelib.schemas.service import ServicePlan
    from chalicelib.services.warranties import Loaded

# Receipts: what the proof-of-purchase form accepts.
RECEIPT_MAX_BYTES = 10 * 1024 * 1024
RECEIPT_TYPES = ("application/pdf", "image/jpeg", "image/png")
RECEIPT_NAME = "receipt"


@dataclass(frozen=True)
class Opened:
    """A verified action link with the customer and the tenant's presentation."""

    grant: ActionGrant
    locale: str
    company: str
    brand_color: str
    customer_name: str | None


def _subject_missing() -> NotFound:
    return NotFound(
        "this link refers to nothing this customer has", code="action_subject_not_found"
    )


def open_link(token: str, lang: str | None, accept_language: str | None) -> Opened:
    """Verify ``token`` (400 forged, 410 expired), bind its tenant, load the customer."""
    from chalicelib.services import customers
    from chalicelib.services.settings import section_values
    from chalicelib.store import tenants as tenant_store

    grant = verify_action_token(token, clock.now())
    # The tenant comes from the verified token only; from here on the tenancy guard holds
    # every DynamoDB call of this request to it.
    context.bind_tenant(grant.tenant_id)
    logger.append_keys(tenant_id=grant.tenant_id)
    tenant = tenant_store.get_tenant(grant.tenant_id)
    if tenant is None or tenant.status != "active":
        raise Gone("this page is no longer available", code="action_link_closed")
    try:
        customer = customers.get_customer(grant.tenant_id, grant.customer_id)
    except NotFound as missing:
        raise _subject_missing() from missing
    general = section_values(grant.tenant_id, GeneralSettings, "general")
    locale = texts.pick_locale(
        lang, customer.locale, *accept_language_locales(accept_language), tenant.default_locale
    )
    return Opened(
        grant=grant,
        locale=locale,
        company=tenant.name,
        brand_color=general.brand_color,
        customer_name=customer.name,
    )


def error_locale(token: str, lang: str | None, accept_language: str | None) -> str:
    """The language of an error page: the customer's when the link is genuine (its subject
    may be what is missing), else the browser's."""
    try:
        return open_link(token, lang, accept_language).locale
    except DomainError:
        return texts.pick_locale(lang, *accept_language_locales(accept_language))


# --- subjects ---------------------------------------------------------------------------------


def _own_warranty(opened: Opened) -> Loaded:
    """The grant's registration as loaded by the warranty service (404 unless the customer's)."""
    from chalicelib.services import warranties

    grant = opened.grant
    try:
        loaded = warranties.load(grant.tenant_id, grant.subject_id)
    except NotFound as missing:
        raise _subject_missing() from missing
    if loaded.item.data.get("customer_id") != grant.customer_id:
        raise _subject_missing()
    return loaded


def _offers(loaded: Loaded, today: date) -> list[OfferedPlan]:
    """The product's plans that the warranty rules would sell today, with their periods."""
    registration = loaded.registration()
    window = loaded.item.data["terms"].get(
        "extension_purchase_window_days", rules.DEFAULT_EXTENSION_WINDOW_DAYS
    )
    offered = []
    for offer in loaded.item.data.get("plan_offers", []):
        try:
            start, end = rules.plan_period(
                registration, offer["months"], today=today, window_days=window
            )
        except DomainError:
            continue
        offered.append(
            OfferedPlan(
                code=offer["code"],
                name=offer["name"],
                months=offer["months"],
                price=offer["price"],
                currency=offer["currency"],
                starts_on=start,
                ends_on=end,
            )
        )
    return offered


def _extend_view(opened: Opened) -> ExtendCoverView:
    from chalicelib.services import warranties
    from chalicelib.services.widget_warranties import cover_end

    loaded = _own_warranty(opened)
    warranty = warranties.to_warranty(loaded)
    void = warranty.coverage.status == "void"
    return ExtendCoverView(
        warranty_id=warranty.id,
        product_name=warranty.product_name,
        serial_number=warranty.serial_number,
        status=warranty.coverage.status,
        covered=warranty.coverage.covered,
        cover_ends_on=None if void else cover_end(warranty),
        plans=[] if void else _offers(loaded, clock.today()),
    )


def _own_plan(opened: Opened) -> ServicePlan:
    from chalicelib.services import service_plans

    grant = opened.grant
    try:
        plan = service_plans.get_plan(grant.tenant_id, grant.subject_id)
    except NotFound as missing:
        raise _subject_missing() from missing
    if plan.customer_id != grant.customer_id:
        raise _subject_missing()
    return plan


def _product_name(tenant_id: str, product_id: str) -> str:
    from chalicelib.services import products

    try:
        return products.get_product(tenant_id, product_id).name
    except NotFound:
        return ""


def _visit_view(opened: Opened) -> VisitView:
    plan = _own_plan(opened)
    upcoming = next((v for v in plan.visits if v.status != "completed"), None)
    return VisitView(
        plan_id=plan.id,
        product_name=_product_name(opened.grant.tenant_id, plan.product_id),
        visit_number=upcoming.number if upcoming and plan.status == "active" else None,
        planned_date=upcoming.planned_date if upcoming and plan.status == "active" else None,
        booked=bool(upcoming and upcoming.appointment_id),
    )


def receipt_redirect(token: str) -> str:
    """Where S3 sends the browser after the upload (the receipt check below)."""
    from urllib.parse import quote

    base = get_settings().public_base_url.rstrip("/")
    return f"{base}/widget/v1/actions/{quote(token, safe='')}/receipt"


def _proof_view(opened: Opened, token: str) -> ProofView:
    from chalicelib.services import warranties
    from chalicelib.store.upload_forms import presigned_post

    loaded = _own_warranty(opened)
    warranty = warranties.to_warranty(loaded)
    post = presigned_post(
        opened.grant.tenant_id,
        warranties.UPLOAD_AREA,
        warranty.id,
        name=RECEIPT_NAME,
        max_bytes=RECEIPT_MAX_BYTES,
        redirect=receipt_redirect(token),
    )
    return ProofView(
        warranty_id=warranty.id,
        product_name=warranty.product_name,
        serial_number=warranty.serial_number,
        purchase_date=warranty.purchase_date,
        has_proof_of_purchase=bool(warranty.proof_of_purchase),
        upload=UploadForm(
            url=post.url,
            fields=post.fields,
            max_bytes=RECEIPT_MAX_BYTES,
            content_types=list(RECEIPT_TYPES),
        ),
    )


def show(token: str, lang: str | None, accept_language: str | None) -> ActionPage:
    """The page of an action link (records nothing: mail scanners fetch every link)."""
    opened = open_link(token, lang, accept_language)
    page = ActionPage(
        action=opened.grant.action,  # type: ignore[arg-type]
        locale=opened.locale,  # type: ignore[arg-type]
        company=opened.company,
        brand_color=opened.brand_color,
        expires_at=datetime.fromtimestamp(opened.grant.expires_at, UTC),
    )
    if opened.grant.action == "extend_cover":
        page.extend_cover = _extend_view(opened)
    elif opened.grant.action == "book_visit":
        page.book_visit = _visit_view(opened)
    else:
        page.proof_of_purchase = _proof_view(opened, token)
    return page


# --- requests ---------------------------------------------------------------------------------


def _open_request(
    opened: Opened,
    *,
    subject: str,
    description: str,
    product_id: str | None,
    warranty_id: str | None,
    serial_number: str | None,
    tags: list[str],
) -> str:
    """A request ticket from the customer (channel widget), in the customer's language."""
    from chalicelib.services import tickets

    grant = opened.grant
    ticket = tickets.open_ticket(
        grant.tenant_id,
        TicketCreate(
            subject=subject[:200],
            description=description,
            customer_id=grant.customer_id,
            channel="widget",
            type="request",
            product_id=product_id,
            warranty_id=warranty_id,
            serial_number=serial_number,
            tags=tags,
        ),
        actor=customer_actor(grant.customer_id, opened.customer_name or ""),
    )
    return ticket.id


def _request_extension(opened: Opened, request: ActionRequest) -> ActionResult:
    from chalicelib.services import warranties

    loaded = _own_warranty(opened)  # first: a foreign subject is a 404 whatever was sent
    if request.plan_code is None:
        raise Invalid("choose a plan", code="plan_required")
    warranty = warranties.to_warranty(loaded)
    if warranty.coverage.status == "void":
        raise Conflict("a void warranty cannot be extended", code="warranty_void")
    chosen = next((p for p in _offers(loaded, clock.today()) if p.code == request.plan_code), None)
    if chosen is None:
        raise Conflict("this plan cannot be bought now", code="plan_not_available")
    locale = opened.locale
    description = texts.text(
        "extend_description",
        locale,
        plan=chosen.name,
        months=chosen.months,
        price=chosen.price,
        currency=chosen.currency,
        start=texts.format_date(chosen.starts_on, locale),
        end=texts.format_date(chosen.ends_on, locale),
        serial=warranty.serial_number,
    )
    if request.note:
        description += "\n" + texts.text("note_line", locale, note=request.note)
    ticket_id = _open_request(
        opened,
        subject=texts.text("extend_subject", locale, product=warranty.product_name),
        description=description,
        product_id=warranty.product_id,
        warranty_id=warranty.id,
        serial_number=warranty.serial_number,
        tags=["extension-request", f"plan:{chosen.code}"],
    )
    return ActionResult(
        action="extend_cover",
        status="requested",
        ticket_id=ticket_id,
        message=texts.text("extend_done", locale),
    )


def _request_visit(opened: Opened, request: ActionRequest) -> ActionResult:
    plan = _own_plan(opened)  # first: a foreign subject is a 404 whatever was sent
    if request.decision is None:
        raise Invalid("say whether the date suits you", code="decision_required")
    upcoming = next((v for v in plan.visits if v.status != "completed"), None)
    if upcoming is None or plan.status != "active":
        raise Conflict("the plan has no upcoming visit", code="no_upcoming_visit")
    locale = opened.locale
    planned = texts.format_date(upcoming.planned_date, locale)
    if request.decision == "propose":
        if request.proposed_date is None:
            raise Invalid("give the date you prefer", code="proposed_date_required")
        if request.proposed_date <= clock.today():
            raise Invalid("the preferred date must be in the future", code="proposed_date_in_past")
        description = texts.text(
            "visit_propose_description",
            locale,
            number=upcoming.number,
            planned=planned,
            proposed=texts.format_date(request.proposed_date, locale),
        )
        message = texts.text("visit_proposed", locale)
    else:
        description = texts.text(
            "visit_confirm_description", locale, number=upcoming.number, planned=planned
        )
        message = texts.text("visit_confirmed", locale)
    if request.note:
        description += "\n" + texts.text("note_line", locale, note=request.note)
    description += "\n" + texts.text("plan_line_ref", locale, plan_id=plan.id)
    product_name = _product_name(opened.grant.tenant_id, plan.product_id)
    ticket_id = _open_request(
        opened,
        subject=texts.text("visit_subject", locale, product=product_name),
        description=description,
        product_id=plan.product_id,
        warranty_id=plan.warranty_id,
        serial_number=None,
        tags=["visit-request", f"service-plan:{plan.id.lower()}"],
    )
    return ActionResult(
        action="book_visit", status="requested", ticket_id=ticket_id, message=message
    )


def submit(token: str, request: ActionRequest, accept_language: str | None) -> ActionResult:
    """The customer's choice on an ``extend_cover`` or ``book_visit`` page: a request ticket."""
    opened = open_link(token, None, accept_language)
    if opened.grant.action == "extend_cover":
        return _request_extension(opened, request)
    if opened.grant.action == "book_visit":
        return _request_visit(opened, request)
    raise Invalid(
        "the proof of purchase is uploaded with the page's form", code="action_not_supported"
    )


def receive_receipt(token: str, query: ReceiptQuery, accept_language: str | None) -> ActionResult:
    """After the S3 upload: check the file and attach it as the registration's proof.

    The object must be in this registration's own upload folder (the presigned POST put it
    there), at most :data:`RECEIPT_MAX_BYTES` and a PDF, JPEG or PNG by its first bytes;
    anything else is deleted and refused. Attaching goes through the warranty update (the
    registration reminder is cancelled by its event); a repeated redirect is answered again.
    """
    from chalicelib.services import warranties
    from chalicelib.store.upload_forms import delete_upload, inspect_upload

    opened = open_link(token, query.lang, accept_language)
    if opened.grant.action != "proof_of_purchase":
        raise Invalid("this link takes no upload", code="action_not_supported")
    loaded = _own_warranty(opened)
    grant = opened.grant
    folder = f"{grant.tenant_id}/{warranties.UPLOAD_AREA}/{grant.subject_id}/"
    if not query.key.startswith(folder) or ".." in query.key or "/" in query.key[len(folder) :]:
        raise Invalid("the upload is not this registration's", code="receipt_missing")
    done = ActionResult(
        action="proof_of_purchase",
        status="received",
        ticket_id=None,
        message=texts.text("proof_done", opened.locale),
    )
    if loaded.item.data.get("proof_of_purchase") == query.key:
        return done  # the browser followed the redirect again
    uploaded = inspect_upload(query.key)
    if uploaded is None or uploaded.size == 0:
        raise Invalid("no file was uploaded", code="receipt_missing")
    if uploaded.size > RECEIPT_MAX_BYTES:
        delete_upload(query.key)
        raise Invalid("the file is too large", code="receipt_too_large")
    if uploaded.content_type not in RECEIPT_TYPES:
        delete_upload(query.key)
        raise Invalid("only PDF, JPEG and PNG files are accepted", code="receipt_type_not_allowed")
    warranties.update_warranty(
        grant.tenant_id,
        grant.subject_id,
        WarrantyUpdate(proof_of_purchase=query.key, version=int(loaded.item.version)),
        None,
    )
    return done
