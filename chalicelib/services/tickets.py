"""Tickets: open, read, change (status machine included), list, converse, audit.

Every change goes through :func:`_commit`: it stamps the new version, recomputes the SLA
clocks and the next wake-up, records an audit entry, updates the report counters and writes
all of it in one transaction, then emits the domain events (``docs/events.md``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain import links
from chalicelib.domain import tickets as rules
from chalicelib.domain.actors import Actor, ActorKind
from chalicelib.domain.errors import (
    BadRequest,
    Invalid,
    NotFound,
    PreconditionRequired,
    VersionConflict,
)
from chalicelib.domain.ids import is_id, new_id
from chalicelib.notify.events import DomainEvent
from chalicelib.schemas.ticket_settings import TicketSettings
from chalicelib.schemas.tickets import (
    ActorModel,
    AuditChange,
    AuditEntry,
    AuditList,
    Message,
    MessageCreate,
    MessageList,
    Ticket,
    TicketCreate,
    TicketList,
    TicketListQuery,
    TicketSla,
    TicketUpdate,
)
from chalicelib.services.paging import next_cursor, page_request
from chalicelib.store import tenant_context
from chalicelib.store import tickets as store
from chalicelib.store.base import utcnow

# Ticket fields an update may change, by API name → item attribute.
_FIELDS = {
    "subject": "subject",
    "status": "status",
    "type": "ticket_type",
    "priority": "priority",
    "assignee": "assignee",
    "group": "group_name",
    "tags": "tags",
    "custom_fields": "custom_fields",
    "product_id": "product_id",
    "warranty_id": "warranty_id",
    "appointment_id": "appointment_id",
    "serial_number": "serial_number",
    "entitlement": "entitlement",
    "customer_tier": "customer_tier",
    "internal": "internal",
}
_REQUIRED = {
    "subject",
    "status",
    "type",
    "priority",
    "entitlement",
    "tags",
    "custom_fields",
    "internal",
}
_MAX_RETRIES = 3


# --- context ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketContext:
    """The tenant's settings a ticket change needs, read once per request (one Query)."""

    tenant_id: str
    time_zone: str
    locale: str
    sections: dict[str, dict[str, Any]]
    active: bool = True

    @property
    def ticket_settings(self) -> TicketSettings:
        """The ``tickets`` section (defaults where never set)."""
        return TicketSettings.model_validate(self.sections.get("tickets", {}))


SECTIONS = ("tickets", "sla", "business_hours", "ticket_fields")


def _context(tenant_id: str, loaded: tenant_context.TenantContext) -> TicketContext:
    tenant = loaded.tenant
    return TicketContext(
        tenant_id=tenant_id,
        time_zone=tenant.time_zone if tenant else "UTC",
        locale=tenant.default_locale if tenant else "en",
        sections=loaded.sections,
        active=tenant is not None and tenant.status == "active",
    )


def context_from(tenant_id: str, loaded: tenant_context.TenantContext) -> TicketContext:
    """The ticket context of a tenant context read with :func:`tenant_context.load_with`
    (with :data:`SECTIONS`), for callers that read other items in the same call."""
    return _context(tenant_id, loaded)


def load_context(tenant_id: str) -> TicketContext:
    """The tenant's time zone, locale and settings (one Query)."""
    return _context(tenant_id, tenant_context.load(tenant_id))


def load_with_context(
    tenant_id: str, ticket_id: str
) -> tuple[store.TicketItem | None, TicketContext]:
    """A ticket and its tenant's context in one BatchGetItem (None for unknown tickets)."""
    if not is_id(ticket_id):
        raise _not_found(ticket_id)
    table = store.TicketsTable.Meta.table_name
    pk = store.ticket_pk(tenant_id, ticket_id)
    loaded = tenant_context.load_with(tenant_id, SECTIONS, [(table, pk, store.TICKET_SK)])
    raw = loaded.extra.get((table, pk, store.TICKET_SK))
    item = store.TicketItem.from_raw_data(raw) if raw else None
    return item, _context(tenant_id, loaded)


# --- responses ----------------------------------------------------------------------------


def to_actor_model(data: dict[str, Any] | None) -> ActorModel:
    """Response model of a stored actor."""
    return _actor_model(data)


def _actor_model(data: dict[str, Any] | None) -> ActorModel:
    actor = Actor.from_dict(data)
    return ActorModel(kind=actor.kind.value, id=actor.id, name=actor.name)


def to_ticket(
    item: store.TicketItem, ctx: TicketContext | None, now: datetime | None = None
) -> Ticket:
    """Response model of a ticket record (SLA view as of ``now``, default: the present)."""
    from chalicelib.services.ticket_sla import sla_view, utc_now

    return Ticket(
        id=item.ticket_id,
        subject=item.subject,
        description=item.description,
        customer_id=item.customer_id,
        channel=item.channel,  # type: ignore[arg-type]
        type=item.ticket_type,  # type: ignore[arg-type]
        priority=item.priority,  # type: ignore[arg-type]
        status=item.status,  # type: ignore[arg-type]
        assignee=item.assignee,
        group=item.group_name,
        tags=list(item.tags or []),
        custom_fields=dict(item.custom_fields or {}),
        product_id=item.product_id,
        warranty_id=item.warranty_id,
        appointment_id=item.appointment_id,
        serial_number=item.serial_number,
        entitlement=item.entitlement,  # type: ignore[arg-type]
        customer_tier=item.customer_tier,
        internal=bool(item.internal),
        sla=sla_view(item, ctx, now or utc_now()),
        first_response_at=item.first_response_at,
        solved_at=item.solved_at,
        closed_at=item.closed_at,
        reopen_count=int(item.reopen_count or 0),
        message_count=int(item.message_count or 0),
        last_customer_message_at=item.last_customer_message_at,
        last_agent_reply_at=item.last_agent_reply_at,
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version),
    )


def to_message(item: store.MessageItem) -> Message:
    """Response model of a message."""
    return Message(
        id=item.message_id,
        ticket_id=item.ticket_id,
        body=item.body,
        visibility=item.visibility,  # type: ignore[arg-type]
        author=_actor_model(item.author),
        attachment_ids=list(item.attachment_ids or []),
        created_at=item.created_at,
    )


def to_audit(item: store.AuditItem) -> AuditEntry:
    """Response model of an audit entry."""
    return AuditEntry(
        id=item.entry_id,
        ticket_id=item.ticket_id,
        action=item.action,
        actor=_actor_model(item.actor),
        changes=[AuditChange(**c) for c in item.changes or []],
        at=item.at,
    )


def empty_sla() -> TicketSla:
    """The SLA view of a ticket no policy applies to."""
    return TicketSla(policy=None, state="none", targets=[])


# --- events -------------------------------------------------------------------------------


def event_data(item: store.TicketItem, **extra: Any) -> dict[str, Any]:
    """The ``data`` of every ticket event (schema: docs/events.md)."""
    sla = item.sla or {}
    data: dict[str, Any] = {
        "ticket_id": item.ticket_id,
        "customer_id": item.customer_id,
        "subject": item.subject,
        "status": item.status,
        "previous_status": None,
        "priority": item.priority,
        "type": item.ticket_type,
        "channel": item.channel,
        "assignee": item.assignee,
        "group": item.group_name,
        "tags": list(item.tags or []),
        "product_id": item.product_id,
        "warranty_id": item.warranty_id,
        "appointment_id": item.appointment_id,
        "serial_number": item.serial_number,
        "entitlement": item.entitlement,
        "internal": bool(item.internal),
        "sla_state": sla.get("state", "none"),
        "reopen_count": int(item.reopen_count or 0),
        "created_at": store.iso(item.created_at),
        "solved_at": store.iso(item.solved_at) if item.solved_at else None,
        "version": int(item.version),
    }
    data.update(extra)
    return data


def status_events(
    tenant_id: str, before: store.TicketItem, after: store.TicketItem, actor: Actor
) -> list[DomainEvent]:
    """``ticket.status_changed`` plus the specific event of the new status, if any."""
    if before.status == after.status:
        return []
    common = {"previous_status": before.status, "actor": actor.as_dict()}
    events = [DomainEvent(tenant_id, "ticket.status_changed", event_data(after, **common))]
    specific = {
        rules.Status.SOLVED.value: "ticket.solved",
        rules.Status.CLOSED.value: "ticket.closed",
    }.get(after.status)
    if before.status == rules.Status.SOLVED.value and after.status == rules.Status.OPEN.value:
        specific = "ticket.reopened"
    if specific:
        events.append(DomainEvent(tenant_id, specific, event_data(after, **common)))
    return events


# --- the one write path -------------------------------------------------------------------


@dataclass
class Change:
    """One change of a ticket being assembled."""

    before: store.TicketItem | None
    after: store.TicketItem
    actor: Actor
    action: str
    now: datetime
    changes: list[dict[str, Any]] = field(default_factory=list)
    puts: list[store.Storable] = field(default_factory=list)
    # Records of other contexts written with the ticket, conditional on their version.
    versioned: list[store.VersionedPut] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)
    counters: list[store.CounterDelta] = field(default_factory=list)
    customer_replied: bool = False
    agent_replied: bool = False
    # The sweep job's SLA step (accrue to now) instead of applying a change.
    sweep: bool = False


def copy_item(item: store.TicketItem) -> store.TicketItem:
    """An independent copy of a ticket record (the "after" of a change)."""
    return store.TicketItem.from_raw_data(item.serialize())


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return store.iso(value)
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def _audit(change: Change) -> store.AuditItem:
    after = change.after
    entry_id = new_id()
    return store.AuditItem(
        pk=after.pk,
        sk=store.AUDIT + entry_id,
        tenant_id=after.tenant_id,
        entry_id=entry_id,
        ticket_id=after.ticket_id,
        action=change.action,
        actor=change.actor.as_dict(),
        changes=change.changes,
        at=change.now,
    )


def commit_change(change: Change, ctx: TicketContext) -> store.TicketItem:
    """Version, SLA, due index, audit, counters: one transaction; then the events."""
    from chalicelib.services import reactions, ticket_reports, ticket_sla

    after, before = change.after, change.before
    after.updated_at = change.now
    after.version = 1 if before is None else int(before.version) + 1
    change.events += (
        ticket_sla.check(change, ctx) if change.sweep else ticket_sla.recompute(change, ctx)
    )
    shard = ticket_sla.due_shard_key(after.ticket_id)
    store.set_index_keys(after, shard)
    entry = _audit(change)
    change.counters += ticket_reports.counter_deltas(before, after, change.now)
    store.commit(
        store.TicketWrite(
            ticket=after,
            expected_version=None if before is None else int(before.version),
            # A sweep that only re-planned its wake-up changed nothing worth an audit entry.
            puts=[*change.puts, *([entry] if change.changes else [])],
            versioned=change.versioned,
            removed_tags=store.tags_removed(before.tags or [] if before else [], after.tags or []),
            counters=change.counters,
        )
    )
    reactions.emit(change.events)
    return after


# --- use cases ----------------------------------------------------------------------------


def _not_found(ticket_id: str) -> NotFound:
    return NotFound(f"no ticket with id {ticket_id}", code="ticket_not_found")


def load_ticket(tenant_id: str, ticket_id: str) -> store.TicketItem:
    """The stored ticket, or 404 (also for malformed and foreign ids)."""
    item = store.get_ticket(tenant_id, ticket_id) if is_id(ticket_id) else None
    if item is None:
        raise _not_found(ticket_id)
    return item


def load_ticket_and_context(
    tenant_id: str, ticket_id: str
) -> tuple[store.TicketItem, TicketContext]:
    """The stored ticket and its tenant's context (one BatchGetItem), or 404."""
    item, ctx = load_with_context(tenant_id, ticket_id)
    if item is None:
        raise _not_found(ticket_id)
    return item, ctx


def get_ticket(tenant_id: str, ticket_id: str) -> Ticket:
    """One ticket with its SLA targets, due times and state (one BatchGetItem)."""
    item, ctx = load_ticket_and_context(tenant_id, ticket_id)
    return to_ticket(item, ctx)


def resolve_entitlement(
    tenant_id: str, *, warranty_id: str | None, requested: str | None, customer_id: str
) -> str:
    """The ticket's entitlement: what the caller said, else derived from its warranty link.

    This is the one place entitlement is computed; the warranties context hooks its coverage
    check in here (a registration in force → ``covered``, expired → ``chargeable``). The
    registration read for it must be ``customer_id``'s own (422 ``customer_mismatch``).
    """
    if warranty_id:
        from chalicelib.services import warranties

        loaded = warranties.load(tenant_id, warranty_id)  # 404 if not the tenant's
        links.ensure_same_customer(
            customer_id, [links.registration(loaded.item.data["customer_id"])]
        )
        return requested or warranties.entitlement_of(loaded)
    return requested or rules.Entitlement.UNKNOWN.value


def _context_and_customer(tenant_id: str, customer_id: str) -> tuple[TicketContext, str]:
    """The tenant context and the proof the customer exists, in one BatchGetItem."""
    from chalicelib.store import customers as customer_store

    table = customer_store.CustomersTable.Meta.table_name
    key = (table, customer_store.collection_key(tenant_id), customer_id)
    loaded = tenant_context.load_with(tenant_id, SECTIONS, [key])
    if key not in loaded.extra:
        raise NotFound(f"no customer with id {customer_id}", code="customer_not_found")
    return _context(tenant_id, loaded), customer_id


def _check_links(
    tenant_id: str,
    *,
    product_id: str | None,
    appointment_id: str | None = None,
    customer_id: str,
) -> None:
    """A linked product must be one of the tenant's own (404 ``product_not_found``), a linked
    appointment one of the tenant's visits of this customer (404, or 422 ``customer_mismatch``).

    A linked warranty is loaded by :func:`resolve_entitlement`, which checks it the same way.
    """
    if product_id is not None:
        from chalicelib.services import products

        products.load_product(tenant_id, product_id)
    if appointment_id is not None:
        from chalicelib.services import appointments

        visit = appointments.load_appointment(tenant_id, appointment_id).data
        links.ensure_same_customer(customer_id, [links.appointment(visit["customer_id"])])


def open_ticket(
    tenant_id: str,
    request: TicketCreate,
    *,
    actor: Actor,
    ticket_id: str | None = None,
    also_create: Sequence[store.Storable] = (),
) -> Ticket:
    """Create a ticket (customer by id, or found/created by email) and start its SLA clocks.

    ``ticket_id`` and ``also_create`` let another context create an item referring to the
    ticket in the same transaction (a warranty claim and its ticket exist together or not at
    all, so a retried request cannot leave an orphan ticket behind).
    """
    from chalicelib.services import customers, ticket_fields

    if request.customer_id:
        ctx, customer_id = _context_and_customer(tenant_id, request.customer_id)
    else:
        ctx = load_context(tenant_id)
        customer_id = customers.find_or_create_customer(
            tenant_id, email=request.customer_email, name=request.customer_name
        ).id
    custom_fields = ticket_fields.validate(ctx.sections, request.custom_fields, partial=False)
    _check_links(
        tenant_id,
        product_id=request.product_id,
        appointment_id=request.appointment_id,
        customer_id=customer_id,
    )
    warranty_id, product_id = request.warranty_id, request.product_id
    if warranty_id is None and request.serial_number:
        # Opened with a serial: link the customer's own registration of it, if there is one.
        from chalicelib.services import warranties

        link = warranties.registration_for_serial(
            tenant_id, request.serial_number, product_id=product_id, customer_id=customer_id
        )
        if link is not None:
            warranty_id, product_id = link
    now = utcnow()
    ticket_id = ticket_id or new_id()
    item = store.TicketItem(
        pk=store.ticket_pk(tenant_id, ticket_id),
        sk=store.TICKET_SK,
        tenant_id=tenant_id,
        ticket_id=ticket_id,
        subject=request.subject,
        description=request.description,
        customer_id=customer_id,
        channel=request.channel,
        ticket_type=request.type,
        priority=request.priority,
        status=request.status,
        assignee=request.assignee,
        group_name=request.group,
        tags=list(dict.fromkeys(request.tags)),
        custom_fields=custom_fields,
        product_id=product_id,
        warranty_id=warranty_id,
        appointment_id=request.appointment_id,
        serial_number=request.serial_number,
        entitlement=resolve_entitlement(
            tenant_id,
            warranty_id=warranty_id,
            requested=request.entitlement,
            customer_id=customer_id,
        ),
        customer_tier=request.customer_tier,
        internal=request.internal,
        reopen_count=0,
        message_count=0,
        status_changed_at=now,
        created_at=now,
        updated_at=now,
        version=1,
    )
    if actor.kind is ActorKind.CUSTOMER:
        item.last_customer_message_at = now
    change = Change(before=None, after=item, actor=actor, action="created", now=now)
    change.puts.extend(also_create)
    change.changes = [
        {"field": name, "old": None, "new": _json_value(getattr(item, attr))}
        for name, attr in _FIELDS.items()
        if getattr(item, attr) not in (None, [], {})
    ]
    change.events.append(
        DomainEvent(tenant_id, "ticket.created", event_data(item, actor=actor.as_dict()))
    )
    return to_ticket(commit_change(change, ctx), ctx, now)


def update_ticket(
    tenant_id: str,
    ticket_id: str,
    request: TicketUpdate,
    if_match: int | None,
    *,
    actor: Actor,
) -> Ticket:
    """Apply a partial update conditional on the caller's version (stale → 409).

    A status change must be allowed by the status machine (409 ``invalid_transition``,
    ``ticket_closed`` or ``reopen_window_expired`` otherwise).
    """
    from chalicelib.services import ticket_fields

    expected = expected_version(request.version, if_match)
    requested: dict[str, Any] = request.model_dump(exclude_unset=True, exclude={"version"})
    for name in _REQUIRED:
        if name in requested and requested[name] is None:
            raise Invalid(f"{name} cannot be removed", code="validation_failed")
    current, ctx = load_ticket_and_context(tenant_id, ticket_id)
    if int(current.version) != expected:
        raise VersionConflict(
            f"the ticket is at version {current.version}, not {expected}; fetch it and retry"
        )
    if current.status == rules.Status.CLOSED.value:
        raise rules_closed()
    now = utcnow()
    after = copy_item(current)
    change = Change(before=current, after=after, actor=actor, action="updated", now=now)
    if "custom_fields" in requested:
        merged = {**(current.custom_fields or {}), **requested["custom_fields"]}
        requested["custom_fields"] = ticket_fields.validate(ctx.sections, merged, partial=False)
    if "tags" in requested:
        requested["tags"] = list(dict.fromkeys(requested["tags"]))
    _check_links(
        tenant_id,
        product_id=requested.get("product_id"),
        appointment_id=requested.get("appointment_id"),
        customer_id=current.customer_id,
    )
    if requested.get("warranty_id") and requested["warranty_id"] != current.warranty_id:
        # Linking a registration (one of the tenant's own, else 404) re-derives entitlement.
        derived = resolve_entitlement(
            tenant_id,
            warranty_id=requested["warranty_id"],
            requested=requested.get("entitlement"),
            customer_id=current.customer_id,
        )
        requested["entitlement"] = derived
    _apply_fields(change, ctx, requested)
    if not change.changes:
        return to_ticket(current, ctx, now)
    change.events += _update_events(tenant_id, current, after, change)
    return to_ticket(commit_change(change, ctx), ctx, now)


def expected_version(body_version: int | None, if_match: int | None) -> int:
    """The version an update is conditional on (428 when missing, 422 when contradictory)."""
    expected = body_version or if_match
    if expected is None:
        raise PreconditionRequired(
            "send the version you are updating, as 'version' or an If-Match header"
        )
    if body_version and if_match and body_version != if_match:
        raise Invalid("'version' and If-Match disagree", code="version_mismatch")
    return expected


def _apply_fields(change: Change, ctx: TicketContext, requested: dict[str, Any]) -> None:
    current, after = change.before, change.after
    if current is None:
        raise TypeError("field updates apply to an existing ticket")
    for name, value in requested.items():
        attr = _FIELDS[name]
        old = getattr(current, attr)
        if name == "status":
            if value == current.status:
                continue
            apply_status(change, ctx, rules.Status(value))
        else:
            setattr(after, attr, value)
        new = getattr(after, attr)
        if _json_value(old) != _json_value(new):
            change.changes.append({"field": name, "old": _json_value(old), "new": _json_value(new)})


def _update_events(
    tenant_id: str, current: store.TicketItem, after: store.TicketItem, change: Change
) -> list[DomainEvent]:
    actor = change.actor
    changed = {c["field"] for c in change.changes}
    events = status_events(tenant_id, current, after, actor)
    if "assignee" in changed:
        events.append(
            DomainEvent(
                tenant_id,
                "ticket.assigned",
                event_data(after, previous_assignee=current.assignee, actor=actor.as_dict()),
            )
        )
    if changed - {"status"}:
        events.append(
            DomainEvent(
                tenant_id,
                "ticket.updated",
                event_data(
                    after,
                    previous_status=current.status if "status" in changed else None,
                    changed_fields=sorted(changed),
                    actor=actor.as_dict(),
                ),
            )
        )
    return events


def rules_closed() -> Exception:
    """The error for any change of a closed ticket."""
    from chalicelib.domain.errors import Conflict

    return Conflict(
        "the ticket is closed; closed tickets are final (open a new ticket instead)",
        code="ticket_closed",
    )


def apply_status(change: Change, ctx: TicketContext, target: rules.Status) -> None:
    """Move ``change.after`` to ``target`` if the status machine allows it now."""
    after, now = change.after, change.now
    current = rules.Status(after.status)
    window = timedelta(days=ctx.ticket_settings.reopen_window_days)
    rules.ensure_transition(
        current, target, solved_at=after.solved_at, now=now, reopen_window=window
    )
    after.status = target.value
    after.status_changed_at = now
    if target is rules.Status.SOLVED:
        after.solved_at = now
    if target is rules.Status.CLOSED:
        after.closed_at = now
    if current is rules.Status.SOLVED and target is rules.Status.OPEN:
        after.reopen_count = int(after.reopen_count or 0) + 1
        after.solved_at = None
    # Automation notices belong to the status they were planned for.
    after.automation = None


def list_tickets(
    tenant_id: str,
    query: TicketListQuery,
    *,
    with_sla: bool = True,
    visible_to_customer: bool = False,
) -> TicketList:
    """A page of tickets by last update, filtered (one Query; +1 BatchGetItem for ``tag``).

    The SLA view needs the tenant's calendar: +1 Query, unless ``with_sla`` is False (views
    that do not show SLAs, like the customer's own list in the widget).
    ``visible_to_customer`` (with ``customer_id``) lists only tickets not marked internal.
    """
    filters = store.ListFilters(
        status=query.status,
        priority=query.priority,
        ticket_type=query.type,
        assignee=query.assignee,
        customer_id=query.customer_id,
        tag=query.tag,
        created_after=query.created_after,
        created_before=query.created_before,
        updated_after=query.updated_after,
        updated_before=query.updated_before,
        newest_first=query.sort == "-updated_at",
        visible_to_customer=visible_to_customer,
    )
    for low, high, name in (
        (query.created_after, query.created_before, "created"),
        (query.updated_after, query.updated_before, "updated"),
    ):
        for value in (low, high):
            if value is not None and value.tzinfo is None:
                raise BadRequest(
                    f"{name} range bounds need a time zone (e.g. Z)", code="invalid_query"
                )
        if low and high and low > high:
            raise BadRequest(f"{name}_after is later than {name}_before", code="invalid_query")
    # The cursor is bound to the list and its filters (a digest keeps the cursor short).
    filters_json = query.model_dump_json(exclude={"limit", "cursor"})
    if visible_to_customer:
        filters_json += "#visible"
    scope = "tickets:" + hashlib.sha256(filters_json.encode()).hexdigest()[:32]
    size, start = page_request(tenant_id, scope, query.limit, query.cursor)
    page = store.list_tickets(tenant_id, filters, size, start)
    ctx = load_context(tenant_id) if page.items and with_sla else None
    return TicketList(
        items=[to_ticket(i, ctx) for i in page.items],
        next_cursor=next_cursor(tenant_id, scope, page),
    )


# --- conversation -------------------------------------------------------------------------


def add_message(tenant_id: str, ticket_id: str, request: MessageCreate, *, actor: Actor) -> Message:
    """Add a reply or internal note; moves the status and SLA clocks as the rules say.

    Concurrent writers to the same ticket are serialised by its version: a message that
    loses the race is re-applied to the fresh ticket (up to 3 times).
    """
    author = actor
    if request.author is not None:
        author = Actor(
            kind=ActorKind(request.author.kind), id=request.author.id, name=request.author.name
        )
    visibility = rules.Visibility(request.visibility)
    if visibility is rules.Visibility.INTERNAL and author.kind is ActorKind.CUSTOMER:
        raise Invalid("customers cannot write internal notes", code="invalid_visibility")
    message_id = new_id()
    for attempt in range(_MAX_RETRIES):
        current, ctx = load_ticket_and_context(tenant_id, ticket_id)
        if attempt == 0 and request.attachment_ids:
            _check_attachments(tenant_id, ticket_id, request.attachment_ids)
        try:
            return _write_message(
                ctx,
                current=current,
                message_id=message_id,
                request=request,
                author=author,
                visibility=visibility,
            )
        except VersionConflict:
            if attempt == _MAX_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _check_attachments(tenant_id: str, ticket_id: str, attachment_ids: list[str]) -> None:
    found = store.get_attachments(tenant_id, ticket_id, attachment_ids)
    missing = [a for a in attachment_ids if a not in found]
    if missing:
        raise Invalid(
            f"no attachment {missing[0]} on this ticket; create it first",
            code="attachment_not_found",
        )
    pending = [a for a, item in found.items() if item.status != "uploaded"]
    if pending:
        raise Invalid(
            f"attachment {pending[0]} has not been uploaded (or confirmed) yet",
            code="attachment_not_uploaded",
        )


def _write_message(
    ctx: TicketContext,
    *,
    current: store.TicketItem,
    message_id: str,
    request: MessageCreate,
    author: Actor,
    visibility: rules.Visibility,
) -> Message:
    now = utcnow()
    target = rules.status_after_message(rules.Status(current.status), author, visibility)
    after = copy_item(current)
    change = Change(before=current, after=after, actor=author, action="message_added", now=now)
    message = store.MessageItem(
        pk=current.pk,
        sk=store.MSG + message_id,
        tenant_id=current.tenant_id,
        message_id=message_id,
        ticket_id=current.ticket_id,
        body=request.body,
        visibility=visibility.value,
        author=author.as_dict(),
        attachment_ids=list(request.attachment_ids),
        created_at=now,
    )
    change.puts.append(message)
    after.message_count = int(current.message_count or 0) + 1
    if target.value != current.status:
        apply_status(change, ctx, target)
        change.changes.append({"field": "status", "old": current.status, "new": target.value})
    public = visibility is rules.Visibility.PUBLIC
    if public and author.kind is ActorKind.CUSTOMER:
        after.last_customer_message_at = now
        after.automation = None
        change.customer_replied = True
    if public and author.kind is ActorKind.AGENT:
        change.agent_replied = True
        if rules.is_first_response(author, visibility, current.first_response_at):
            after.first_response_at = now
            change.changes.append(
                {"field": "first_response_at", "old": None, "new": store.iso(now)}
            )
        after.last_agent_reply_at = now
    change.changes.append({"field": "messages", "old": None, "new": message_id})
    data = event_data(
        after,
        message_id=message_id,
        visibility=visibility.value,
        author=author.as_dict(),
        first_response=after.first_response_at == now,
    )
    change.events.append(DomainEvent(current.tenant_id, "ticket.message_added", data))
    change.events += status_events(current.tenant_id, current, after, author)
    commit_change(change, ctx)
    return to_message(message)


def list_messages(
    tenant_id: str, ticket_id: str, limit: int | None, cursor: str | None
) -> MessageList:
    """A page of the conversation, oldest first (404 for unknown tickets)."""
    load_ticket(tenant_id, ticket_id)
    scope = f"ticket-messages:{ticket_id}"
    size, start = page_request(tenant_id, scope, limit, cursor)
    page = store.list_messages(tenant_id, ticket_id, size, start)
    return MessageList(
        items=[to_message(i) for i in page.items], next_cursor=next_cursor(tenant_id, scope, page)
    )


def list_audit(tenant_id: str, ticket_id: str, limit: int | None, cursor: str | None) -> AuditList:
    """A page of the ticket's audit trail, oldest first."""
    load_ticket(tenant_id, ticket_id)
    scope = f"ticket-audit:{ticket_id}"
    size, start = page_request(tenant_id, scope, limit, cursor)
    page = store.list_audit(tenant_id, ticket_id, size, start)
    return AuditList(
        items=[to_audit(i) for i in page.items], next_cursor=next_cursor(tenant_id, scope, page)
    )
