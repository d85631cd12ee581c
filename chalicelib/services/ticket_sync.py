"""What a claim's or a visit's change does to its ticket, written in the same transaction.

The rules are in ``chalicelib/domain/links.py`` (which status change moves the ticket where,
and whether its note is public or internal); this module reads the ticket with its tenant's
context and the customer's locale in one ``BatchGetItem``, builds the ticket change (status,
note, audit entry, SLA, counters) and writes it together with the claim or appointment in one
``TransactWriteItems``: the record's version is checked in the same transaction, so a stale
claim leaves its ticket untouched, and a ticket changed meanwhile is re-read and the change
re-applied (up to three times).

Public notes are written in the customer's locale, internal ones in the tenant's. Their author
is the system (the actor who made the change is in the ticket's audit entry): a generated note
is not an agent's reply, so it neither counts as the first response nor moves a ``new`` ticket
by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from chalicelib.domain import links
from chalicelib.domain import tickets as ticket_rules
from chalicelib.domain.actors import Actor, ActorKind
from chalicelib.domain.claims import ClaimStatus
from chalicelib.domain.errors import Conflict
from chalicelib.domain.ids import new_id
from chalicelib.domain.maintenance import AppointmentStatus
from chalicelib.i18n import claims as texts
from chalicelib.notify.events import DomainEvent
from chalicelib.store import service as service_store
from chalicelib.store import tenant_context
from chalicelib.store import tickets as ticket_store
from chalicelib.store.base import utcnow

if TYPE_CHECKING:  # services.tickets imports this module's callers: typing only
    from chalicelib.services.tickets import Change, TicketContext

MAX_ATTEMPTS = 3

# (item, expected version, what it is): the shape ``store.service.write_together`` takes.
Versioned = tuple[service_store.ServiceItem, int, str]


@dataclass(frozen=True)
class _Read:
    """A ticket (None when gone), its tenant's context and its customer's locale."""

    ticket: ticket_store.TicketItem | None
    ctx: TicketContext
    customer_locale: str | None


def _read(tenant_id: str, ticket_id: str, customer_id: str | None) -> _Read:
    """The ticket, the tenant context and (when asked) the customer, in one BatchGetItem."""
    from chalicelib.services import tickets
    from chalicelib.store import customers as customer_store

    ticket_key = (
        ticket_store.TicketsTable.Meta.table_name,
        ticket_store.ticket_pk(tenant_id, ticket_id),
        ticket_store.TICKET_SK,
    )
    wanted = [ticket_key]
    customer_key = None
    if customer_id:
        customer_key = (
            customer_store.CustomersTable.Meta.table_name,
            customer_store.collection_key(tenant_id),
            customer_id,
        )
        wanted.append(customer_key)
    loaded = tenant_context.load_with(tenant_id, tickets.SECTIONS, wanted)
    raw_ticket = loaded.extra.get(ticket_key)
    raw_customer = loaded.extra.get(customer_key) if customer_key else None
    locale = (
        customer_store.CustomerItem.from_raw_data(raw_customer).locale if raw_customer else None
    )
    return _Read(
        ticket=ticket_store.TicketItem.from_raw_data(raw_ticket) if raw_ticket else None,
        ctx=tickets.context_from(tenant_id, loaded),
        customer_locale=locale,
    )


def customer_locale(tenant_id: str, customer_id: str) -> texts.Locale:
    """The customer's locale, else the tenant's (one BatchGetItem: tenant and customer)."""
    return customer_with_locale(tenant_id, customer_id)[1]


def customer_with_locale(tenant_id: str, customer_id: str) -> tuple[Any, texts.Locale]:
    """The customer (or None) and their locale, else the tenant's, in one BatchGetItem."""
    from chalicelib.store import customers as customer_store

    key = (
        customer_store.CustomersTable.Meta.table_name,
        customer_store.collection_key(tenant_id),
        customer_id,
    )
    loaded = tenant_context.load_with(tenant_id, (), [key])
    raw = loaded.extra.get(key)
    customer = customer_store.CustomerItem.from_raw_data(raw) if raw else None
    return customer, texts.locale_of(
        customer.locale if customer else None,
        loaded.tenant.default_locale if loaded.tenant else None,
    )


def _stamp_version(item: service_store.ServiceItem, expected: int) -> None:
    """What ``store.service`` does to a record it writes as its next version."""
    item.version = expected + 1
    item.updated_at = utcnow()
    service_store.sync_filters(item)


def _add_note(change: Change, body: str, visibility: ticket_rules.Visibility, author: Actor) -> str:
    """Put a note on the ticket being changed; its message id."""
    after = change.after
    message_id = new_id()
    change.puts.append(
        ticket_store.MessageItem(
            pk=after.pk,
            sk=ticket_store.MSG + message_id,
            tenant_id=after.tenant_id,
            message_id=message_id,
            ticket_id=after.ticket_id,
            body=body,
            visibility=visibility.value,
            author=author.as_dict(),
            attachment_ids=[],
            created_at=change.now,
        )
    )
    after.message_count = int(after.message_count or 0) + 1
    change.changes.append({"field": "messages", "old": None, "new": message_id})
    return message_id


def _move(change: Change, ctx: TicketContext, wanted: ticket_rules.Status | None) -> None:
    """Move the ticket's status as the rule wants, when its state machine allows it now."""
    from chalicelib.services import tickets

    current = change.after
    target = links.ticket_status_after(
        ticket_rules.Status(current.status),
        wanted,
        solved_at=current.solved_at,
        now=change.now,
        reopen_window=timedelta(days=ctx.ticket_settings.reopen_window_days),
    )
    if target is None:
        return
    old = current.status
    tickets.apply_status(change, ctx, target)
    change.changes.append({"field": "status", "old": old, "new": target.value})


def _sync(
    tenant_id: str,
    ticket_id: str,
    *,
    customer_id: str | None,
    actor: Actor,
    build: Callable[[Change, _Read], bool],
    versioned: list[Versioned],
    new: list[service_store.ServiceItem] | None = None,
    fallback: Callable[[], None],
) -> None:
    """Change the ticket with ``build`` and write it with the records, in one transaction.

    ``build(change, read)`` applies the ticket's part and says whether the ticket takes it;
    when it does not (the ticket is gone or closed), ``fallback`` writes the records alone.
    """
    from chalicelib.services import tickets

    for stamped in versioned:
        _stamp_version(stamped[0], stamped[1])
    for attempt in range(MAX_ATTEMPTS):
        read = _read(tenant_id, ticket_id, customer_id)
        if read.ticket is None or read.ticket.status == ticket_rules.Status.CLOSED.value:
            fallback()
            return
        change = tickets.Change(
            before=read.ticket,
            after=tickets.copy_item(read.ticket),
            actor=actor,
            action="updated",
            now=utcnow(),
        )
        if not build(change, read):
            fallback()
            return
        change.puts.extend(new or [])
        change.versioned = [
            ticket_store.VersionedPut(item, expected, what) for item, expected, what in versioned
        ]
        try:
            tickets.commit_change(change, read.ctx)
            return
        except ticket_store.TicketChanged:
            if attempt == MAX_ATTEMPTS - 1:
                raise


def _message_event(change: Change, message_id: str, visibility: str, author: Actor) -> DomainEvent:
    from chalicelib.services import tickets

    after = change.after
    return DomainEvent(
        after.tenant_id,
        "ticket.message_added",
        tickets.event_data(
            after,
            message_id=message_id,
            visibility=visibility,
            author=author.as_dict(),
            first_response=False,
        ),
    )


def _finish_events(change: Change, extra: list[DomainEvent]) -> None:
    from chalicelib.services import tickets

    change.events += extra
    if change.before is not None:  # always: synchronisation changes an existing ticket
        change.events += tickets.status_events(
            change.after.tenant_id, change.before, change.after, change.actor
        )


# --- claims ----------------------------------------------------------------------------------


def save_claim(
    tenant_id: str,
    claim: service_store.ServiceItem,
    expected: int,
    *,
    actor: Actor,
) -> None:
    """Write a claim's status change and its ticket's (status, note) in one transaction."""
    data = claim.data
    status = ClaimStatus(data["status"])
    effect = links.CLAIM_TICKET_EFFECTS[status]
    public = effect.note is ticket_rules.Visibility.PUBLIC
    author = Actor(kind=ActorKind.SYSTEM, id=f"claim:{claim.record_id}")

    def build(change: Change, read: _Read) -> bool:
        ctx = read.ctx
        if public:
            locale = texts.locale_of(read.customer_locale, ctx.locale)
            body = texts.claim_public_note(
                locale,
                status.value,
                billing=data["billing"],
                reason=data.get("reason"),
                resolution=data.get("resolution"),
            )
        else:
            body = texts.claim_internal_note(
                texts.locale_of(ctx.locale),
                status.value,
                claim_id=claim.record_id,
                notes=data.get("notes"),
            )
        message_id = _add_note(change, body, effect.note, author)
        _move(change, ctx, effect.status)
        _finish_events(change, [_message_event(change, message_id, effect.note.value, author)])
        return True

    def alone() -> None:
        service_store.save_version(claim, expected, what="claim")

    if not data.get("ticket_id"):
        alone()
        return
    _sync(
        tenant_id,
        data["ticket_id"],
        customer_id=data["customer_id"] if public else None,
        actor=actor,
        build=build,
        versioned=[(claim, expected, "claim")],
        fallback=alone,
    )


# --- appointments ------------------------------------------------------------------------------


def _window(data: dict[str, Any], time_zone: str) -> tuple[datetime, datetime]:
    """The visit's window in the tenant's time zone (its team reads the note there)."""
    try:
        zone = ZoneInfo(time_zone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    starts = datetime.fromisoformat(data["starts_at"]).astimezone(zone)
    return starts, datetime.fromisoformat(data["ends_at"]).astimezone(zone)


def create_appointment(
    tenant_id: str,
    appointment: service_store.ServiceItem,
    versioned: list[Versioned],
) -> None:
    """Write a new appointment booked for a ticket together with the ticket's link to it
    (``appointment_id``); a closed ticket takes no new visit (409 ``ticket_closed``)."""
    from chalicelib.services import tickets

    ticket_id = appointment.data["ticket_id"]
    actor = Actor(kind=ActorKind.SYSTEM, id=f"appointment:{appointment.record_id}")

    def build(change: Change, read: _Read) -> bool:
        after = change.after
        old = after.appointment_id
        after.appointment_id = appointment.record_id
        change.changes.append({"field": "appointment_id", "old": old, "new": appointment.record_id})
        _finish_events(
            change,
            [
                DomainEvent(
                    tenant_id,
                    "ticket.updated",
                    tickets.event_data(
                        after, changed_fields=["appointment_id"], actor=actor.as_dict()
                    ),
                )
            ],
        )
        return True

    def closed() -> None:
        raise Conflict(
            "the ticket is closed; closed tickets are final (book the visit without it, or "
            "for a new ticket)",
            code="ticket_closed",
        )

    _sync(
        tenant_id,
        ticket_id,
        customer_id=None,
        actor=actor,
        build=build,
        versioned=versioned,
        new=[appointment],
        fallback=closed,
    )


def settle_appointment(
    tenant_id: str, appointment: service_store.ServiceItem, versioned: list[Versioned]
) -> None:
    """Write an appointment's outcome (and the records settled with it, as
    ``store.service.write_together`` would) with a note on its ticket, in one transaction."""
    data = appointment.data
    status = AppointmentStatus(data["status"])
    effect = links.APPOINTMENT_TICKET_EFFECTS.get(status)
    ticket_id = data.get("ticket_id")
    if effect is None or not ticket_id:
        service_store.write_together(versioned=versioned, what="appointment")
        return
    author = Actor(kind=ActorKind.SYSTEM, id=f"appointment:{appointment.record_id}")

    def build(change: Change, read: _Read) -> bool:
        ctx = read.ctx
        starts, ends = _window(data, ctx.time_zone)
        body = texts.visit_note(
            texts.locale_of(ctx.locale),
            status.value,
            kind=data["kind"],
            starts=starts,
            ends=ends,
            outcome=data.get("outcome_notes"),
            signed_off_by=data.get("signed_off_by"),
            reason=data.get("cancel_reason"),
        )
        message_id = _add_note(change, body, effect.note, author)
        _move(change, ctx, effect.status)
        _finish_events(change, [_message_event(change, message_id, effect.note.value, author)])
        return True

    def alone() -> None:
        service_store.write_together(versioned=versioned, what="appointment")

    _sync(
        tenant_id,
        ticket_id,
        customer_id=None,
        actor=author,
        build=build,
        versioned=versioned,
        fallback=alone,
    )
