"""SLA clocks and automation of tickets: the tenant's policies and calendar applied to a change.

Called by the one ticket write path (``services.tickets._commit``) and by the sweep job. It
keeps three things on the ticket consistent with each other: the SLA document (clocks,
marks), the automation progress, and ``due_at`` — the single next wake-up that the sparse,
write-sharded ``due`` index holds.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain import clock
from chalicelib.domain import sla as clocks
from chalicelib.domain import ticket_automation as automation
from chalicelib.domain.business_time import BusinessCalendar, always_open, calendar_from_settings
from chalicelib.domain.followups import shard_key_for
from chalicelib.domain.holidays import preset_dates
from chalicelib.notify.events import DomainEvent
from chalicelib.schemas.ticket_settings import BusinessHoursSettings, SlaSettings
from chalicelib.schemas.tickets import SlaTarget, TicketSla
from chalicelib.store import tickets as store

if TYPE_CHECKING:
    from chalicelib.services.tickets import Change, TicketContext

DUE_SHARDS = 8
ACTIVE = frozenset({"new", "open", "pending", "on_hold"})


def due_shard_key(ticket_id: str) -> str:
    """The due-index partition a ticket's wake-ups are written under."""
    return shard_key_for(ticket_id, DUE_SHARDS, store.DUE_PREFIX)


@functools.lru_cache(maxsize=256)
def _calendar(
    time_zone: str,
    weekly: tuple[tuple[str, tuple[tuple[str, str], ...]], ...],
    presets: tuple[str, ...],
    holidays: tuple[date, ...],
    year: int,
) -> BusinessCalendar:
    # Presets cover the SLA horizon (business_time.HORIZON_DAYS) from last year on.
    days = set(holidays) | set(preset_dates(presets, range(year - 1, year + 7)))
    return calendar_from_settings(time_zone, dict(weekly), days)


def business_calendar(ctx: TicketContext, now: datetime) -> BusinessCalendar:
    """The tenant's business-hours calendar (settings ``business_hours``), cached."""
    hours = BusinessHoursSettings.model_validate(ctx.sections.get("business_hours", {}))
    weekly = tuple(
        (day, tuple((i.start, i.end) for i in getattr(hours.weekly, day)))
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    )
    return _calendar(
        hours.time_zone or ctx.time_zone,
        weekly,
        tuple(hours.holiday_presets),
        tuple(sorted(hours.holidays)),
        now.year,
    )


def sla_settings(ctx: TicketContext) -> SlaSettings:
    """The ``sla`` section (defaults where never set)."""
    return SlaSettings.model_validate(ctx.sections.get("sla", {}))


def choose_policy(ctx: TicketContext, item: store.TicketItem) -> clocks.Policy | None:
    """The policy in force for the ticket as it is now (None: SLA off or nothing matches)."""
    settings = sla_settings(ctx)
    if not settings.enabled:
        return None
    policies = [
        clocks.Policy(
            name=p.name,
            first_response=p.first_response_minutes,
            next_response=p.next_response_minutes,
            resolution=p.resolution_minutes,
            priority=p.priority,
            ticket_type=p.ticket_type,
            customer_tier=p.customer_tier,
            entitlement=p.entitlement,
            business_hours=p.business_hours,
        )
        for p in settings.policies
    ]
    return clocks.select_policy(
        policies,
        priority=item.priority,
        ticket_type=item.ticket_type,
        customer_tier=item.customer_tier,
        entitlement=item.entitlement,
    )


def calendars(ctx: TicketContext, business_hours: bool, now: datetime) -> clocks.Calendars:
    """The calendar SLA time runs on (business or 24/7) and the business one for reports."""
    business = business_calendar(ctx, now)
    return clocks.Calendars(policy=business if business_hours else always_open(), business=business)


def automation_rules(ctx: TicketContext) -> automation.Rules:
    """The tenant's auto-close rules (settings ``tickets``)."""
    settings = ctx.ticket_settings
    return automation.Rules(
        solve_pending_after=(
            timedelta(days=settings.auto_solve_pending_after_days)
            if settings.auto_solve_pending_after_days
            else None
        ),
        close_solved_after=(
            timedelta(days=settings.auto_close_solved_after_days)
            if settings.auto_close_solved_after_days
            else None
        ),
        notice=timedelta(hours=settings.auto_close_notice_hours),
    )


def automation_plan(ctx: TicketContext, item: store.TicketItem) -> automation.Plan | None:
    """The auto-close planned for the ticket as it is now."""
    return automation.plan(
        item.status,
        status_changed_at=item.status_changed_at,
        solved_at=item.solved_at,
        rules=automation_rules(ctx),
    )


def _crossing_events(
    item: store.TicketItem, crossings: list[clocks.Crossing], ctx: TicketContext
) -> list[DomainEvent]:
    from chalicelib.services.tickets import event_data

    names = {"warning": "ticket.sla_warning", "breach": "ticket.sla_breached"}
    return [
        DomainEvent(
            ctx.tenant_id,
            names[c.kind],
            event_data(
                item,
                metric=c.metric.value,
                target_minutes=c.target_minutes,
                crossed_at=store.iso(c.at),
                due_at=store.iso(c.at) if c.kind == "breach" else None,
            ),
        )
        for c in crossings
    ]


def _document(
    sla: clocks.Sla, item: store.TicketItem, cals: clocks.Calendars, now: datetime
) -> dict[str, Any]:
    views = [clocks.view(c, calendars=cals, now=now, ratio=sla.warning_ratio) for c in sla.clocks]
    document = clocks.to_json(sla)
    document["state"] = clocks.overall(views, ticket_active=item.status in ACTIVE).value
    return document


def recompute(change: Change, ctx: TicketContext) -> list[DomainEvent]:
    """Bring clocks, marks, automation and the next wake-up up to date with this change.

    Returns the SLA events of thresholds crossed (each is recorded on the ticket once, so
    recomputing again never repeats them); crossings also become audit changes.
    """
    after, before, now = change.after, change.before, change.now
    state = clocks.from_json(before.sla if before else None) or clocks.start(
        before.created_at if before else now
    )
    policy = choose_policy(ctx, after)
    settings = sla_settings(ctx)
    cals = calendars(ctx, policy.business_hours if policy else True, now)
    crossings = clocks.advance(
        state,
        clocks.Happening(
            status=after.status,
            previous_status=before.status if before else None,
            customer_replied=change.customer_replied,
            agent_replied=change.agent_replied,
        ),
        policy=policy,
        calendars=cals,
        now=now,
        warning_ratio=settings.warning_percent / 100,
        pause_on_hold=settings.pause_on_hold,
    )
    return _finish(change, ctx, state, cals, crossings)


def _finish(
    change: Change,
    ctx: TicketContext,
    state: clocks.Sla,
    cals: clocks.Calendars,
    crossings: list[clocks.Crossing],
) -> list[DomainEvent]:
    after, now = change.after, change.now
    previous_state = (change.before.sla or {}).get("state") if change.before else None
    after.sla = _document(state, after, cals, now)
    for crossing in crossings:
        change.changes.append(
            {
                "field": f"sla.{crossing.metric.value}",
                "old": None,
                "new": "breached" if crossing.kind == "breach" else "warning",
            }
        )
    if previous_state and previous_state != after.sla["state"] and not crossings:
        change.changes.append(
            {"field": "sla.state", "old": previous_state, "new": after.sla["state"]}
        )
    wake_sla = clocks.next_wakeup(state, calendars=cals)
    planned = automation_plan(ctx, after)
    progress = automation.Progress.from_dict(after.automation)
    _step, wake_automation = automation.next_step(
        planned, progress, rules=automation_rules(ctx), now=now
    )
    if _step is not None:
        # Due now: the sweep acts on it at its next run.
        wake_automation = now
    wakes = [w for w in (wake_sla, wake_automation) if w is not None]
    after.due_at = min(wakes) if wakes else None
    return _crossing_events(after, crossings, ctx)


def check(change: Change, ctx: TicketContext) -> list[DomainEvent]:
    """The sweep's SLA step: accrue the running clocks to now and record crossings."""
    after, now = change.after, change.now
    state = clocks.from_json(after.sla) or clocks.start(after.created_at)
    policy = choose_policy(ctx, after)
    cals = calendars(ctx, policy.business_hours if policy else True, now)
    crossings = clocks.check(state, calendars=cals, now=now)
    return _finish(change, ctx, state, cals, crossings)


def sla_view(item: store.TicketItem, ctx: TicketContext | None, now: datetime) -> TicketSla:
    """The SLA part of a ticket response, as of ``now``."""
    state = clocks.from_json(item.sla)
    if state is None or ctx is None:
        return TicketSla(policy=None, state="none", targets=[])
    cals = calendars(ctx, state.business_hours, now)
    views = [
        clocks.view(c, calendars=cals, now=now, ratio=state.warning_ratio) for c in state.clocks
    ]
    targets = [
        SlaTarget(
            metric=v.metric.value,
            target_minutes=v.target_minutes,
            business_hours=state.business_hours,
            status=v.status,  # type: ignore[arg-type]
            state=v.state.value,
            elapsed_minutes=round(v.elapsed_seconds / 60, 2),
            business_elapsed_minutes=round(v.business_elapsed_seconds / 60, 2),
            due_at=v.due_at,
            warning_at=v.warning_at,
            completed_at=v.completed_at,
            breached_at=v.breached_at,
            stopped_at=v.stopped_at,
        )
        for v in views
    ]
    overall = clocks.overall(views, ticket_active=item.status in ACTIVE)
    return TicketSla(policy=state.policy, state=overall.value, targets=targets)


def utc_now() -> datetime:
    """Now, UTC (one place to read the clock for views)."""
    return clock.now()
