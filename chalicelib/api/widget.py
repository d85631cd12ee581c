"""``/widget/v1``: the public API the embedded support widget calls from customers' browsers.

Every operation here authenticates with the publishable ``X-Widget-Key`` from an allowed
``Origin`` (``auth="widget"``), is rate limited per key and per client, and answers CORS for
that origin only. See docs/widget.md.
"""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.routing import OPERATIONS, Call, operation
from chalicelib.schemas.common import ListQuery
from chalicelib.schemas.widget import (
    WidgetConfig,
    WidgetCoverage,
    WidgetCoverageCheck,
    WidgetMessage,
    WidgetProductList,
    WidgetRegistration,
    WidgetRegistrationCreate,
    WidgetRegistrationList,
    WidgetReply,
    WidgetTicketCreate,
    WidgetTicketCreated,
    WidgetTicketDetails,
    WidgetTicketList,
)
from chalicelib.services import widget, widget_tickets, widget_warranties

bp = Blueprint(__name__)
TAG = "widget"


def served_features() -> frozenset[str]:
    """Features some widget operation of this API serves (a key may enable more, ahead)."""
    return frozenset(op.feature for op in OPERATIONS if op.auth == "widget" and op.feature)


def _principal(call: Call) -> widget.WidgetPrincipal:
    if call.widget is None:  # auth="widget" guarantees it; refuse loudly if miswired
        raise RuntimeError("widget operation without a widget principal")
    return call.widget


@operation(
    bp,
    "GET",
    "/widget/v1/config",
    summary="Widget configuration",
    tag=TAG,
    auth="widget",
    identity="optional",
    response=WidgetConfig,
)
def widget_config(call: Call) -> WidgetConfig:
    """Tenant name, theme, enabled features and the interface strings in every locale."""
    return widget.widget_config(_principal(call), served_features())


@operation(
    bp,
    "POST",
    "/widget/v1/tickets",
    summary="Open a ticket from the widget",
    tag=TAG,
    auth="widget",
    identity="optional",
    feature="contact",
    submission=True,
    body=WidgetTicketCreate,
    response=WidgetTicketCreated,
    status=201,
    idempotent=True,
)
def widget_open_ticket(call: Call) -> WidgetTicketCreated:
    """Signed-in customers are known from their identity token; anonymous visitors give name
    and email and get a follow-up link by email."""
    return widget_tickets.open_ticket(_principal(call), call.body)


@operation(
    bp,
    "GET",
    "/widget/v1/tickets",
    summary="The signed-in customer's tickets",
    tag=TAG,
    auth="widget",
    identity="required",
    feature="tickets",
    query=ListQuery,
    response=WidgetTicketList,
)
def widget_list_tickets(call: Call) -> WidgetTicketList:
    """Most recently updated first."""
    return widget_tickets.list_own_tickets(_principal(call), call.query.limit, call.query.cursor)


@operation(
    bp,
    "GET",
    "/widget/v1/tickets/{ticket_id}",
    summary="One of the caller's tickets with its public conversation",
    tag=TAG,
    auth="widget",
    identity="optional",
    feature="tickets",
    response=WidgetTicketDetails,
)
def widget_get_ticket(call: Call, ticket_id: str) -> WidgetTicketDetails:
    """Needs an identity token or the ``X-Ticket-Token`` of an emailed follow-up link."""
    return widget_tickets.get_own_ticket(
        _principal(call), ticket_id, call.headers.get("x-ticket-token")
    )


@operation(
    bp,
    "POST",
    "/widget/v1/tickets/{ticket_id}/messages",
    summary="Reply on one of the caller's tickets",
    tag=TAG,
    auth="widget",
    identity="optional",
    feature="tickets",
    submission=True,
    body=WidgetReply,
    response=WidgetMessage,
    status=201,
    idempotent=True,
)
def widget_reply(call: Call, ticket_id: str) -> WidgetMessage:
    """A public reply; internal notes cannot be written (or read) here."""
    return widget_tickets.reply(
        _principal(call), ticket_id, call.headers.get("x-ticket-token"), call.body
    )


@operation(
    bp,
    "POST",
    "/widget/v1/warranty/check",
    summary="Check warranty coverage by serial number and email",
    tag=TAG,
    auth="widget",
    identity="optional",
    feature="warranty",
    submission=True,
    body=WidgetCoverageCheck,
    response=WidgetCoverage,
)
def widget_check_coverage(call: Call) -> WidgetCoverage:
    """The same ``found: false`` answer for an unknown serial and a wrong email."""
    return widget_warranties.check_coverage(_principal(call), call.body)


@operation(
    bp,
    "GET",
    "/widget/v1/registrations",
    summary="The signed-in customer's registered products",
    tag=TAG,
    auth="widget",
    identity="required",
    feature="registration",
    response=WidgetRegistrationList,
)
def widget_list_registrations(call: Call) -> WidgetRegistrationList:
    """Newest first, each with its coverage today."""
    return widget_warranties.list_registrations(_principal(call))


@operation(
    bp,
    "POST",
    "/widget/v1/registrations",
    summary="Register a product (signed-in customers)",
    tag=TAG,
    auth="widget",
    identity="required",
    feature="registration",
    submission=True,
    body=WidgetRegistrationCreate,
    response=WidgetRegistration,
    status=201,
    idempotent=True,
)
def widget_register_product(call: Call) -> WidgetRegistration:
    """Through the warranty rules: registration window, serial uniqueness, dates."""
    return widget_warranties.register_product(_principal(call), call.body)


@operation(
    bp,
    "GET",
    "/widget/v1/products",
    summary="Products customers can register",
    tag=TAG,
    auth="widget",
    identity="required",
    feature="registration",
    query=ListQuery,
    response=WidgetProductList,
)
def widget_list_products(call: Call) -> WidgetProductList:
    """Catalogue fields only (id, SKU, name, category)."""
    return widget_warranties.list_products(_principal(call), call.query.cursor)
