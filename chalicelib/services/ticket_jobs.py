"""Scheduled ticket work: SLA warnings and breaches, auto-close notices and auto-close.

The sweep reads the sparse, write-sharded ``due`` index of the tickets table — only tickets
with a wake-up at or before now, shard by shard, page by page — and handles each ticket on
behalf of its tenant. Handling is idempotent: it re-reads the ticket, does nothing unless
the ticket's own ``due_at`` has come (a duplicate delivery or a stale index entry finds it
in the future), and commits conditional on the version it read, so of two concurrent sweeps
exactly one acts; notifications go out only after the winning commit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib import context
from chalicelib.domain import ticket_automation as automation
from chalicelib.domain.actors import SYSTEM
from chalicelib.domain.errors import VersionConflict
from chalicelib.domain.followups import sweep_shard_keys
from chalicelib.domain.ids import new_id
from chalicelib.domain.tickets import Status
from chalicelib.i18n.ticket_notices import text
from chalicelib.notify.events import DomainEvent
from chalicelib.observability import logger
from chalicelib.services import ticket_sla, tickets
from chalicelib.store import tickets as store

PAGE_SIZE = 100
SAFETY_SECONDS = 10.0
SUSPENDED_RETRY = timedelta(hours=1)


@dataclass
class SweepReport:
    """What one sweep did."""

    examined: int = 0
    acted: int = 0
    skipped: int = 0
    conflicts: int = 0
    pages: int = 0
    notices: int = 0
    alerts: int = 0
    finished: bool = True
    tenants: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (returned by the Lambda, logged)."""
        return {
            "examined": self.examined,
            "acted": self.acted,
            "skipped": self.skipped,
            "conflicts": self.conflicts,
            "pages": self.pages,
            "notices": self.notices,
            "alerts": self.alerts,
            "finished": self.finished,
            "tenants": len(self.tenants),
        }


def sweep(
    now: datetime, *, deadline: float | None = None, page_size: int = PAGE_SIZE
) -> SweepReport:
    """Handle every ticket whose wake-up is due at ``now``, until ``deadline`` (monotonic).

    What is left when the deadline comes stays in the index for the next run.
    """
    report = SweepReport()
    for shard in sweep_shard_keys(ticket_sla.DUE_SHARDS, store.DUE_PREFIX):
        start: dict[str, Any] | None = None
        while True:
            if deadline is not None and time.monotonic() > deadline:
                report.finished = False
                return report
            page = store.query_due(shard, now, start, page_size)
            report.pages += 1
            for row in page.items:
                report.examined += 1
                report.tenants.add(row.tenant_id)
                handle_ticket(row.tenant_id, row.ticket_id, now, report)
            if page.next_key is None:
                break
            start = page.next_key
    return report


def handle_ticket(tenant_id: str, ticket_id: str, now: datetime, report: SweepReport) -> None:
    """Do what is due on one ticket, on behalf of its tenant (idempotent)."""
    with context.serving_tenant(tenant_id):
        for _attempt in range(2):
            item, ctx = tickets.load_with_context(tenant_id, ticket_id)
            if item is None or item.due_at is None or item.due_at > now:
                report.skipped += 1
                return
            if not ctx.active:
                # A suspended (or closing) tenant's customers get no notices and its tickets
                # no automated changes; look again in an hour.
                store.postpone_due(item, now + SUSPENDED_RETRY)
                report.skipped += 1
                return
            try:
                _act(item, ctx, now, report)
            except VersionConflict:
                report.conflicts += 1
                continue
            report.acted += 1
            return


def _act(
    item: store.TicketItem, ctx: tickets.TicketContext, now: datetime, report: SweepReport
) -> None:
    after = tickets.copy_item(item)
    change = tickets.Change(
        before=item, after=after, actor=SYSTEM, action="sla_check", now=now, sweep=True
    )
    planned = ticket_sla.automation_plan(ctx, item)
    rules = ticket_sla.automation_rules(ctx)
    progress = automation.Progress.from_dict(item.automation)
    step, _ = automation.next_step(planned, progress, rules=rules, now=now)
    notice: tuple[str, str] | None = None
    customer = None
    if step is automation.Step.NOTICE and planned is not None:
        from chalicelib.store import customers

        customer = customers.get_customer(ctx.tenant_id, item.customer_id)
        locale = (customer.locale if customer else None) or ctx.locale
        notice = _plan_notice(change, ctx, planned, rules, locale)
    elif step is automation.Step.ACT and planned is not None:
        target = Status.SOLVED if planned.action is automation.Action.SOLVE else Status.CLOSED
        change.sweep = False
        change.action = "auto_solved" if target is Status.SOLVED else "auto_closed"
        tickets.apply_status(change, ctx, target)
        change.changes.append({"field": "status", "old": item.status, "new": target.value})
        change.events += tickets.status_events(ctx.tenant_id, item, after, SYSTEM)
    tickets.commit_change(change, ctx)
    # An internal ticket is kept from the customer: its notice stays on the ticket.
    if notice is not None and customer is not None and not item.internal:
        report.notices += int(_send_notice(customer, *notice))
    report.alerts += _send_alerts(after, ctx, change.events)


def _plan_notice(
    change: tickets.Change,
    ctx: tickets.TicketContext,
    planned: automation.Plan,
    rules: automation.Rules,
    locale: str,
) -> tuple[str, str]:
    """Record the notice on the ticket (a public system message) and its event."""
    after, now = change.after, change.now
    when = automation.closes_at(planned, notice_sent_at=now, rules=rules)
    after.automation = automation.Progress(now, planned.action.value).as_dict()
    kind = "solve" if planned.action is automation.Action.SOLVE else "close"
    # Written in the tenant's zone, formatted per locale by the notice's message kind.
    when_text = when.astimezone(ticket_sla.business_calendar(ctx, now).zone)
    subject = text(locale, f"{kind}_subject", subject=after.subject)
    body = text(locale, f"{kind}_body", subject=after.subject, when=when_text)
    message_id = new_id()
    change.puts.append(
        store.MessageItem(
            pk=after.pk,
            sk=store.MSG + message_id,
            tenant_id=after.tenant_id,
            message_id=message_id,
            ticket_id=after.ticket_id,
            body=body,
            visibility="public",
            author=SYSTEM.as_dict(),
            attachment_ids=[],
            created_at=now,
        )
    )
    after.message_count = int(after.message_count or 0) + 1
    change.action = "auto_close_notice"
    change.changes.append({"field": "automation", "old": None, "new": f"notice:{kind}"})
    change.events.append(
        DomainEvent(
            ctx.tenant_id,
            "ticket.auto_close_notice",
            tickets.event_data(
                after,
                message_id=message_id,
                next_status="solved" if kind == "solve" else "closed",
                closes_at=store.iso(when),
            ),
        )
    )
    return subject, body


def _send_notice(customer: Any, subject: str, body: str) -> bool:
    """Email the notice (transactional) unless the customer has no email or opted out."""
    from chalicelib.notify import ticket_mail

    if not customer.email or not customer.contact_consent:
        logger.info("auto-close notice recorded on the ticket only (no email or no consent)")
        return False
    return ticket_mail.send(customer.email, subject, body)


def _send_alerts(
    item: store.TicketItem, ctx: tickets.TicketContext, events: list[DomainEvent]
) -> int:
    from chalicelib.notify import ticket_mail

    recipient = ctx.ticket_settings.sla_alert_email
    breaches = [e for e in events if e.name in ("ticket.sla_breached", "ticket.sla_warning")]
    if not recipient or not breaches:
        return 0
    sent = 0
    for event in breaches:
        kind = "breach" if event.name == "ticket.sla_breached" else "warning"
        data = event.data
        subject = text(
            "en", "alert_subject", kind=kind, subject=item.subject, metric=data["metric"]
        )
        body = text(
            "en",
            "alert_body",
            ticket_id=item.ticket_id,
            subject=item.subject,
            priority=item.priority,
            verb="missed" if kind == "breach" else "is close to",
            metric=data["metric"].replace("_", " "),
            target=data["target_minutes"],
            at=data["crossed_at"],
            assignee=item.assignee or "(unassigned)",
        )
        sent += int(ticket_mail.send(recipient, subject, body))
    return sent
