"""Tickets through the widget: open, list own, read own (public messages only), reply.

Who the visitor is comes from exactly two places: a verified identity token (the tenant's
server vouches for the customer) or, for anonymous visitors, a signed follow-up link that was
emailed to the address the ticket was opened with. A ticket that is not the caller's reads as
"no such ticket" (404), the same as one that does not exist; so does an ``internal`` ticket
(system tickets such as the closed-loop follow-up, or any the tenant keeps from the customer):
it is never listed (the list reads an index that holds only the customer-visible tickets) nor
readable. Internal notes, assignees, tags, SLA data and audit entries never leave this module:
responses are built field by field from an allow-list, not by filtering the agent-facing model.
"""

from __future__ import annotations

from urllib.parse import quote

from chalicelib.config import get_settings
from chalicelib.domain import clock
from chalicelib.domain.actors import customer as customer_actor
from chalicelib.domain.errors import NotFound, Unauthorized
from chalicelib.domain.ids import is_id, new_id
from chalicelib.domain.ticket_links import TicketGrant, sign_ticket_grant, verify_ticket_grant
from chalicelib.schemas.tickets import MessageCreate, Ticket, TicketCreate, TicketListQuery
from chalicelib.schemas.widget import (
    WidgetMessage,
    WidgetReply,
    WidgetTicketCreate,
    WidgetTicketCreated,
    WidgetTicketDetails,
    WidgetTicketList,
    WidgetTicketSummary,
)
from chalicelib.services.signing import derived_key
from chalicelib.services.widget_auth import WidgetPrincipal
from chalicelib.store.base import utcnow

_LINK_KEY_PURPOSE = "widget-ticket-link"
LINK_PARAM = "aftersales_ticket"
# Conversations longer than this show their latest public messages only.
_MAX_MESSAGE_PAGES = 5


def _summary(ticket: Ticket) -> WidgetTicketSummary:
    return WidgetTicketSummary(
        id=ticket.id,
        subject=ticket.subject,
        status=ticket.status,
        serial_number=ticket.serial_number,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
    )


def _not_found() -> NotFound:
    return NotFound("no such ticket", code="ticket_not_found")


def customer_of_identity(principal: WidgetPrincipal) -> tuple[str, str | None]:
    """The (found or created) customer of a verified identity: id and name."""
    from chalicelib.services.customers import find_or_create_customer

    identity = principal.identity
    if identity is None:
        raise Unauthorized("sign the customer in first", code="identity_required")
    found = find_or_create_customer(
        principal.tenant_id,
        email=identity.email,
        name=identity.name,
        external_id=identity.external_id,
    )
    return found.id, found.name


def _follow_up_url(principal: WidgetPrincipal, page_url: str | None, token: str) -> str:
    from chalicelib.schemas.widget import WidgetSettings
    from chalicelib.services.settings import section_values

    configured = section_values(principal.tenant_id, WidgetSettings, "widget").page_url
    base = configured
    if base is None:
        # The page the widget was used on, if it really is on the admitted origin.
        origin = principal.origin.rstrip("/")
        same_site = page_url and (page_url == origin or page_url.startswith(origin + "/"))
        base = page_url if same_site and page_url else origin + "/"
    return _with_link_param(base, token)


def _with_link_param(base: str, token: str) -> str:
    """``base`` with ``aftersales_ticket=<token>`` as its only link parameter.

    A page opened from an earlier link still carries that link's token; it is dropped so the
    new link opens the new ticket.
    """
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != LINK_PARAM]
    query.append((LINK_PARAM, token))
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote), fragment=""))


def _send_follow_up_link(
    principal: WidgetPrincipal,
    ticket: Ticket,
    email: str,
    locale: str,
    page_url: str | None,
) -> None:
    from chalicelib.i18n.widget import email_text
    from chalicelib.notify.email import send_email

    settings = get_settings()
    grant = TicketGrant(
        tenant_id=principal.tenant_id,
        ticket_id=ticket.id,
        customer_id=ticket.customer_id,
        expires_at=int(clock.epoch()) + settings.widget_link_ttl_seconds,
    )
    token = sign_ticket_grant(derived_key(_LINK_KEY_PURPOSE), grant)
    url = _follow_up_url(principal, page_url, token)
    send_email(
        email,
        email_text(locale, "subject", subject=ticket.subject),
        email_text(locale, "body", subject=ticket.subject, url=url),
    )


def _decoy(request: WidgetTicketCreate, identified: bool) -> WidgetTicketCreated:
    """What a bot that filled the honeypot sees: a plausible answer, and nothing stored."""
    now = utcnow()
    return WidgetTicketCreated(
        ticket=WidgetTicketSummary(
            id=new_id(),
            subject=request.subject,
            status="new",
            serial_number=request.serial_number,
            created_at=now,
            updated_at=now,
        ),
        follow_up="widget" if identified else "email",
    )


def open_ticket(principal: WidgetPrincipal, request: WidgetTicketCreate) -> WidgetTicketCreated:
    """Open a ticket for the signed-in customer, or for the visitor's name and email."""
    from chalicelib.domain.errors import Invalid
    from chalicelib.services import tickets

    if request.website:
        return _decoy(request, principal.identity is not None)
    if principal.identity is not None:
        customer_id, name = customer_of_identity(principal)
    else:
        if not request.email or not request.name:
            raise Invalid(
                "name and email are needed to answer you",
                code="validation_failed",
            )
        from chalicelib.services.customers import find_or_create_customer

        found = find_or_create_customer(principal.tenant_id, email=request.email, name=request.name)
        customer_id, name = found.id, request.name
    ticket = tickets.open_ticket(
        principal.tenant_id,
        TicketCreate(
            subject=request.subject,
            description=request.message,
            customer_id=customer_id,
            channel="widget",
            serial_number=request.serial_number,
        ),
        actor=customer_actor(customer_id, name),
    )
    if principal.identity is not None:
        return WidgetTicketCreated(ticket=_summary(ticket), follow_up="widget")
    from chalicelib.store import tenants as tenant_store

    tenant = tenant_store.get_tenant(principal.tenant_id)
    locale = request.locale or (tenant.default_locale if tenant else "en")
    _send_follow_up_link(principal, ticket, str(request.email), locale, request.page_url)
    return WidgetTicketCreated(ticket=_summary(ticket), follow_up="email")


def list_own_tickets(
    principal: WidgetPrincipal, limit: int | None, cursor: str | None
) -> WidgetTicketList:
    """The signed-in customer's tickets, most recently updated first (internal ones never)."""
    from chalicelib.services import tickets

    customer_id, _ = customer_of_identity(principal)
    page = tickets.list_tickets(
        principal.tenant_id,
        TicketListQuery(customer_id=customer_id, limit=limit, cursor=cursor),
        with_sla=False,
        visible_to_customer=True,
    )
    return WidgetTicketList(items=[_summary(t) for t in page.items], next_cursor=page.next_cursor)


def _owned_ticket(
    principal: WidgetPrincipal, ticket_id: str, link_token: str | None
) -> tuple[Ticket, str, str | None]:
    """The ticket if the caller owns it (identity or link), with the customer id and name."""
    from chalicelib.services import tickets

    if not is_id(ticket_id):
        raise _not_found()
    if principal.identity is not None:
        customer_id, name = customer_of_identity(principal)
    elif link_token:
        grant = verify_ticket_grant(
            derived_key(_LINK_KEY_PURPOSE),
            link_token,
            tenant_id=principal.tenant_id,
            now=clock.epoch(),
        )
        if grant.ticket_id != ticket_id:
            raise _not_found()
        customer_id, name = grant.customer_id, None
    else:
        raise Unauthorized(
            "sign in, or open the link from your email, to see this ticket",
            code="identity_required",
        )
    try:
        ticket = tickets.get_ticket(principal.tenant_id, ticket_id)
    except NotFound:
        raise _not_found() from None
    if ticket.customer_id != customer_id or ticket.internal:
        raise _not_found()
    return ticket, customer_id, name


def _public_messages(tenant_id: str, ticket_id: str) -> list[WidgetMessage]:
    from chalicelib.services import tickets

    found: list[WidgetMessage] = []
    cursor: str | None = None
    for _ in range(_MAX_MESSAGE_PAGES):
        page = tickets.list_messages(tenant_id, ticket_id, 100, cursor)
        for message in page.items:
            if message.visibility != "public":
                continue
            from_customer = message.author.kind == "customer"
            found.append(
                WidgetMessage(
                    id=message.id,
                    body=message.body,
                    from_customer=from_customer,
                    author_name=None if from_customer else message.author.name,
                    created_at=message.created_at,
                )
            )
        cursor = page.next_cursor
        if cursor is None:
            break
    return found


def get_own_ticket(
    principal: WidgetPrincipal, ticket_id: str, link_token: str | None
) -> WidgetTicketDetails:
    """One of the caller's tickets with its public conversation."""
    ticket, _, _ = _owned_ticket(principal, ticket_id, link_token)
    return WidgetTicketDetails(
        **_summary(ticket).model_dump(),
        description=ticket.description,
        messages=_public_messages(principal.tenant_id, ticket_id),
    )


def reply(
    principal: WidgetPrincipal, ticket_id: str, link_token: str | None, request: WidgetReply
) -> WidgetMessage:
    """Add the customer's public reply (a solved ticket reopens, as the ticket rules say)."""
    from chalicelib.services import tickets

    ticket, customer_id, name = _owned_ticket(principal, ticket_id, link_token)
    if request.website:
        now = utcnow()
        return WidgetMessage(
            id=new_id(), body=request.message, from_customer=True, author_name=None, created_at=now
        )
    message = tickets.add_message(
        principal.tenant_id,
        ticket.id,
        MessageCreate(body=request.message, visibility="public"),
        actor=customer_actor(customer_id, name),
    )
    return WidgetMessage(
        id=message.id,
        body=message.body,
        from_customer=True,
        author_name=None,
        created_at=message.created_at,
    )
