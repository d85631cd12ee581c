"""Tickets table: tickets with their conversation, audit trail, attachments, tag links and the
report counters.

Item layout (one item collection per ticket, so a ticket's parts share a partition):

| item            | pk                          | sk                         |
|-----------------|-----------------------------|----------------------------|
| ticket          | ``<t>#TICKET#<ticket id>``  | ``TICKET``                 |
| message         | ``<t>#TICKET#<ticket id>``  | ``MSG#<message id>``       |
| audit entry     | ``<t>#TICKET#<ticket id>``  | ``AUDIT#<entry id>``       |
| attachment      | ``<t>#TICKET#<ticket id>``  | ``ATT#<attachment id>``    |
| tag link        | ``<t>#TICKET#<ticket id>``  | ``TAG#<tag>``              |
| report counter  | ``<t>#TREPORT``             | ``DAY#<yyyy-mm-dd>#<shard>`` / ``NOW#<shard>`` |

Access patterns:

- get a ticket: GetItem ``<t>#TICKET#<id>`` / ``TICKET`` (strongly consistent).
- messages, audit entries, attachments of a ticket: Query ``<t>#TICKET#<id>``,
  sk begins_with ``MSG#`` / ``AUDIT#`` / ``ATT#``.
- list tickets by last update: Query ``by_updated`` (``gsi1pk = <t>#TICKETS``, range ``usk``).
- ... of one status / assignee / customer / priority / type: Query ``by_status``
  (``gsi2pk``), ``by_assignee`` (``gsi3pk``), ``by_customer`` (``gsi4pk``), ``by_priority``
  (``gsi6pk``), ``by_type`` (``gsi7pk``), each ``<t>#TICKETS#<FACET>#<value>`` ranged by
  ``usk``.
- a customer's tickets they may see (the widget): Query ``by_customer_visible`` (sparse:
  ``gsi8pk = <t>#TICKETS#VISIBLE#<customer id>`` only on tickets not marked ``internal``), so
  system tickets are never read for the customer, however many there are.
- ... with a tag: Query ``by_tag`` over tag links (``gsi5pk = <t>#TICKETS#TAG#<tag>``), then
  one BatchGetItem for the tickets.
- updated-time range: key condition on ``usk`` (``<updated_at>#<ticket id>``); every other
  filter given as well is a FilterExpression on the chosen index.
- SLA / auto-close wake-ups (platform jobs only): Query ``due``
  (``due_pk = tickets#<shard>``, ``due_sk <= now``).
- report for a date range: Query ``<t>#TREPORT``, sk between ``DAY#<from>`` and ``DAY#<to>~``.

``due`` is sparse and write-sharded: only tickets with a pending wake-up carry ``due_pk`` /
``due_sk`` (``<RFC 3339 instant>#<tenant>#<ticket id>``), so the sweep reads exactly the
tickets it must look at. Tenants' own requests set these keys but never query them (the
tenancy guard enforces both).

Every write of a ticket is one ``TransactWriteItems``: the ticket (conditional on its
version), the new message / audit entry, refreshed tag links and the report counters move
together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.domain.errors import Conflict, Unavailable, VersionConflict
from chalicelib.store.base import TableMeta, TenantModel, VersionedMixin, key
from chalicelib.store.clients import aws_client
from chalicelib.store.paging import Page, StartKey, query_page

TICKET_SK = "TICKET"
MSG = "MSG#"
AUDIT = "AUDIT#"
ATTACHMENT = "ATT#"
TAG = "TAG#"
DUE_PREFIX = "tickets"


# Any stored item a ticket write may create alongside the ticket.
Storable = Model


class ByUpdatedIndex(GlobalSecondaryIndex["TicketsTable"]):
    """Every ticket of a tenant by last update."""

    class Meta:
        index_name = "by_updated"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    usk = UnicodeAttribute(range_key=True)


class ByStatusIndex(GlobalSecondaryIndex["TicketsTable"]):
    """Tickets of one status by last update."""

    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    usk = UnicodeAttribute(range_key=True)


class ByAssigneeIndex(GlobalSecondaryIndex["TicketsTable"]):
    """Tickets of one assignee by last update."""

    class Meta:
        index_name = "by_assignee"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    usk = UnicodeAttribute(range_key=True)


class ByCustomerIndex(GlobalSecondaryIndex["TicketsTable"]):
    """Tickets of one customer by last update."""

    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    gsi4pk = UnicodeAttribute(hash_key=True)
    usk = UnicodeAttribute(range_key=True)


class ByTagIndex(GlobalSecondaryIndex["TicketsTable"]):
    """Tag links (one per ticket and tag) by the ticket's last update."""

    class Meta:
        index_name = "by_tag"
        projection = AllProjection()

    gsi5pk = UnicodeAttribute(hash_key=True)
    usk = UnicodeAttribute(range_key=True)


class ByPriorityIndex(GlobalSecondaryIndex["TicketsTable"]):
    """Tickets of one priority by last update."""

    class Meta:
        index_name = "by_priority"
        projection = AllProjection()

    gsi6pk = UnicodeAttribute(hash_key=True)
    usk = UnicodeAttribute(range_key=True)


class ByTypeIndex(GlobalSecondaryIndex["TicketsTable"]):
    """Tickets of one type by last update."""

    class Meta:
        index_name = "by_type"
        projection = AllProjection()

    gsi7pk = UnicodeAttribute(hash_key=True)
    usk = UnicodeAttribute(range_key=True)


class ByCustomerVisibleIndex(GlobalSecondaryIndex["TicketsTable"]):
    """Sparse: a customer's tickets that are not internal, by last update."""

    class Meta:
        index_name = "by_customer_visible"
        projection = AllProjection()

    gsi8pk = UnicodeAttribute(hash_key=True)
    usk = UnicodeAttribute(range_key=True)


class DueIndex(GlobalSecondaryIndex["TicketsTable"]):
    """Platform-only, sparse, write-sharded: tickets by their next wake-up time."""

    class Meta:
        index_name = "due"
        projection = IncludeProjection(["tenant_id", "ticket_id"])

    due_pk = UnicodeAttribute(hash_key=True)
    due_sk = UnicodeAttribute(range_key=True)


class TicketsTable(TenantModel):
    """Table definition: keys and indexes of the tickets table."""

    class Meta(metaclass=TableMeta):
        base_name = "tickets"

    gsi1pk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi4pk = UnicodeAttribute(null=True)
    gsi5pk = UnicodeAttribute(null=True)
    gsi6pk = UnicodeAttribute(null=True)
    gsi7pk = UnicodeAttribute(null=True)
    gsi8pk = UnicodeAttribute(null=True)
    usk = UnicodeAttribute(null=True)
    due_pk = UnicodeAttribute(null=True)
    due_sk = UnicodeAttribute(null=True)
    by_updated = ByUpdatedIndex()
    by_status = ByStatusIndex()
    by_assignee = ByAssigneeIndex()
    by_customer = ByCustomerIndex()
    by_tag = ByTagIndex()
    by_priority = ByPriorityIndex()
    by_type = ByTypeIndex()
    by_customer_visible = ByCustomerVisibleIndex()
    due = DueIndex()


class TicketItem(VersionedMixin, TicketsTable):
    """One ticket (the head item of its collection)."""

    ticket_id = UnicodeAttribute()
    subject = UnicodeAttribute()
    description = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    ticket_type = UnicodeAttribute()
    priority = UnicodeAttribute()
    status = UnicodeAttribute()
    assignee = UnicodeAttribute(null=True)
    group_name = UnicodeAttribute(null=True)
    tags = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    custom_fields = JSONAttribute(default=dict)
    product_id = UnicodeAttribute(null=True)
    warranty_id = UnicodeAttribute(null=True)
    appointment_id = UnicodeAttribute(null=True)
    serial_number = UnicodeAttribute(null=True)
    entitlement = UnicodeAttribute(default="unknown")
    customer_tier = UnicodeAttribute(null=True)
    # Kept from the customer (system tickets such as the closed loop, agents' own notes);
    # absent on tickets stored before the flag existed, which read as not internal.
    internal = BooleanAttribute(null=True, default=False)
    # SLA clocks and automation state (domain-owned JSON documents; see domain/sla.py).
    sla = JSONAttribute(null=True)
    automation = JSONAttribute(null=True)
    first_response_at = UTCDateTimeAttribute(null=True)
    solved_at = UTCDateTimeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)
    status_changed_at = UTCDateTimeAttribute(null=True)
    reopen_count = NumberAttribute(default=0)
    message_count = NumberAttribute(default=0)
    last_customer_message_at = UTCDateTimeAttribute(null=True)
    last_agent_reply_at = UTCDateTimeAttribute(null=True)
    due_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class MessageItem(TicketsTable):
    """One message of a ticket."""

    message_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    body = UnicodeAttribute()
    visibility = UnicodeAttribute()
    author = JSONAttribute()
    attachment_ids = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    created_at = UTCDateTimeAttribute()


class AuditItem(TicketsTable):
    """One recorded change of a ticket: who, when, which fields from what to what."""

    entry_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    action = UnicodeAttribute()
    actor = JSONAttribute()
    changes = JSONAttribute(default=list)
    at = UTCDateTimeAttribute()


class AttachmentItem(TicketsTable):
    """An attachment's metadata; the bytes live in S3 under ``object_key``."""

    attachment_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    object_key = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")
    uploaded_by = JSONAttribute()
    created_at = UTCDateTimeAttribute()


class TagLinkItem(TicketsTable):
    """One (ticket, tag) pair, indexed by tag; carries the fields list filters apply to."""

    ticket_id = UnicodeAttribute()
    tag = UnicodeAttribute()
    status = UnicodeAttribute()
    priority = UnicodeAttribute()
    ticket_type = UnicodeAttribute(null=True)
    assignee = UnicodeAttribute(null=True)
    customer_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class DueEntry(TicketsTable):
    """A row of the ``due`` index (its projection: keys, tenant and ticket id)."""

    ticket_id = UnicodeAttribute(null=True)


# --- keys --------------------------------------------------------------------------------


def ticket_pk(tenant_id: str, ticket_id: str) -> str:
    """The partition of a ticket's item collection."""
    return key(tenant_id, "TICKET", ticket_id)


def report_pk(tenant_id: str) -> str:
    """The partition of a tenant's ticket report counters."""
    return key(tenant_id, "TREPORT")


def all_tickets_key(tenant_id: str) -> str:
    """``by_updated`` partition of a tenant."""
    return key(tenant_id, "TICKETS")


def facet_key(tenant_id: str, facet: str, value: str) -> str:
    """A list index partition: ``<t>#TICKETS#<FACET>#<value>``."""
    return key(tenant_id, "TICKETS", facet.upper(), value)


def updated_key(updated_at: datetime, ticket_id: str) -> str:
    """The shared list sort key: updated instant (sortable text) then id."""
    return f"{iso(updated_at)}#{ticket_id}"


def iso(instant: datetime) -> str:
    """Sortable UTC text of an instant, millisecond precision."""
    instant = instant.astimezone(UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


def set_index_keys(item: TicketItem, due_shard_key: str | None) -> None:
    """(Re)compute every index key of ``item`` from its fields (call before each write)."""
    tenant_id = item.tenant_id
    item.gsi1pk = all_tickets_key(tenant_id)
    item.gsi2pk = facet_key(tenant_id, "status", item.status)
    item.gsi3pk = facet_key(tenant_id, "assignee", item.assignee) if item.assignee else None
    item.gsi4pk = facet_key(tenant_id, "customer", item.customer_id)
    item.gsi6pk = facet_key(tenant_id, "priority", item.priority)
    item.gsi7pk = facet_key(tenant_id, "type", item.ticket_type)
    item.gsi8pk = None if item.internal else facet_key(tenant_id, "visible", item.customer_id)
    item.usk = updated_key(item.updated_at, item.ticket_id)
    if item.due_at is not None and due_shard_key is not None:
        item.due_pk = due_shard_key
        item.due_sk = f"{iso(item.due_at)}#{tenant_id}#{item.ticket_id}"
    else:
        item.due_pk = None
        item.due_sk = None


def tag_link(item: TicketItem, tag: str) -> TagLinkItem:
    """The tag link of ``item`` for ``tag``, reflecting the ticket as it is now."""
    return TagLinkItem(
        pk=item.pk,
        sk=TAG + tag,
        tenant_id=item.tenant_id,
        ticket_id=item.ticket_id,
        tag=tag,
        status=item.status,
        priority=item.priority,
        ticket_type=item.ticket_type,
        assignee=item.assignee,
        customer_id=item.customer_id,
        created_at=item.created_at,
        gsi5pk=facet_key(item.tenant_id, "tag", tag),
        usk=item.usk,
    )


# --- reads -------------------------------------------------------------------------------


def get_ticket(tenant_id: str, ticket_id: str) -> TicketItem | None:
    """One ticket (strongly consistent), or None (also for another tenant's ids)."""
    try:
        return TicketItem.get(ticket_pk(tenant_id, ticket_id), TICKET_SK, consistent_read=True)
    except TicketItem.DoesNotExist:
        return None


def get_tickets(tenant_id: str, ticket_ids: list[str]) -> dict[str, TicketItem]:
    """Several tickets in one BatchGetItem (at most 100 ids)."""
    keys = [(ticket_pk(tenant_id, t), TICKET_SK) for t in dict.fromkeys(ticket_ids)]
    return {item.ticket_id: item for item in TicketItem.batch_get(keys, consistent_read=True)}


def list_messages(
    tenant_id: str, ticket_id: str, limit: int, start_key: StartKey | None
) -> Page[MessageItem]:
    """One page of a ticket's messages, oldest first."""
    return query_page(
        MessageItem,
        ticket_pk(tenant_id, ticket_id),
        limit=limit,
        start_key=start_key,
        range_key_condition=MessageItem.sk.startswith(MSG),
    )


def list_audit(
    tenant_id: str, ticket_id: str, limit: int, start_key: StartKey | None
) -> Page[AuditItem]:
    """One page of a ticket's audit entries, oldest first."""
    return query_page(
        AuditItem,
        ticket_pk(tenant_id, ticket_id),
        limit=limit,
        start_key=start_key,
        range_key_condition=AuditItem.sk.startswith(AUDIT),
    )


def get_attachment(tenant_id: str, ticket_id: str, attachment_id: str) -> AttachmentItem | None:
    """One attachment's metadata, or None."""
    try:
        return AttachmentItem.get(
            ticket_pk(tenant_id, ticket_id), ATTACHMENT + attachment_id, consistent_read=True
        )
    except AttachmentItem.DoesNotExist:
        return None


def get_attachments(
    tenant_id: str, ticket_id: str, attachment_ids: list[str]
) -> dict[str, AttachmentItem]:
    """Several attachments of one ticket in one BatchGetItem."""
    if not attachment_ids:
        return {}
    pk = ticket_pk(tenant_id, ticket_id)
    keys = [(pk, ATTACHMENT + a) for a in dict.fromkeys(attachment_ids)]
    return {
        item.attachment_id: item for item in AttachmentItem.batch_get(keys, consistent_read=True)
    }


def list_attachments(
    tenant_id: str, ticket_id: str, limit: int, start_key: StartKey | None
) -> Page[AttachmentItem]:
    """One page of a ticket's attachments, oldest first."""
    return query_page(
        AttachmentItem,
        ticket_pk(tenant_id, ticket_id),
        limit=limit,
        start_key=start_key,
        range_key_condition=AttachmentItem.sk.startswith(ATTACHMENT),
    )


@dataclass(frozen=True)
class ListFilters:
    """Filters of a ticket list; the store picks the index, the rest become filters."""

    status: str | None = None
    priority: str | None = None
    ticket_type: str | None = None
    assignee: str | None = None
    customer_id: str | None = None
    tag: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    newest_first: bool = True
    # Only the tickets the customer may see (with ``customer_id``: the widget's list).
    visible_to_customer: bool = False


def _usk_condition(model: Any, filters: ListFilters) -> Any:
    low = iso(filters.updated_after) if filters.updated_after else None
    # "~" sorts after every id character, so the bound includes the whole instant.
    high = iso(filters.updated_before) + "~" if filters.updated_before else None
    if low and high:
        return model.usk.between(low, high)
    if low:
        return model.usk >= low
    if high:
        return model.usk <= high
    return None


def _filter_condition(model: Any, filters: ListFilters, used: str) -> Any:
    condition = None
    parts: list[Any] = []
    if filters.status and used != "status":
        parts.append(model.status == filters.status)
    if filters.priority and used != "priority":
        parts.append(model.priority == filters.priority)
    if filters.ticket_type and used != "type":
        parts.append(model.ticket_type == filters.ticket_type)
    if filters.assignee and used != "assignee":
        parts.append(model.assignee == filters.assignee)
    if filters.customer_id and used != "customer":
        parts.append(model.customer_id == filters.customer_id)
    if filters.created_after:
        parts.append(model.created_at >= filters.created_after)
    if filters.created_before:
        parts.append(model.created_at <= filters.created_before)
    for part in parts:
        condition = part if condition is None else condition & part
    return condition


def list_tickets(
    tenant_id: str, filters: ListFilters, limit: int, start_key: StartKey | None
) -> Page[TicketItem]:
    """One page of tickets matching ``filters``, by last update (one Query, plus one
    BatchGetItem when listing by tag)."""
    if filters.tag:
        links: Page[TagLinkItem] = query_page(
            TicketsTable.by_tag,
            facet_key(tenant_id, "tag", filters.tag),
            limit=limit,
            start_key=start_key,
            range_key_condition=_usk_condition(TagLinkItem, filters),
            filter_condition=_filter_condition(TagLinkItem, filters, "tag"),
            newest_first=filters.newest_first,
            model=TagLinkItem,
        )
        found = get_tickets(tenant_id, [link.ticket_id for link in links.items])
        items = [found[link.ticket_id] for link in links.items if link.ticket_id in found]
        return Page(items, links.next_key)
    index: Any
    if filters.customer_id and filters.visible_to_customer:
        index, hash_key, used = (
            TicketsTable.by_customer_visible,
            facet_key(tenant_id, "visible", filters.customer_id),
            "customer",
        )
    elif filters.customer_id:
        index, hash_key, used = (
            TicketsTable.by_customer,
            facet_key(tenant_id, "customer", filters.customer_id),
            "customer",
        )
    elif filters.assignee:
        index, hash_key, used = (
            TicketsTable.by_assignee,
            facet_key(tenant_id, "assignee", filters.assignee),
            "assignee",
        )
    elif filters.status:
        index, hash_key, used = (
            TicketsTable.by_status,
            facet_key(tenant_id, "status", filters.status),
            "status",
        )
    elif filters.ticket_type:
        index, hash_key, used = (
            TicketsTable.by_type,
            facet_key(tenant_id, "type", filters.ticket_type),
            "type",
        )
    elif filters.priority:
        index, hash_key, used = (
            TicketsTable.by_priority,
            facet_key(tenant_id, "priority", filters.priority),
            "priority",
        )
    else:
        index, hash_key, used = TicketsTable.by_updated, all_tickets_key(tenant_id), "all"
    return query_page(
        index,
        hash_key,
        limit=limit,
        start_key=start_key,
        range_key_condition=_usk_condition(TicketItem, filters),
        filter_condition=_filter_condition(TicketItem, filters, used),
        newest_first=filters.newest_first,
        model=TicketItem,
    )


def query_due(
    shard_key: str, until: datetime, start_key: StartKey | None, limit: int
) -> Page[DueEntry]:
    """Platform jobs: one page of tickets whose next wake-up is at or before ``until``."""
    return query_page(
        TicketsTable.due,
        shard_key,
        limit=limit,
        start_key=start_key,
        range_key_condition=TicketsTable.due_sk <= iso(until) + "~",
        model=DueEntry,
    )


def report_counters(tenant_id: str, low_sk: str, high_sk: str) -> Iterator[dict[str, Any]]:
    """Raw counter items of a tenant between two sort keys (one Query per 1 MB page)."""
    client = aws_client("dynamodb")
    params: dict[str, Any] = {
        "TableName": TicketsTable.Meta.table_name,
        "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
        "ExpressionAttributeValues": {
            ":pk": {"S": report_pk(tenant_id)},
            ":lo": {"S": low_sk},
            ":hi": {"S": high_sk},
        },
        "ConsistentRead": True,
    }
    while True:
        response = client.query(**params)
        for raw in response.get("Items", []):
            yield {
                name: int(value["N"]) if "N" in value else value.get("S")
                for name, value in raw.items()
            }
        last = response.get("LastEvaluatedKey")
        if not last:
            return
        params["ExclusiveStartKey"] = last


# --- writes ---


def postpone_due(item: TicketItem, until: datetime) -> bool:
    """Move a ticket's wake-up to ``until`` unless it changed meanwhile (True when moved).

    Used for tickets the sweep must not act on now (the tenant is suspended); any later
    write of the ticket recomputes the wake-up anyway.
    """
    from pynamodb.exceptions import UpdateError

    from chalicelib.store.errors import is_condition_failure

    try:
        item.update(
            actions=[
                TicketItem.due_at.set(until),
                TicketItem.due_sk.set(f"{iso(until)}#{item.tenant_id}#{item.ticket_id}"),
            ],
            condition=(TicketItem.version == item.version) & TicketItem.due_pk.exists(),
        )
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def put_attachment(item: AttachmentItem) -> None:
    """Store new attachment metadata."""
    item.save(condition=AttachmentItem.pk.does_not_exist())


def mark_uploaded(item: AttachmentItem, size: int) -> AttachmentItem:
    """Record a confirmed upload and its real size (only from ``pending``)."""
    item.update(
        actions=[AttachmentItem.status.set("uploaded"), AttachmentItem.size.set(size)],
        condition=AttachmentItem.status == "pending",
    )
    return item


@dataclass
class CounterDelta:
    """Atomic increments of one report counter item."""

    sk: str
    deltas: dict[str, int]


@dataclass
class VersionedPut:
    """An item written with a ticket change if its stored ``version`` is still ``expected``
    (the caller has set the new version on ``item``); ``what`` names it in the 409."""

    item: Storable
    expected: int
    what: str


class TicketChanged(VersionConflict):
    """The ticket itself changed since it was read (a caller may re-read it and retry)."""


@dataclass
class TicketWrite:
    """Everything one change of a ticket writes, atomically.

    ``expected_version`` None means the ticket is new (refused if it exists).
    """

    ticket: TicketItem
    expected_version: int | None
    # New items created with the ticket, possibly of other tables (a warranty claim and its
    # ticket are one write).
    puts: list[Storable] = field(default_factory=list)
    # Existing items of other tables changed with the ticket, each written only if still at
    # the version read (a claim's status change and its ticket's move together).
    versioned: list[VersionedPut] = field(default_factory=list)
    removed_tags: list[str] = field(default_factory=list)
    counters: list[CounterDelta] = field(default_factory=list)


def _put(item: Storable, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {"TableName": item.Meta.table_name, "Item": item.serialize()}
    if condition:
        request.update(condition)
    return {"Put": request}


def _counter_update(tenant_id: str, delta: CounterDelta) -> dict[str, Any]:
    names: dict[str, str] = {"#tenant": "tenant_id"}
    values: dict[str, Any] = {":tenant": {"S": tenant_id}}
    adds: list[str] = []
    for i, (name, amount) in enumerate(sorted(delta.deltas.items())):
        names[f"#c{i}"] = name
        values[f":c{i}"] = {"N": str(amount)}
        adds.append(f"#c{i} :c{i}")
    return {
        "Update": {
            "TableName": TicketsTable.Meta.table_name,
            "Key": {"pk": {"S": report_pk(tenant_id)}, "sk": {"S": delta.sk}},
            "UpdateExpression": "SET #tenant = :tenant ADD " + ", ".join(adds),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


def commit(write: TicketWrite) -> TicketItem:
    """Write a ticket change in one transaction; a stale version is a ``VersionConflict``."""
    ticket = write.ticket
    condition: dict[str, Any]
    if write.expected_version is None:
        condition = {"ConditionExpression": "attribute_not_exists(pk)"}
    else:
        condition = {
            "ConditionExpression": "#v = :v",
            "ExpressionAttributeNames": {"#v": "version"},
            "ExpressionAttributeValues": {":v": {"N": str(write.expected_version)}},
        }
    items = [_put(ticket, condition)]
    items += [
        _put(
            other.item,
            {
                "ConditionExpression": "#v = :v",
                "ExpressionAttributeNames": {"#v": "version"},
                "ExpressionAttributeValues": {":v": {"N": str(other.expected)}},
            },
        )
        for other in write.versioned
    ]
    items += [
        _put(extra, {"ConditionExpression": "attribute_not_exists(pk)"}) for extra in write.puts
    ]
    items += [_put(tag_link(ticket, tag)) for tag in ticket.tags or []]
    items += [
        {
            "Delete": {
                "TableName": TicketsTable.Meta.table_name,
                "Key": {"pk": {"S": ticket.pk}, "sk": {"S": TAG + tag}},
            }
        }
        for tag in write.removed_tags
    ]
    items += [_counter_update(ticket.tenant_id, d) for d in write.counters if d.deltas]
    _transact(items, ticket.ticket_id, [other.what for other in write.versioned])
    return ticket


def _transact(items: list[dict[str, Any]], ticket_id: str, versioned: list[str]) -> None:
    """Send the transaction; the ticket is item 0, the ``versioned`` items follow it."""
    from botocore.exceptions import ClientError

    try:
        aws_client("dynamodb").transact_write_items(TransactItems=items)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if error.get("Code") != "TransactionCanceledException":
            raise
        reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
        if "TransactionConflict" in reasons:
            raise Unavailable(
                "the ticket is being changed concurrently; retry", retry_after=1
            ) from exc
        if reasons and reasons[0] == "ConditionalCheckFailed":
            raise TicketChanged(
                f"ticket {ticket_id} was changed by someone else; fetch it and retry"
            ) from exc
        for what, reason in zip(versioned, reasons[1:], strict=False):
            if reason == "ConditionalCheckFailed":
                raise VersionConflict(
                    f"the {what} was changed by someone else; fetch it and retry with its version"
                ) from exc
        if "ConditionalCheckFailed" in reasons:
            raise Conflict("the change collides with an existing item", code="duplicate") from exc
        raise


def tags_removed(before: Iterable[str], after: Iterable[str]) -> list[str]:
    """Tags present before and gone after (their links must be deleted)."""
    remaining = set(after)
    return [t for t in before if t not in remaining]
