"""Ticket reports from counters maintained on write (atomic ADDs, never a scan of tickets).

Counter items (tickets table, partition ``<t>#TREPORT``), each write-sharded by ticket so
concurrent writers to one tenant rarely touch the same item inside their transactions:

- ``NOW#<shard>`` — gauges of the present: ``status_<s>`` (tickets per status) and
  ``open_priority_<p>`` (unresolved tickets per priority); changed by +1/-1.
- ``DAY#<yyyy-mm-dd>#<shard>`` (UTC day of the event) — ``created``, ``created_priority_<p>``,
  ``created_channel_<c>``, ``solved``, ``closed``, ``reopened``; SLA outcomes
  ``sla_<metric>_met`` / ``sla_<metric>_breached`` / ``sla_<metric>_stopped`` (a response
  target the ticket was solved under without a public agent reply: neither met nor breached);
  histograms ``frt_bNN`` (first response) and ``res_bNN`` (resolution) of business minutes.

A response target is met only by a public agent reply, the same event that sets
``first_response_at`` and feeds the ``frt`` histogram, so the first responses met never
outnumber the first responses made.

An SLA clock's outcome is counted once, when it is first known (met at completion, breached
when breached); a later change of outcome (a reopened ticket breaching resolution, a policy
change clearing a breach) moves the count: -1 on the day first counted, +1 today. So
compliance is exact for the outcomes as they stand.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.domain import clock
from chalicelib.domain.errors import BadRequest
from chalicelib.domain.followups import shard_for
from chalicelib.domain.histograms import bucket_name, bucket_of, median
from chalicelib.schemas.ticket_reports import (
    DurationStats,
    SlaCompliance,
    TicketReport,
    TicketReportQuery,
)
from chalicelib.store import tickets as store

REPORT_SHARDS = 4
MAX_RANGE_DAYS = 366
ACTIVE = frozenset({"new", "open", "pending", "on_hold"})
METRICS = ("first_response", "next_response", "resolution")


def _day(instant: datetime) -> str:
    return instant.astimezone(UTC).date().isoformat()


def _outcome(clock: dict[str, Any]) -> str | None:
    """The outcome of a stored clock, as ``domain.sla.Clock.outcome`` defines it."""
    if clock.get("breached_at"):
        return "breached"
    if clock.get("target_minutes") is None:
        return None
    if clock.get("completed_at"):
        return "met"
    if clock.get("stopped_at"):
        return "stopped"
    return None


class _Deltas:
    def __init__(self, ticket_id: str) -> None:
        self.shard = shard_for(ticket_id, REPORT_SHARDS)
        self.items: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, sk_prefix: str, name: str, amount: int = 1) -> None:
        self.items[f"{sk_prefix}#{self.shard}"][name] += amount

    def result(self) -> list[store.CounterDelta]:
        return [
            store.CounterDelta(sk, {k: v for k, v in deltas.items() if v})
            for sk, deltas in sorted(self.items.items())
            if any(deltas.values())
        ]


def counter_deltas(
    before: store.TicketItem | None, after: store.TicketItem, now: datetime
) -> list[store.CounterDelta]:
    """The counter increments a change causes (also marks SLA outcomes counted on ``after``)."""
    deltas = _Deltas(after.ticket_id)
    today = "DAY#" + _day(now)
    _gauges(deltas, before, after)
    if before is None:
        deltas.add(today, "created")
        deltas.add(today, f"created_priority_{after.priority}")
        deltas.add(today, f"created_channel_{after.channel}")
    if (before is None or before.status != after.status) and after.status in ("solved", "closed"):
        deltas.add(today, after.status)
    if before is not None and before.status == "solved" and after.status == "open":
        deltas.add(today, "reopened")
    _durations(deltas, today, before, after)
    _sla_outcomes(deltas, now, after)
    return deltas.result()


def _gauges(deltas: _Deltas, before: store.TicketItem | None, after: store.TicketItem) -> None:
    if before is not None and before.status != after.status:
        deltas.add("NOW", f"status_{before.status}", -1)
    if before is None or before.status != after.status:
        deltas.add("NOW", f"status_{after.status}")
    was_open = before is not None and before.status in ACTIVE
    is_open = after.status in ACTIVE
    if was_open and before is not None and (not is_open or before.priority != after.priority):
        deltas.add("NOW", f"open_priority_{before.priority}", -1)
    if is_open and (not was_open or (before is not None and before.priority != after.priority)):
        deltas.add("NOW", f"open_priority_{after.priority}")


def _clock(document: dict[str, Any] | None, metric: str) -> dict[str, Any] | None:
    found = [c for c in (document or {}).get("clocks", []) if c.get("metric") == metric]
    return found[-1] if found else None


def _durations(
    deltas: _Deltas, today: str, before: store.TicketItem | None, after: store.TicketItem
) -> None:
    first_now = after.first_response_at is not None and (
        before is None or before.first_response_at is None
    )
    if first_now:
        clock = _clock(after.sla, "first_response")
        if clock is not None:
            minutes = float(clock.get("business_elapsed", 0.0)) / 60
            deltas.add(today, bucket_name("frt", bucket_of(minutes)))
    solved_now = after.status == "solved" and (before is None or before.status != "solved")
    if solved_now:
        clock = _clock(after.sla, "resolution")
        if clock is not None:
            minutes = float(clock.get("business_elapsed", 0.0)) / 60
            deltas.add(today, bucket_name("res", bucket_of(minutes)))


def _sla_outcomes(deltas: _Deltas, now: datetime, after: store.TicketItem) -> None:
    document = after.sla or {}
    for sla_clock in document.get("clocks", []):
        outcome, counted = _outcome(sla_clock), sla_clock.get("counted")
        if outcome == counted:
            continue
        metric = sla_clock["metric"]
        if counted and sla_clock.get("counted_day"):
            deltas.add("DAY#" + sla_clock["counted_day"], f"sla_{metric}_{counted}", -1)
        if outcome:
            deltas.add("DAY#" + _day(now), f"sla_{metric}_{outcome}")
        sla_clock["counted"] = outcome
        sla_clock["counted_day"] = _day(now) if outcome else None


# --- reading --------------------------------------------------------------------------------


def _range(query: TicketReportQuery, today: date) -> tuple[date, date]:
    end = query.to_date or today
    start = query.from_date or end - timedelta(days=29)
    if start > end:
        raise BadRequest("'from' is after 'to'", code="invalid_query")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise BadRequest(f"a report covers at most {MAX_RANGE_DAYS} days", code="invalid_query")
    return start, end


def _stats(totals: dict[str, int], prefix: str) -> DurationStats:
    counts: dict[int, int] = {}
    for name, value in totals.items():
        if name.startswith(prefix + "_b"):
            counts[int(name[len(prefix) + 2 :])] = value
    estimate = median(counts)
    return DurationStats(
        count=estimate.count,
        median_minutes=estimate.median_minutes,
        median_bucket_low_minutes=estimate.low_minutes,
        median_bucket_high_minutes=estimate.high_minutes,
    )


def _compliance(met: int, breached: int, stopped: int = 0) -> SlaCompliance:
    total = met + breached
    percent = round(100 * met / total, 2) if total else None
    return SlaCompliance(
        met=met, breached=breached, stopped_without_reply=stopped, compliance_percent=percent
    )


def _prefixed(totals: dict[str, int], prefix: str) -> dict[str, int]:
    return {k[len(prefix) :]: v for k, v in sorted(totals.items()) if k.startswith(prefix) and v}


def ticket_report(tenant_id: str, query: TicketReportQuery) -> TicketReport:
    """Counts, SLA compliance and median business times over a UTC date range.

    Two Queries of the counter partition: the days of the range and the present's gauges;
    the cost depends on the number of days (x shards), never on the number of tickets.
    """
    start, end = _range(query, clock.now().date())
    days: dict[str, int] = defaultdict(int)
    for item in store.report_counters(
        tenant_id, f"DAY#{start.isoformat()}", f"DAY#{end.isoformat()}~"
    ):
        for name, value in item.items():
            if isinstance(value, int) and name not in ("version",):
                days[name] += value
    gauges: dict[str, int] = defaultdict(int)
    for item in store.report_counters(tenant_id, "NOW#", "NOW#~"):
        for name, value in item.items():
            if isinstance(value, int):
                gauges[name] += value
    sla = {
        m: _compliance(
            days.get(f"sla_{m}_met", 0),
            days.get(f"sla_{m}_breached", 0),
            days.get(f"sla_{m}_stopped", 0),
        )
        for m in METRICS
    }
    sla["overall"] = _compliance(
        sum(c.met for c in sla.values()),
        sum(c.breached for c in sla.values()),
        sum(c.stopped_without_reply for c in sla.values()),
    )
    return TicketReport(
        from_date=start,
        to_date=end,
        created=days.get("created", 0),
        solved=days.get("solved", 0),
        closed=days.get("closed", 0),
        reopened=days.get("reopened", 0),
        created_by_priority=_prefixed(days, "created_priority_"),
        created_by_channel=_prefixed(days, "created_channel_"),
        current_by_status=_prefixed(gauges, "status_"),
        current_open_by_priority=_prefixed(gauges, "open_priority_"),
        sla=sla,
        first_response=_stats(days, "frt"),
        resolution=_stats(days, "res"),
    )
