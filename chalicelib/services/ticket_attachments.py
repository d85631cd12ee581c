"""Ticket attachments: metadata in the ticket's item collection, bytes in S3.

1. ``create`` checks type and size against the limits, stores the metadata (``pending``) and
   returns a presigned POST (S3 refuses another type or a larger body).
2. The client uploads straight to S3.
3. ``confirm`` reads what arrived (HEAD): missing → 409, larger than announced or the limit,
   or of another type → the object is deleted and the upload refused (422); otherwise the
   attachment becomes ``uploaded`` with its real size.
4. Messages may then reference it; downloads use short-lived presigned GETs.
"""

from __future__ import annotations

from chalicelib.config import get_settings
from chalicelib.domain.actors import Actor
from chalicelib.domain.errors import Conflict, Invalid, NotFound, PayloadTooLarge
from chalicelib.domain.ids import is_id, new_id
from chalicelib.schemas.tickets import (
    Attachment,
    AttachmentCreate,
    AttachmentCreated,
    AttachmentList,
    AttachmentUpload,
)
from chalicelib.services.paging import next_cursor, page_request
from chalicelib.services.tickets import load_ticket, rules_closed, to_actor_model
from chalicelib.store import attachment_objects as objects
from chalicelib.store import tickets as store
from chalicelib.store.base import utcnow


def to_attachment(item: store.AttachmentItem, *, with_download: bool = False) -> Attachment:
    """Response model of an attachment (with a download URL when asked and uploaded)."""
    download = None
    if with_download and item.status == "uploaded":
        download = objects.presigned_download(
            item.object_key, filename=item.filename, content_type=item.content_type
        )
    return Attachment(
        id=item.attachment_id,
        ticket_id=item.ticket_id,
        filename=item.filename,
        content_type=item.content_type,
        size=int(item.size),
        status=item.status,  # type: ignore[arg-type]
        uploaded_by=to_actor_model(item.uploaded_by),
        created_at=item.created_at,
        download_url=download,
    )


def _load(tenant_id: str, ticket_id: str, attachment_id: str) -> store.AttachmentItem:
    item = (
        store.get_attachment(tenant_id, ticket_id, attachment_id)
        if is_id(ticket_id) and is_id(attachment_id)
        else None
    )
    if item is None:
        raise NotFound(f"no attachment {attachment_id} on this ticket", code="attachment_not_found")
    return item


def create(
    tenant_id: str, ticket_id: str, request: AttachmentCreate, *, actor: Actor
) -> AttachmentCreated:
    """Record an announced upload and return its presigned POST."""
    limit = get_settings().attachment_max_bytes
    if request.size > limit:
        raise PayloadTooLarge(
            f"attachments are limited to {limit} bytes", code="attachment_too_large"
        )
    ticket = load_ticket(tenant_id, ticket_id)
    if ticket.status == "closed":
        raise rules_closed()
    attachment_id = new_id()
    key = objects.object_key(tenant_id, ticket_id, attachment_id)
    item = store.AttachmentItem(
        pk=ticket.pk,
        sk=store.ATTACHMENT + attachment_id,
        tenant_id=tenant_id,
        attachment_id=attachment_id,
        ticket_id=ticket_id,
        filename=request.filename,
        content_type=request.content_type,
        size=request.size,
        object_key=key,
        status="pending",
        uploaded_by=actor.as_dict(),
        created_at=utcnow(),
    )
    store.put_attachment(item)
    post = objects.presigned_upload(key, content_type=request.content_type, max_bytes=request.size)
    return AttachmentCreated(
        attachment=to_attachment(item),
        upload=AttachmentUpload(
            url=post["url"],
            fields={k: str(v) for k, v in post["fields"].items()},
            expires_in_seconds=get_settings().attachment_url_seconds,
        ),
    )


def confirm(tenant_id: str, ticket_id: str, attachment_id: str) -> Attachment:
    """Check the uploaded object and mark the attachment ``uploaded`` (idempotent)."""
    item = _load(tenant_id, ticket_id, attachment_id)
    if item.status == "uploaded":
        return to_attachment(item, with_download=True)
    found = objects.head(item.object_key)
    if found is None:
        raise Conflict("nothing has been uploaded for this attachment yet", code="upload_missing")
    limit = min(int(item.size), get_settings().attachment_max_bytes)
    problem = None
    if found.size > limit:
        problem = f"the upload has {found.size} bytes, more than the {limit} announced"
    elif found.content_type and found.content_type != item.content_type:
        problem = f"the upload is {found.content_type}, not the announced {item.content_type}"
    if problem:
        objects.delete(item.object_key)
        raise Invalid(problem + "; it was discarded", code="upload_rejected")
    return to_attachment(store.mark_uploaded(item, found.size), with_download=True)


def get(tenant_id: str, ticket_id: str, attachment_id: str) -> Attachment:
    """One attachment with a short-lived download URL (once uploaded)."""
    return to_attachment(_load(tenant_id, ticket_id, attachment_id), with_download=True)


def list_attachments(
    tenant_id: str, ticket_id: str, limit: int | None, cursor: str | None
) -> AttachmentList:
    """A page of a ticket's attachments, oldest first (no download URLs: get one each)."""
    load_ticket(tenant_id, ticket_id)
    scope = f"ticket-attachments:{ticket_id}"
    size, start = page_request(tenant_id, scope, limit, cursor)
    page = store.list_attachments(tenant_id, ticket_id, size, start)
    return AttachmentList(
        items=[to_attachment(i) for i in page.items],
        next_cursor=next_cursor(tenant_id, scope, page),
    )
