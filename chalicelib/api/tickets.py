"""``/v1/tickets``: tickets, their conversation and audit trail."""

from __future__ import annotations

import re

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.domain.actors import Actor, agent
from chalicelib.domain.errors import BadRequest
from chalicelib.schemas.common import ListQuery
from chalicelib.schemas.tickets import (
    Attachment,
    AttachmentCreate,
    AttachmentCreated,
    AttachmentList,
    AuditList,
    Message,
    MessageCreate,
    MessageList,
    Ticket,
    TicketCreate,
    TicketList,
    TicketListQuery,
    TicketUpdate,
)
from chalicelib.services import tickets

bp = Blueprint(__name__)
TAG = "tickets"
_AGENT_REF = re.compile(r"^[^\x00-\x1f#]{1,128}$")


def actor_of(call: Call) -> Actor:
    """The acting agent: ``X-Agent-Id`` / ``X-Agent-Name`` headers (the tenant's own agent
    identity, since there is no agent directory), else the API key that made the call."""
    agent_id = call.headers.get("x-agent-id")
    name = call.headers.get("x-agent-name")
    for header, value in (("X-Agent-Id", agent_id), ("X-Agent-Name", name)):
        if value is not None and not _AGENT_REF.match(value):
            raise BadRequest(f"{header} must be 1-128 printable characters", code="invalid_header")
    key_id = call.principal.key_id if call.principal else None
    return agent(agent_id or f"api_key:{key_id}", name)


@operation(
    bp,
    "POST",
    "/v1/tickets",
    summary="Open a ticket",
    tag=TAG,
    scope="tickets:write",
    body=TicketCreate,
    response=Ticket,
    status=201,
    idempotent=True,
)
def create_ticket(call: Call) -> Ticket:
    """The customer is named by id, or found (or created) by email."""
    return tickets.open_ticket(call.tenant_id, call.body, actor=actor_of(call))


@operation(
    bp,
    "GET",
    "/v1/tickets",
    summary="List tickets",
    tag=TAG,
    scope="tickets:read",
    query=TicketListQuery,
    response=TicketList,
)
def list_tickets(call: Call) -> TicketList:
    """Newest update first; filter by status, priority, type, assignee, customer, tag, time
    ranges (each of status, priority, type, assignee, customer and tag is an index)."""
    return tickets.list_tickets(call.tenant_id, call.query)


@operation(
    bp,
    "GET",
    "/v1/tickets/{ticket_id}",
    summary="Get a ticket",
    tag=TAG,
    scope="tickets:read",
    response=Ticket,
)
def get_ticket(call: Call, ticket_id: str) -> Ticket:
    """With its SLA targets, due times and state; the ETag carries the version."""
    return tickets.get_ticket(call.tenant_id, ticket_id)


@operation(
    bp,
    "PATCH",
    "/v1/tickets/{ticket_id}",
    summary="Update a ticket (status included)",
    tag=TAG,
    scope="tickets:write",
    body=TicketUpdate,
    response=Ticket,
    conditional=True,
)
def update_ticket(call: Call, ticket_id: str) -> Ticket:
    """Conditional on ``version`` or ``If-Match``; status changes follow the status machine."""
    return tickets.update_ticket(
        call.tenant_id, ticket_id, call.body, call.if_match, actor=actor_of(call)
    )


@operation(
    bp,
    "POST",
    "/v1/tickets/{ticket_id}/messages",
    summary="Add a reply or internal note",
    tag=TAG,
    scope="tickets:write",
    body=MessageCreate,
    response=Message,
    status=201,
    idempotent=True,
)
def add_message(call: Call, ticket_id: str) -> Message:
    """A public agent reply is the first response; a customer reply reopens a pending ticket."""
    return tickets.add_message(call.tenant_id, ticket_id, call.body, actor=actor_of(call))


@operation(
    bp,
    "GET",
    "/v1/tickets/{ticket_id}/messages",
    summary="List a ticket's messages",
    tag=TAG,
    scope="tickets:read",
    query=ListQuery,
    response=MessageList,
)
def list_messages(call: Call, ticket_id: str) -> MessageList:
    """Oldest first."""
    return tickets.list_messages(call.tenant_id, ticket_id, call.query.limit, call.query.cursor)


@operation(
    bp,
    "GET",
    "/v1/tickets/{ticket_id}/audit",
    summary="List a ticket's audit trail",
    tag=TAG,
    scope="tickets:read",
    query=ListQuery,
    response=AuditList,
)
def list_audit(call: Call, ticket_id: str) -> AuditList:
    """Every change: field, old and new value, actor and time; oldest first."""
    return tickets.list_audit(call.tenant_id, ticket_id, call.query.limit, call.query.cursor)


@operation(
    bp,
    "POST",
    "/v1/tickets/{ticket_id}/attachments",
    summary="Start an attachment upload",
    tag=TAG,
    scope="tickets:write",
    body=AttachmentCreate,
    response=AttachmentCreated,
    status=201,
    idempotent=True,
)
def create_attachment(call: Call, ticket_id: str) -> AttachmentCreated:
    """Returns a presigned POST; upload the file to it, then confirm."""
    from chalicelib.services import ticket_attachments

    return ticket_attachments.create(call.tenant_id, ticket_id, call.body, actor=actor_of(call))


@operation(
    bp,
    "POST",
    "/v1/tickets/{ticket_id}/attachments/{attachment_id}/confirm",
    summary="Confirm an attachment upload",
    tag=TAG,
    scope="tickets:write",
    response=Attachment,
)
def confirm_attachment(call: Call, ticket_id: str, attachment_id: str) -> Attachment:
    """Checks the uploaded object's size and type; messages can then reference it."""
    from chalicelib.services import ticket_attachments

    return ticket_attachments.confirm(call.tenant_id, ticket_id, attachment_id)


@operation(
    bp,
    "GET",
    "/v1/tickets/{ticket_id}/attachments",
    summary="List a ticket's attachments",
    tag=TAG,
    scope="tickets:read",
    query=ListQuery,
    response=AttachmentList,
)
def list_attachments(call: Call, ticket_id: str) -> AttachmentList:
    """Oldest first."""
    from chalicelib.services import ticket_attachments

    return ticket_attachments.list_attachments(
        call.tenant_id, ticket_id, call.query.limit, call.query.cursor
    )


@operation(
    bp,
    "GET",
    "/v1/tickets/{ticket_id}/attachments/{attachment_id}",
    summary="Get an attachment",
    tag=TAG,
    scope="tickets:read",
    response=Attachment,
)
def get_attachment(call: Call, ticket_id: str, attachment_id: str) -> Attachment:
    """With a short-lived download URL once uploaded."""
    from chalicelib.services import ticket_attachments

    return ticket_attachments.get(call.tenant_id, ticket_id, attachment_id)
